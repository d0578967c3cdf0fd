/** What the widget needs to show a site's banner with no second round trip: built from its policy and inventory. */
import type { WidgetSiteConfig } from '../contract.ts';
import type { AppDeps } from '../services.ts';

const STORAGE_KINDS = ['cookie', 'local_storage', 'session_storage'] as const;
type StorageKind = (typeof STORAGE_KINDS)[number];

export async function widgetSiteConfig(deps: AppDeps, key: string): Promise<WidgetSiteConfig> {
  const site = await deps.sites.published(key);
  const inventory = await deps.sites.inventory(site);
  return {
    site: site.key,
    policyVersion: site.policy.version,
    functionalRequired: site.policy.functionalRequired,
    consentLifetimeMonths: site.policy.consentLifetimeMonths,
    texts: site.policy.texts,
    storage: inventory
      .filter((item): item is typeof item & { kind: StorageKind } => (STORAGE_KINDS as readonly string[]).includes(item.kind))
      .map(({ category, kind, name, namePattern, domain }) => ({ category, kind, name, namePattern, domain })),
    collector: deps.config.publicUrl,
  };
}
