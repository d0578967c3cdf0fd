/**
 * /sites/:siteId/funnels: a site's funnels (2–8 of its goals in order, within one visit; analysts define them) and
 * each funnel's figures over a period, with the overview's filters, as JSON or CSV.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { FUNNEL_STEPS, funnelSteps, type Funnel, type FunnelStepFigures, type NewFunnel } from '../domain/goals.ts';
import { ApiError } from '../errors.ts';
import { createFunnel, deleteFunnel, findFunnel, funnelReached, listFunnels, updateFunnel } from '../queries/funnels.ts';
import { listGoals } from '../queries/goals.ts';
import type { AppDeps } from '../services.ts';
import { requirePermission } from './auth.ts';
import type { AdminEnv } from './env.ts';
import { csvDownload } from './export-stream.ts';
import { periodRange, periodSchema } from './period.ts';
import { audit, ownedSite } from './scope.ts';
import { text } from './texts.ts';
import { exportName, formatSchema, parseFilters } from './usage.ts';
import { parseBody, parseQuery, pathId, queryInteger } from './validate.ts';

export const funnelSchema = z.strictObject({
  name: text(100),
  steps: z.array(queryInteger).min(FUNNEL_STEPS.min).max(FUNNEL_STEPS.max),
}) satisfies z.ZodType<NewFunnel, unknown>;

const NO_FUNNEL = { en: 'No such funnel on this site', nb: 'Nettstedet har ingen slik trakt' };

/** GET /sites/:siteId/funnels/:funnelId/figures */
export interface FunnelReport {
  readonly funnel: Funnel;
  readonly steps: readonly (FunnelStepFigures & { readonly name: string })[];
}

export function funnelRoutes(deps: AppDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  // Per route, not app.use: these routes share the /sites prefix with sub-apps other roles may read.
  const read = requirePermission('usage.read');
  const manage = requirePermission('goals.manage');

  /** The funnel's steps must be goals of this site. */
  async function checkedFunnel(siteId: number, funnel: NewFunnel): Promise<NewFunnel> {
    const goals = new Set((await listGoals(deps.db, siteId)).map((goal) => goal.id));
    const unknown = funnel.steps.filter((step) => !goals.has(step));
    if (unknown.length) {
      throw new ApiError(400, 'invalid_body', { en: `Not goals of this site: ${unknown.join(', ')}`, nb: `Ikke mål på dette nettstedet: ${unknown.join(', ')}` }, 'steps');
    }
    return funnel;
  }

  app.get('/:siteId/funnels', read, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    return c.json(await listFunnels(deps.db, site.id));
  });

  app.post('/:siteId/funnels', manage, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const funnel = await createFunnel(deps.db, site.id, await checkedFunnel(site.id, await parseBody(c, funnelSchema)));
    await audit(c, deps, { action: 'funnel.create', siteId: site.id, target: funnel.name, detail: { id: funnel.id, steps: funnel.steps } });
    return c.json(funnel, 201);
  });

  app.put('/:siteId/funnels/:funnelId', manage, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const funnelId = pathId(c, 'funnelId');
    const asked = await checkedFunnel(site.id, await parseBody(c, funnelSchema));
    const funnel = await updateFunnel(deps.db, site.id, funnelId, asked);
    if (!funnel) throw new ApiError(404, 'not_found', NO_FUNNEL);
    await audit(c, deps, { action: 'funnel.update', siteId: site.id, target: funnel.name, detail: { id: funnel.id, steps: funnel.steps } });
    return c.json(funnel);
  });

  app.delete('/:siteId/funnels/:funnelId', manage, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const funnel = await deleteFunnel(deps.db, site.id, pathId(c, 'funnelId'));
    if (!funnel) throw new ApiError(404, 'not_found', NO_FUNNEL);
    await audit(c, deps, { action: 'funnel.delete', siteId: site.id, target: funnel.name, detail: { id: funnel.id } });
    return c.json(funnel);
  });

  app.get('/:siteId/funnels/:funnelId/figures', read, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const funnel = await findFunnel(deps.db, site.id, pathId(c, 'funnelId'));
    if (!funnel) throw new ApiError(404, 'not_found', NO_FUNNEL);
    const { range } = periodRange(parseQuery(c, periodSchema), new Date());
    const { format } = parseQuery(c, formatSchema);
    const goals = new Map((await listGoals(deps.db, site.id)).map((goal) => [goal.id, goal]));
    // Goals a funnel uses cannot be deleted, so every step is there.
    const steps = funnel.steps.map((id) => goals.get(id)!);
    const reached = await funnelReached(deps.db, { siteId: site.id, range, filters: parseFilters(c) }, steps);
    const report: FunnelReport = { funnel, steps: funnelSteps(funnel.steps, reached).map((figures, index) => ({ ...figures, name: steps[index]!.name })) };
    if (format === 'csv') {
      return csvDownload(exportName(site.key, `funnel-${funnel.name}`, range), [
        ['step', (step) => report.steps.indexOf(step) + 1],
        ['goal', (step) => step.name],
        ['visitors', (step) => step.visitors],
        ['conversion_from_first', (step) => step.fromFirst],
        ['conversion_from_previous', (step) => step.fromPrevious],
        ['drop_off', (step) => step.dropOff],
      ], report.steps);
    }
    return c.json(report);
  });
  return app;
}
