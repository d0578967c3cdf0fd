/** A site's inventory of cookies, storage keys, pixels, beacons, scripts and iframes: adding, editing, retiring, listing. */
import type { InventoryItem } from '../domain/inventory.ts';
import type { Db } from '../db/create.ts';
import type { InventoryItemRow } from '../db/schema.ts';

export type NewInventoryItem = Omit<InventoryItem, 'id' | 'retiredAt'>;

/** An item's columns, as both adding and editing write them. */
function inventoryColumns(item: NewInventoryItem) {
  return {
    kind: item.kind,
    name: item.name,
    name_is_pattern: item.namePattern,
    provider: item.provider,
    party: item.party,
    domain: item.domain,
    category: item.category,
    purpose: JSON.stringify(item.purpose),
    retention: JSON.stringify(item.retention),
    blocking: JSON.stringify(item.blocking),
  };
}

export async function addInventoryItem(db: Db, siteId: number, item: NewInventoryItem): Promise<InventoryItem> {
  const row = await db
    .insertInto('inventory_items')
    .values({ site_id: siteId, ...inventoryColumns(item) })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toInventoryItem(row);
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

/** The items in force: not retired, in a stable order for the declaration. */
export async function listActiveInventory(db: Db, siteId: number): Promise<InventoryItem[]> {
  const rows = await db
    .selectFrom('inventory_items')
    .selectAll()
    .where('site_id', '=', siteId)
    .where('retired_at', 'is', null)
    .orderBy('category')
    .orderBy('kind')
    .orderBy('name')
    .execute();
  return rows.map(toInventoryItem);
}

export function toInventoryItem(row: InventoryItemRow): InventoryItem {
  return {
    id: row.id,
    kind: row.kind,
    name: row.name,
    namePattern: row.name_is_pattern,
    provider: row.provider,
    party: row.party,
    domain: row.domain,
    category: row.category,
    purpose: row.purpose,
    retention: row.retention,
    blocking: row.blocking,
    retiredAt: row.retired_at,
  };
}
