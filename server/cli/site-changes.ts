/** `samtykke site origins`, `site archive` and `site restore`: changes to a site that servers may be serving right now. */
import type { Config } from '../config.ts';
import { startChangeFeed } from '../db/change-feed.ts';
import { parseOriginPattern } from '../domain/origins.ts';
import type { Site } from '../domain/sites.ts';
import { setSiteArchived, updateSite } from '../queries/sites.ts';
import { SITE_TTL_MS } from '../sites/directory.ts';
import { InputError, listOption, type CliCommand } from './command.ts';
import { keyedSite, originPatterns } from './lookups.ts';

/**
 * Tells the servers running on this PostgreSQL (the change feed, as the dashboard's edits do) and says when they act
 * on it: at once, or within SITE_TTL_MS where the feed cannot be reached. On PGlite no server runs while a command
 * holds the data folder.
 */
async function tellServers(config: Config, key: string): Promise<string> {
  if (config.database.engine !== 'postgres') {
    return 'The server acts on it when it starts next (on embedded PGlite it cannot run while a command holds the data folder).';
  }
  const feed = await startChangeFeed(config.database);
  feed.publish({ kind: 'site', key });
  await feed.close();
  return `Servers running on this database act on it within a second (at the latest within ${SITE_TTL_MS / 1000} s, as long as they cache a site).`;
}

function changed(site: Site | null, key: string): Site {
  if (!site) throw new Error(`Site ${key} was deleted while it was being changed; nothing was changed`);
  return site;
}

function printOrigins(site: Site): void {
  const origins = site.allowedOrigins;
  if (origins.length === 0) {
    console.log(
      site.surface === 'web'
        ? `Site ${site.key} allows no origins: browsers' decisions and events are refused until you add one with --add.`
        : `Site ${site.key} allows no origins (an app sends no Origin, so it needs none).`,
    );
    return;
  }
  console.log(`Site ${site.key} allows ${origins.length} origin${origins.length === 1 ? '' : 's'}:`);
  for (const origin of origins) console.log(`  ${origin}`);
}

/** What to remove, in the form it is stored: `https://WWW.Kunde.no/` removes `https://www.kunde.no`. */
function storedForm(text: string): string {
  const parsed = parseOriginPattern(text);
  return parsed.ok ? parsed.pattern : text.trim();
}

export const siteOriginsCommand = {
  summary: "show or change the origins whose pages may send a site's decisions and events",
  usage: 'site origins KEY [--add ORIGIN ...] [--remove ORIGIN ...]',
  help: [
    'Without --add or --remove, prints the origins. Both may be repeated; removals are made before additions.',
    'An origin is https://www.kunde.no or http://localhost:5173 (no path), or https://*.kunde.no for every subdomain of',
    'kunde.no (not kunde.no itself). Removing an origin the site does not allow is refused, and nothing is changed.',
  ].join('\n'),
  options: { add: { type: 'string', multiple: true }, remove: { type: 'string', multiple: true } },
  positionals: ['KEY'],
  async run(db, values, { config, positionals: [key = ''] }) {
    const site = await keyedSite(db, key);
    const additions = originPatterns(listOption(values, 'add'));
    const removals = listOption(values, 'remove').map(storedForm);
    if (additions.length === 0 && removals.length === 0) {
      printOrigins(site);
      return 0;
    }
    const current = site.allowedOrigins;
    const missing = removals.filter((origin) => !current.includes(origin));
    if (missing.length) {
      throw new InputError(
        `${missing.join(', ')} ${missing.length === 1 ? 'is' : 'are'} not among the origins of site ${site.key}, so nothing was changed. ` +
          `Its origins are: ${current.join(', ') || 'none'}`,
      );
    }
    const kept = current.filter((origin) => !removals.includes(origin));
    const updated = changed(await updateSite(db, site.id, { allowedOrigins: [...new Set([...kept, ...additions])] }), site.key);
    const alreadyAllowed = additions.filter((origin) => kept.includes(origin));
    if (alreadyAllowed.length) console.log(`Already allowed, unchanged: ${alreadyAllowed.join(', ')}`);
    printOrigins(updated);
    console.log(await tellServers(config, site.key));
    return 0;
  },
} satisfies CliCommand;

/** Archive and restore are one change in two directions. */
function archivingCommand(archive: boolean): CliCommand {
  return {
    summary: archive
      ? 'stop taking decisions and events for a site; its evidence and analytics stay readable'
      : 'take decisions and events for an archived site again',
    usage: archive ? 'site archive KEY' : 'site restore KEY',
    help: archive
      ? 'The collector answers 410 site_archived to the site\'s pages and apps. Nothing stored is removed: consent evidence,\nanalytics and verify keep working, and site restore undoes it.'
      : 'Undoes site archive: the collector takes the site\'s decisions and events again.',
    options: {},
    positionals: ['KEY'],
    async run(db, _values, { config, positionals: [key = ''] }) {
      const site = await keyedSite(db, key);
      if (site.archivedAt !== null && archive) {
        console.log(`Site ${site.key} is archived already (since ${site.archivedAt.toISOString()}); nothing changed.`);
        return 0;
      }
      if (site.archivedAt === null && !archive) {
        console.log(`Site ${site.key} is not archived; nothing changed.`);
        return 0;
      }
      changed(await setSiteArchived(db, site.id, archive), site.key);
      if (archive) {
        console.log(`Archived site ${site.key}. Its consent evidence and analytics stay readable (in the dashboard, and to verify).`);
        console.log("The collector now answers 410 site_archived to the site's pages and apps; site restore undoes this.");
      } else {
        console.log(`Restored site ${site.key}: the collector takes its decisions and events again.`);
      }
      console.log(await tellServers(config, site.key));
      return 0;
    },
  };
}

export const siteArchiveCommand = archivingCommand(true);
export const siteRestoreCommand = archivingCommand(false);
