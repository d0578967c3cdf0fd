/**
 * The one owner of sites at run time. Every public surface (collector, widget script, declaration) looks sites up
 * here, by key, from a bounded cache; every change to a site, its inventory or its policy goes through here too,
 * so the cache forgets the site in the same step. Other processes see a change within SITE_TTL_MS.
 */
import type { InventoryItem } from '../domain/inventory.ts';
import { OriginMatcher } from '../domain/origins.ts';
import type { PolicyVersion } from '../domain/policy.ts';
import type { PublishedSite, Site, SiteWithPolicy } from '../domain/sites.ts';
import type { Db } from '../db/create.ts';
import { ApiError } from '../errors.ts';
import { ExpiringCache } from '../expiring-cache.ts';
import { addInventoryItem, listActiveInventory, retireInventoryItem, updateInventoryItem, type NewInventoryItem } from '../queries/inventory.ts';
import { publishPolicyVersion, type NewPolicyVersion } from '../queries/policies.ts';
import { activeSiteOrigins, findSiteByKey, setSiteArchived, updateSite, type NewSite, type SiteChanges } from '../queries/sites.ts';
import { createSiteWithContent } from './create.ts';
import type { SiteContent } from './template.ts';

export const SITE_TTL_MS = 5_000;
// Far more sites than any install has; a flood of made-up keys evicts the oldest lookups instead of growing memory.
const MAX_CACHED_SITES = 10_000;

export class SiteDirectory {
  private readonly sites = new ExpiringCache<string, SiteWithPolicy | null>(SITE_TTL_MS, MAX_CACHED_SITES);
  private readonly inventories = new ExpiringCache<string, InventoryItem[]>(SITE_TTL_MS, MAX_CACHED_SITES);
  private readonly anySiteOrigins = new ExpiringCache<'all', OriginMatcher>(SITE_TTL_MS, 1);
  private readonly matchers = new WeakMap<Site, OriginMatcher>();

  constructor(private readonly db: Db) {}

  find(key: string): Promise<SiteWithPolicy | null> {
    return this.sites.get(key, () => findSiteByKey(this.db, key));
  }

  /** The site as the public surfaces serve it, or the error that tells the page's developer why not. */
  async published(key: string): Promise<PublishedSite> {
    const site = await this.find(key);
    if (!site) throw new ApiError(404, 'unknown_site', `No site has the key "${key}"`, 'site');
    if (site.archivedAt) {
      throw new ApiError(410, 'site_archived', `Site "${key}" is archived: it takes no decisions or events; restore it in the dashboard`, 'site');
    }
    if (!site.policy) {
      throw new ApiError(409, 'conflict', `Site "${key}" has no published policy version yet; publish one in the dashboard`, 'site');
    }
    return site as PublishedSite;
  }

  /** The items in force on a site, as the declaration and the widget publish them. */
  inventory(site: Site): Promise<InventoryItem[]> {
    return this.inventories.get(site.key, () => listActiveInventory(this.db, site.id));
  }

  allowsOrigin(site: Site, origin: string): boolean {
    let matcher = this.matchers.get(site);
    if (!matcher) this.matchers.set(site, (matcher = new OriginMatcher(site.allowedOrigins)));
    return matcher.allows(origin);
  }

  /** Whether any active site accepts this origin: enough to answer a CORS preflight, which carries no site key. */
  async allowsOriginOfAnySite(origin: string): Promise<boolean> {
    const matcher = await this.anySiteOrigins.get('all', async () => new OriginMatcher(await activeSiteOrigins(this.db)));
    return matcher.allows(origin);
  }

  async create(site: NewSite, content: SiteContent): Promise<Site> {
    const created = await createSiteWithContent(this.db, site, content);
    // A lookup of the key before it existed may be cached as "no such site".
    this.forget(created.key);
    return created;
  }

  async update(site: Site, changes: SiteChanges): Promise<Site | null> {
    return this.changed(site, await updateSite(this.db, site.id, changes));
  }

  async setArchived(site: Site, archived: boolean): Promise<Site | null> {
    return this.changed(site, await setSiteArchived(this.db, site.id, archived));
  }

  async addInventoryItem(site: Site, item: NewInventoryItem): Promise<InventoryItem> {
    return this.changed(site, await addInventoryItem(this.db, site.id, item));
  }

  async updateInventoryItem(site: Site, itemId: number, item: NewInventoryItem): Promise<InventoryItem | null> {
    return this.changed(site, await updateInventoryItem(this.db, site.id, itemId, item));
  }

  async retireInventoryItem(site: Site, itemId: number): Promise<InventoryItem | null> {
    return this.changed(site, await retireInventoryItem(this.db, site.id, itemId));
  }

  /** The widget asks again as soon as it is served the new version: the cached one goes now. */
  async publishPolicy(site: Site, policy: NewPolicyVersion): Promise<PolicyVersion> {
    return this.changed(site, await publishPolicyVersion(this.db, site.id, policy));
  }

  private changed<T>(site: Site, result: T): T {
    this.forget(site.key);
    return result;
  }

  private forget(key: string): void {
    this.sites.delete(key);
    this.inventories.delete(key);
    this.anySiteOrigins.clear();
  }
}
