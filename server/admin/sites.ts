/** /sites: the organisation's sites, their inventory and their policy versions (admins change them). */
import { Hono } from 'hono';
import { z } from 'zod';
import { CATEGORIES } from '../domain/consent.ts';
import { INVENTORY_KINDS, PARTIES } from '../domain/inventory.ts';
import { ApiError } from '../errors.ts';
import { addInventoryItem } from '../queries/inventory.ts';
import { listOrganisationSites } from '../queries/organisation.ts';
import { listInventory, listPolicyVersions, retireInventoryItem, updateInventoryItem } from '../queries/site-settings.ts';
import { publishPolicyVersion } from '../queries/sites.ts';
import type { AppDeps } from '../services.ts';
import { requirePermission } from './auth.ts';
import type { AdminEnv } from './env.ts';
import { audit, ownedSite } from './scope.ts';
import { parseBody, pathId } from './validate.ts';

const text = (max: number) => z.string().trim().min(1).max(max);
const localized = (max: number) => z.strictObject({ nb: text(max), en: text(max) });

const inventoryItemSchema = z.strictObject({
  kind: z.enum(INVENTORY_KINDS),
  name: text(200),
  namePattern: z.boolean(),
  provider: text(200),
  party: z.enum(PARTIES),
  domain: z.string().trim().max(253).nullable().transform((value) => value || null),
  category: z.enum(CATEGORIES),
  purpose: localized(2000),
  retention: localized(200),
  blocking: localized(2000),
});

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

export function siteRoutes(deps: AppDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const manage = requirePermission('sites.manage');

  app.get('/', requirePermission('sites.read'), async (c) => c.json(await listOrganisationSites(deps.db, c.get('user').organisationId)));

  app.get('/:siteId/inventory', manage, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    return c.json(await listInventory(deps.db, site.id));
  });

  app.post('/:siteId/inventory', manage, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const item = await addInventoryItem(deps.db, site.id, await parseBody(c, inventoryItemSchema));
    deps.sites.forget(site.key);
    await audit(c, deps, { action: 'inventory.create', siteId: site.id, target: item.name, detail: { id: item.id } });
    return c.json(item, 201);
  });

  app.put('/:siteId/inventory/:itemId', manage, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const changes = await parseBody(c, inventoryItemSchema);
    const item = await updateInventoryItem(deps.db, site.id, pathId(c, 'itemId'), changes);
    if (!item) throw new ApiError(404, 'not_found', 'No such inventory item on this site');
    deps.sites.forget(site.key);
    await audit(c, deps, { action: 'inventory.update', siteId: site.id, target: item.name, detail: { id: item.id } });
    return c.json(item);
  });

  app.delete('/:siteId/inventory/:itemId', manage, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const item = await retireInventoryItem(deps.db, site.id, pathId(c, 'itemId'));
    if (!item) throw new ApiError(404, 'not_found', 'No such active inventory item on this site');
    deps.sites.forget(site.key);
    await audit(c, deps, { action: 'inventory.retire', siteId: site.id, target: item.name, detail: { id: item.id } });
    return c.json(item);
  });

  app.get('/:siteId/policies', manage, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    return c.json(await listPolicyVersions(deps.db, site.id));
  });

  app.post('/:siteId/policies', manage, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const policy = await publishPolicyVersion(deps.db, site.id, await parseBody(c, policySchema));
    // The widget asks again once the collector sees the new version; forget the cached one now.
    deps.sites.forget(site.key);
    await audit(c, deps, { action: 'policy.publish', siteId: site.id, target: `v${policy.version}` });
    return c.json(policy, 201);
  });
  return app;
}
