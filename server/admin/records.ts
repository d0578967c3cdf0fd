/** /records: consent-record search, a consent ID's history with chain status, chain verification and exports. */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { describeChainBreak } from '../domain/chain.ts';
import { ACTIONS } from '../domain/consent.ts';
import { verifySiteChain } from '../queries/consent-records.ts';
import { consentHistory, findRecord, searchRecords, streamRecords, type ConsentRecordView, type RecordSearch } from '../queries/record-search.ts';
import { findShownContent, streamShownContents } from '../queries/shown-contents.ts';
import { hashShownText, type ShownContent } from '../domain/shown-content.ts';
import { ApiError } from '../errors.ts';
import type { RecordDetail } from './contract.ts';
import type { SiteWithPolicy } from '../domain/sites.ts';
import type { AppDeps } from '../services.ts';
import { requirePermission } from './auth.ts';
import type { AdminContext, AdminEnv } from './env.ts';
import { encoderFor, exportHeaders, exportStream, ndjsonLines, type Columns } from './export-stream.ts';
import { audit, ownedSite, ownedSiteIds } from './scope.ts';
import { parseQuery, pathId, queryCursor, queryInteger } from './validate.ts';

const date = z.iso.date().transform((value) => new Date(`${value}T00:00:00Z`));
const DAY_MS = 86_400_000;

export const searchSchema = z.object({
  site: queryInteger.optional(),
  consentId: z.string().trim().min(1).max(64).optional(),
  from: date.optional(),
  // Inclusive: the whole `to` day is searched.
  to: date.transform((value) => new Date(value.getTime() + DAY_MS)).optional(),
  action: z.enum(ACTIONS).optional(),
  policyVersion: queryInteger.optional(),
  account: z.string().trim().min(1).max(200).optional(),
});

/** The one site whose shown contents are exported; all the organisation's sites when absent. */
export const contentsQuery = z.object({ site: queryInteger.optional() });

export const RECORD_COLUMNS: Columns<ConsentRecordView> = [
  ['id', (row) => row.id],
  ['site', (row) => row.siteKey],
  ['seq', (row) => row.seq],
  ['consent_id', (row) => row.consentId],
  ['recorded_at', (row) => row.recordedAt.toISOString()],
  ['policy_version', (row) => row.policyVersion],
  ['functional', (row) => row.functional],
  ['analytics', (row) => row.analytics],
  ['ads', (row) => row.ads],
  ['action', (row) => row.action],
  ['source', (row) => row.source],
  ['locale', (row) => row.locale],
  ['page_url', (row) => row.pageUrl],
  ['browser', (row) => row.browser],
  ['os', (row) => row.os],
  ['device', (row) => row.device],
  ['account', (row) => row.account],
  ['gpc', (row) => row.gpc],
  ['stale', (row) => row.stale],
  ['shown_hash', (row) => row.shownHash],
  ['prev_hash', (row) => row.prevHash],
  ['hash', (row) => row.hash],
  // With these two, the export holds every field the hash covers: `verify --export` checks it with no database.
  ['site_id', (row) => row.siteId],
  ['client_hash', (row) => row.clientHash],
];

/** A stored text that no longer parses is shown as missing; its hash mismatch says why. */
function parseContent(text: string): ShownContent | null {
  try {
    return JSON.parse(text) as ShownContent;
  } catch {
    return null;
  }
}

/** The sites a caller may read: a staff user's organisation, or an API key's organisation and site limit (server/api/). */
export interface SiteScope {
  /** One of them by id; any other is a 404, exactly as a site that does not exist. */
  site(siteId: number): Promise<SiteWithPolicy>;
  siteIds(): Promise<number[]>;
}

function staffScope(c: AdminContext, deps: AppDeps): SiteScope {
  return { site: (siteId) => ownedSite(c, deps, siteId), siteIds: () => ownedSiteIds(c, deps) };
}

