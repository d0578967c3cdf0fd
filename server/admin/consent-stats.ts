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
import { parseQuery, queryInteger } from './validate.ts';

/** The rows per dimension, and the range they cover, so a chart can span every day of it. */
export type ConsentOverview = Record<ConsentDimension, ConsentStatsRow[]> & { readonly range: DateRange };

export function consentStatsRoutes(deps: AppDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  app.use(requirePermission('consent_stats.read'));

  app.get('/', async (c) => {
    const { range } = periodRange(parseQuery(c, periodSchema), new Date());
    const { site } = parseQuery(c, z.object({ site: queryInteger.optional() }));
    const siteIds = site !== undefined ? [(await ownedSite(c, deps, site)).id] : await ownedSiteIds(c, deps);
    const results = await Promise.all(CONSENT_DIMENSIONS.map((dimension) => runConsentStats(deps.db, { siteIds, range, dimension })));
    const rows = Object.fromEntries(CONSENT_DIMENSIONS.map((dimension, index) => [dimension, results[index]])) as Record<ConsentDimension, ConsentStatsRow[]>;
    return c.json({ ...rows, range } satisfies ConsentOverview);
  });
  return app;
}
