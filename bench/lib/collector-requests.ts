/**
 * What the collector benchmarks send and how they count it afterwards: numbered event and consent requests for
 * one demo site, the decision pool events need, and the stored rows read back by number.
 */
import { randomBytes } from 'node:crypto';
import type { ConsentRequest, Declaration, EventsRequest } from '../../server/contract.ts';
import { createDb, type Db } from '../../server/db/create.ts';
import { DEMO_SITES } from '../../server/demo/content.ts';
import { describeChainBreak } from '../../server/domain/chain.ts';
import type { verifySiteChain } from '../../server/queries/consent-records.ts';
import { findSiteByKey } from '../../server/queries/sites.ts';
import type { BenchDatabase, Engine } from './databases.ts';
import { REQUEST_NUMBER } from './load.ts';
import type { Figure } from './report.ts';
import { RequestSet } from './request-set.ts';
import type { SamtykkeProcess } from './samtykke.ts';

export const SITE_KEY = DEMO_SITES[0]!.key;
export const ENGINE_NAMES: Record<Engine, string> = { postgres: 'PostgreSQL', pglite: 'PGlite' };
const DECISION_CONCURRENCY = 25;
const BROWSER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';

/** Identifies one engine's requests in storage: every consent ID and session ID of the run starts with it. */
export class RunIds {
  readonly tag = `bench-${randomBytes(4).toString('hex')}`;

  poolConsentId(index: number): string {
    return `${this.tag}-pool-${index}`;
  }

  /** The prefix of a numbered phase, e.g. "events" or "open-consent-3": request n carries `${prefix}${n}`. */
  phase(name: string): string {
    return `${this.tag}-${name}-`;
  }
}

export function requestHeaders(publicUrl: string): Record<string, string> {
  // text/plain is what the widget's beacons send; Origin is checked against the site's allowed origins.
  return { 'content-type': 'text/plain;charset=UTF-8', origin: publicUrl, 'user-agent': BROWSER_AGENT };
}

/** One pageview per request, round-robin over the pool's consent IDs; the session ID carries the request's number. */
export function eventBodies(ids: RunIds, sessionPrefix: string, publicUrl: string, pool: number): string[] {
  return Array.from({ length: pool }, (_, index) =>
    JSON.stringify({
      site: SITE_KEY,
      consentId: ids.poolConsentId(index),
      sessionId: `${sessionPrefix}${REQUEST_NUMBER}`,
      events: [{ type: 'pageview', url: `${publicUrl}/tjenester/faktura?utm_source=nyhetsbrev`, referrer: 'https://www.example.no/' }],
    } satisfies EventsRequest),
  );
}

export function consentRequest(consentId: string, policyVersion: number, publicUrl: string): ConsentRequest {
  return {
    site: SITE_KEY,
    consentId,
    policyVersion,
    choices: { functional: true, analytics: true, ads: false },
    action: 'custom',
    source: 'banner',
    locale: 'nb',
    url: `${publicUrl}/tjenester/faktura?ref=banner`,
  };
}

/** A consent body whose consent ID is `${prefix}${n}` for request n. */
export function numberedConsentBody(prefix: string, policyVersion: number, publicUrl: string): string {
  return JSON.stringify(consentRequest(`${prefix}${REQUEST_NUMBER}`, policyVersion, publicUrl));
}

export async function publishedPolicyVersion(server: SamtykkeProcess): Promise<number> {
  const response = await fetch(`${server.url}/api/sites/${SITE_KEY}/declaration`);
  if (!response.ok) throw new Error(`GET /api/sites/${SITE_KEY}/declaration answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as Declaration).policyVersion;
}

/** Events need a decision that grants analytics first; the pool is recorded through the public API. */
export async function recordDecisionPool(server: SamtykkeProcess, ids: RunIds, policyVersion: number, pool: number): Promise<void> {
  let next = 0;
  const sender = async () => {
    while (next < pool) {
      const body = consentRequest(ids.poolConsentId(next++), policyVersion, server.publicUrl);
      const response = await fetch(`${server.url}/api/consent`, { method: 'POST', headers: requestHeaders(server.publicUrl), body: JSON.stringify(body) });
      if (response.status !== 201) throw new Error(`Recording the decision pool: POST /api/consent answered ${response.status}: ${await response.text()}`);
    }
  };
  await Promise.all(Array.from({ length: DECISION_CONCURRENCY }, sender));
}

/** Opens the benchmark database from this process; only while no server runs, since PGlite allows one opener. */
export async function withDatabase<T>(database: BenchDatabase, use: (db: Db, siteId: number) => Promise<T>): Promise<T> {
  const db = await createDb(database.config);
  try {
    const site = await findSiteByKey(db, SITE_KEY);
    if (!site) throw new Error(`The demo site "${SITE_KEY}" is missing from the benchmark database`);
    return await use(db, site.id);
  } finally {
    await db.destroy();
  }
}

function numbersAfter(prefix: string, markers: readonly string[]): RequestSet {
  const stored = new RequestSet();
  for (const marker of markers) stored.add(Number(marker.slice(prefix.length)));
  return stored;
}

export async function storedEventNumbers(db: Db, siteId: number, prefix: string): Promise<RequestSet> {
  const rows = await db.selectFrom('events').select('session_id').where('site_id', '=', siteId).where('session_id', 'like', `${prefix}%`).execute();
  return numbersAfter(prefix, rows.map((row) => row.session_id));
}

export async function storedConsentNumbers(db: Db, siteId: number, prefix: string): Promise<RequestSet> {
  const rows = await db.selectFrom('consent_records').select('consent_id').where('site_id', '=', siteId).where('consent_id', 'like', `${prefix}%`).execute();
  return numbersAfter(prefix, rows.map((row) => row.consent_id));
}

export function chainFigures(key: string, label: string, report: Awaited<ReturnType<typeof verifySiteChain>>, notes: string[]): Figure[] {
  if (report.problem) notes.push(`CHAIN BROKEN after ${label}: ${describeChainBreak(SITE_KEY, report.problem)}`);
  return [
    { key: `${key}.chain_records_verified`, label: `${label}: chain records verified`, value: report.checked, unit: '' },
    { key: `${key}.chain_breaks`, label: `${label}: chain breaks`, value: report.problem ? 1 : 0, unit: '', target: { kind: 'max', value: 0, of: 'value' } },
  ];
}
