/**
 * The collector benchmark (issue 2): POST /api/events and POST /api/consent on the real server, on PostgreSQL
 * and on PGlite, loaded from a second process and read against a bare endpoint measured in the same run. Every
 * request carries its own number, so "lost" is exact: requests answered 2xx whose rows are not in the database
 * after the server drained on SIGTERM.
 */
import { randomBytes } from 'node:crypto';
import type { ConsentRequest, Declaration, EventsRequest } from '../server/contract.ts';
import { createDb, type Db } from '../server/db/create.ts';
import { DEMO_SITES } from '../server/demo/content.ts';
import { describeChainBreak } from '../server/domain/chain.ts';
import { appendConsentRecords, verifySiteChain, type UnchainedRecord } from '../server/queries/consent-records.ts';
import { findSiteByKey } from '../server/queries/sites.ts';
import { spawnChild } from './lib/child.ts';
import { createBenchDatabase, DEFAULT_DATABASE_URL, ENGINES, type BenchDatabase, type Engine } from './lib/databases.ts';
import type { FloorReady } from './lib/floor-server.ts';
import { REQUEST_NUMBER, runLoad, type LoadPlan, type LoadResult } from './lib/load.ts';
import { progressLog, type Progress } from './lib/progress.ts';
import type { Figure, ScenarioReport } from './lib/report.ts';
import { RequestSet } from './lib/request-set.ts';
import { BENCH_PUBLIC_URL, startSamtykke, type SamtykkeProcess } from './lib/samtykke.ts';
import { positiveInteger, UsageError, type BenchEnv, type OptionValues, type Scenario } from './lib/scenario.ts';

export interface CollectorSettings {
  readonly engines: readonly Engine[];
  readonly durationSeconds: number;
  readonly connections: number;
  /** Consent records stored before the second consent run; 0 skips that run. */
  readonly prefill: number;
  /** Consent IDs holding an analytics grant; events are sent round-robin over them. */
  readonly decisionPool: number;
  /** Where the server children write V8 CPU profiles, when asked. */
  readonly profileDir?: string;
}

const SITE_KEY = DEMO_SITES[0]!.key;
const DECISION_CONCURRENCY = 25;
// 19 bound columns × 3,000 rows stays under PostgreSQL's 65,535 parameters per statement.
const PREFILL_BATCH = 3_000;
const BROWSER_AGENT = 'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/126.0.0.0 Safari/537.36';
const ENGINE_NAMES: Record<Engine, string> = { postgres: 'PostgreSQL', pglite: 'PGlite' };

/** Targets of issue 2; they apply on PostgreSQL. */
const TARGETS = { eventRatioToFloor: 0.5, consentPerSecond: 10_000 } as const;
const QUOTED_REFERENCES = [
  'Reference, QUOTED from issue 2 and not measured here: the c15t backend stores about 550 consent records/s on this machine',
  'with an empty table, and about 14/s with 1 million records stored.',
];

/** Identifies one engine's requests in storage: every consent ID and session ID of the run starts with it. */
class RunIds {
  readonly tag = `bench-${randomBytes(4).toString('hex')}`;

  poolConsentId(index: number): string {
    return `${this.tag}-pool-${index}`;
  }

  /** The prefix of a numbered phase: request n carries `${prefix}${n}`. */
  phase(name: 'events' | 'consent' | 'consent-prefilled' | 'prefill'): string {
    return `${this.tag}-${name}-`;
  }
}

function requestHeaders(publicUrl: string): Record<string, string> {
  // text/plain is what the widget's beacons send; Origin is checked against the site's allowed origins.
  return { 'content-type': 'text/plain;charset=UTF-8', origin: publicUrl, 'user-agent': BROWSER_AGENT };
}

