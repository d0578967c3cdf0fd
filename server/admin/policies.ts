/**
 * /sites/:siteId/policies: a site's policy versions with their states, a word diff between any two, one draft to
 * edit and preview, and publishing it as a material change (asks everyone again) or a wording fix (does not).
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { POLICY_CHANGES, type PolicyEntry } from '../domain/policy.ts';
import { diffPolicies } from '../domain/policy-diff.ts';
import { ApiError } from '../errors.ts';
import { createDraft, discardDraft, DraftExistsError, findPolicyEntry, listPolicyVersions, updateDraft } from '../queries/policies.ts';
import type { AppDeps } from '../services.ts';
import { requirePermission } from './auth.ts';
import type { AdminEnv } from './env.ts';
import { audit, ownedSite } from './scope.ts';
import { text } from './texts.ts';
import { parseBody, parseQuery, pathId, queryInteger } from './validate.ts';

const categoryText = z.strictObject({ title: text(120), description: text(2000) });
const policyTexts = z.strictObject({
  title: text(200),
  body: text(5000),
  categories: z.strictObject({ functional: categoryText, analytics: categoryText, ads: categoryText }),
});
export const rulesSchema = z.strictObject({
  // Nynorsk is optional: without it, Nynorsk pages show Bokmål.
  texts: z.strictObject({ nb: policyTexts, nn: policyTexts.optional(), en: policyTexts }),
  functionalRequired: z.boolean(),
  consentLifetimeMonths: z.number().int().min(1).max(24),
});
export const publishSchema = z.strictObject({ change: z.enum(POLICY_CHANGES) });
export const policyDiffQuery = z.object({ from: queryInteger, to: queryInteger });

function notFound(siteKey: string, id: number): ApiError {
  return new ApiError(404, 'not_found', { en: `Site ${siteKey} has no policy version ${id}`, nb: `${siteKey} har ingen versjon ${id}` });
}

function notADraft(entry: PolicyEntry): ApiError {
  return new ApiError(409, 'conflict', {
    en: `Version ${entry.version} is published; only a draft can change. Start a new draft from it instead`,
    nb: `Versjon ${entry.version} er publisert; bare et utkast kan endres. Lag et nytt utkast fra den i stedet`,
  });
}

export function policyRoutes(deps: AppDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  // Per route, not app.use: these routes share the /sites prefix with sub-apps other roles may read.
  const read = requirePermission('policies.read');
  const manage = requirePermission('sites.manage');

  async function entryOf(siteKey: string, siteId: number, id: number): Promise<PolicyEntry> {
    const entry = await findPolicyEntry(deps.db, siteId, id);
    if (!entry) throw notFound(siteKey, id);
    return entry;
  }

  app.get('/:siteId/policies', read, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    return c.json(await listPolicyVersions(deps.db, site.id));
  });

  app.get('/:siteId/policies/diff', read, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const { from, to } = parseQuery(c, policyDiffQuery);
    const [before, after] = await Promise.all([entryOf(site.key, site.id, from), entryOf(site.key, site.id, to)]);
    return c.json(diffPolicies(before, after));
  });

  app.post('/:siteId/policies', manage, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const rules = await parseBody(c, rulesSchema);
    try {
      const draft = await createDraft(deps.db, site.id, rules);
      await audit(c, deps, { action: 'policy.draft', siteId: site.id, target: `draft ${draft.id}` });
      return c.json(draft, 201);
    } catch (error) {
      if (error instanceof DraftExistsError) {
        throw new ApiError(409, 'conflict', {
          en: error.message,
          nb: 'Nettstedet har allerede et utkast; rediger eller forkast det før du lager et nytt',
        });
      }
      throw error;
    }
  });

  app.put('/:siteId/policies/:policyId', manage, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const id = pathId(c, 'policyId');
    const rules = await parseBody(c, rulesSchema);
    const updated = await updateDraft(deps.db, site.id, id, rules);
    if (!updated) throw notADraft(await entryOf(site.key, site.id, id));
    return c.json(updated);
  });

  app.delete('/:siteId/policies/:policyId', manage, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const id = pathId(c, 'policyId');
    if (!(await discardDraft(deps.db, site.id, id))) throw notADraft(await entryOf(site.key, site.id, id));
    await audit(c, deps, { action: 'policy.discard', siteId: site.id, target: `draft ${id}` });
    return c.body(null, 204);
  });

  app.post('/:siteId/policies/:policyId/publish', manage, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const id = pathId(c, 'policyId');
    const { change } = await parseBody(c, publishSchema);
    const published = await deps.sites.publishDraft(site, id, { material: change === 'material', publishedBy: c.get('user').email });
    if (!published) throw notADraft(await entryOf(site.key, site.id, id));
    await audit(c, deps, { action: 'policy.publish', siteId: site.id, target: `v${published.version}`, detail: { change } });
    return c.json(published, 201);
  });
  return app;
}
