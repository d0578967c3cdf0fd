/**
 * Which content a decision was made on: the hash the widget cites, checked against what this site was served, or
 * for clients that cite none (apps, servers) the content the server shows under that version and locale now.
 */
import type { Locale } from '../domain/consent.ts';
import type { PublishedSite } from '../domain/sites.ts';
import type { ConsentRequest } from '../contract.ts';
import type { Db } from '../db/create.ts';
import { findPolicyVersion } from '../queries/policies.ts';
import type { SiteDirectory } from '../sites/directory.ts';
import { Drop } from './drops.ts';

export async function shownHashFor(deps: { readonly sites: SiteDirectory; readonly db: Db }, site: PublishedSite, request: ConsentRequest): Promise<string | Drop> {
  const current = await deps.sites.shown(site);
  if (request.shown !== undefined) {
    if (request.policyVersion === site.policy.version && current.get(request.locale)?.hash === request.shown) return request.shown;
    const stored = await deps.sites.findShown(request.shown);
    if (!stored || stored.siteId !== site.id) {
      return new Drop('shown_unknown', `shown ${request.shown} is not a content site "${site.key}" has served`, 'shown');
    }
    if (stored.policyVersion !== request.policyVersion || stored.locale !== request.locale) {
      return new Drop(
        'shown_unknown',
        `shown ${request.shown} is the ${stored.locale} content of policy version ${stored.policyVersion}, not ${request.locale} of version ${request.policyVersion}`,
        'shown',
      );
    }
    return stored.hash;
  }
  if (request.policyVersion === site.policy.version) return pick(current, request.locale, site);
  const policy = await findPolicyVersion(deps.db, site.id, request.policyVersion);
  if (!policy) return new Drop('policy_version', `policyVersion ${request.policyVersion} was never published for site "${site.key}"`, 'policyVersion');
  const contents = await deps.sites.shownUnder(site, policy);
  await deps.sites.storeShown(site, policy.version, contents);
  return pick(contents, request.locale, site);
}

/** A policy without Nynorsk shows Bokmål on an nn page, as the widget does. */
function pick(contents: ReadonlyMap<Locale, { hash: string }>, locale: Locale, site: PublishedSite): string {
  const hash = (contents.get(locale) ?? contents.get('nb'))?.hash;
  if (!hash) throw new Error(`Site ${site.key} has no shown content in ${locale}`);
  return hash;
}
