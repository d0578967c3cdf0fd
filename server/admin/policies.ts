/** /sites/:siteId/policies: a site's policy versions, and publishing the next one (which asks every visitor again). */
import { Hono } from 'hono';
import { z } from 'zod';
import { listPolicyVersions } from '../queries/policies.ts';
import type { AppDeps } from '../services.ts';
import { requirePermission } from './auth.ts';
import type { AdminEnv } from './env.ts';
import { audit, ownedSite } from './scope.ts';
import { text } from './texts.ts';
import { parseBody, pathId } from './validate.ts';

const categoryText = z.strictObject({ title: text(120), description: text(2000) });
const policyTexts = z.strictObject({
  title: text(200),
  body: text(5000),
  categories: z.strictObject({ functional: categoryText, analytics: categoryText, ads: categoryText }),
});
const policySchema = z.strictObject({
  texts: z.strictObject({ nb: policyTexts, en: policyTexts }),
  functionalRequired: z.boolean(),
  consentLifetimeMonths: z.number().int().min(1).max(24),
});

export function policyRoutes(deps: AppDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  // Per route, not app.use: these routes share the /sites prefix with sub-apps other roles may read.
  const manage = requirePermission('sites.manage');

  app.get('/:siteId/policies', manage, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    return c.json(await listPolicyVersions(deps.db, site.id));
  });

  app.post('/:siteId/policies', manage, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const policy = await deps.sites.publishPolicy(site, await parseBody(c, policySchema));
    await audit(c, deps, { action: 'policy.publish', siteId: site.id, target: `v${policy.version}` });
    return c.json(policy, 201);
  });
  return app;
}