function eventBodies(ids: RunIds, publicUrl: string, pool: number): string[] {
  return Array.from({ length: pool }, (_, index) =>
    JSON.stringify({
      site: SITE_KEY,
      consentId: ids.poolConsentId(index),
      sessionId: `${ids.phase('events')}${REQUEST_NUMBER}`,
      events: [{ type: 'pageview', url: `${publicUrl}/tjenester/faktura?utm_source=nyhetsbrev`, referrer: 'https://www.example.no/' }],
    } satisfies EventsRequest),
  );
}

function consentRequest(consentId: string, policyVersion: number, publicUrl: string): ConsentRequest {
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

function loadPlan(url: string, path: string, bodies: string[], publicUrl: string, settings: CollectorSettings): LoadPlan {
  return {
    url,
    method: 'POST',
    path,
    headers: requestHeaders(publicUrl),
    bodies,
    connections: settings.connections,
    durationSeconds: settings.durationSeconds,
  };
}

async function measureFloor(settings: CollectorSettings): Promise<LoadResult> {
  const floor = spawnChild(new URL('./lib/floor-server.ts', import.meta.url).pathname);
  try {
    const { url } = await floor.nextMessage<FloorReady>();
    return await runLoad(loadPlan(url, '/api/events', eventBodies(new RunIds(), BENCH_PUBLIC_URL, settings.decisionPool), BENCH_PUBLIC_URL, settings));
  } finally {
    await floor.stop();
  }
}

async function publishedPolicyVersion(server: SamtykkeProcess): Promise<number> {
  const response = await fetch(`${server.url}/api/sites/${SITE_KEY}/declaration`);
  if (!response.ok) throw new Error(`GET /api/sites/${SITE_KEY}/declaration answered ${response.status}: ${await response.text()}`);
  return ((await response.json()) as Declaration).policyVersion;
}

/** Events need a decision that grants analytics first; the pool is recorded through the public API. */
async function recordDecisionPool(server: SamtykkeProcess, ids: RunIds, policyVersion: number, pool: number): Promise<void> {
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

/**
 * The bare floor and the events load against a server that is already running, for another scenario that must
 * show its engine does not slow ingest down (the rows are not counted: `npm run bench -- collector` does that).
 */
export async function measureEventIngest(server: SamtykkeProcess, settings: CollectorSettings): Promise<{ floor: LoadResult; events: LoadResult }> {
  const floor = await measureFloor(settings);
  const ids = new RunIds();
  await recordDecisionPool(server, ids, await publishedPolicyVersion(server), settings.decisionPool);
  const events = await runLoad(loadPlan(server.url, '/api/events', eventBodies(ids, server.publicUrl, settings.decisionPool), server.publicUrl, settings));
  return { floor, events };
}

/** Opens the benchmark database from this process; only while no server runs, since PGlite allows one opener. */
async function withDatabase<T>(database: BenchDatabase, use: (db: Db, siteId: number) => Promise<T>): Promise<T> {
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

async function storedEventNumbers(db: Db, siteId: number, prefix: string): Promise<RequestSet> {
  const rows = await db.selectFrom('events').select('session_id').where('site_id', '=', siteId).where('session_id', 'like', `${prefix}%`).execute();
  return numbersAfter(prefix, rows.map((row) => row.session_id));
}

async function storedConsentNumbers(db: Db, siteId: number, prefix: string): Promise<RequestSet> {
  const rows = await db.selectFrom('consent_records').select('consent_id').where('site_id', '=', siteId).where('consent_id', 'like', `${prefix}%`).execute();
  return numbersAfter(prefix, rows.map((row) => row.consent_id));
}

/** Appends valid chained records through the same query the collector's writer uses, in large batches. */
async function prefillChain(db: Db, siteId: number, ids: RunIds, count: number, policyVersion: number): Promise<void> {
  const prefix = ids.phase('prefill');
  const recordedAt = new Date();
  for (let start = 0; start < count; start += PREFILL_BATCH) {
    const records = Array.from({ length: Math.min(PREFILL_BATCH, count - start) }, (_, offset): UnchainedRecord => ({
      consentId: `${prefix}${start + offset}`,
      policyVersion,
      functional: true,
      analytics: (start + offset) % 3 !== 0,
      ads: (start + offset) % 5 === 0,
      action: 'custom',
      source: 'banner',
      locale: 'nb',
      pageUrl: 'https://www.example.no/tjenester',
      browser: 'Chrome',
      os: 'Linux',
      device: 'desktop',
      account: null,
      recordedAt,
      clientHash: 'prefilled',
      shownHash: null,
      gpc: false,
      stale: false,
    }));
    await appendConsentRecords(db, siteId, records);
  }
}

interface PhaseOutcome {
  readonly load: LoadResult;
  /** Acknowledged requests whose rows are missing. */
  readonly lost: number;
  /** Stored rows whose request got no 2xx the load generator saw: in flight when the load stopped. */
  readonly storedUnacknowledged: number;
}

function outcome(load: LoadResult, stored: RequestSet): PhaseOutcome {
  const lost = load.acknowledged.countMissingFrom(stored);
  return { load, lost, storedUnacknowledged: stored.count - (load.acknowledged.count - lost) };
}

function reportPhase(
  report: ScenarioReport,
  key: string,
  label: string,
  unit: string,
  phase: PhaseOutcome,
  floor: LoadResult,
  settings: CollectorSettings,
  perSecondTarget?: Figure['target'],
): void {
  const { load } = phase;
  const perSecond = (load.acknowledged.count - phase.lost) / load.durationSeconds;
  if (load.firstRefusal) report.notes.push(`${label}: the first refusal was ${load.firstRefusal.status} ${load.firstRefusal.body}`);
  report.figures.push(
    { key: `${key}.stored_per_s`, label: `${label}: ${unit}/s stored`, value: perSecond, unit: '/s', ratio: perSecond / floor.answeredPerSecond, target: perSecondTarget },
    { key: `${key}.latency_p50_ms`, label: `${label}: p50 latency`, value: load.latencyMs.p50, unit: 'ms', ratio: ratioOrUndefined(load.latencyMs.p50, floor.latencyMs.p50) },
    { key: `${key}.latency_p99_ms`, label: `${label}: p99 latency`, value: load.latencyMs.p99, unit: 'ms', ratio: ratioOrUndefined(load.latencyMs.p99, floor.latencyMs.p99) },
    { key: `${key}.lost`, label: `${label}: ${unit} lost (2xx, not stored)`, value: phase.lost, unit: '', target: { kind: 'max', value: 0, of: 'value' } },
    {
      key: `${key}.stored_in_flight`,
      label: `${label}: stored, answer cut off by the load's end`,
      value: phase.storedUnacknowledged,
      unit: '',
      // At most one request per connection can be in flight; more would mean a refused request was stored.
      target: { kind: 'max', value: settings.connections, of: 'value' },
    },
    { key: `${key}.status_429`, label: `${label}: 429 answers`, value: load.status.tooManyRequests, unit: '' },
    { key: `${key}.status_503`, label: `${label}: 503 answers`, value: load.status.unavailable, unit: '' },
    { key: `${key}.status_other`, label: `${label}: other non-2xx answers`, value: load.status.other, unit: '' },
    { key: `${key}.no_answer`, label: `${label}: errors and timeouts`, value: load.errors, unit: '' },
  );
}

/** A latency of 0 ms on the floor (below autocannon's resolution) has no meaningful ratio. */
function ratioOrUndefined(value: number, floor: number): number | undefined {
  return floor > 0 ? value / floor : undefined;
}

function chainFigures(key: string, label: string, report: Awaited<ReturnType<typeof verifySiteChain>>, notes: string[]): Figure[] {
  if (report.problem) notes.push(`CHAIN BROKEN after ${label}: ${describeChainBreak(SITE_KEY, report.problem)}`);
  return [
    { key: `${key}.chain_records_verified`, label: `${label}: chain records verified`, value: report.checked, unit: '' },
    { key: `${key}.chain_breaks`, label: `${label}: chain breaks`, value: report.problem ? 1 : 0, unit: '', target: { kind: 'max', value: 0, of: 'value' } },
  ];
}

async function measureEngine(
  engine: Engine,
  settings: CollectorSettings,
  env: BenchEnv,
  floor: LoadResult,
  report: ScenarioReport,
  progress: Progress,
): Promise<void> {
  const name = ENGINE_NAMES[engine];
  const onPostgres = engine === 'postgres';
  const database = await createBenchDatabase(engine, env.databaseUrl ?? DEFAULT_DATABASE_URL);
  report.notes.push(`${name}: ${database.description}`);
  const serverOptions = { profileDir: settings.profileDir };
  const ids = new RunIds();
  try {
    progress(`${name}: events, then consent, ${settings.durationSeconds} s each at ${settings.connections} connections`);
    let server = await startSamtykke(database, serverOptions);
    let policyVersion: number;
    let events: LoadResult;
    let consent: LoadResult;
    try {
      policyVersion = await publishedPolicyVersion(server);
      progress(`${name}: server up; recording ${settings.decisionPool} decisions that grant analytics`);
      await recordDecisionPool(server, ids, policyVersion, settings.decisionPool);
      progress(`${name}: loading POST /api/events`);
      events = await runLoad(loadPlan(server.url, '/api/events', eventBodies(ids, server.publicUrl, settings.decisionPool), server.publicUrl, settings));
      progress(`${name}: loading POST /api/consent`);
      const consentBody = JSON.stringify(consentRequest(`${ids.phase('consent')}${REQUEST_NUMBER}`, policyVersion, server.publicUrl));
      consent = await runLoad(loadPlan(server.url, '/api/consent', [consentBody], server.publicUrl, settings));
    } finally {
      await server.stop();
    }

    progress(`${name}: server drained; counting stored rows and verifying the chain`);
    await withDatabase(database, async (db, siteId) => {
      const eventsOutcome = outcome(events, await storedEventNumbers(db, siteId, ids.phase('events')));
      const eventTarget = onPostgres ? ({ kind: 'min', value: TARGETS.eventRatioToFloor, of: 'ratio' } as const) : undefined;
      reportPhase(report, `${engine}.events`, `${name} events`, 'events', eventsOutcome, floor, settings, eventTarget);
      const consentOutcome = outcome(consent, await storedConsentNumbers(db, siteId, ids.phase('consent')));
      const consentTarget = onPostgres ? ({ kind: 'min', value: TARGETS.consentPerSecond, of: 'value' } as const) : undefined;
      reportPhase(report, `${engine}.consent`, `${name} consent`, 'records', consentOutcome, floor, settings, consentTarget);
      report.figures.push(...chainFigures(`${engine}.consent`, `${name} consent`, await verifySiteChain(db, siteId), report.notes));
      if (settings.prefill > 0) {
        progress(`${name}: storing ${settings.prefill.toLocaleString('en-US')} chained consent records before the next run`);
        const started = Date.now();
        await prefillChain(db, siteId, ids, settings.prefill, policyVersion);
        report.notes.push(`${name}: prefilled ${settings.prefill.toLocaleString('en-US')} chained records in ${((Date.now() - started) / 1000).toFixed(1)} s`);
      }
    });
    if (settings.prefill === 0) return;

    progress(`${name}: consent again with the chain prefilled`);
    server = await startSamtykke(database, serverOptions);
    let prefilled: LoadResult;
    try {
      const consentBody = JSON.stringify(consentRequest(`${ids.phase('consent-prefilled')}${REQUEST_NUMBER}`, policyVersion, server.publicUrl));
      prefilled = await runLoad(loadPlan(server.url, '/api/consent', [consentBody], server.publicUrl, settings));
    } finally {
      await server.stop();
    }
    await withDatabase(database, async (db, siteId) => {
      const key = `${engine}.consent_prefilled`;
      const label = `${name} consent, ${settings.prefill.toLocaleString('en-US')} prefilled`;
      const prefilledOutcome = outcome(prefilled, await storedConsentNumbers(db, siteId, ids.phase('consent-prefilled')));
      const target = onPostgres ? ({ kind: 'min', value: TARGETS.consentPerSecond, of: 'value' } as const) : undefined;
      reportPhase(report, key, label, 'records', prefilledOutcome, floor, settings, target);
      report.figures.push(...chainFigures(key, label, await verifySiteChain(db, siteId), report.notes));
    });
  } finally {
    await database.drop();
  }
}

export async function runCollectorBenchmark(settings: CollectorSettings, env: BenchEnv): Promise<ScenarioReport> {
  const report: ScenarioReport = {
    settings: {
      engines: settings.engines,
      duration_s: settings.durationSeconds,
      connections: settings.connections,
      prefill: settings.prefill,
      decision_pool: settings.decisionPool,
      events_per_request: 1,
    },
    figures: [],
    notes: [],
  };
  const progress = progressLog('collector');
  progress(`floor: a bare @hono/node-server endpoint answering 204, ${settings.durationSeconds} s`);
  const floor = await measureFloor(settings);
  report.figures.push(
    { key: 'floor.answered_per_s', label: 'floor: requests/s (bare hono 204)', value: floor.answeredPerSecond, unit: '/s', ratio: 1 },
    { key: 'floor.latency_p50_ms', label: 'floor: p50 latency', value: floor.latencyMs.p50, unit: 'ms' },
    { key: 'floor.latency_p99_ms', label: 'floor: p99 latency', value: floor.latencyMs.p99, unit: 'ms' },
  );
  for (const engine of settings.engines) await measureEngine(engine, settings, env, floor, report, progress);
  report.notes.push(
    'The server runs with SAMTYKKE_RATE_LIMIT=0: all load comes from one address, and the per-client limit would measure the limiter.',
    'Load: autocannon in its own process; one pageview per events request; a new consent ID per consent request.',
    'The machine may be shared: read the figures as ratios to the floor measured in the same run, not as absolutes.',
    ...QUOTED_REFERENCES,
  );
  return report;
}

function engineList(raw: string | boolean | undefined): Engine[] {
  if (raw === undefined) return [...ENGINES];
  const names = String(raw).split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(ENGINES as readonly string[]).includes(name));
  if (unknown.length > 0 || names.length === 0) {
    throw new UsageError(`--engines takes a comma-separated list of ${ENGINES.join(', ')}; got "${String(raw)}"`);
  }
  return names as Engine[];
}

export const collectorScenario: Scenario = {
  summary: 'POST /api/events and POST /api/consent on PostgreSQL and PGlite, against a bare hono endpoint',
  help: [
    '--engines postgres,pglite   which databases (default both; PostgreSQL from DATABASE_URL or the local default)',
    '--duration S                seconds of load per measurement (default 20)',
    '--connections C             concurrent connections (default 50)',
    '--prefill N                 consent records stored before the second consent run (default 1000000; 0 skips it)',
    '--pool N                    consent IDs granting analytics that events are sent for (default 1000)',
    '--profile DIR               write a V8 CPU profile of each server process into DIR',
  ],
  options: {
    engines: { type: 'string' },
    duration: { type: 'string' },
    connections: { type: 'string' },
    prefill: { type: 'string' },
    pool: { type: 'string' },
    profile: { type: 'string' },
  },
  run: (values: OptionValues, env: BenchEnv) =>
    runCollectorBenchmark(
      {
        engines: engineList(values.engines),
        durationSeconds: positiveInteger(values, 'duration', 20),
        connections: positiveInteger(values, 'connections', 50),
        prefill: positiveInteger(values, 'prefill', 1_000_000, 0),
        decisionPool: positiveInteger(values, 'pool', 1_000),
        profileDir: typeof values.profile === 'string' ? values.profile : undefined,
      },
      env,
    ),
};
