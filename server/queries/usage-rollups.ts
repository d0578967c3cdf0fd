/**
 * The overview's fast path: totals, charts and panels summed from the daily rollups (visits.ts), so a 30-day
 * overview reads about 250 rows a day whatever the traffic. Visitors come from the visits themselves for a single
 * day (exact) and from the days' sketches otherwise (usage-sketches.ts, within 2 %).
 */
import { sql } from 'kysely';
import type { Db } from '../db/create.ts';
import { defaultSort, isVisitDimension, type BreakdownRow, type MetricValues, type UsageMetric } from '../domain/stats.ts';
import { utcDay } from './event-partitions.ts';
import type { StatsGrouping, StatsPart, StatsScope } from './stats.ts';
import { sketchedVisitors } from './usage-sketches.ts';

const DAY_MS = 86_400_000;

interface Sums {
  visits: number;
  pageviews: number;
  events: number;
  bounces: number;
  durationMs: number;
}

const isMidnight = (time: Date) => time.getTime() % DAY_MS === 0;

/** Whole days, no filter, and no visitors per row: what the rollups hold. */
export function answeredByRollups(scope: StatsScope, parts: readonly StatsPart[]): boolean {
  if (scope.filters.length > 0 || !isMidnight(scope.range.from) || !isMidnight(scope.range.to)) return false;
  return parts.every(
    ({ grouping, metrics }) =>
      grouping.by !== 'dimension' || ((isVisitDimension(grouping.dimension) || grouping.dimension === 'page' || grouping.dimension === 'event') && !metrics.includes('visitors')),
  );
}

/** Ratios rounded from integers, so they equal PostgreSQL's numeric rounding of the same sums exactly. */
function metricsOf(sums: Sums, visitors: number | undefined, metrics: readonly UsageMetric[]): MetricValues {
  const per = (numerator: number, scale: number) => (sums.visits === 0 ? null : Math.round((numerator * scale) / sums.visits) / scale);
  const all: Record<UsageMetric, number | null> = {
    visitors: visitors ?? null,
    visits: sums.visits,
    pageviews: sums.pageviews,
    viewsPerVisit: per(sums.pageviews, 100),
    bounceRate: sums.visits === 0 ? null : Math.round((sums.bounces * 1000) / sums.visits) / 10,
    visitDuration: sums.visits === 0 ? null : Math.round(sums.durationMs / (1000 * sums.visits)),
    events: sums.events,
  };
  return Object.fromEntries(metrics.map((metric) => [metric, all[metric]]));
}

/** Code-point order, nulls last: the order PostgreSQL gives `collate "C" nulls last`. */
function compareValues(a: string | null, b: string | null): number {
  if (a === b) return 0;
  if (a === null) return 1;
  if (b === null) return -1;
  return a < b ? -1 : 1;
}

function ranked(rows: Array<{ value: string | null; sums: Sums }>, grouping: Extract<StatsGrouping, { by: 'dimension' }>, metrics: readonly UsageMetric[]): BreakdownRow[] {
  const sort = grouping.sort ?? defaultSort(grouping.dimension);
  const sign = grouping.order === 'asc' ? 1 : -1;
  const sorted = rows.sort((a, b) => {
    // Rows without a value come last in either direction, as `nulls last` puts them.
    if (sort === 'value') return a.value === null || b.value === null ? compareValues(a.value, b.value) : sign * compareValues(a.value, b.value);
    return (sort === 'visitors' ? 0 : sign * (a.sums[sort] - b.sums[sort])) || compareValues(a.value, b.value);
  });
  const offset = grouping.offset ?? 0;
  return sorted.slice(offset, offset + grouping.limit).map((row) => ({ value: row.value, metrics: metricsOf(row.sums, undefined, metrics) }));
}

const NO_SUMS: Sums = { visits: 0, pageviews: 0, events: 0, bounces: 0, durationMs: 0 };

function add(into: Sums | undefined, row: Sums): Sums {
  const base = into ?? NO_SUMS;
  return {
    visits: base.visits + row.visits,
    pageviews: base.pageviews + row.pageviews,
    events: base.events + row.events,
    bounces: base.bounces + row.bounces,
    durationMs: base.durationMs + row.durationMs,
  };
}

