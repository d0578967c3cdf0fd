/**
 * The one usage-analytics query engine: metrics × grouping × filters × range over a site's visits. Every chart
 * and panel of the overview is a StatsQuery; none has SQL of its own.
 *
 * A query the daily rollups can answer (no filter, whole days, no visitors per row) reads them
 * (usage-rollups.ts): its cost follows the number of days and values, not the traffic. Any other reads the
 * visits, which ingest keeps folded (visits.ts): filters on a visit property keep the matching visits; filters
 * on an event property (a page, a custom event) keep the visits that contain one and count only those events.
 * Both give the same figures; the tests hold each to a computation over the raw events.
 */
import { sql, type RawBuilder } from 'kysely';
import {
  defaultSort,
  isVisitDimension,
  USAGE_METRICS,
  type BreakdownSort,
  type BreakdownRow,
  type DateRange,
  type MetricValues,
  type SortOrder,
  type TimeGranularity,
  type UsageDimension,
  type UsageFilter,
  type UsageMetric,
  type VisitDimension,
} from '../domain/stats.ts';
import type { Db } from '../db/create.ts';
import { answeredByRollups, rollupStatsSet } from './usage-rollups.ts';

export type StatsGrouping =
  | { readonly by: 'total' }
  | { readonly by: 'time'; readonly granularity: TimeGranularity }
  | {
      readonly by: 'dimension';
      readonly dimension: UsageDimension;
      readonly limit: number;
      /** Rows skipped before the first returned, in the sorted order ("show more"). */
      readonly offset?: number;
      /** defaultSort(dimension) unless given; ties are broken by the value, in code-point order. */
      readonly sort?: BreakdownSort;
      readonly order?: SortOrder;
    };

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

/** Column of `v` (the visits in scope) each visit dimension reads. */
export const VISIT_COLUMNS: Record<VisitDimension, string> = {
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
  country: 'country',
};

/**
 * Metrics are computed in two steps so that no aggregate needs a sort: first per grouping value and visitor
 * (`g`, hash-aggregated), then per grouping value, where counting rows counts distinct visitors. Counting
 * visitors is the expensive part; a part that does not ask for them is grouped by value alone in the first step.
 */
const VISIT_SUMS = sql`count(*) as visits,
  sum(v.pageviews) as pageviews,
  sum(v.custom_events) as events,
  count(*) filter (where v.all_events <= 1) as bounces,
  sum(v.duration_ms) as duration_ms`;

