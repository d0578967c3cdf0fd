/** /consent-stats: decisions per day, opt-in per category, by policy version, surface and source, withdrawals. */
import { Hono } from 'hono';
import { z } from 'zod';
import { CONSENT_DIMENSIONS, type ConsentDimension, type ConsentStatsRow, type DateRange } from '../domain/stats.ts';
import { runConsentStats } from '../queries/consent-stats.ts';
import type { AppDeps } from '../services.ts';
import { requirePermission } from './auth.ts';
import type { AdminEnv } from './env.ts';
import { periodRange, periodSchema } from './period.ts';
import { ownedSite, ownedSiteIds } from './scope.ts';
import { ApiError } from '../errors.ts';
import { csvDownload, type Columns } from './export-stream.ts';
import { parseQuery, queryInteger } from './validate.ts';

/** A dimension's rows as a spreadsheet: counts, and each category's opt-in rate in per cent of the decisions. */
const EXPORT_COLUMNS: Columns<ConsentStatsRow> = [
  ['decisions', (row) => row.decisions],
  ...(['functional', 'analytics', 'ads'] as const).flatMap((category): Columns<ConsentStatsRow> => [
    [`${category}_granted`, (row) => row.granted[category]],
    [`${category}_opt_in_percent`, (row) => (row.decisions ? Math.round((1000 * row.granted[category]) / row.decisions) / 10 : null)],
  ]),
  ['withdrawals', (row) => row.withdrawals],
];

/** The one site the figures are narrowed to; all the organisation's sites when absent. */
export const siteQuery = z.object({ site: queryInteger.optional() });
export const exportSchema = z.object({ dimension: z.enum(CONSENT_DIMENSIONS).optional(), format: z.enum(['json', 'csv']).default('json') });

/** The rows per dimension, and the range they cover, so a chart can span every day of it. */
export type ConsentOverview = Record<ConsentDimension, ConsentStatsRow[]> & { readonly range: DateRange };

export function consentStatsRoutes(deps: AppDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  app.use(requirePermission('consent_stats.read'));

  app.get('/', async (c) => {
    const { range } = periodRange(parseQuery(c, periodSchema), new Date());
    const { site } = parseQuery(c, siteQuery);
    const siteIds = site !== undefined ? [(await ownedSite(c, deps, site)).id] : await ownedSiteIds(c, deps);
    const { dimension, format } = parseQuery(c, exportSchema);
    if (format === 'csv') {
      if (!dimension) throw new ApiError(400, 'invalid_query', { en: `A CSV holds one dimension: add dimension=${CONSENT_DIMENSIONS.join('|')}`, nb: `En CSV har én dimensjon: legg til dimension=${CONSENT_DIMENSIONS.join('|')}` }, 'dimension');
      const rows = await runConsentStats(deps.db, { siteIds, range, dimension });
      const day = (time: Date) => time.toISOString().slice(0, 10);
      const name = `consent-${site === undefined ? 'all-sites' : `site-${site}`}-${dimension}-${day(range.from)}-${day(new Date(range.to.getTime() - 1))}`;
      return csvDownload(name, [[dimension, (row) => row.value], ...EXPORT_COLUMNS], rows);
    }
    const results = await Promise.all(CONSENT_DIMENSIONS.map((dimension) => runConsentStats(deps.db, { siteIds, range, dimension })));
    const rows = Object.fromEntries(CONSENT_DIMENSIONS.map((dimension, index) => [dimension, results[index]])) as Record<ConsentDimension, ConsentStatsRow[]>;
    return c.json({ ...rows, range } satisfies ConsentOverview);
  });
  return app;
}
