/** Keeps every admin route inside the caller's organisation, and writes the audit log with who and from where. */
import type { Context } from 'hono';
import { clientAddress, pseudonymiseAddress } from '../collector/client.ts';
import { ApiError } from '../errors.ts';
import { recordAudit, type AuditEntry } from '../queries/audit.ts';
import type { SiteWithPolicy } from '../domain/sites.ts';
import { listOrganisationSites } from '../queries/organisation.ts';
import { findOrganisationSite } from '../queries/sites.ts';
import type { AppDeps } from '../services.ts';
import type { AdminContext } from './env.ts';

/** Another organisation's site answers exactly like a site that does not exist: its existence is not revealed. */
export async function ownedSite(c: AdminContext, deps: AppDeps, siteId: number): Promise<SiteWithPolicy> {
  const site = await findOrganisationSite(deps.db, c.get('user').organisationId, siteId);
  if (!site) throw new ApiError(404, 'not_found', { en: `No site ${siteId} in your organisation`, nb: `Organisasjonen din har ikke noe nettsted ${siteId}` });
  return site;
}

export async function ownedSiteIds(c: AdminContext, deps: AppDeps): Promise<number[]> {
  return (await listOrganisationSites(deps.db, c.get('user').organisationId)).map((site) => site.id);
}

/** Site 0 in the hash: the audit log's client pseudonym is not tied to any one site. Any caller: a user, an API key. */
export function clientPseudonym(c: Context, deps: AppDeps): string {
  return pseudonymiseAddress(deps.clientKey, clientAddress(c, deps.config.trustProxy), 0);
}

export async function audit(
  c: AdminContext,
  deps: AppDeps,
  entry: Omit<AuditEntry, 'organisationId' | 'userId' | 'userEmail' | 'clientHash'>,
): Promise<void> {
  const user = c.get('user');
  await recordAudit(deps.db, {
    ...entry,
    organisationId: user.organisationId,
    userId: user.id,
    userEmail: user.email,
    clientHash: clientPseudonym(c, deps),
  });
}
