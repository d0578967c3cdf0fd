/** `samtykke verify --site KEY`: walks a site's consent chain and names the first broken record. */
import { describeChainBreak } from '../domain/chain.ts';
import { verifySiteChain } from '../queries/consent-records.ts';
import type { CliCommand } from './main.ts';

export const verifyCommand: CliCommand = {
  summary: "check a site's consent record hash chain",
  usage: 'verify --site KEY | --all',
  options: { site: { type: 'string' }, all: { type: 'boolean' } },
  async run(db, values) {
    const key = typeof values.site === 'string' ? values.site : undefined;
    if (!key && !values.all) {
      console.error('Name a site with --site KEY, or check every site with --all');
      return 2;
    }
    const query = db.selectFrom('sites').select(['id', 'key']).orderBy('key');
    const sites = await (key ? query.where('key', '=', key) : query).execute();
    if (sites.length === 0) {
      console.error(`No site has the key "${key}"`);
      return 2;
    }
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
};
