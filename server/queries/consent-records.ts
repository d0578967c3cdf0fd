/** The consent evidence: appending chained records, reading a consent ID's latest decision, verifying a chain. */
import { sql } from 'kysely';
import { ChainVerifier, chainHash, type ChainBreak, type ChainedContent } from '../domain/chain.ts';
import type { Checkpoint } from '../domain/checkpoint.ts';
import type { Decision } from '../domain/consent.ts';
import type { Db } from '../db/create.ts';
import type { ConsentRecordRow } from '../db/schema.ts';

/**
 * A record's content before the chain gives it a place, and the client's country beside it: analytics (opt-in by
 * country), not evidence, so the hash does not cover it and it never changes a record's place in the chain.
 * Decisions journaled before countries were kept have none.
 */
export type UnchainedRecord = Omit<ChainedContent, 'siteId' | 'seq'> & { readonly country?: string | null };

export interface ChainHead {
  readonly seq: number;
  readonly hash: string;
}

export interface StoredLink {
  readonly id: number;
  readonly seq: number;
  readonly hash: string;
}

interface ChainedRecord extends ChainedContent {
  readonly country?: string | null;
  readonly prevHash: string;
  readonly hash: string;
}

/** The site's chain head; with `lock`, inside a transaction, held until it ends so no other writer moves it. */
export async function readChainHead(db: Db, siteId: number, { lock = false } = {}): Promise<ChainHead> {
  const query = db.selectFrom('consent_chain_heads').select(['seq', 'hash']).where('site_id', '=', siteId);
  return (lock ? query.forUpdate() : query).executeTakeFirstOrThrow(() => new Error(`Site ${siteId} has no consent chain head`));
}

/** Gives records their places after `head`: pure, so a writer can chain before it knows the head is still current. */
export function chainAfter(siteId: number, head: ChainHead, records: readonly UnchainedRecord[]): { chained: ChainedRecord[]; head: ChainHead } {
  let { seq, hash: prevHash } = head;
  const chained = records.map((record) => {
    seq += 1;
    const content: ChainedContent = { ...record, siteId, seq };
    const hash = chainHash(prevHash, content);
    const link = { ...content, prevHash, hash };
    prevHash = hash;
    return link;
  });
  return { chained, head: { seq, hash: prevHash } };
}

/**
 * Stores chained records in one statement, and only if the site's chain head is still `expected`: the head moves
 * and the records land together or not at all. Returns null when another writer moved the head first; the caller
 * re-reads it and chains again. The head row's lock orders writers in any number of processes, and the unique
 * (site_id, seq) key refuses a fork even if one slipped past.
 */
export async function appendIfHeadUnchanged(db: Db, siteId: number, expected: ChainHead, chained: readonly ChainedRecord[]): Promise<StoredLink[] | null> {
  const last = chained[chained.length - 1];
  if (!last) return [];
  const column = <T>(pick: (record: ChainedRecord) => T) => chained.map(pick);
  // One array per column (unnest): a few parameters for any batch size, and nothing for the query builder to compile per row.
  const { rows } = await sql<StoredLink>`
    with moved as (
      update consent_chain_heads set seq = ${last.seq}, hash = ${last.hash}
      where site_id = ${siteId} and seq = ${expected.seq} and hash = ${expected.hash}
      returning site_id
    )
    insert into consent_records (site_id, seq, consent_id, policy_version, functional, analytics, ads, action, source, locale,
      page_url, browser, os, device, account, recorded_at, client_hash, shown_hash, gpc, stale, prev_hash, hash, country)
    select moved.site_id, r.* from moved, unnest(
      ${column((r) => r.seq)}::bigint[], ${column((r) => r.consentId)}::text[], ${column((r) => r.policyVersion)}::int[],
      ${column((r) => r.functional)}::bool[], ${column((r) => r.analytics)}::bool[], ${column((r) => r.ads)}::bool[],
      ${column((r) => r.action)}::text[], ${column((r) => r.source)}::text[], ${column((r) => r.locale)}::text[],
      ${column((r) => r.pageUrl)}::text[], ${column((r) => r.browser)}::text[], ${column((r) => r.os)}::text[],
      ${column((r) => r.device)}::text[], ${column((r) => r.account)}::text[],
      ${column((r) => r.recordedAt.toISOString())}::timestamptz[], ${column((r) => r.clientHash)}::text[],
      ${column((r) => r.shownHash)}::text[], ${column((r) => r.gpc)}::bool[], ${column((r) => r.stale)}::bool[],
      ${column((r) => r.prevHash)}::text[], ${column((r) => r.hash)}::text[], ${column((r) => r.country ?? null)}::text[]
    ) as r
    returning id, seq, hash`.execute(db);
  if (rows.length === 0) return null;
  return rows.sort((a, b) => a.seq - b.seq);
}

