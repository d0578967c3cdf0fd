/**
 * Sites by public key, with their active policy, cached for a few seconds: every collector request needs its
 * site, and a change made in the dashboard reaches the collector within SITE_TTL_MS.
 */
import type { Db } from '../db/create.ts';
import { findActiveSite, type ActiveSite } from '../queries/sites.ts';

const SITE_TTL_MS = 5_000;

export class SiteDirectory {
  private readonly sites = new Map<string, { site: Promise<ActiveSite | null>; expiresAt: number }>();
  private origins: { set: Promise<Set<string>>; expiresAt: number } | null = null;

  constructor(private readonly db: Db) {}

  find(key: string): Promise<ActiveSite | null> {
    const cached = this.sites.get(key);
    if (cached && cached.expiresAt > Date.now()) return cached.site;
    // Cache the promise, not the value, so a burst of requests for one site makes one query.
    const site = findActiveSite(this.db, key);
    this.sites.set(key, { site, expiresAt: Date.now() + SITE_TTL_MS });
    site.catch(() => this.sites.delete(key));
    return site;
  }

  /** Whether any site accepts this origin: enough to answer a CORS preflight, which carries no site key. */
  async isAllowedOriginOfAnySite(origin: string): Promise<boolean> {
    if (!this.origins || this.origins.expiresAt <= Date.now()) {
      const set = this.db
        .selectFrom('sites')
        .select('allowed_origins')
        .execute()
        .then((rows) => new Set(rows.flatMap((row) => row.allowed_origins)));
      this.origins = { set, expiresAt: Date.now() + SITE_TTL_MS };
      set.catch(() => (this.origins = null));
    }
    return (await this.origins.set).has(origin);
  }

  /** Forgets a site at once, for changes made in this process (dashboard edits, tests). */
  forget(key: string): void {
    this.sites.delete(key);
    this.origins = null;
  }
}
