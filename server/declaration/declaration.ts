/** Builds the public overview of every cookie and pixel, per category, from the inventory and active policy. */
import type { Declaration } from '../contract.ts';
import { CATEGORIES } from '../domain/consent.ts';
import { publicItem, type InventoryItem } from '../domain/inventory.ts';
import type { PublishedSite } from '../domain/sites.ts';

export function buildDeclaration(site: PublishedSite, inventory: readonly InventoryItem[]): Declaration {
  const { policy } = site;
  return {
    site: { key: site.key, name: site.name, surface: site.surface },
    policyVersion: policy.version,
    publishedAt: policy.publishedAt.toISOString(),
    categories: CATEGORIES.map((category) => ({
      category,
      required: category === 'functional' && policy.functionalRequired,
      texts: {
        nb: policy.texts.nb.categories[category],
        ...(policy.texts.nn ? { nn: policy.texts.nn.categories[category] } : {}),
        en: policy.texts.en.categories[category],
      },
      items: inventory
        .filter((item) => item.category === category)
        // Every locale's text: the page and its JSON show them all.
        .map((item) => publicItem(item, (text) => text)),
    })),
  };
}
