/**
 * `samtykke verify --site KEY`: walks a site's consent chain, holds it against the signed checkpoints kept outside
 * the database, and names the first broken record.
 */
import { access } from 'node:fs/promises';
import type { Config } from '../config.ts';
import { describeChainBreak } from '../domain/chain.ts';
import { readSignedCheckpoints, type CheckedCheckpoints } from '../evidence/checkpoint-log.ts';
import { verifyExportFile } from '../evidence/offline-verify.ts';
import { publicKeyPathFor, readPublicKey } from '../evidence/signing-key.ts';
import { verifySiteChain } from '../queries/consent-records.ts';
import { findSiteByKey, listSites } from '../queries/sites.ts';
import { InputError, stringOption, UsageError, type CliCommand, type OptionValues } from './command.ts';

const exists = (file: string) => access(file).then(() => true, () => false);

/**
 * The signed checkpoints to check against: the log and public key given, or the server's own. Null (with the reason
 * printed) when there are none yet, so only the chain itself can be checked.
 */
async function checkpointsToCheck(values: OptionValues, config: Config): Promise<CheckedCheckpoints | null> {
  const given = stringOption(values, 'checkpoints');
  const log = given ?? config.checkpoints?.logFile;
  const keyFile = stringOption(values, 'public-key') ?? (config.checkpoints ? publicKeyPathFor(config.checkpoints.keyPath) : undefined);
  if (!log || (!given && !(await exists(log)))) {
    console.log(`No checkpoint log${log ? ` at ${log} yet` : ''}: the chains are checked, but not against signed checkpoints.`);
    return null;
  }
  if (!keyFile) throw new InputError('Give the checkpoints\' public key with --public-key FILE');
  try {
    return await readSignedCheckpoints(log, await readPublicKey(keyFile));
  } catch (error) {
    throw new InputError((error as Error).message);
  }
}

/** `verify --export FILE`: an exported NDJSON evidence file checked with no database, for auditors. */
async function verifyExport(file: string, values: OptionValues): Promise<number> {
  const log = stringOption(values, 'checkpoints');
  const keyFile = stringOption(values, 'public-key');
  if ((log === undefined) !== (keyFile === undefined)) throw new UsageError('Give --checkpoints FILE and --public-key FILE together');
  if (!(await exists(file))) throw new InputError(`There is no export file ${file}`);
  let checkpoints: CheckedCheckpoints | null = null;
  try {
    if (log && keyFile) checkpoints = await readSignedCheckpoints(log, await readPublicKey(keyFile));
    else console.log('No checkpoints given: each chain is checked, but not against signed checkpoints.');
    const onProgress = process.stderr.isTTY ? (lines: number) => process.stderr.write(`\r  ${lines.toLocaleString('en-US')} lines read`) : undefined;
    const reports = await verifyExportFile(file, checkpoints, onProgress);
    if (onProgress) process.stderr.write('\r\x1b[2K');
    if (reports.length === 0) console.log(`${file} holds no consent records.`);
    let broken = 0;
    for (const report of reports) {
      if (report.problem?.kind === 'forged') {
        broken += 1;
        console.error(`BROKEN  site ${report.siteKey}: the checkpoint on line ${report.problem.line} of the log is not signed by this key (forged, or altered after signing)`);
      } else if (report.problem) {
        broken += 1;
        console.error(`BROKEN  ${describeChainBreak(report.siteKey, report.problem)} (${report.checked} records before it verify)`);
      } else {
        const signed = checkpoints?.bySite.get(report.siteId)?.length ?? 0;
        console.log(`OK      site ${report.siteKey}: ${report.checked} exported consent records, chain intact${checkpoints ? `, held against ${signed} signed checkpoint${signed === 1 ? '' : 's'}` : ''}`);
      }
    }
    return broken === 0 ? 0 : 1;
  } catch (error) {
    if (error instanceof UsageError) throw error;
    throw new InputError((error as Error).message);
  }
}

export const verifyCommand = {
  summary: "check a site's consent record hash chain, or an exported evidence file",
  usage: 'verify --site KEY | --all | --export FILE [--checkpoints FILE --public-key FILE]',
  help: [
    "Recomputes every stored record's hash and its link to the one before, and holds the chain against the signed",
    'checkpoints (by default the server\'s own log and key in the data folder): records cut off the end or a chain',
    'recomputed from scratch are found too. With --export, checks a records export (NDJSON) instead, with no',
    'database or server: what an auditor runs. Exit code 1 when a chain is broken.',
  ].join('\n'),
  options: { site: { type: 'string' }, all: { type: 'boolean' }, export: { type: 'string' }, checkpoints: { type: 'string' }, 'public-key': { type: 'string' } },
  offline(values) {
    const file = stringOption(values, 'export');
    return file === undefined ? null : () => verifyExport(file, values);
  },
  async run(db, values, { config }) {
    const key = stringOption(values, 'site');
    if (key === undefined && !values.all) throw new UsageError('Name a site with --site KEY, or check every site with --all');
    const named = key === undefined ? null : await findSiteByKey(db, key);
    if (key !== undefined && !named) {
      console.error(`No site has the key "${key}"`);
      return 2;
    }
    const sites = named ? [named] : await listSites(db);
    if (sites.length === 0) console.log('No sites yet, so no consent chains to check.');
    const checkpoints = await checkpointsToCheck(values, config);
    let broken = 0;
    for (const site of sites) {
      const forged = checkpoints?.forged.find((entry) => entry.siteId === site.id);
      if (forged) {
        broken += 1;
        console.error(`BROKEN  site ${site.key}: the checkpoint on line ${forged.line} of the log is not signed by this key (forged, or altered after signing)`);
        continue;
      }
      const signed = checkpoints?.bySite.get(site.id) ?? [];
      // On a terminal, a count that updates in place: a large site takes a while.
      const onProgress = process.stderr.isTTY ? (checked: number) => process.stderr.write(`\r  site ${site.key}: ${checked.toLocaleString('en-US')} records checked`) : undefined;
      const report = await verifySiteChain(db, site.id, { checkpoints: signed, onProgress });
      if (onProgress) process.stderr.write('\r\x1b[2K');
      if (report.problem) {
        broken += 1;
        console.error(`BROKEN  ${describeChainBreak(site.key, report.problem)} (${report.checked} records before it verify)`);
      } else {
        const against = checkpoints ? `, held against ${signed.length} signed checkpoint${signed.length === 1 ? '' : 's'}` : '';
        console.log(`OK      site ${site.key}: ${report.checked} consent records, chain intact${against}`);
      }
    }
    return broken === 0 ? 0 : 1;
  },
} satisfies CliCommand;
