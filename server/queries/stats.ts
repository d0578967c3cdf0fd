/**
 * The one usage-analytics query engine: metrics × grouping × filters × range over a site's events. Every chart
 * and panel of the overview is a StatsQuery; none has SQL of its own.
 *
 * Events are first folded into visits (one row per session) so that visit properties (entry page, referrer,
 * campaign, browser) and visit metrics (bounce rate, duration) come from one place. Filters on a visit property
 * keep the matching visits; filters on an event property (a page, a custom event) keep the visits that contain a
 * matching event and count only those events.
 */
import { sql, type RawBuilder } from 'kysely';
import {
  isVisitDimension,
  USAGE_METRICS,
  type BreakdownRow,
  type DateRange,
  type MetricValues,
  type TimeGranularity,
  type UsageDimension,
  type UsageFilter,
  type UsageMetric,
  type VisitDimension,
} from '../domain/stats.ts';
import type { Db } from '../db/create.ts';

export type StatsGrouping =
  | { readonly by: 'total' }
  | { readonly by: 'time'; readonly granularity: TimeGranularity }
  | { readonly by: 'dimension'; readonly dimension: UsageDimension; readonly limit: number };

/** Which events a query reads: one site, one range, the filters. */
export interface StatsScope {
  readonly siteId: number;
  readonly range: DateRange;
  readonly filters: readonly UsageFilter[];
}

/** What a query computes over its scope: metrics, grouped one way. */
export interface StatsPart {
  readonly metrics: readonly UsageMetric[];
  readonly grouping: StatsGrouping;
}

export type StatsQuery = StatsScope & StatsPart;

/** Column of the folded visit each visit dimension reads. */
const VISIT_COLUMNS: Record<VisitDimension, string> = {
  entryPage: 'entry_page',
  exitPage: 'exit_page',
  referrer: 'referrer',
  utmSource: 'utm_source',
  utmMedium: 'utm_medium',
  utmCampaign: 'utm_campaign',
  adCampaign: 'ad_campaign',
  browser: 'browser',
  os: 'os',
  device: 'device',
};

/** Visit-grain metrics over the folded visits `v`. */
const VISIT_METRICS: Record<UsageMetric, string> = {
  visitors: 'count(distinct v.visitor)',
  visits: 'count(*)',
  pageviews: 'coalesce(sum(v.pageviews), 0)',
  viewsPerVisit: 'round(coalesce(sum(v.pageviews), 0)::numeric / nullif(count(*), 0), 2)',
  bounceRate: 'round(avg(case when v.all_pageviews <= 1 and v.all_events <= 1 then 100 else 0 end)::numeric, 1)',
  visitDuration: 'round(avg(extract(epoch from v.ended - v.started))::numeric)',
  events: 'coalesce(sum(v.custom_events), 0)',
};

/** Event-grain metrics over single events `e`; bounce rate and duration belong to visits, not to a page. */
const EVENT_METRICS: Partial<Record<UsageMetric, string>> = {
  visitors: 'count(distinct e.consent_id)',
  visits: 'count(distinct e.session_id)',
  pageviews: "count(*) filter (where e.type = 'pageview')",
  events: "count(*) filter (where e.type = 'custom')",
};

function eventCondition(filter: UsageFilter, alias: string): RawBuilder<unknown> {
  const column = (name: string) => sql.ref(`${alias}.${name}`);
  return filter.dimension === 'page'
    ? sql`(${column('type')} = 'pageview' and ${column('path')} = ${filter.value})`
    : sql`(${column('type')} = 'custom' and ${column('name')} = ${filter.value})`;
}

function conjunction(conditions: RawBuilder<unknown>[]): RawBuilder<unknown> {
  return conditions.length ? sql.join(conditions, sql` and `) : sql`true`;
}

function visitsCte(query: StatsScope): RawBuilder<unknown> {
  const eventFilters = query.filters.filter((filter) => !isVisitDimension(filter.dimension));
  const pageFilters = eventFilters.filter((filter) => filter.dimension === 'page').map((filter) => eventCondition(filter, 'events'));
  const nameFilters = eventFilters.filter((filter) => filter.dimension === 'event').map((filter) => eventCondition(filter, 'events'));
  const matches = eventFilters.map((filter, index) => sql`bool_or(${eventCondition(filter, 'events')}) as ${sql.ref(`match_${index}`)}`);
  return sql`select
      session_id,
      min(consent_id) as visitor,
      min(occurred_at) as started,
      max(occurred_at) as ended,
      count(*) as all_events,
      count(*) filter (where type = 'pageview') as all_pageviews,
      count(*) filter (where type = 'pageview' and ${conjunction(pageFilters)}) as pageviews,
      count(*) filter (where type = 'custom' and ${conjunction(nameFilters)}) as custom_events,
      (array_agg(path order by occurred_at, id) filter (where type = 'pageview'))[1] as entry_page,
      (array_agg(path order by occurred_at desc, id desc) filter (where type = 'pageview'))[1] as exit_page,
      min(referrer_host) as referrer,
      min(utm_source) as utm_source,
      min(utm_medium) as utm_medium,
      min(utm_campaign) as utm_campaign,
      case when bool_or(ad_click is not null) then coalesce(min(utm_campaign), '(none)') end as ad_campaign,
      min(browser) as browser,
      min(os) as os,
      min(device) as device
      ${matches.length ? sql`, ${sql.join(matches)}` : sql``}
    from events
    where site_id = ${query.siteId} and occurred_at >= ${query.range.from} and occurred_at < ${query.range.to}
    group by session_id`;
}