/** Exact distinct visitors of the visits that started in the range, overall and per UTC hour. */
async function countedVisitors(db: Db, scope: StatsScope): Promise<{ total: number; perHour: Map<string, number> }> {
  const { rows } = await sql<{ hour: string | null; visitors: number }>`
    select to_char(date_trunc('hour', started at time zone 'UTC'), 'YYYY-MM-DD"T"HH24:MI:SS"Z"') as hour, count(distinct visitor)::int as visitors
    from visits where site_id = ${scope.siteId} and started >= ${scope.range.from} and started < ${scope.range.to}
    group by grouping sets ((1), ())`.execute(db);
  return {
    total: rows.find((row) => row.hour === null)?.visitors ?? 0,
    perHour: new Map(rows.filter((row) => row.hour !== null).map((row) => [row.hour!, row.visitors])),
  };
}

export async function rollupStatsSet<K extends string>(db: Db, scope: StatsScope, parts: Record<K, StatsPart>): Promise<Record<K, BreakdownRow[]>> {
  const entries = Object.entries<StatsPart>(parts) as Array<[K, StatsPart]>;
  const dimensions = new Set<string>();
  for (const [, { grouping }] of entries) {
    if (grouping.by === 'total' || (grouping.by === 'time' && grouping.granularity === 'day')) dimensions.add('total');
    else if (grouping.by === 'time') dimensions.add('hour');
    else dimensions.add(grouping.dimension);
  }
  const fromDay = utcDay(scope.range.from);
  const toDay = utcDay(scope.range.to);
  const { rows } = await sql<{ dimension: string; day: string | null; value: string } & Sums>`
    select dimension, case when dimension in ('total', 'hour') then day::text end as day, value,
      sum(visits)::bigint as visits, sum(pageviews)::bigint as pageviews, sum(events)::bigint as events,
      sum(bounces)::bigint as bounces, sum(duration_ms)::bigint as "durationMs"
    from usage_daily
    where site_id = ${scope.siteId} and day >= ${fromDay}::date and day < ${toDay}::date and dimension = any(${[...dimensions]}::text[])
    group by 1, 2, 3
    having sum(visits) > 0`.execute(db);

  const wantsVisitors = entries.some(([, part]) => part.grouping.by !== 'dimension' && part.metrics.includes('visitors'));
  const oneDay = scope.range.to.getTime() - scope.range.from.getTime() === DAY_MS;
  const hourly = entries.some(([, part]) => part.grouping.by === 'time' && part.grouping.granularity === 'hour');
  const counted = wantsVisitors && (oneDay || hourly) ? await countedVisitors(db, scope) : null;
  const sketched = wantsVisitors && !oneDay ? await sketchedVisitors(db, scope.siteId, fromDay, toDay) : null;

  const byDimension = new Map<string, Array<{ day: string | null; value: string; sums: Sums }>>();
  for (const row of rows) {
    const sums = { visits: Number(row.visits), pageviews: Number(row.pageviews), events: Number(row.events), bounces: Number(row.bounces), durationMs: Number(row.durationMs) };
    byDimension.set(row.dimension, [...(byDimension.get(row.dimension) ?? []), { day: row.day, value: row.value, sums }]);
  }
  const result = {} as Record<K, BreakdownRow[]>;
  for (const [key, { grouping, metrics }] of entries) {
    if (grouping.by === 'total') {
      const sums = (byDimension.get('total') ?? []).reduce<Sums>((total, row) => add(total, row.sums), NO_SUMS);
      result[key] = [{ value: null, metrics: metricsOf(sums, counted && oneDay ? counted.total : sketched?.total, metrics) }];
    } else if (grouping.by === 'time') {
      const hourly = grouping.granularity === 'hour';
      const buckets = (byDimension.get(hourly ? 'hour' : 'total') ?? []).map((row) => ({ bucket: `${row.day}T${hourly ? row.value : '00'}:00:00Z`, day: row.day!, sums: row.sums }));
      buckets.sort((a, b) => compareValues(a.bucket, b.bucket));
      result[key] = buckets.map((row) => ({
        value: row.bucket,
        metrics: metricsOf(row.sums, hourly ? counted?.perHour.get(row.bucket) : oneDay ? counted?.total : sketched?.perDay.get(row.day), metrics),
      }));
    } else {
      // Direct traffic is kept under '' in the rollups, and read as no referrer.
      const values = (byDimension.get(grouping.dimension) ?? []).map((row) => ({ value: grouping.dimension === 'referrer' && row.value === '' ? null : row.value, sums: row.sums }));
      result[key] = ranked(values, grouping, metrics);
    }
  }
  return result;
}
