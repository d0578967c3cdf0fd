/**
 * Sites by public key, with their active policy and inventory, cached for a few seconds: every collector request
 * needs its site and every page view loads the widget built from both. Changes made in the dashboard are
 * forgotten at once in that process, and reach other processes within SITE_TTL_MS.
 */
import type { Db } from '../db/create.ts';
import { ExpiringCache } from '../expiring-cache.ts';
import type { InventoryItem } from '../domain/inventory.ts';
import { listActiveInventory } from '../queries/inventory.ts';
import { findActiveSite, type ActiveSite } from '../queries/sites.ts';

export const SITE_TTL_MS = 5_000;

export class SiteDirectory {
  private readonly sites = new ExpiringCache<string, ActiveSite | null>(SITE_TTL_MS);
  private readonly inventories = new ExpiringCache<string, InventoryItem[]>(SITE_TTL_MS);
  private readonly origins = new ExpiringCache<'all', Set<string>>(SITE_TTL_MS);

  constructor(private readonly db: Db) {}

  find(key: string): Promise<ActiveSite | null> {
    return this.sites.get(key, () => findActiveSite(this.db, key));
  }

  /** The items in force on a site, as the declaration and the widget publish them. */
  inventory(site: ActiveSite): Promise<InventoryItem[]> {
    return this.inventories.get(site.key, () => listActiveInventory(this.db, site.id));
  }

  /** Whether any site accepts this origin: enough to answer a CORS preflight, which carries no site key. */
  async isAllowedOriginOfAnySite(origin: string): Promise<boolean> {
    const origins = await this.origins.get('all', async () => {
      const rows = await this.db.selectFrom('sites').select('allowed_origins').execute();
      return new Set(rows.flatMap((row) => row.allowed_origins));
    });
    return origins.has(origin);
  }

  /** Forgets a site at once, for changes made in this process (dashboard edits, tests). */
  forget(key: string): void {
    this.sites.delete(key);
    this.inventories.delete(key);
    this.origins.clear();
  }
}
