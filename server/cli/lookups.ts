/** What a person names on the command line (an organisation, a site, origins), found or refused with what there is. */
import { parseOriginPattern } from '../domain/origins.ts';
import type { SiteWithPolicy } from '../domain/sites.ts';
import type { Db } from '../db/create.ts';
import { findOrganisation, listOrganisations, type Organisation } from '../queries/organisation.ts';
import { findSiteByKey, listSites } from '../queries/sites.ts';
import { InputError } from './command.ts';

/** `--org 3` or `--org "Kunde AS"`. */
export async function namedOrganisation(db: Db, reference: string): Promise<Organisation> {
  const found = await findOrganisation(db, reference);
  if (found) return found;
  const known = await listOrganisations(db);
  const sameName = known.filter((organisation) => organisation.name === reference);
  if (sameName.length > 1) {
    throw new InputError(`Several organisations are named "${reference}": name one by its id (${sameName.map((organisation) => organisation.id).join(' or ')})`);
  }
  if (known.length === 0) throw new InputError(`No organisation "${reference}": there is none yet. Create one with: npm run samtykke -- org add "Name"`);
  throw new InputError(`No organisation "${reference}". Known: ${known.map((organisation) => `${organisation.id} (${organisation.name})`).join(', ')}`);
}

export async function keyedSite(db: Db, key: string): Promise<SiteWithPolicy> {
  const found = await findSiteByKey(db, key);
  if (found) return found;
  const keys = (await listSites(db)).map((site) => site.key);
  if (keys.length === 0) throw new InputError(`No site has the key "${key}": there is none yet. Add one with: npm run samtykke -- site add`);
  throw new InputError(`No site has the key "${key}". The keys are: ${keys.join(', ')}`);
}

/** Normalised origin patterns, without repeats; every text that is not one is named at once, so one run fixes them all. */
export function originPatterns(texts: readonly string[]): string[] {
  const patterns: string[] = [];
  const problems: string[] = [];
  for (const text of texts) {
    const parsed = parseOriginPattern(text);
    if (parsed.ok) patterns.push(parsed.pattern);
    else problems.push(parsed.problem.en);
  }
  if (problems.length) throw new InputError(problems.join('\n'));
  return [...new Set(patterns)];
}