/** Chains and stores records now, re-chaining when another writer got there first: for seeding and tools. */
export async function appendConsentRecords(db: Db, siteId: number, records: readonly UnchainedRecord[]): Promise<StoredLink[]> {
  for (;;) {
    const head = await readChainHead(db, siteId);
    const { chained } = chainAfter(siteId, head, records);
    const links = await appendIfHeadUnchanged(db, siteId, head, chained);
    if (links) return links;
  }
}

/**
 * Which of these decisions are stored already, as `siteId|consentId|recordedAt ms`: a journal replay interrupted
 * after a commit stores each decision once when it starts again.
 */
export async function storedDecisionKeys(db: Db, decisions: ReadonlyArray<{ siteId: number; consentId: string; recordedAt: Date }>): Promise<Set<string>> {
  if (decisions.length === 0) return new Set();
  const times = decisions.map((decision) => decision.recordedAt.getTime());
  const { rows } = await sql<{ site_id: number; consent_id: string; recorded_at: Date }>`
    select site_id, consent_id, recorded_at from consent_records
    where site_id = any(${[...new Set(decisions.map((decision) => decision.siteId))]}::int[])
      and consent_id = any(${[...new Set(decisions.map((decision) => decision.consentId))]}::text[])
      and recorded_at between ${new Date(Math.min(...times))} and ${new Date(Math.max(...times))}`.execute(db);
  return new Set(rows.map((row) => `${row.site_id}|${row.consent_id}|${new Date(row.recorded_at).getTime()}`));
}

/** A consent ID of a site, as the latest-decision lookup takes it. */
export interface ConsentKey {
  readonly siteId: number;
  readonly consentId: string;
}

/**
 * The latest decision of each consent ID, in one statement whatever their number (each found through the index on
 * site, consent ID and seq); IDs without a decision are absent from the answer, which is keyed `siteId:consentId`.
 */
export async function latestDecisions(db: Db, keys: readonly ConsentKey[]): Promise<Map<string, Decision>> {
  const found = new Map<string, Decision>();
  if (keys.length === 0) return found;
  const { rows } = await sql<{ site_id: number; consent_id: string; policy_version: number; functional: boolean; analytics: boolean; ads: boolean; recorded_at: Date }>`
    select k.site_id, k.consent_id, r.policy_version, r.functional, r.analytics, r.ads, r.recorded_at
    from unnest(${keys.map((key) => key.siteId)}::int[], ${keys.map((key) => key.consentId)}::text[]) as k(site_id, consent_id)
    cross join lateral (
      select policy_version, functional, analytics, ads, recorded_at from consent_records c
      where c.site_id = k.site_id and c.consent_id = k.consent_id
      order by c.seq desc limit 1
    ) r`.execute(db);
  for (const row of rows) {
    found.set(`${row.site_id}:${row.consent_id}`, {
      policyVersion: row.policy_version,
      choices: { functional: row.functional, analytics: row.analytics, ads: row.ads },
      recordedAt: new Date(row.recorded_at),
    });
  }
  return found;
}

export function toChainedContent(row: ConsentRecordRow): ChainedContent & { prevHash: string; hash: string } {
  return {
    siteId: row.site_id,
    seq: row.seq,
    consentId: row.consent_id,
    policyVersion: row.policy_version,
    functional: row.functional,
    analytics: row.analytics,
    ads: row.ads,
    action: row.action,
    source: row.source,
    locale: row.locale,
    pageUrl: row.page_url,
    browser: row.browser,
    os: row.os,
    device: row.device,
    account: row.account,
    recordedAt: row.recorded_at,
    clientHash: row.client_hash,
    shownHash: row.shown_hash,
    gpc: row.gpc,
    stale: row.stale,
    prevHash: row.prev_hash,
    hash: row.hash,
  };
}

