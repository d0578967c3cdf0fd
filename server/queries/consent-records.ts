/** The consent evidence: appending chained records, reading a consent ID's latest decision, verifying a chain. */
import { ChainVerifier, chainHash, type ChainBreak, type ChainedContent } from '../domain/chain.ts';
import type { Decision } from '../domain/consent.ts';
import type { Db } from '../db/create.ts';
import type { ConsentRecordRow } from '../db/schema.ts';

/** A record's content before the chain gives it a place. */
export type UnchainedRecord = Omit<ChainedContent, 'siteId' | 'seq'>;

export interface StoredLink {
  readonly id: number;
  readonly seq: number;
  readonly hash: string;
}

/**
 * Appends records to a site's chain in one transaction. Locking the chain head row serialises every writer of
 * the site, in this process or any other, and the unique (site_id, seq) key refuses a fork even if one slipped by.
 */
export async function appendConsentRecords(db: Db, siteId: number, records: readonly UnchainedRecord[]): Promise<StoredLink[]> {
  return db.transaction().execute(async (trx) => {
    const head = await trx
      .selectFrom('consent_chain_heads')
      .select(['seq', 'hash'])
      .where('site_id', '=', siteId)
      .forUpdate()
      .executeTakeFirstOrThrow(() => new Error(`Site ${siteId} has no consent chain head`));
    let seq = head.seq;
    let prevHash = head.hash;
    const rows = records.map((record) => {
      seq += 1;
      const content: ChainedContent = { ...record, siteId, seq };
      const hash = chainHash(prevHash, content);
      const row = {
        site_id: siteId,
        seq,
        consent_id: record.consentId,
        policy_version: record.policyVersion,
        functional: record.functional,
        analytics: record.analytics,
        ads: record.ads,
        action: record.action,
        source: record.source,
        locale: record.locale,
        page_url: record.pageUrl,
        browser: record.browser,
        os: record.os,
        device: record.device,
        account: record.account,
        recorded_at: record.recordedAt,
        client_hash: record.clientHash,
        prev_hash: prevHash,
        hash,
      };
      prevHash = hash;
      return row;
    });
    const inserted = await trx.insertInto('consent_records').values(rows).returning(['id', 'seq', 'hash']).execute();
    await trx.updateTable('consent_chain_heads').set({ seq, hash: prevHash }).where('site_id', '=', siteId).execute();
    return inserted.sort((a, b) => a.seq - b.seq);
  });
}

export async function latestDecision(db: Db, siteId: number, consentId: string): Promise<Decision | null> {
  const row = await db
    .selectFrom('consent_records')
    .select(['policy_version', 'functional', 'analytics', 'ads', 'recorded_at'])
    .where('site_id', '=', siteId)
    .where('consent_id', '=', consentId)
    .orderBy('seq', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return null;
  return {
    policyVersion: row.policy_version,
    choices: { functional: row.functional, analytics: row.analytics, ads: row.ads },
    recordedAt: row.recorded_at,
  };
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
export async function verifySiteChain(db: Db, siteId: number, pageSize = 5_000): Promise<ChainReport> {
  const verifier = new ChainVerifier();
  let afterSeq = 0;
  for (;;) {
    const page = await readChainPage(db, siteId, afterSeq, pageSize);
    for (const row of page) {
      const problem = verifier.next(toChainedContent(row));
      if (problem) return { checked: verifier.checked, problem };
    }
    if (page.length < pageSize) break;
    afterSeq = page[page.length - 1]!.seq;
  }
  const head = await db.selectFrom('consent_chain_heads').select(['seq', 'hash']).where('site_id', '=', siteId).executeTakeFirst();
  return { checked: verifier.checked, problem: verifier.finish(head ?? null) };
}
