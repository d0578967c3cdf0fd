/** Data-subject requests: everything analytics holds about one consent ID, and erasing it on request. */
import type { EventType } from '../contract.ts';
import type { Db } from '../db/create.ts';
import { inTransaction } from '../db/transaction.ts';
import { lockSiteUsage, markSketchesStale } from './usage-sketches.ts';
import { refoldVisits } from './visits.ts';

export interface SubjectEvent {
  readonly id: number;
  readonly siteKey: string;
  readonly occurredAt: Date;
  readonly type: EventType;
  readonly name: string | null;
  readonly path: string;
  readonly referrerHost: string | null;
  readonly utm: { source: string | null; medium: string | null; campaign: string | null; term: string | null; content: string | null };
  readonly adClick: string | null;
  readonly browser: string | null;
  readonly os: string | null;
  readonly device: string;
  readonly country: string | null;
  readonly props: Record<string, string | number | boolean> | null;
  readonly target: string | null;
  readonly engagedMs: number | null;
  readonly scroll: number | null;
}

/** Oldest first, keyset-paged by id so an export never holds more than one page. */
export async function* streamSubjectEvents(db: Db, siteIds: readonly number[], consentId: string, pageSize = 2_000): AsyncGenerator<SubjectEvent[]> {
  let afterId = 0;
  for (;;) {
    const rows = await db
      .selectFrom('events as e')
      .innerJoin('sites as s', 's.id', 'e.site_id')
      .selectAll('e')
      .select('s.key as site_key')
      .where('e.site_id', 'in', siteIds.length ? [...siteIds] : [-1])
      .where('e.consent_id', '=', consentId)
      .where('e.id', '>', afterId)
      .orderBy('e.id')
      .limit(pageSize)
      .execute();
    if (rows.length) {
      yield rows.map((row) => ({
        id: row.id,
        siteKey: row.site_key,
        occurredAt: row.occurred_at,
        type: row.type,
        name: row.name,
        path: row.path,
        referrerHost: row.referrer_host,
        utm: { source: row.utm_source, medium: row.utm_medium, campaign: row.utm_campaign, term: row.utm_term, content: row.utm_content },
        adClick: row.ad_click,
        browser: row.browser,
        os: row.os,
        device: row.device,
        country: row.country,
        props: row.props,
        target: row.target,
        engagedMs: row.engaged_ms,
        scroll: row.scroll,
      }));
    }
    if (rows.length < pageSize) return;
    afterId = rows[rows.length - 1]!.id;
  }
}

export async function countSubjectEvents(db: Db, siteIds: readonly number[], consentId: string): Promise<number> {
  const row = await db
    .selectFrom('events')
    .select((eb) => eb.fn.countAll<number>().as('count'))
    .where('site_id', 'in', siteIds.length ? [...siteIds] : [-1])
    .where('consent_id', '=', consentId)
    .executeTakeFirstOrThrow();
  return Number(row.count);
}

/**
 * Erases the analytics events only; the consent evidence stays for its retention period. The visits they were
 * part of are folded again from what is left, so every figure is as if the events had never been sent.
 */
export async function eraseSubjectEvents(db: Db, siteIds: readonly number[], consentId: string): Promise<number> {
  if (siteIds.length === 0) return 0;
  return inTransaction(db, async (trx) => {
    await lockSiteUsage(trx, siteIds);
    const erased = await trx
      .deleteFrom('events')
      .where('site_id', 'in', [...siteIds])
      .where('consent_id', '=', consentId)
      .returning(['site_id', 'session_id'])
      .execute();
    for (const siteId of new Set(erased.map((row) => row.site_id))) {
      const sessions = [...new Set(erased.filter((row) => row.site_id === siteId).map((row) => row.session_id))];
      await markSketchesStale(trx, siteId, await refoldVisits(trx, siteId, sessions));
    }
    return erased.length;
  });
}
