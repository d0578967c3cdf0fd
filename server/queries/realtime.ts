/**
 * Who is on a site right now: the visitors with an event in the last minutes, and the page each is on (the path of
 * its latest pageview in that window). Read from the events, whose (site, time) index makes a few minutes cheap;
 * the visits table is keyed by start time, and a visit that started an hour ago may still be live.
 */
import { sql } from 'kysely';
import type { Db } from '../db/create.ts';

export const REALTIME_WINDOW_MS = 5 * 60_000;
/** Pages listed at most; the visitor count covers all of them. */
export const REALTIME_PAGES = 50;

export interface RealtimePage {
  readonly path: string;
  readonly visitors: number;
}

export interface Realtime {
  /** The end of the window the figures cover; it starts REALTIME_WINDOW_MS before. */
  readonly at: Date;
  readonly visitors: number;
  /** Visitors per current page, most first; a visitor with only custom events in the window is on no page. */
  readonly pages: readonly RealtimePage[];
}

export async function realtime(db: Db, siteId: number, now: Date): Promise<Realtime> {
  const from = new Date(now.getTime() - REALTIME_WINDOW_MS);
  // Times are corrected for the browser's clock when stored; one ahead of ours still counts as now.
  const { rows } = await sql<{ path: string | null; visitors: string }>`
    with recent as (
      select consent_id, type, path, occurred_at from events
      where site_id = ${siteId} and occurred_at >= ${from}
    ),
    current_page as (
      select distinct on (consent_id) consent_id, path from recent
      where type = 'pageview'
      order by consent_id, occurred_at desc, path collate "C" desc
    )
    select null as path, count(distinct consent_id) as visitors from recent
    union all
    (select path, count(*) as visitors from current_page group by path
      order by count(*) desc, path collate "C" limit ${REALTIME_PAGES})`.execute(db);
  // The total is the one row without a path; the pages are sorted again, as union all promises no order.
  const pages = rows
    .filter((row) => row.path !== null)
    .map((row) => ({ path: row.path!, visitors: Number(row.visitors) }))
    .sort((a, b) => b.visitors - a.visitors || (a.path < b.path ? -1 : a.path > b.path ? 1 : 0));
  return { at: now, visitors: Number(rows.find((row) => row.path === null)?.visitors ?? 0), pages };
}
