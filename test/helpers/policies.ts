/** Publishing a policy version in a test the way an admin does: a draft, then publish it as material or a wording fix. */
import type { PolicyRules, PolicyVersion } from '../../server/domain/policy.ts';
import type { Site } from '../../server/domain/sites.ts';
import { createDraft } from '../../server/queries/policies.ts';
import type { AppDeps } from '../../server/services.ts';

export async function publishVersion(deps: AppDeps, site: Site, rules: PolicyRules, material = true): Promise<PolicyVersion> {
  const draft = await createDraft(deps.db, site.id, rules);
  const published = await deps.sites.publishDraft(site, draft.id, { material, publishedBy: 'test@samtykke.test' });
  if (!published) throw new Error(`draft ${draft.id} of site ${site.key} was not published`);
  return published;
}
