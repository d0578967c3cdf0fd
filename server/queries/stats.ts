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

/**
 * Metrics are computed in two steps so that no aggregate needs a sort: first per grouping value and visitor
 * (`g`, hash-aggregated), then per grouping value, where counting rows counts distinct visitors. Counting
 * visitors is the expensive part; a part that does not ask for them is grouped by value alone in the first step.
 */
const VISIT_SUMS = sql`count(*) as visits,
  sum(v.pageviews) as pageviews,
  sum(v.custom_events) as events,
  count(*) filter (where v.all_pageviews <= 1 and v.all_events <= 1) as bounces,
  sum(extract(epoch from v.ended - v.started)) as duration`;

const VISIT_METRICS: Record<UsageMetric, string> = {
  visitors: 'count(*)',
  visits: 'coalesce(sum(g.visits), 0)',
  pageviews: 'coalesce(sum(g.pageviews), 0)',
  viewsPerVisit: 'round(sum(g.pageviews)::numeric / nullif(sum(g.visits), 0), 2)',
  bounceRate: 'round(100 * sum(g.bounces)::numeric / nullif(sum(g.visits), 0), 1)',
  visitDuration: 'round(sum(g.duration)::numeric / nullif(sum(g.visits), 0))',
  events: 'coalesce(sum(g.events), 0)',
};

/** Per grouping value, over `g` folded once more to one row per value and visitor. */
const EVENT_METRICS: Partial<Record<UsageMetric, string>> = {
  visitors: 'count(*)',
  visits: 'sum(g.visits)',
  pageviews: 'sum(g.pageviews)',
  events: 'sum(g.events)',
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
      min(device) as device,
      -- Kept so the page and event panels read the folded visits instead of scanning the events again.
      array_agg(path) filter (where type = 'pageview') as paths,
      array_agg(name) filter (where type = 'custom') as event_names
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
  // `tail` null: one row over everything, even when there are no visits at all.
  const visitor = metrics.includes('visitors') ? sql`v.visitor` : sql`null::text`;
  const visitGrain = (value: RawBuilder<unknown>, keep: RawBuilder<unknown>, tail: RawBuilder<unknown> | null) =>
    sql`select ${key} as part, ${tail ? sql`g.value` : sql`null::text`} as value, ${partColumns(metrics, VISIT_METRICS)}
      from (select ${value} as value, ${visitor} as visitor, ${VISIT_SUMS} from v where ${where} and ${keep} group by 1, 2) g
      ${tail ? sql`group by g.value ${tail}` : sql``}`;
  if (grouping.by === 'total') return visitGrain(sql`null::text`, sql`true`, null);
  if (grouping.by === 'time') {
    const bucket = sql`to_char(date_trunc(${grouping.granularity}, v.started at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;
    return visitGrain(bucket, sql`true`, sql`order by g.value`);
  }
  if (isVisitDimension(grouping.dimension)) {
    const column = sql.ref(`v.${VISIT_COLUMNS[grouping.dimension]}`);
    // A visit without a referrer is direct traffic and worth a row; other unset properties are not.
    const keep = grouping.dimension === 'referrer' ? sql`true` : sql`${column} is not null`;
    return visitGrain(sql`${column}::text`, keep, sql`order by sum(g.visits) desc, g.value limit ${grouping.limit}`);
  }
  const own = scope.filters.filter((filter) => filter.dimension === (grouping.dimension === 'page' ? 'page' : 'event'));
  const source = grouping.dimension.startsWith('prop:')
    ? propertySource(scope, grouping.dimension.slice('prop:'.length), where)
    : listSource(grouping.dimension === 'page', own, where);
  return sql`select ${key} as part, g.value, ${partColumns(metrics, EVENT_METRICS)}
    from (
      select s.value, ${metrics.includes('visitors') ? sql`s.visitor` : sql`null::text`} as visitor,
        count(*) as visits, sum(s.pageviews) as pageviews, sum(s.events) as events
      from (${source}) s
      group by 1, 2
    ) g
    group by g.value order by sum(g.pageviews + g.events) desc, g.value limit ${grouping.limit}`;
}

/** Pages or custom-event names per visit, unnested from the folded visits and counted within each visit. */
function listSource(pages: boolean, own: readonly UsageFilter[], where: RawBuilder<unknown>): RawBuilder<unknown> {
  const counted = pages ? sql`u.count as pageviews, 0 as events` : sql`0 as pageviews, u.count as events`;
  return sql`select u.value, v.session_id, v.visitor, ${counted}
    from v cross join lateral (
      select item as value, count(*) as count from unnest(${sql.ref(pages ? 'v.paths' : 'v.event_names')}) as item group by item
    ) as u
    where ${where} and ${conjunction(own.map((filter) => sql`u.value = ${filter.value}`))}`;
}

/** One property of custom events per visit; properties are not folded, so this reads the events. */
function propertySource(scope: StatsScope, propKey: string, where: RawBuilder<unknown>): RawBuilder<unknown> {
  const own = scope.filters.filter((filter) => filter.dimension === 'event').map((filter) => eventCondition(filter, 'e'));
  return sql`select e.props ->> ${propKey} as value, e.session_id, min(e.consent_id) as visitor, 0 as pageviews, count(*) as events
    from events e join v on v.session_id = e.session_id
    where e.site_id = ${scope.siteId} and e.occurred_at >= ${scope.range.from} and e.occurred_at < ${scope.range.to}
      and e.type = 'custom' and e.props ? ${propKey} and ${where} and ${conjunction(own)}
    group by 1, 2`;
}

/**
 * Several groupings over one scope in one statement: the visits are folded once (PostgreSQL materialises a CTE
 * that is read more than once) and every part reads them. The overview's totals, chart and panels are one call.
 */
export async function runStatsSet<K extends string>(db: Db, scope: StatsScope, parts: Record<K, StatsPart>): Promise<Record<K, BreakdownRow[]>> {
  const keys = Object.keys(parts) as K[];
  const where = visitWhere(scope);
  const selects = keys.map((key) => sql`(${partSelect(scope, key, parts[key], where)})`);
  const { rows } = await db.transaction().execute(async (trx) => {
    // Folding and distinct counts sort hundreds of thousands of rows; the 4 MB default sends them to disk.
    await sql`set local work_mem = '32MB'`.execute(trx);
    return sql<ResultRow>`with v as (${visitsCte(scope)}) ${sql.join(selects, sql` union all `)}`.execute(trx);
  });
  const result = Object.fromEntries(keys.map((key) => [key, [] as BreakdownRow[]])) as Record<K, BreakdownRow[]>;
  // union all keeps each part's rows in the part's own order.
  for (const row of rows) result[row.part as K].push(toBreakdownRow(row, parts[row.part as K].metrics));
  return result;
}

export async function runStats(db: Db, query: StatsQuery): Promise<BreakdownRow[]> {
  const { metrics, grouping, ...scope } = query;
  return (await runStatsSet(db, scope, { result: { metrics, grouping } })).result;
}
