/**
 * /sites/:siteId/scans and /sites/:siteId/scan-schedule: cookie scans of a site (start one, follow it, read its
 * results and the history) and the site's schedule for scanning itself. The scans run in the server's scanner
 * (server/scanner), one at a time; starting one queues it.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { resolveScanRequest, SCAN_PAGE_LIMIT, SCAN_SCHEDULES } from '../domain/scan.ts';
import { ApiError } from '../errors.ts';
import { findScan, listScans, queueScan, readScanSchedule, writeScanSchedule } from '../queries/scans.ts';
import type { AppDeps } from '../services.ts';
import { requirePermission } from './auth.ts';
import type { StartScanRequest } from './contract.ts';
import type { AdminEnv } from './env.ts';
import { audit, ownedSite } from './scope.ts';
import { parseBody, pathId } from './validate.ts';

const urls = z.array(z.string().trim().max(2_000)).max(20);
// Checked against the site's origins and the limits by resolveScanRequest, with messages that name the site's origins.
const pages = z.number().int();

export const startScanSchema = z.strictObject({ urls: urls.optional(), pages: pages.optional() }) satisfies z.ZodType<StartScanRequest>;
export const scheduleSchema = z.strictObject({ schedule: z.enum(SCAN_SCHEDULES), urls: urls.default([]), pageLimit: pages.default(SCAN_PAGE_LIMIT.default) });

const NO_SCAN = { en: 'No such scan of this site', nb: 'Nettstedet har ingen slik skanning' };

export function scanRoutes(deps: AppDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const manage = requirePermission('sites.manage');

  app.get('/:siteId/scans', manage, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    return c.json(await listScans(deps.db, site.id));
  });

  app.post('/:siteId/scans', manage, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const asked = await parseBody(c, startScanSchema);
    if (site.archivedAt) throw new ApiError(409, 'site_archived', { en: 'The site is archived; restore it before scanning it', nb: 'Nettstedet er arkivert; gjenopprett det før du skanner det' });
    const schedule = await readScanSchedule(deps.db, site.id);
    const request = resolveScanRequest({ allowedOrigins: site.allowedOrigins, scanUrls: schedule.urls, scanPageLimit: schedule.pageLimit }, deps.config.publicUrl, asked);
    if (!request.ok) throw new ApiError(400, 'invalid_body', request.problem, request.field);
    const scan = await queueScan(deps.db, { siteId: site.id, trigger: 'dashboard', startedBy: c.get('user').email, startUrls: request.startUrls, pageLimit: request.pageLimit });
    await audit(c, deps, { action: 'scan.start', siteId: site.id, target: site.key, detail: { scan: scan.id, urls: request.startUrls, pages: request.pageLimit } });
    return c.json(scan, 202);
  });

  app.get('/:siteId/scans/:scanId', manage, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const scan = await findScan(deps.db, site.id, pathId(c, 'scanId'));
    if (!scan) throw new ApiError(404, 'not_found', NO_SCAN);
    return c.json(scan);
  });

  app.get('/:siteId/scan-schedule', manage, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    return c.json(await readScanSchedule(deps.db, site.id));
  });

  app.put('/:siteId/scan-schedule', manage, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const asked = await parseBody(c, scheduleSchema);
    // The same checks a scan gets, now rather than at 3 a.m.
    const checked = resolveScanRequest({ allowedOrigins: site.allowedOrigins, scanUrls: [], scanPageLimit: asked.pageLimit }, deps.config.publicUrl, { urls: asked.urls });
    if (!checked.ok && (asked.urls.length > 0 || asked.schedule !== 'off' || checked.field === 'pages')) {
      throw new ApiError(400, 'invalid_body', checked.problem, checked.field === 'pages' ? 'pageLimit' : 'urls');
    }
    const schedule = await writeScanSchedule(deps.db, site.id, asked);
    await audit(c, deps, { action: 'scan.schedule', siteId: site.id, target: site.key, detail: { schedule: asked.schedule, urls: asked.urls, pages: asked.pageLimit } });
    return c.json(schedule);
  });
  return app;
}
