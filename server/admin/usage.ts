/** /sites/:siteId/usage: the analyst's overview (totals with comparison, chart, every panel) and single breakdowns. */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import { say } from '../i18n.ts';
import {
  BREAKDOWN_SORTS,
  EVENT_DIMENSIONS,
  OVERVIEW_PANEL_ROWS,
  PROP_KEY_PATTERN,
  USAGE_METRICS,
  VISIT_DIMENSIONS,
  previousRange,
  type BreakdownRow,
  type UsageDimension,
  type UsageFilter,
} from '../domain/stats.ts';
import { ApiError } from '../errors.ts';
import { csvDownload, type Columns } from './export-stream.ts';
import { consentShare } from '../queries/consent-stats.ts';
import { realtime } from '../queries/realtime.ts';
import { runStats, runStatsSet, type StatsPart, type StatsScope } from '../queries/stats.ts';
import type { SiteWithPolicy } from '../domain/sites.ts';
import type { AppDeps } from '../services.ts';
import { requirePermission } from './auth.ts';
import type { AdminEnv } from './env.ts';
import { periodRange, periodSchema } from './period.ts';
import { ownedSite } from './scope.ts';
import { parseQuery, pathId } from './validate.ts';

/** The panels of the overview, in the order the page shows them. */
export const OVERVIEW_PANELS = ['page', 'entryPage', 'exitPage', 'referrer', 'utmCampaign', 'adCampaign', 'browser', 'os', 'device', 'country', 'event'] as const satisfies readonly UsageDimension[];
/** Visitors per panel row would need a distinct count per row; visits tell the same story at a fraction of the cost. */
const PANEL_METRICS = ['visits', 'pageviews', 'events'] as const;

export const filterDimension = z.enum([...VISIT_DIMENSIONS, ...EVENT_DIMENSIONS]);
const FILTER_PREFIX = 'f.';

/** Filters travel as `f.<dimension>=<value>` query parameters, one per dimension. */
export function parseFilters(c: Context): UsageFilter[] {
  return Object.entries(c.req.query())
    .filter(([key]) => key.startsWith(FILTER_PREFIX))
    .map(([key, value]) => {
      const dimension = filterDimension.safeParse(key.slice(FILTER_PREFIX.length));
      if (!dimension.success) throw new ApiError(400, 'invalid_query', { en: `Unknown filter "${key}"`, nb: `Ukjent filter «${key}»` }, key);
      if (!value || value.length > 2048) throw new ApiError(400, 'invalid_query', { en: `${key}: needs a value of at most 2048 characters`, nb: `${key}: trenger en verdi på høyst 2048 tegn` }, key);
      return { dimension: dimension.data, value };
    });
}

// Not strict: the period and `f.` filter parameters share the query string and are parsed on their own.
export const breakdownSchema = z.object({
  dimension: z.union([
    filterDimension,
    z.templateLiteral(['prop:', z.string().regex(PROP_KEY_PATTERN, { error: () => say({ en: 'prop:<key> needs a key of letters, digits, _ . -', nb: 'prop:<nøkkel> trenger en nøkkel av bokstaver, sifre, _ . -' }) })]),
  ]),
  limit: z.coerce.number().int().min(1).max(500).default(50),
  offset: z.coerce.number().int().min(0).max(1_000_000).default(0),
  sort: z.enum(BREAKDOWN_SORTS).optional(),
  order: z.enum(['asc', 'desc']).default('desc'),
  format: z.enum(['json', 'csv']).default('json'),
});

/** JSON for programs, CSV for spreadsheets; a route's other parameters are parsed on their own. */
export const formatSchema = z.object({ format: z.enum(['json', 'csv']).default('json') });

/** Rows a breakdown's CSV holds at most: every row of any real panel, with a bound on one request's work. */
export const EXPORT_ROWS = 100_000;
const EXPORT_METRICS = ['visitors', 'visits', 'pageviews', 'events'] as const;

/** A breakdown or the chart as a spreadsheet: the value (a page, a referrer, a time bucket), then each count. */
function metricColumns(first: string): Columns<BreakdownRow> {
  return [[first, (row) => row.value], ...EXPORT_METRICS.map((metric): Columns<BreakdownRow>[number] => [metric, (row) => row.metrics[metric] ?? null])];
}

/** `usage-min-side-page-2026-11-06-2026-12-06`: what the file holds, readable in a downloads folder. */
export function exportName(siteKey: string, what: string, range: { from: Date; to: Date }): string {
  const day = (time: Date) => time.toISOString().slice(0, 10);
  return `usage-${siteKey}-${what.replace(/[^A-Za-z0-9_-]+/g, '_')}-${day(range.from)}-${day(new Date(range.to.getTime() - 1))}`;
}

/** One page of a breakdown, sorted over the whole result; `hasMore` when rows follow it. */
export interface BreakdownPage {
  readonly rows: readonly BreakdownRow[];
  readonly hasMore: boolean;
}

