/** /sites/:siteId/inventory: the cookies, storage keys, pixels, beacons, scripts and iframes a site declares. */
import { Hono } from 'hono';
import { z } from 'zod';
import { CATEGORIES } from '../domain/consent.ts';
import { INVENTORY_KINDS, PARTIES } from '../domain/inventory.ts';
import { ApiError } from '../errors.ts';
import { listInventory } from '../queries/inventory.ts';
import type { AppDeps } from '../services.ts';
import { requirePermission } from './auth.ts';
import type { AdminEnv } from './env.ts';
import { audit, ownedSite } from './scope.ts';
import { localizedText, text } from './texts.ts';
import { parseBody, pathId } from './validate.ts';

export const inventoryItemSchema = z.strictObject({
  kind: z.enum(INVENTORY_KINDS),
  name: text(200),
  namePattern: z.boolean(),
  provider: text(200),
  party: z.enum(PARTIES),
  domain: z.string().trim().max(253).nullable().transform((value) => value || null),
  category: z.enum(CATEGORIES),
  purpose: localizedText(2000),
  retention: localizedText(200),
  blocking: localizedText(2000),
});

const NO_ITEM = { en: 'No such inventory item on this site', nb: 'Nettstedet har ikke noe slikt element' };

export function inventoryRoutes(deps: AppDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  // Per route, not app.use: these routes share the /sites prefix with sub-apps other roles may read.
  const manage = requirePermission('sites.manage');

  app.get('/:siteId/inventory', manage, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    return c.json(await listInventory(deps.db, site.id));
  });

  app.post('/:siteId/inventory', manage, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const item = await deps.sites.addInventoryItem(site, await parseBody(c, inventoryItemSchema));
    await audit(c, deps, { action: 'inventory.create', siteId: site.id, target: item.name, detail: { id: item.id } });
    return c.json(item, 201);
  });

  app.put('/:siteId/inventory/:itemId', manage, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const changes = await parseBody(c, inventoryItemSchema);
    const item = await deps.sites.updateInventoryItem(site, pathId(c, 'itemId'), changes);
    if (!item) throw new ApiError(404, 'not_found', NO_ITEM);
    await audit(c, deps, { action: 'inventory.update', siteId: site.id, target: item.name, detail: { id: item.id } });
    return c.json(item);
  });

  app.delete('/:siteId/inventory/:itemId', manage, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const item = await deps.sites.retireInventoryItem(site, pathId(c, 'itemId'));
    if (!item) throw new ApiError(404, 'not_found', { en: 'No such active inventory item on this site', nb: 'Nettstedet har ikke noe slikt aktivt element' });
    await audit(c, deps, { action: 'inventory.retire', siteId: site.id, target: item.name, detail: { id: item.id } });
    return c.json(item);
  });
  return app;
}
