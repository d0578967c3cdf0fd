/**
 * /api/v1: Samtykke for other programs, authenticated by an API key. Each route answers exactly as its dashboard
 * twin does (the same handlers and schemas); only how the caller and its sites are found differs (api/auth.ts).
 */
import { Hono } from 'hono';
import { answerRecordSearch, recordExport, scopedSearch } from '../admin/records.ts';
import { noStore, requestLocale } from '../admin/routes.ts';
import { answerBreakdown, answerOverview, answerTimeseries } from '../admin/usage.ts';
import { pathId } from '../admin/validate.ts';
import { bodySizeLimit } from '../body-limit.ts';
import { takeDecision, takeEvents } from '../collector/routes.ts';
import { listOrganisationSites } from '../queries/organisation.ts';
import type { AppDeps } from '../services.ts';
import { auditKeyUse } from './audit.ts';
import { keyGate, keyScope, keySender, keySite, requireApiKey, requireScope } from './auth.ts';
import type { ApiEnv } from './env.ts';

export function apiV1(deps: AppDeps): Hono<ApiEnv> {
  const api = new Hono<ApiEnv>();
  // Before the key check: a stranger's body is not read past the limit either.
  api.use(bodySizeLimit(deps.config.bodyLimitBytes));
  api.use(noStore);
  api.use(requestLocale);
  api.use(requireApiKey(deps));
  api.use(auditKeyUse(deps));

  // Which sites the key reaches, with the ids the other routes take: any scope may ask.
  api.get('/sites', async (c) => {
    const key = c.get('apiKey');
    return c.json(await listOrganisationSites(deps.db, key.organisationId, key.siteId ?? undefined));
  });

  const usage = requireScope('usage:read');
  api.get('/sites/:siteId/usage/overview', usage, async (c) => answerOverview(c, deps, await keySite(c, deps, pathId(c, 'siteId'))));
  api.get('/sites/:siteId/usage/breakdown', usage, async (c) => answerBreakdown(c, deps, await keySite(c, deps, pathId(c, 'siteId'))));
  api.get('/sites/:siteId/usage/timeseries', usage, async (c) => answerTimeseries(c, deps, await keySite(c, deps, pathId(c, 'siteId'))));

  const records = requireScope('records:read');
  api.get('/records', records, async (c) => answerRecordSearch(c, deps, await scopedSearch(c, keyScope(c, deps))));
  for (const format of ['csv', 'ndjson'] as const) {
    api.get(`/records/export.${format}`, records, async (c) => {
      const search = await scopedSearch(c, keyScope(c, deps));
      c.set('auditAction', 'records.export');
      if (search.siteIds.length === 1) c.set('siteId', search.siteIds[0]!);
      return recordExport(deps, search, format);
    });
  }

  const collect = requireScope('collect');
  api.post('/consent', collect, (c) => takeDecision(c, deps, keySender(c), keyGate(c, deps)));
  api.post('/events', collect, (c) => takeEvents(c, deps, keySender(c), keyGate(c, deps)));
  return api;
}

export function apiRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.route('/api/v1', apiV1(deps));
  return app;
}
