/** Creating a site together with what it starts with, in one transaction: it works at once or does not exist. */
import type { Site } from '../domain/sites.ts';
import type { Db } from '../db/create.ts';
import { addInventoryItem } from '../queries/inventory.ts';
import { publishPolicyVersion } from '../queries/policies.ts';
import { createSite, type NewSite } from '../queries/sites.ts';
import type { SiteContent } from './template.ts';

/** `createdBy` is the email of whoever created the site (null for the demo and tools): it published the first version. */
export async function createSiteWithContent(db: Db, site: NewSite, content: SiteContent, createdBy: string | null = null): Promise<Site> {
  return db.transaction().execute(async (trx) => {
    const created = await createSite(trx, site);
    // The first version is the first time anyone is asked: material by definition.
    await publishPolicyVersion(trx, created.id, content.policy, { material: true, publishedBy: createdBy });
    for (const item of content.inventory) await addInventoryItem(trx, created.id, item);
    return created;
  });
}
