/** `samtykke site add` and `site list`: an organisation's web sites and apps, each with its own key and consent chain. */
import { SURFACES, type Surface } from '../domain/consent.ts';
import { SITE_KEY_PATTERN, type Site } from '../domain/sites.ts';
import { listOrganisations, listOrganisationSites } from '../queries/organisation.ts';
import { DuplicateSiteKeyError } from '../queries/sites.ts';
import { createSiteWithContent } from '../sites/create.ts';
import { installGuide, type SnippetId } from '../sites/install.ts';
import { templateContent } from '../sites/template.ts';
import { InputError, listOption, requiredOptions, stringOption, type CliCommand } from './command.ts';
import { namedOrganisation, originPatterns } from './lookups.ts';
import { formatTable } from './table.ts';

function isSurface(text: string): text is Surface {
  return (SURFACES as readonly string[]).includes(text);
}

function snippet(site: Site, publicUrl: string, id: SnippetId): string {
  const found = installGuide(site, publicUrl).snippets.find((candidate) => candidate.id === id);
  if (!found) throw new Error(`The install guide of a ${site.surface} site has no ${id} snippet`);
  return found.code;
}

/** What the site's developer does next: the tag to paste, or for an app the request it sends. */
function printInstallation(site: Site, publicUrl: string): void {
  if (site.surface === 'web') {
    console.log('Paste this tag into every page of the site, before the scripts it should hold back:');
    console.log(`  ${snippet(site, publicUrl, 'tag')}`);
    console.log(`A Content-Security-Policy on those pages needs: ${snippet(site, publicUrl, 'csp')}`);
    if (site.allowedOrigins.length === 0) {
      console.log(`No allowed origins yet: browsers' decisions and events are refused until you add the site's address:`);
      console.log(`  npm run samtykke -- site origins ${site.key} --add https://www.example.com`);
    }
  } else {
    console.log(`An app has no widget: it records each decision with POST ${publicUrl}/api/consent and sends events to /api/events, e.g.:`);
    console.log(snippet(site, publicUrl, 'appConsent'));
  }
  console.log(
    `${publicUrl} is the address browsers and apps must reach this server at (SAMTYKKE_PUBLIC_URL); if they reach it elsewhere, ` +
      'set SAMTYKKE_PUBLIC_URL to that address and use it instead.',
  );
}

export const siteAddCommand = {
  summary: 'add a web site or app, with a published first policy version and starter inventory',
  usage: 'site add --org ID|NAME --key KEY --name NAME --surface web|app [--origin ORIGIN ...]',
  help: [
    '--org      the organisation, by id or exact name (org list shows them)',
    '--key      the public key in the script URL and in requests: lower-case letters, digits and hyphens, e.g. min-side',
    '--name     the name the dashboard shows',
    '--surface  web (a web site that loads the banner widget) or app (a mobile app that calls the API itself)',
    '--origin   an address whose pages may send decisions and events: https://www.kunde.no, or https://*.kunde.no for every',
    '           subdomain; repeat it for several, change them later with site origins',
    '',
    'The site starts with a published policy version (plain texts in nb and en) and, on the web, its consent cookie',
    'declared, so its banner works at once; rewrite both in the dashboard.',
  ].join('\n'),
  options: { org: { type: 'string' }, key: { type: 'string' }, name: { type: 'string' }, surface: { type: 'string' }, origin: { type: 'string', multiple: true } },
  async run(db, values, { config }) {
    const typed = requiredOptions(values, ['org', 'key', 'name', 'surface']);
    const { key, surface } = typed;
    if (!SITE_KEY_PATTERN.test(key)) {
      throw new InputError(`"${key}" is not a site key: use lower-case letters, digits and hyphens, starting with a letter or digit (at most 63), such as min-side`);
    }
    const name = typed.name.trim();
    if (!name) throw new InputError('--name must not be empty: it is the name the dashboard shows');
    if (!isSurface(surface)) throw new InputError(`--surface must be ${SURFACES.join(' or ')}, not "${surface}"`);
    const allowedOrigins = originPatterns(listOption(values, 'origin'));
    const organisation = await namedOrganisation(db, typed.org);
    let site: Site;
    try {
      site = await createSiteWithContent(db, { organisationId: organisation.id, key, name, surface, allowedOrigins }, templateContent(surface, organisation.name));
    } catch (error) {
      if (error instanceof DuplicateSiteKeyError) throw new InputError(`${error.message}; choose another key (site list shows the keys in use)`);
      throw error;
    }
    console.log(`Created site ${site.key} (${site.name}, ${site.surface}) in ${organisation.name}, with its first policy version published.`);
    console.log(`Allowed origins: ${site.allowedOrigins.join(', ') || 'none'}`);
    printInstallation(site, config.publicUrl);
    return 0;
  },
} satisfies CliCommand;

export const siteListCommand = {
  summary: "list the sites, or one organisation's, with their origins and policy versions",
  usage: 'site list [--org ID|NAME]',
  help: 'Archived sites are listed after the active ones of their organisation. POLICY is the version visitors decide under now.',
  options: { org: { type: 'string' } },
  async run(db, values) {
    const reference = stringOption(values, 'org');
    const organisations = reference === undefined ? await listOrganisations(db) : [await namedOrganisation(db, reference)];
    const rows: string[][] = [];
    for (const organisation of organisations) {
      for (const site of await listOrganisationSites(db, organisation.id)) {
        rows.push([
          site.key,
          site.name,
          site.surface,
          organisation.name,
          site.archivedAt ? `archived ${site.archivedAt.toISOString().slice(0, 10)}` : 'active',
          site.policyVersion === null ? 'none' : String(site.policyVersion),
          site.allowedOrigins.join(', ') || '-',
        ]);
      }
    }
    if (rows.length === 0) {
      console.log(`No sites${reference === undefined ? '' : ` in ${organisations[0]!.name}`} yet. Add one with: npm run samtykke -- site add (see --help)`);
      return 0;
    }
    console.log(formatTable(['KEY', 'NAME', 'SURFACE', 'ORGANISATION', 'STATUS', 'POLICY', 'ORIGINS'], rows));
    return 0;
  },
} satisfies CliCommand;
