/**
 * Consent-record search for privacy officers: filtered pages for the screen, a keyset-paged stream for exports
 * (constant memory on both engines, which PGlite's lack of server-side cursors requires), and a consent ID's
 * whole history with each record's chain links checked.
 */
import { chainHash } from '../domain/chain.ts';
import type { ConsentAction } from '../domain/consent.ts';
import type { Db } from '../db/create.ts';
import { toChainedContent } from './consent-records.ts';

export interface RecordSearch {
  /** Already narrowed to the caller's organisation. */
  readonly siteIds: readonly number[];
  readonly consentId?: string;
  readonly from?: Date;
  readonly to?: Date;
  readonly action?: ConsentAction;
  readonly policyVersion?: number;
  readonly account?: string;
}

/** A stored record as the dashboard shows and exports it: its chained content, hash links and site key. */
export type ConsentRecordView = ReturnType<typeof toChainedContent> & { readonly id: number; readonly siteKey: string };

function searchQuery(db: Db, search: RecordSearch) {
  let query = db
    .selectFrom('consent_records as r')
    .innerJoin('sites as s', 's.id', 'r.site_id')
    .selectAll('r')
    .select('s.key as site_key')
    .where('r.site_id', 'in', search.siteIds.length ? [...search.siteIds] : [-1]);
  if (search.consentId) query = query.where('r.consent_id', '=', search.consentId);
  if (search.from) query = query.where('r.recorded_at', '>=', search.from);
  if (search.to) query = query.where('r.recorded_at', '<', search.to);
  if (search.action) query = query.where('r.action', '=', search.action);
  if (search.policyVersion !== undefined) query = query.where('r.policy_version', '=', search.policyVersion);
  if (search.account) query = query.where('r.account', '=', search.account);
  return query;
}

type SearchRow = Awaited<ReturnType<ReturnType<typeof searchQuery>['execute']>>[number];

function toView(row: SearchRow): ConsentRecordView {
  return { ...toChainedContent(row), id: row.id, siteKey: row.site_key };
}

/** One record by id, only on the given sites; its chain link checked as in a history. */
export async function findRecord(db: Db, siteIds: readonly number[], id: number): Promise<HistoryEntry | null> {
  const row = await searchQuery(db, { siteIds }).where('r.id', '=', id).executeTakeFirst();
  return row ? { ...toView(row), chain: await linkStatus(db, row) } : null;
}

/** Newest first; pass the last id seen as `before` for the next page. */
export async function searchRecords(db: Db, search: RecordSearch, page: { before?: number; limit: number }): Promise<ConsentRecordView[]> {
  let query = searchQuery(db, search).orderBy('r.id', 'desc').limit(page.limit);
  if (page.before !== undefined) query = query.where('r.id', '<', page.before);
  return (await query.execute()).map(toView);
}

/** Every matching record, oldest first, one page in memory at a time. */
export async function* streamRecords(db: Db, search: RecordSearch, pageSize = 2_000): AsyncGenerator<ConsentRecordView[]> {
  let afterId = 0;
  for (;;) {
    const rows = await searchQuery(db, search).where('r.id', '>', afterId).orderBy('r.id').limit(pageSize).execute();
    if (rows.length) yield rows.map(toView);
    if (rows.length < pageSize) return;
    afterId = rows[rows.length - 1]!.id;
  }
}

export type LinkStatus = 'verified' | 'altered' | 'unlinked';

export interface HistoryEntry extends ConsentRecordView {
  /** `altered`: the hash no longer matches the content; `unlinked`: the record before it in the chain is not the one it names. */
  readonly chain: LinkStatus;
}

/** Every record of a consent ID on the given sites, oldest first, each checked against its own hash and its predecessor. */
export async function consentHistory(db: Db, siteIds: readonly number[], consentId: string): Promise<HistoryEntry[]> {
  const rows = await searchQuery(db, { siteIds, consentId }).orderBy('r.site_id').orderBy('r.seq').execute();
  const entries: HistoryEntry[] = [];
  for (const row of rows) entries.push({ ...toView(row), chain: await linkStatus(db, row) });
  return entries;
}

async function linkStatus(db: Db, row: SearchRow): Promise<LinkStatus> {
  const content = toChainedContent(row);
  if (chainHash(content.prevHash, content) !== content.hash) return 'altered';
  if (row.seq <= 1) return 'verified';
  const previous = await db
    .selectFrom('consent_records')
    .select('hash')
    .where('site_id', '=', row.site_id)
    .where('seq', '=', row.seq - 1)
    .executeTakeFirst();
  // A predecessor removed by the retention rule cannot be checked; one that is present must match.
  return previous && previous.hash !== row.prev_hash ? 'unlinked' : 'verified';
}
