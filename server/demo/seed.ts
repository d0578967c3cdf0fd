/** Creates the demo organisation on an empty database, so `npm start` shows a working product at once. */
import type { Db } from '../db/create.ts';
import { addInventoryItem } from '../queries/inventory.ts';
import { createOrganisation, createSite, publishPolicyVersion, type Site } from '../queries/sites.ts';
import { DEMO_ORGANISATION, DEMO_POLICY_TEXTS, DEMO_SITES, demoInventory } from './content.ts';

export interface DemoOrganisation {
  readonly organisationId: number;
  readonly sites: readonly Site[];
}

export async function seedDemo(db: Db, publicUrl: string): Promise<DemoOrganisation> {
  const organisation = await createOrganisation(db, DEMO_ORGANISATION);
  const sites: Site[] = [];
  for (const demoSite of DEMO_SITES) {
    const site = await createSite(db, {
      organisationId: organisation.id,
      ...demoSite,
      // The app sends from no origin; web sites accept the server's own pages, where /demo lives.
      allowedOrigins: demoSite.surface === 'web' ? [publicUrl] : [],
    });
    await publishPolicyVersion(db, site.id, {
      texts: DEMO_POLICY_TEXTS,
      functionalRequired: true,
      consentLifetimeMonths: 12,
    });
    for (const item of demoInventory(new URL(publicUrl).host)) await addInventoryItem(db, site.id, item);
    sites.push(site);
  }
  return { organisationId: organisation.id, sites };
}

export async function seedDemoIfEmpty(db: Db, publicUrl: string): Promise<DemoOrganisation | null> {
  const existing = await db.selectFrom('organisations').select('id').limit(1).executeTakeFirst();
  return existing ? null : seedDemo(db, publicUrl);
}