function visitWhere(query: StatsScope): RawBuilder<unknown> {
  let eventIndex = 0;
  const conditions = query.filters.map((filter) =>
    isVisitDimension(filter.dimension)
      ? sql`${sql.ref(`v.${VISIT_COLUMNS[filter.dimension]}`)} = ${filter.value}`
      : sql.ref(`v.match_${eventIndex++}`),
  );
  return conjunction(conditions);
}

type ResultRow = Record<string, unknown> & { part: string; value: string | null };

function toBreakdownRow(row: ResultRow, metrics: readonly UsageMetric[]): BreakdownRow {
  const values: MetricValues = {};
  for (const metric of metrics) values[metric] = row[metric] === null || row[metric] === undefined ? null : Number(row[metric]);
  return { value: row.value, metrics: values };
}

/** Every metric column in a fixed order, the unrequested ones null, so the parts of one statement can be unioned. */
function partColumns(metrics: readonly UsageMetric[], source: Partial<Record<UsageMetric, string>>): RawBuilder<unknown> {
  return sql.join(
    USAGE_METRICS.map((metric) => sql`(${sql.raw(metrics.includes(metric) ? (source[metric] ?? 'null') : 'null')})::numeric as ${sql.ref(metric)}`),
  );
}

function partSelect(scope: StatsScope, key: string, part: StatsPart, where: RawBuilder<unknown>): RawBuilder<unknown> {
  const { grouping, metrics } = part;
  const columns = partColumns(metrics, VISIT_METRICS);
  if (grouping.by === 'total') return sql`select ${key} as part, null::text as value, ${columns} from v where ${where}`;
  if (grouping.by === 'time') {
    const bucket = sql`to_char(date_trunc(${grouping.granularity}, v.started at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
    return sql`select ${key} as part, ${bucket} as value, ${columns} from v where ${where} group by 2 order by 2`;
  }
  if (isVisitDimension(grouping.dimension)) {
    const column = sql.ref(`v.${VISIT_COLUMNS[grouping.dimension]}`);
    // A visit without a referrer is direct traffic and worth a row; other unset properties are not.
    const keepNull = grouping.dimension === 'referrer' ? sql`true` : sql`${column} is not null`;
    return sql`select ${key} as part, ${column}::text as value, ${columns} from v where ${where} and ${keepNull}
      group by 2 order by count(*) desc, 2 limit ${grouping.limit}`;
  }
  const ownFilters = scope.filters.filter((filter) => filter.dimension === (grouping.dimension === 'page' ? 'page' : 'event'));
  const propKey = grouping.dimension.startsWith('prop:') ? grouping.dimension.slice('prop:'.length) : null;
  const value = grouping.dimension === 'page' ? sql`e.path` : propKey !== null ? sql`e.props ->> ${propKey}` : sql`e.name`;
  const eventType = grouping.dimension === 'page' ? 'pageview' : 'custom';
  return sql`select ${key} as part, ${value} as value, ${partColumns(metrics, EVENT_METRICS)}
    from events e join v on v.session_id = e.session_id
    where e.site_id = ${scope.siteId} and e.occurred_at >= ${scope.range.from} and e.occurred_at < ${scope.range.to}
      and e.type = ${eventType} and ${where} and ${conjunction(ownFilters.map((filter) => eventCondition(filter, 'e')))}
      ${propKey !== null ? sql`and e.props ? ${propKey}` : sql``}
    group by 2 order by count(*) desc, 2 limit ${grouping.limit}`;
}

/**
 * Several groupings over one scope in one statement: the visits are folded once (PostgreSQL materialises a CTE
 * that is read more than once) and every part reads them. The overview's totals, chart and panels are one call.
 */
export async function runStatsSet<K extends string>(db: Db, scope: StatsScope, parts: Record<K, StatsPart>): Promise<Record<K, BreakdownRow[]>> {
  const keys = Object.keys(parts) as K[];
  const where = visitWhere(scope);
  const selects = keys.map((key) => sql`(${partSelect(scope, key, parts[key], where)})`);
  const { rows } = await sql<ResultRow>`with v as (${visitsCte(scope)}) ${sql.join(selects, sql` union all `)}`.execute(db);
  const result = Object.fromEntries(keys.map((key) => [key, [] as BreakdownRow[]])) as Record<K, BreakdownRow[]>;
  // union all keeps each part's rows in the part's own order.
  for (const row of rows) result[row.part as K].push(toBreakdownRow(row, parts[row.part as K].metrics));
  return result;
}

export async function runStats(db: Db, query: StatsQuery): Promise<BreakdownRow[]> {
  const { metrics, grouping, ...scope } = query;
  return (await runStatsSet(db, scope, { result: { metrics, grouping } })).result;
}
