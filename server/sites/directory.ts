/**
 * The one owner of sites at run time. Every public surface (collector, widget script, declaration) looks sites up
 * here, by key, from a bounded cache; every change to a site, its inventory or its policy goes through here too,
 * so the cache forgets the site in the same step, and tells the other processes over the change feed, which forget
 * it within a second. While the feed is not connected, they see a change within SITE_TTL_MS.
 */
import { bannerLabels, type BannerSettings } from '../domain/banner.ts';
import type { Locale } from '../domain/consent.ts';
import type { InventoryItem } from '../domain/inventory.ts';
import { OriginMatcher } from '../domain/origins.ts';
import { policyLocales, type PolicyVersion } from '../domain/policy.ts';
import { shownContent, shownText, type ShownText } from '../domain/shown-content.ts';
import { SITE_KEY_PATTERN, type PublishedSite, type Site, type SiteWithPolicy } from '../domain/sites.ts';
import { LOCAL_ONLY, type ChangeFeed } from '../db/change-feed.ts';
import type { Db } from '../db/create.ts';
import { ApiError } from '../errors.ts';
import { databaseUnreachable } from '../db/errors.ts';
import { ExpiringCache } from '../expiring-cache.ts';
import { addInventoryItem, listActiveInventory, retireInventoryItem, updateInventoryItem, type NewInventoryItem } from '../queries/inventory.ts';
import { publishDraft, type Publication } from '../queries/policies.ts';
import { findShownContent, storeShownContents, type StoredShownContent } from '../queries/shown-contents.ts';
import { activeSiteOrigins, findSiteByKey, setSiteArchived, updateSite, type NewSite, type SiteChanges } from '../queries/sites.ts';
import { createSiteWithContent } from './create.ts';
import type { SiteContent } from './template.ts';

export const SITE_TTL_MS = 5_000;

export interface SiteRefusal {
  readonly refused: 'unknown_site' | 'site_archived' | 'site_unpublished';
  readonly message: string;
}
// Far more sites than any install has; a flood of made-up keys evicts the oldest lookups instead of growing memory.
const MAX_CACHED_SITES = 10_000;

// While the database does not answer, the collector goes on with what it last knew of a site: decisions are then
// journaled (server/journal) instead of refused.
export class SiteDirectory {
  private readonly sites = new ExpiringCache<string, SiteWithPolicy | null>(SITE_TTL_MS, MAX_CACHED_SITES, databaseUnreachable);
  private readonly inventories = new ExpiringCache<string, InventoryItem[]>(SITE_TTL_MS, MAX_CACHED_SITES, databaseUnreachable);
  private readonly shownNow = new ExpiringCache<string, ReadonlyMap<Locale, ShownText>>(SITE_TTL_MS, MAX_CACHED_SITES, databaseUnreachable);
  // A stored content never changes under its hash, so a found one may be kept as long as there is room.
  private readonly storedShown = new ExpiringCache<string, StoredShownContent | null>(SITE_TTL_MS * 12, MAX_CACHED_SITES, databaseUnreachable);
  private readonly anySiteOrigins = new ExpiringCache<'all', OriginMatcher>(SITE_TTL_MS, 1, databaseUnreachable);
  private readonly matchers = new WeakMap<Site, OriginMatcher>();

  constructor(
    private readonly db: Db,
    private readonly changes: ChangeFeed = LOCAL_ONLY,
  ) {
    changes.subscribe({
      changed: (change) => {
        if (change.kind === 'site') this.forget(change.key);
      },
      missed: () => {
        for (const cache of [this.sites, this.inventories, this.shownNow, this.anySiteOrigins]) cache.clear();
      },
    });
  }

  find(key: string): Promise<SiteWithPolicy | null> {
    return this.sites.get(key, () => findSiteByKey(this.db, key));
  }

