/** `samtykke org add` and `org list`: the organisations (tenants) of this server. */
import { createOrganisation, listOrganisationOverviews, listOrganisations } from '../queries/organisation.ts';
import { InputError, type CliCommand } from './command.ts';
import { formatTable } from './table.ts';

/**
 * The schema allows two organisations of one name, but `--org NAME` must find exactly one, so the command line
 * refuses a name that differs from an existing one only in case or surrounding spaces.
 */
function sameName(a: string, b: string): boolean {
  return a.trim().toLowerCase() === b.trim().toLowerCase();
}

export const orgAddCommand = {
  summary: 'create an organisation (a customer whose sites and users this server holds)',
  usage: 'org add NAME',
  help: 'NAME is the organisation\'s name as its users see it, e.g. "Kunde AS"; quote it when it has spaces. Names must differ\nfrom every other organisation\'s (ignoring case), since --org NAME finds organisations by name.',
  options: {},
  positionals: ['NAME'],
  async run(db, _values, { positionals: [typed = ''] }) {
    const name = typed.trim();
    if (!name) throw new InputError('An organisation needs a name, e.g.: npm run samtykke -- org add "Kunde AS"');
    if (/^\d+$/.test(name)) throw new InputError(`"${name}" would read as an id in --org; give the organisation a name with letters`);
    const existing = (await listOrganisations(db)).find((organisation) => sameName(organisation.name, name));
    if (existing) {
      throw new InputError(
        `An organisation named "${existing.name}" exists already (id ${existing.id}); --org finds organisations by name, so choose another name, or use that one: --org ${existing.id}`,
      );
    }
    const organisation = await createOrganisation(db, name);
    console.log(`Created organisation ${organisation.id} (${organisation.name}).`);
    console.log('Next, give it its first admin, and a site:');
    console.log(`  npm run samtykke -- user add --org ${organisation.id} --email EMAIL --role admin`);
    console.log(`  npm run samtykke -- site add --org ${organisation.id} --key KEY --name NAME --surface web --origin https://www.example.com`);
    return 0;
  },
} satisfies CliCommand;

export const orgListCommand = {
  summary: 'list the organisations with their numbers of sites and users',
  usage: 'org list',
  help: 'Sites include archived ones.',
  options: {},
  async run(db) {
    const organisations = await listOrganisationOverviews(db);
    if (organisations.length === 0) {
      console.log('No organisations yet. Create one with: npm run samtykke -- org add "Name"');
      return 0;
    }
    const rows = organisations.map((organisation) => [String(organisation.id), organisation.name, String(organisation.siteCount), String(organisation.userCount)]);
    console.log(formatTable(['ID', 'NAME', 'SITES', 'USERS'], rows));
    return 0;
  },
} satisfies CliCommand;
