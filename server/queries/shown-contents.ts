/** The contents users were shown, one row per distinct SHA-256: storing them, reading one, and paging through them. */
import type { Locale } from '../domain/consent.ts';
import type { ShownText } from '../domain/shown-content.ts';
import type { Db } from '../db/create.ts';

export interface StoredShownContent {
  readonly hash: string;
  readonly siteId: number;
  readonly policyVersion: number;
  readonly locale: Locale;
  /** The text as stored now: compare its SHA-256 with `hash` to know it was not changed. */
  readonly content: string;
  readonly firstShownAt: Date;
}

/** A content already stored keeps its row and first time: the hash names the same text whoever stores it. */
export async function storeShownContents(
  db: Db,
  siteId: number,
  policyVersion: number,
  contents: ReadonlyArray<{ readonly locale: Locale; readonly shown: ShownText }>,
): Promise<void> {
  if (contents.length === 0) return;
  await db
    .insertInto('shown_contents')
    .values(contents.map(({ locale, shown }) => ({ hash: shown.hash, site_id: siteId, policy_version: policyVersion, locale, content: shown.text })))
    .onConflict((conflict) => conflict.columns(['hash', 'site_id']).doNothing())
    .execute();
}

export async function findShownContent(db: Db, hash: string): Promise<StoredShownContent | null> {
  const row = await db.selectFrom('shown_contents').selectAll().where('hash', '=', hash).executeTakeFirst();
  return row
    ? { hash: row.hash, siteId: row.site_id, policyVersion: row.policy_version, locale: row.locale as Locale, content: row.content, firstShownAt: row.first_shown_at }
    : null;
}

/** Every content of the given sites, oldest first, one page in memory at a time: for the auditor's export. */
export async function* streamShownContents(db: Db, siteIds: readonly number[], pageSize = 500): AsyncGenerator<Array<StoredShownContent & { siteKey: string }>> {
  let after: { at: Date; hash: string } | null = null;
  for (;;) {
    let query = db
      .selectFrom('shown_contents as c')
      .innerJoin('sites as s', 's.id', 'c.site_id')
      .selectAll('c')
      .select('s.key as site_key')
      .where('c.site_id', 'in', siteIds.length ? [...siteIds] : [-1])
      .orderBy('c.first_shown_at')
      .orderBy('c.hash')
      .limit(pageSize);
    if (after) {
      const { at, hash } = after;
      query = query.where((eb) => eb.or([eb('c.first_shown_at', '>', at), eb.and([eb('c.first_shown_at', '=', at), eb('c.hash', '>', hash)])]));
    }
    const rows = await query.execute();
    if (rows.length) {
      yield rows.map((row) => ({
        hash: row.hash,
        siteId: row.site_id,
        siteKey: row.site_key,
        policyVersion: row.policy_version,
        locale: row.locale as Locale,
        content: row.content,
        firstShownAt: row.first_shown_at,
      }));
    }
    if (rows.length < pageSize) return;
    const last = rows[rows.length - 1]!;
    after = { at: last.first_shown_at, hash: last.hash };
  }
}