  /** The site as the public surfaces serve it, or why it is not served, in words for the page's developer. */
  async lookUp(key: string): Promise<PublishedSite | SiteRefusal> {
    // A key no site could have (from a page's URL, say) is not looked up, nor cached.
    const site = SITE_KEY_PATTERN.test(key) ? await this.find(key) : null;
    if (!site) return { refused: 'unknown_site', message: `No site has the key ${JSON.stringify(key.slice(0, 80))}` };
    if (site.archivedAt) return { refused: 'site_archived', message: `Site "${key}" is archived: it takes no decisions or events; restore it in the dashboard` };
    if (!site.policy) return { refused: 'site_unpublished', message: `Site "${key}" has no published policy version yet; publish one in the dashboard` };
    return site as PublishedSite;
  }

  /** As lookUp, throwing the refusal as the error the widget's and the declaration's routes answer. */
  async published(key: string): Promise<PublishedSite> {
    const found = await this.lookUp(key);
    if (!('refused' in found)) return found;
    const status = { unknown_site: 404, site_archived: 410, site_unpublished: 409 } as const;
    throw new ApiError(status[found.refused], found.refused === 'site_unpublished' ? 'conflict' : found.refused, found.message, 'site');
  }

  /** The items in force on a site, as the declaration and the widget publish them. */
  inventory(site: Site): Promise<InventoryItem[]> {
    return this.inventories.get(site.key, () => listActiveInventory(this.db, site.id));
  }

  /**
   * What the widget shows on the site now, per locale of its policy, stored before it is served so that any
   * decision can cite it. Kept with the site's other cached state and stored again (a no-op) when it expires.
   */
  shown(site: SiteWithPolicy & { readonly policy: PolicyVersion }): Promise<ReadonlyMap<Locale, ShownText>> {
    return this.shownNow.get(site.key, async () => {
      const contents = await this.shownUnder(site, site.policy);
      await storeShownContents(this.db, site.id, site.policy.version, [...contents].map(([locale, shown]) => ({ locale, shown })));
      return contents;
    });
  }

  /**
   * What the site shows under `policy` with today's inventory and its labels (or a preview's `banner`): for
   * previews, and for clients that cite no content.
   */
  async shownUnder(
    site: Site,
    policy: Pick<PolicyVersion, 'version' | 'texts' | 'functionalRequired'>,
    banner: BannerSettings = site.banner,
  ): Promise<ReadonlyMap<Locale, ShownText>> {
    const inventory = await this.inventory(site);
    return new Map(
      policyLocales(policy.texts).map((locale) => [locale, shownText(shownContent(site.key, policy, bannerLabels(banner, locale), inventory, locale))]),
    );
  }

  /** A content some site was shown, by its hash: what a decision citing it is checked against. */
  findShown(hash: string): Promise<StoredShownContent | null> {
    return this.storedShown.get(hash, () => findShownContent(this.db, hash));
  }

  /** Stores what `shownUnder` built for an earlier version, so the decision citing it can be checked later. */
  async storeShown(site: Site, version: number, contents: ReadonlyMap<Locale, ShownText>): Promise<void> {
    await storeShownContents(this.db, site.id, version, [...contents].map(([locale, shown]) => ({ locale, shown })));
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
    // A lookup of the key before it existed may be cached as "no such site", here and elsewhere.
    this.forgetEverywhere(created.key);
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

  /**
   * The widget is served the new version at once: the cached one goes now. Drafts are not public, so their edits
   * go straight to queries/policies.ts.
   */
  async publishDraft(site: Site, draftId: number, publication: Publication): Promise<PolicyVersion | null> {
    return this.changed(site, await publishDraft(this.db, site.id, draftId, publication));
  }

  private changed<T>(site: Site, result: T): T {
    this.forgetEverywhere(site.key);
    return result;
  }

  private forgetEverywhere(key: string): void {
    this.forget(key);
    this.changes.publish({ kind: 'site', key });
  }

  private forget(key: string): void {
    this.sites.delete(key);
    this.inventories.delete(key);
    this.shownNow.delete(key);
    this.anySiteOrigins.clear();
  }
}
