/** Inventory items: every cookie, storage key, pixel, beacon, script and iframe the terms must declare. */
import type { Category, Localized } from './consent.ts';

export const INVENTORY_KINDS = ['cookie', 'local_storage', 'session_storage', 'pixel', 'web_beacon', 'script', 'iframe'] as const;
export type InventoryKind = (typeof INVENTORY_KINDS)[number];

export const PARTIES = ['first', 'third'] as const;
export type Party = (typeof PARTIES)[number];

export interface InventoryItem {
  readonly id: number;
  readonly kind: InventoryKind;
  /** A literal name, or with namePattern a glob where `*` stands for any run of characters (`_ga_*`). */
  readonly name: string;
  readonly namePattern: boolean;
  readonly provider: string;
  readonly party: Party;
  readonly domain: string | null;
  readonly category: Category;
  readonly purpose: Localized;
  readonly retention: Localized;
  readonly blocking: Localized;
  readonly retiredAt: Date | null;
}

/** What the public sees of an item (the declaration, the banner), with its texts as `text` gives them. */
export function publicItem<Text>(item: InventoryItem, text: (value: Localized) => Text) {
  return {
    kind: item.kind,
    name: item.name,
    namePattern: item.namePattern,
    provider: item.provider,
    party: item.party,
    domain: item.domain,
    purpose: text(item.purpose),
    retention: text(item.retention),
    blocking: text(item.blocking),
  };
}

/** Matches a stored name (cookie, storage key) against an item's name or glob pattern. */
export function inventoryNameMatches(item: Pick<InventoryItem, 'name' | 'namePattern'>, candidate: string): boolean {
  if (!item.namePattern) return item.name === candidate;
  const pattern = item.name.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*');
  return new RegExp(`^${pattern}$`).test(candidate);
}