const VISIT_METRICS: Record<UsageMetric, string> = {
  visitors: 'count(*)',
  visits: 'coalesce(sum(g.visits), 0)',
  pageviews: 'coalesce(sum(g.pageviews), 0)',
  viewsPerVisit: 'round(sum(g.pageviews)::numeric / nullif(sum(g.visits), 0), 2)',
  bounceRate: 'round(100 * sum(g.bounces)::numeric / nullif(sum(g.visits), 0), 1)',
  visitDuration: 'round(sum(g.duration_ms)::numeric / nullif(1000 * sum(g.visits), 0))',
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

/** Each filter as a condition on a visit: its property, or a matching event among its own. */
function visitCondition(filter: UsageFilter): RawBuilder<unknown> {
  if (filter.dimension === 'page') return sql`pages ? ${filter.value}`;
  if (filter.dimension === 'event') return sql`event_names ? ${filter.value}`;
  if (filter.dimension === 'adCampaign') return sql`ad_click and coalesce(utm_campaign, '(none)') = ${filter.value}`;
  return sql`${sql.ref(VISIT_COLUMNS[filter.dimension])} = ${filter.value}`;
}

/** A condition on a row of `visits` (its columns unqualified): it matches every filter. */
export function visitMatches(filters: readonly UsageFilter[]): RawBuilder<unknown> {
  return conjunction(filters.map(visitCondition));
}

/**
 * The visits in scope: started in the range and matching every filter, with the figures the filters leave them
 * (see the header). Filtered here, so the CTE every part reads holds only the matching visits. `extra` adds
 * columns of `visits` for the statement that needs them (a visit's trail would weigh on every other).
 */
export function visitsCte(query: StatsScope, extra?: RawBuilder<unknown>): RawBuilder<unknown> {
  const page = query.filters.find((filter) => filter.dimension === 'page')?.value;
  const event = query.filters.find((filter) => filter.dimension === 'event')?.value;
  return sql`select site_id, session_id, visitor, started, events as all_events,
      ${page === undefined ? sql`pageviews` : sql`coalesce((pages ->> ${page})::int, 0)`} as pageviews,
      ${event === undefined ? sql`custom_events` : sql`coalesce((event_names ->> ${event})::int, 0)`} as custom_events,
      round(extract(epoch from ended - started) * 1000)::bigint as duration_ms,
      entry_page, exit_page, referrer, utm_source, utm_medium, utm_campaign,
      case when ad_click then coalesce(utm_campaign, '(none)') end as ad_campaign,
      browser, os, device, country, pages, event_names${extra ? sql`, ${extra}` : sql``}
    from visits
    where site_id = ${query.siteId} and started >= ${query.range.from} and started < ${query.range.to}
      and ${conjunction(query.filters.map(visitCondition))}`;
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

/**
 * What a part that reads the visits alone groups them by: nothing (a total), a time bucket, or a visit
 * property; parts that ask for the same grouping share it. `id` names the grouping for that sharing.
 */
interface VisitGrouping {
  readonly id: string;
  readonly value: RawBuilder<unknown> | null;
}

function visitGrouping(grouping: StatsGrouping): VisitGrouping | null {
  if (grouping.by === 'total') return { id: 'total', value: null };
  if (grouping.by === 'time') return { id: `time:${grouping.granularity}`, value: sql`date_trunc(${sql.lit(grouping.granularity)}, v.started at time zone 'UTC')` };
  return isVisitDimension(grouping.dimension) ? { id: grouping.dimension, value: sql.ref(`v.${VISIT_COLUMNS[grouping.dimension]}`) } : null;
}

interface VisitGrains {
  /** `g`: the rows of every visit-grain part that counts no visitors, in one pass over `v`; null when there are none. */
  readonly cte: RawBuilder<unknown> | null;
  /** A grouping's rows in `g`: the grouping set's grouping() bits, and the column holding its value. */
  grainOf(grouping: VisitGrouping): { readonly bits: number; readonly column: RawBuilder<unknown> | null };
}

/**
 * One grouping set per grouping that the parts counting no visitors ask for: a month of visits is read once for
 * all the panels rather than once per panel. Parts that count visitors group by value and visitor, a table as
 * large as the visits themselves, so each keeps a pass of its own (in one hash table beside the panels' small
 * ones, it would spill to disk). The set a row of `g` belongs to is PostgreSQL's grouping() over the values (a bit
 * per argument, the first the highest, set when the argument is not grouped); the values are `g.c0`, `g.c1`, …
 */
function planVisitGrains(parts: readonly StatsPart[]): VisitGrains {
  const valued: VisitGrouping[] = [];
  const sets = new Map<string, RawBuilder<unknown>>();
  for (const part of parts) {
    const grouping = visitGrouping(part.grouping);
    if (!grouping || part.metrics.includes('visitors')) continue;
    if (grouping.value && !valued.some((known) => known.id === grouping.id)) valued.push(grouping);
    sets.set(grouping.id, sql`(${grouping.value ?? sql``})`);
  }
  const grainOf = (grouping: VisitGrouping) => {
    const index = valued.findIndex((known) => known.id === grouping.id);
    let bits = 0;
    for (let argument = 0; argument < valued.length; argument++) bits = (bits << 1) | (argument === index ? 0 : 1);
    return { bits, column: index >= 0 ? sql.ref(`g.c${index}`) : null };
  };
  if (sets.size === 0) return { cte: null, grainOf };
  const values = valued.map((grouping, index) => sql`${grouping.value} as ${sql.ref(`c${index}`)}`);
  const cte = sql`select ${valued.length ? sql`grouping(${sql.join(valued.map((grouping) => grouping.value!))})` : sql`0`} as grain,
      ${sql.join([...values, VISIT_SUMS])}
    from v group by grouping sets (${sql.join([...sets.values()])})`;
  return { cte, grainOf };
}

/** A time bucket as the API gives it. */
const bucketText = (bucket: RawBuilder<unknown>) => sql`to_char(${bucket}, 'YYYY-MM-DD"T"HH24:MI:SS"Z"')`;

/**
 * A part over the visits alone. Its rows come per value (from `g`) or per value and visitor (its own pass, when it
 * counts visitors: counting a value's rows then counts its visitors), and are summed per value.
 */
function visitPartSelect(grains: VisitGrains, key: string, part: StatsPart, visit: VisitGrouping): RawBuilder<unknown> {
  const { grouping, metrics } = part;
  // A visit without a referrer is direct traffic and worth a row; other unset properties are not.
  const keepsNull = grouping.by !== 'dimension' || grouping.dimension === 'referrer';
  let rows: RawBuilder<unknown>;
  if (metrics.includes('visitors')) {
    const grouped = visit.value ?? sql`null::text`;
    rows = sql`(select ${grouped} as value, v.visitor, ${VISIT_SUMS} from v where ${keepsNull ? sql`true` : sql`${grouped} is not null`} group by 1, 2)`;
  } else {
    const { bits, column } = grains.grainOf(visit);
    rows = sql`(select ${column ?? sql`null::text`} as value, g.visits, g.pageviews, g.events, g.bounces, g.duration_ms
      from g where g.grain = ${bits} and ${keepsNull || !column ? sql`true` : sql`${column} is not null`})`;
  }
  const value = grouping.by === 'total' ? sql`null::text` : grouping.by === 'time' ? bucketText(sql`g.value`) : sql`g.value::text`;
  const select = sql`select ${key} as part, ${value} as value, ${partColumns(metrics, VISIT_METRICS)} from ${rows} g`;
  if (grouping.by === 'total') return select;
  if (grouping.by === 'time') return sql`${select} group by g.value order by g.value`;
  return sql`${select} group by g.value ${rankAndPage(grouping)}`;
}

function partSelect(scope: StatsScope, grains: VisitGrains, key: string, part: StatsPart): RawBuilder<unknown> {
  const { grouping, metrics } = part;
  const visit = visitGrouping(grouping);
  if (visit) return visitPartSelect(grains, key, part, visit);
  if (grouping.by !== 'dimension') throw new Error(`A ${grouping.by} grouping always reads the visits alone`);
  const own = scope.filters.filter((filter) => filter.dimension === (grouping.dimension === 'page' ? 'page' : 'event'));
  const source = grouping.dimension.startsWith('prop:')
    ? propertySource(scope, grouping.dimension.slice('prop:'.length))
    : listSource(grouping.dimension === 'page', own);
  return sql`select ${key} as part, g.value, ${partColumns(metrics, EVENT_METRICS)}
    from (
      select s.value, ${metrics.includes('visitors') ? sql`s.visitor` : sql`null::text`} as visitor,
        count(*) as visits, sum(s.pageviews) as pageviews, sum(s.events) as events
      from (${source}) s
      group by 1, 2
    ) g
    group by g.value ${rankAndPage(grouping)}`;
}

/** Sums over `g` (rows per value and visitor) that a breakdown can be sorted on. */
const SORT_COLUMNS: Record<BreakdownSort, RawBuilder<unknown>> = {
  visitors: sql`count(*)`,
  visits: sql`sum(g.visits)`,
  pageviews: sql`sum(g.pageviews)`,
  events: sql`sum(g.events)`,
  value: sql`g.value collate "C"`,
};

/** Sorted on the asked column, ties by value in code-point order (as the rollups sort), then one page of rows. */
function rankAndPage(grouping: Extract<StatsGrouping, { by: 'dimension' }>): RawBuilder<unknown> {
  const sort = grouping.sort ?? defaultSort(grouping.dimension);
  const direction = sql.raw(grouping.order === 'asc' ? 'asc' : 'desc');
  return sql`order by ${SORT_COLUMNS[sort]} ${direction} nulls last, g.value collate "C" nulls last
    limit ${grouping.limit} offset ${grouping.offset ?? 0}`;
}

/** Pages or custom-event names per visit, with their counts within it, from the visit's own lists. */
function listSource(pages: boolean, own: readonly UsageFilter[]): RawBuilder<unknown> {
  const counted = pages ? sql`u.count as pageviews, 0 as events` : sql`0 as pageviews, u.count as events`;
  const list = sql.ref(pages ? 'v.pages' : 'v.event_names');
  return sql`select u.value, v.session_id, v.visitor, ${counted}
    from v cross join lateral (
      select key as value, value::bigint as count from jsonb_each_text(${list})
    ) as u
    -- Most visits have no custom event: not calling the function for them saves a third of a filtered month.
    where ${list} <> '{}'::jsonb and ${conjunction(own.map((filter) => sql`u.value = ${filter.value}`))}`;
}

/** One property of custom events per visit; properties are not folded, so this reads the events. */
function propertySource(scope: StatsScope, propKey: string): RawBuilder<unknown> {
  const own = scope.filters.filter((filter) => filter.dimension === 'event').map((filter) => eventCondition(filter, 'e'));
  return sql`select e.props ->> ${propKey} as value, e.session_id, min(e.consent_id) as visitor, 0 as pageviews, count(*) as events
    from events e join v on v.site_id = e.site_id and v.session_id = e.session_id
    -- A visit's events are never earlier than its start, which is in the range.
    where e.site_id = ${scope.siteId} and e.occurred_at >= ${scope.range.from}
      and e.type = 'custom' and e.props ? ${propKey} and ${conjunction(own)}
    group by 1, 2`;
}

/**
 * Runs a statement over the visits in scope (`visitsCte`) with the settings such statements need; `workMem` for
 * a statement whose rows per visitor are wider than the panels'.
 */
export async function readVisits<R>(db: Db, statement: RawBuilder<R>, workMem = '32MB'): Promise<R[]> {
  const { rows } = await db.transaction().execute(async (trx) => {
    // Distinct counts over a month of visits hash hundreds of thousands of rows; 4 MB would send them to disk.
    await sql`set local work_mem = ${sql.lit(workMem)}`.execute(trx);
    // The planner guesses 100 rows per jsonb_each_text, so a month of visits looks costly enough to compile: JIT
    // then spends seconds compiling what runs in a fraction of that.
    await sql`set local jit = off`.execute(trx);
    return statement.execute(trx);
  });
  return rows;
}

/**
 * Several groupings over one scope in one call: from the rollups when they can answer, otherwise in one
 * statement over the visits in scope (PostgreSQL materialises a CTE that is read more than once).
 */
export async function runStatsSet<K extends string>(db: Db, scope: StatsScope, parts: Record<K, StatsPart>): Promise<Record<K, BreakdownRow[]>> {
  if (answeredByRollups(scope, Object.values<StatsPart>(parts))) return rollupStatsSet(db, scope, parts);
  const keys = Object.keys(parts) as K[];
  const grains = planVisitGrains(Object.values<StatsPart>(parts));
  const selects = keys.map((key) => sql`(${partSelect(scope, grains, key, parts[key])})`);
  const rows = await readVisits<ResultRow>(
    db,
    sql`with v as (${visitsCte(scope)})${grains.cte ? sql`, g as (${grains.cte})` : sql``}
      ${sql.join(selects, sql` union all `)}`,
  );
  const result = Object.fromEntries(keys.map((key) => [key, [] as BreakdownRow[]])) as Record<K, BreakdownRow[]>;
  // union all keeps each part's rows in the part's own order.
  for (const row of rows) result[row.part as K].push(toBreakdownRow(row, parts[row.part as K].metrics));
  return result;
}

export async function runStats(db: Db, query: StatsQuery): Promise<BreakdownRow[]> {
  const { metrics, grouping, ...scope } = query;
  return (await runStatsSet(db, scope, { result: { metrics, grouping } })).result;
}