/** One page of a site's chain in order, after a sequence number: keyset paging works on both engines. */
export async function readChainPage(db: Db, siteId: number, afterSeq: number, limit: number): Promise<ConsentRecordRow[]> {
  return db
    .selectFrom('consent_records')
    .selectAll()
    .where('site_id', '=', siteId)
    .where('seq', '>', afterSeq)
    .orderBy('seq')
    .limit(limit)
    .execute();
}

export interface ChainReport {
  readonly checked: number;
  readonly problem: ChainBreak | null;
}

/** Walks a site's whole chain in pages, in constant memory, and names the first break. */
export interface VerifyOptions {
  /** The site's signed checkpoints to hold the chain against. */
  readonly checkpoints?: readonly Checkpoint[];
  readonly pageSize?: number;
  /** Told the number of records checked so far, after each page. */
  readonly onProgress?: (checked: number) => void;
}

export async function verifySiteChain(db: Db, siteId: number, options: VerifyOptions = {}): Promise<ChainReport> {
  const { checkpoints = [], pageSize = 20_000, onProgress } = options;
  const head = await db
    .selectFrom('consent_chain_heads')
    .select(['seq', 'hash', 'pruned_seq', 'pruned_hash'])
    .where('site_id', '=', siteId)
    .executeTakeFirst();
  const verifier = new ChainVerifier(head ? { seq: head.pruned_seq, hash: head.pruned_hash } : undefined, checkpoints);
  // The next page is read while this one is hashed: reading and hashing take about as long as each other.
  let next: Promise<ConsentRecordRow[]> | null = readChainPage(db, siteId, head?.pruned_seq ?? 0, pageSize);
  while (next) {
    const page: ConsentRecordRow[] = await next;
    next = page.length === pageSize ? readChainPage(db, siteId, page[page.length - 1]!.seq, pageSize) : null;
    for (const row of page) {
      const problem = verifier.next(toChainedContent(row));
      if (problem) {
        // The read ahead is not needed any more; its outcome must not go unhandled.
        next?.catch(() => undefined);
        return { checked: verifier.checked, problem };
      }
    }
    onProgress?.(verifier.checked);
  }
  return { checked: verifier.checked, problem: verifier.finish(head ?? null) };
}

/**
 * Retention for consent evidence: removes the longest run of a site's oldest records that are all older than
 * `cutoff`, and remembers the last removed link so the records kept still verify. A record younger than the
 * cutoff is never removed, even where one from another collector process was chained ahead of an older one.
 */
export async function pruneConsentChain(db: Db, siteId: number, cutoff: Date): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const head = await trx
      .selectFrom('consent_chain_heads')
      .select(['seq', 'pruned_seq'])
      .where('site_id', '=', siteId)
      .forUpdate()
      .executeTakeFirst();
    if (!head) return 0;
    const firstKept = await trx
      .selectFrom('consent_records')
      .select((eb) => eb.fn.min('seq').as('seq'))
      .where('site_id', '=', siteId)
      .where('recorded_at', '>=', cutoff)
      .executeTakeFirst();
    const lastRemoved = firstKept?.seq != null ? Number(firstKept.seq) - 1 : head.seq;
    if (lastRemoved <= head.pruned_seq) return 0;
    const anchor = await trx
      .selectFrom('consent_records')
      .select('hash')
      .where('site_id', '=', siteId)
      .where('seq', '=', lastRemoved)
      .executeTakeFirstOrThrow(() => new Error(`Consent record #${lastRemoved} of site ${siteId} is missing; run verify before retention`));
    const removed = await trx.deleteFrom('consent_records').where('site_id', '=', siteId).where('seq', '<=', lastRemoved).executeTakeFirst();
    await trx.updateTable('consent_chain_heads').set({ pruned_seq: lastRemoved, pruned_hash: anchor.hash }).where('site_id', '=', siteId).execute();
    return Number(removed.numDeletedRows);
  });
}