export interface UsageOverview {
  readonly range: { readonly from: Date; readonly to: Date };
  readonly granularity: 'hour' | 'day';
  readonly totals: { readonly current: BreakdownRow['metrics']; readonly previous: BreakdownRow['metrics'] };
  readonly timeseries: readonly BreakdownRow[];
  readonly panels: Record<(typeof OVERVIEW_PANELS)[number], readonly BreakdownRow[]>;
  /** Figures cover consented visitors only; this is the share of decisions in the period that granted analytics. */
  readonly consent: { readonly decisions: number; readonly analyticsGranted: number };
}

/**
 * The overview, one breakdown and the chart of a site the caller may read: answered alike to the dashboard (a
 * session) and to programs (an API key, server/api/), each route finding the site in its own way.
 */
export async function answerOverview(c: Context, deps: AppDeps, site: SiteWithPolicy): Promise<Response> {
  const { range, granularity } = periodRange(parseQuery(c, periodSchema), new Date());
  const filters = parseFilters(c);
  const scope: StatsScope = { siteId: site.id, range, filters };
  const panelParts = Object.fromEntries(
    OVERVIEW_PANELS.map((dimension): [string, StatsPart] => [dimension, { metrics: PANEL_METRICS, grouping: { by: 'dimension', dimension, limit: OVERVIEW_PANEL_ROWS } }]),
  ) as Record<(typeof OVERVIEW_PANELS)[number], StatsPart>;
  const [current, previous, consent] = await Promise.all([
    runStatsSet(deps.db, scope, {
      ...panelParts,
      totals: { metrics: USAGE_METRICS, grouping: { by: 'total' } },
      timeseries: { metrics: ['visitors', 'visits', 'pageviews'], grouping: { by: 'time', granularity } },
    }),
    runStats(deps.db, { ...scope, range: previousRange(range), metrics: USAGE_METRICS, grouping: { by: 'total' } }),
    consentShare(deps.db, site.id, range),
  ]);
  const { totals, timeseries, ...panels } = current;
  const overview: UsageOverview = {
    range,
    granularity,
    totals: { current: totals[0]?.metrics ?? {}, previous: previous[0]?.metrics ?? {} },
    timeseries,
    panels,
    consent,
  };
  return c.json(overview);
}

export async function answerBreakdown(c: Context, deps: AppDeps, site: SiteWithPolicy): Promise<Response> {
  const { range } = periodRange(parseQuery(c, periodSchema), new Date());
  const { dimension, limit, offset, sort, order, format } = parseQuery(c, breakdownSchema);
  const exported = format === 'csv';
  const rows = await runStats(deps.db, {
    siteId: site.id,
    range,
    filters: parseFilters(c),
    // One breakdown alone can afford to count visitors.
    metrics: EXPORT_METRICS,
    // A page asks for one row more than it shows, which says whether there are more; an export takes them all.
    grouping: { by: 'dimension', dimension, limit: exported ? EXPORT_ROWS : limit + 1, offset: exported ? 0 : offset, sort, order },
  });
  if (exported) return csvDownload(exportName(site.key, dimension, range), metricColumns(dimension), rows);
  const page: BreakdownPage = { rows: rows.slice(0, limit), hasMore: rows.length > limit };
  return c.json(page);
}

/** The chart's figures per hour or day, for a spreadsheet (CSV) or another program (JSON). */
export async function answerTimeseries(c: Context, deps: AppDeps, site: SiteWithPolicy): Promise<Response> {
  const { range, granularity } = periodRange(parseQuery(c, periodSchema), new Date());
  const { format } = parseQuery(c, formatSchema);
  const rows = await runStats(deps.db, { siteId: site.id, range, filters: parseFilters(c), metrics: EXPORT_METRICS, grouping: { by: 'time', granularity } });
  if (format === 'csv') return csvDownload(exportName(site.key, granularity, range), metricColumns(granularity), rows);
  return c.json(rows);
}

export function usageRoutes(deps: AppDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const read = requirePermission('usage.read');

  app.get('/:siteId/usage/overview', read, async (c) => answerOverview(c, deps, await ownedSite(c, deps, pathId(c, 'siteId'))));
  app.get('/:siteId/usage/breakdown', read, async (c) => answerBreakdown(c, deps, await ownedSite(c, deps, pathId(c, 'siteId'))));
  app.get('/:siteId/usage/timeseries', read, async (c) => answerTimeseries(c, deps, await ownedSite(c, deps, pathId(c, 'siteId'))));

  // Polled by the overview while it is open; a few minutes of events, so cheap at any traffic.
  app.get('/:siteId/usage/realtime', read, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const { format } = parseQuery(c, formatSchema);
    const now = await realtime(deps.db, site.id, new Date());
    if (format === 'csv') {
      const name = `realtime-${site.key}-${now.at.toISOString().slice(0, 16).replace(':', '')}`;
      return csvDownload(name, [['page', (row) => row.path], ['visitors', (row) => row.visitors]], now.pages);
    }
    return c.json(now);
  });
  return app;
}