/** The search narrowed to the caller's sites; a site outside them is a 404. */
export async function scopedSearch(c: Context, scope: SiteScope): Promise<RecordSearch> {
  const { site, ...filters } = parseQuery(c, searchSchema);
  const siteIds = site !== undefined ? [(await scope.site(site)).id] : await scope.siteIds();
  return { ...filters, siteIds };
}

/** Where a page of the search starts (`before`: the last id seen) and how long it is. */
export const recordPageSchema = z.object({ before: queryCursor.optional(), limit: z.coerce.number().int().min(1).max(500).default(50) });

/** One page of the search, newest first. */
export async function answerRecordSearch(c: Context, deps: AppDeps, search: RecordSearch): Promise<Response> {
  const page = parseQuery(c, recordPageSchema);
  return c.json(await searchRecords(deps.db, search, page));
}

/** Every record the search finds, streamed; the caller writes the audit entry first. */
export function recordExport(deps: AppDeps, search: RecordSearch, format: 'csv' | 'ndjson'): Response {
  return new Response(exportStream(streamRecords(deps.db, search), encoderFor(format, RECORD_COLUMNS)), {
    headers: exportHeaders(format, `consent-records-${new Date().toISOString().slice(0, 10)}`),
  });
}

export function recordRoutes(deps: AppDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  app.use(requirePermission('records.read'));

  app.get('/', async (c) => answerRecordSearch(c, deps, await scopedSearch(c, staffScope(c, deps))));

  for (const format of ['csv', 'ndjson'] as const) {
    app.get(`/export.${format}`, requirePermission('records.export'), async (c) => {
      const search = await scopedSearch(c, staffScope(c, deps));
      const { siteIds, ...filters } = search;
      await audit(c, deps, {
        action: 'records.export',
        siteId: siteIds.length === 1 ? siteIds[0] : null,
        detail: { format, ...filters },
      });
      return recordExport(deps, search, format);
    });
  }

  // Every distinct content the records cite, by hash: with the records' shown_hash an auditor checks each offline.
  app.get('/contents.ndjson', requirePermission('records.export'), async (c) => {
    const { site } = parseQuery(c, contentsQuery);
    const siteIds = site !== undefined ? [(await ownedSite(c, deps, site)).id] : await ownedSiteIds(c, deps);
    await audit(c, deps, { action: 'records.export', siteId: siteIds.length === 1 ? siteIds[0] : null, detail: { format: 'contents.ndjson' } });
    return new Response(
      exportStream(
        streamShownContents(deps.db, siteIds),
        ndjsonLines((row) => ({
          hash: row.hash,
          site: row.siteKey,
          policy_version: row.policyVersion,
          locale: row.locale,
          first_shown_at: row.firstShownAt.toISOString(),
          content: row.content,
        })),
      ),
      { headers: exportHeaders('ndjson', `shown-contents-${new Date().toISOString().slice(0, 10)}`) },
    );
  });

  app.get('/:recordId{[0-9]+}', async (c) => {
    const record = await findRecord(deps.db, await ownedSiteIds(c, deps), pathId(c, 'recordId'));
    if (!record) throw new ApiError(404, 'not_found', { en: 'No such consent record in your organisation', nb: 'Organisasjonen din har ikke denne samtykkeposten' });
    const stored = record.shownHash ? await findShownContent(deps.db, record.shownHash) : null;
    const detail: RecordDetail = {
      record,
      shown: stored
        ? {
            hash: stored.hash,
            // Recomputed on every view: a stored text changed after the decision no longer matches the record.
            matches: hashShownText(stored.content) === record.shownHash,
            content: parseContent(stored.content),
          }
        : null,
    };
    return c.json(detail);
  });

  app.get('/history/:consentId', async (c) => {
    const consentId = c.req.param('consentId');
    return c.json(await consentHistory(deps.db, await ownedSiteIds(c, deps), consentId));
  });

  app.get('/chain/:siteId', async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const report = await verifySiteChain(deps.db, site.id);
    return c.json({
      site: site.key,
      checked: report.checked,
      intact: report.problem === null,
      problem: report.problem ? describeChainBreak(site.key, report.problem) : null,
    });
  });
  return app;
}
