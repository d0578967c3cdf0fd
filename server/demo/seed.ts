/** Creates the demo organisation on an empty database, so `npm start` shows a working product at once. */
import type { Site } from '../domain/sites.ts';
import type { Db } from '../db/create.ts';
import { createOrganisation, hasOrganisation } from '../queries/organisation.ts';
import { SCAN_PAGE_LIMIT } from '../domain/scan.ts';
import { writeScanSchedule } from '../queries/scans.ts';
import { createSiteWithContent } from '../sites/create.ts';
import { DEMO_FEATURES, DEMO_ORGANISATION, DEMO_POLICY_TEXTS, DEMO_SITES, demoInventory } from './content.ts';

export interface DemoOrganisation {
  readonly organisationId: number;
  readonly sites: readonly Site[];
}

/**
 * The demo's web sites list no origins of their own: their pages (/demo) are served by Samtykke itself, which the
 * collector always accepts, at whatever address the server is reached.
 */
export async function seedDemo(db: Db, publicUrl: string): Promise<DemoOrganisation> {
  const organisation = await createOrganisation(db, DEMO_ORGANISATION);
  const sites: Site[] = [];
  for (const { page, ...demoSite } of DEMO_SITES) {
    const content = {
      policy: { texts: DEMO_POLICY_TEXTS, functionalRequired: true, consentLifetimeMonths: 12 },
      inventory: demoInventory(new URL(publicUrl).host),
    };
    const site = await createSiteWithContent(db, { organisationId: organisation.id, ...demoSite, allowedOrigins: [], features: { ...DEMO_FEATURES, ...demoSite.features } }, content);
    // A scan of a demo site starts at its demo page, served by Samtykke itself.
    if (page) await writeScanSchedule(db, site.id, { schedule: 'off', urls: [`${publicUrl}${page}`], pageLimit: SCAN_PAGE_LIMIT.default });
    sites.push(site);
  }
  return { organisationId: organisation.id, sites };
}

export async function seedDemoIfEmpty(db: Db, publicUrl: string): Promise<DemoOrganisation | null> {
  return (await hasOrganisation(db)) ? null : seedDemo(db, publicUrl);
}
