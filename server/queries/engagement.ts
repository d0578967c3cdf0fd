/**
 * The engagement panels: engaged time and scroll depth per page, outbound links, downloads and 404 pages, read
 * from the signal events of a site (they never enter the visits: visits.ts). An event counts when it happened in
 * the range; with filters, when the visit of its session matches them as the overview's filters match visits.
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/create.ts';
import type { DateRange, UsageFilter } from '../domain/stats.ts';
import type { SignalType } from '../domain/events.ts';
import { visitMatches } from './stats.ts';

export interface EngagementScope {
  readonly siteId: number;
  readonly range: DateRange;
  readonly filters: readonly UsageFilter[];
  /** Rows at most, the most frequent first (ties by value, in code-point order). */
  readonly limit: number;
}

/** A page's engagement: per visit that reported on it, its engaged time summed and the most of it seen. */
export interface PageEngagementRow {
  readonly path: string;
  readonly visits: number;
  readonly medianSeconds: number;
  readonly meanSeconds: number;
  /** Mean of each visit's largest share of the page seen, in percent; null when no report measured it. */
  readonly meanScroll: number | null;
}

export interface LinkRow {
  /** The link without query string or fragment. */
  readonly url: string;
  readonly host: string;
  readonly clicks: number;
  readonly visitors: number;
}

export interface DownloadRow extends LinkRow {
  /** The file's extension, lower case (`pdf`); null when its path has none. */
  readonly extension: string | null;
}

export interface NotFoundRow {
  readonly path: string;
  /** The page that linked to it, without query string or fragment; null when the browser told none. */
  readonly referrer: string | null;
  readonly hits: number;
  readonly visitors: number;
}

/** The signal events of one type in scope, as `e`. */
function signals(scope: EngagementScope, type: SignalType): RawBuilder<unknown> {
  const matching = scope.filters.length
    ? sql`and exists (select 1 from visits where visits.site_id = e.site_id and visits.session_id = e.session_id and ${visitMatches(scope.filters)})`
    : sql``;
  return sql`select * from events e
    where e.site_id = ${scope.siteId} and e.type = ${type} and e.occurred_at >= ${scope.range.from} and e.occurred_at < ${scope.range.to} ${matching}`;
}

const host = (url: RawBuilder<unknown>) => sql`split_part(${url}, '/', 3)`;

export async function pageEngagement(db: Db, scope: EngagementScope): Promise<PageEngagementRow[]> {
  const { rows } = await sql<{ path: string; visits: string; median_ms: number; mean_ms: string; mean_scroll: string | null }>`
    with e as (${signals(scope, 'engagement')}),
    per_visit as (select path, session_id, sum(engaged_ms) as ms, max(scroll) as scroll from e group by path, session_id)
    select path, count(*) as visits, percentile_cont(0.5) within group (order by ms) as median_ms, avg(ms) as mean_ms, avg(scroll) as mean_scroll
    from per_visit group by path
    order by count(*) desc, path collate "C" limit ${scope.limit}`.execute(db);
  return rows.map((row) => ({
    path: row.path,
    visits: Number(row.visits),
    medianSeconds: seconds(Number(row.median_ms)),
    meanSeconds: seconds(Number(row.mean_ms)),
    meanScroll: row.mean_scroll === null ? null : Math.round(Number(row.mean_scroll)),
  }));
}

/** Seconds to one decimal: engaged time is short, and a whole second would hide most of it. */
const seconds = (ms: number): number => Math.round(ms / 100) / 10;

async function linkClicks(db: Db, scope: EngagementScope, type: 'outbound' | 'download'): Promise<DownloadRow[]> {
  const { rows } = await sql<{ url: string; host: string; extension: string | null; clicks: string; visitors: string }>`
    with e as (${signals(scope, type)})
    select target as url, ${host(sql`target`)} as host, min(name) as extension, count(*) as clicks, count(distinct consent_id) as visitors
    from e group by target
    order by count(*) desc, target collate "C" limit ${scope.limit}`.execute(db);
  return rows.map((row) => ({ url: row.url, host: row.host, extension: row.extension, clicks: Number(row.clicks), visitors: Number(row.visitors) }));
}

export async function outboundLinks(db: Db, scope: EngagementScope): Promise<LinkRow[]> {
  return (await linkClicks(db, scope, 'outbound')).map((row) => ({ url: row.url, host: row.host, clicks: row.clicks, visitors: row.visitors }));
}

export function downloads(db: Db, scope: EngagementScope): Promise<DownloadRow[]> {
  return linkClicks(db, scope, 'download');
}

export async function notFoundPages(db: Db, scope: EngagementScope): Promise<NotFoundRow[]> {
  const { rows } = await sql<{ path: string; referrer: string | null; hits: string; visitors: string }>`
    with e as (${signals(scope, 'notfound')})
    select path, target as referrer, count(*) as hits, count(distinct consent_id) as visitors
    from e group by path, target
    order by count(*) desc, path collate "C", target collate "C" nulls first limit ${scope.limit}`.execute(db);
  return rows.map((row) => ({ path: row.path, referrer: row.referrer, hits: Number(row.hits), visitors: Number(row.visitors) }));
}
