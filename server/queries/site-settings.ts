/** What admins change on a site: editing and retiring inventory items, and reading the policy version history. */
import type { PolicyVersion } from '../domain/policy.ts';
import type { InventoryItem } from '../domain/inventory.ts';
import type { Db } from '../db/create.ts';
import { inventoryColumns, toInventoryItem, type NewInventoryItem } from './inventory.ts';
import { toPolicyVersion } from './sites.ts';

/** Every item, retired ones last, so the admin sees what was once declared. */
export async function listInventory(db: Db, siteId: number): Promise<InventoryItem[]> {
  const rows = await db
    .selectFrom('inventory_items')
    .selectAll()
    .where('site_id', '=', siteId)
    .orderBy((eb) => eb('retired_at', 'is not', null))
    .orderBy('category')
    .orderBy('name')
    .execute();
  return rows.map(toInventoryItem);
}

export async function updateInventoryItem(db: Db, siteId: number, itemId: number, item: NewInventoryItem): Promise<InventoryItem | null> {
  const row = await db
    .updateTable('inventory_items')
    .set({ ...inventoryColumns(item), updated_at: new Date() })
    .where('id', '=', itemId)
    .where('site_id', '=', siteId)
    .returningAll()
    .executeTakeFirst();
  return row ? toInventoryItem(row) : null;
}

/** Retiring keeps the row: the item leaves the declaration but the history of what was declared stays. */
export async function retireInventoryItem(db: Db, siteId: number, itemId: number): Promise<InventoryItem | null> {
  const row = await db
    .updateTable('inventory_items')
    .set({ retired_at: new Date(), updated_at: new Date() })
    .where('id', '=', itemId)
    .where('site_id', '=', siteId)
    .where('retired_at', 'is', null)
    .returningAll()
    .executeTakeFirst();
  return row ? toInventoryItem(row) : null;
}

export async function listPolicyVersions(db: Db, siteId: number): Promise<PolicyVersion[]> {
  const rows = await db.selectFrom('policy_versions').selectAll().where('site_id', '=', siteId).orderBy('version', 'desc').execute();
  return rows.map(toPolicyVersion);
}
