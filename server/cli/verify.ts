/** `samtykke verify --site KEY`: walks a site's consent chain and names the first broken record. */
import { describeChainBreak } from '../domain/chain.ts';
import { verifySiteChain } from '../queries/consent-records.ts';
import { findSiteByKey, listSites } from '../queries/sites.ts';
import { stringOption, UsageError, type CliCommand } from './command.ts';

export const verifyCommand = {
  summary: "check a site's consent record hash chain",
  usage: 'verify --site KEY | --all',
  help: 'Recomputes every stored record\'s hash and its link to the one before. Exit code 1 when a chain is broken.',
  options: { site: { type: 'string' }, all: { type: 'boolean' } },
  async run(db, values) {
    const key = stringOption(values, 'site');
    if (key === undefined && !values.all) throw new UsageError('Name a site with --site KEY, or check every site with --all');
    const named = key === undefined ? null : await findSiteByKey(db, key);
    if (key !== undefined && !named) {
      console.error(`No site has the key "${key}"`);
      return 2;
    }
    const sites = named ? [named] : await listSites(db);
    if (sites.length === 0) console.log('No sites yet, so no consent chains to check.');
    let broken = 0;
    for (const site of sites) {
      const report = await verifySiteChain(db, site.id);
      if (report.problem) {
        broken += 1;
        console.error(`BROKEN  ${describeChainBreak(site.key, report.problem)} (${report.checked} records before it verify)`);
      } else {
        console.log(`OK      site ${site.key}: ${report.checked} consent records, chain intact`);
      }
    }
    return broken === 0 ? 0 : 1;
  },
} satisfies CliCommand;
