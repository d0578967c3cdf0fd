/** Builds the public overview of every cookie and pixel, per category, from the inventory and active policy. */
import type { Declaration } from '../contract.ts';
import { CATEGORIES } from '../domain/consent.ts';
import type { InventoryItem } from '../domain/inventory.ts';
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
        .map((item) => ({
          kind: item.kind,
          name: item.name,
          namePattern: item.namePattern,
          provider: item.provider,
          party: item.party,
          domain: item.domain,
          purpose: item.purpose,
          retention: item.retention,
          blocking: item.blocking,
        })),
    })),
  };
}
