/**
 * `samtykke scan --site KEY`: scans the site's pages in a headless Chromium now, in this process's own scan process
 * (the server's queue is not involved), stores the scan so the dashboard's history shows it, and prints what it
 * found. Exit code 1 when a page broke consent (or the scan failed), so it can run in a customer's CI.
 */
import { resolveScanRequest, type ScanVisit } from '../domain/scan.ts';
import { FINDING_TYPES, type Finding } from '../domain/scan-findings.ts';
import { claimScan, findScan, queueScan, readScanSchedule } from '../queries/scans.ts';
import { runScan } from '../scanner/runner.ts';
import { RUNNER_NAME } from '../scanner/service.ts';
import { InputError, stringOption, UsageError, type CliCommand } from './command.ts';
import { keyedSite } from './lookups.ts';

const VISIT_WORDS: Readonly<Record<ScanVisit, string>> = { before_choice: 'before any choice', after_reject: 'after reject all', after_accept: 'after accept all' };
const TYPE_WORDS: Readonly<Record<Finding['type'], string>> = {
  violation: 'Violations: set, stored or sent before any choice or after reject all',
  undeclared: 'Undeclared: found, but in no inventory item',
  expiry_mismatch: 'Lives longer than declared',
  declared_not_seen: 'Declared, but not seen on any page scanned',
};

function describe(finding: Finding): string {
  const what = `${finding.kind} ${finding.name}${finding.domain ? ` (${finding.domain})` : ''}`;
  const pages = finding.pages.length > 0 ? ` on ${finding.pages.length === 1 ? finding.pages[0] : `${finding.pages.length} pages, first ${finding.pages[0]}`}` : '';
  switch (finding.type) {
    case 'violation':
      return `${VISIT_WORDS[finding.visit]}: ${what}, ${finding.category}${finding.itemId === null ? ', undeclared' : ''}${pages}${finding.causes.length > 0 ? `\n      caused by ${finding.causes.join(', ')}` : ''}`;
    case 'undeclared': {
      const hint = finding.suggestion
        ? `\n      suggestion to confirm (Open Cookie Database): ${finding.suggestion.platform}, ${finding.suggestion.databaseCategory}, "${finding.suggestion.purpose}", ${finding.suggestion.retention}`
        : '';
      return `${what}, seen ${finding.seenIn.map((visit) => VISIT_WORDS[visit]).join(', ')}${pages}${hint}`;
    }
    case 'expiry_mismatch':
      return `${what}: lives ${Math.round(finding.observedSeconds / 86_400)} days, declared "${finding.declared}"${pages}`;
    case 'declared_not_seen':
      return `${what} (inventory item ${finding.itemId})`;
  }
}

export const scanCommand = {
  summary: "scan a site's pages in a headless browser and check them against its cookie inventory",
  usage: 'scan --site KEY [--url URL ...] [--pages N] [--json]',
  help: [
    "Visits the site's own pages (following its links, honouring robots.txt) three times each in a fresh headless",
    'Chromium: before any choice, after reject all, after accept all. Reports what is undeclared (with a suggestion',
    'from the Open Cookie Database), what breaks consent, what lives longer than declared and what is declared but',
    'not seen. --url (repeatable) sets where it starts (default: the schedule\'s URLs, else the site\'s exact origins),',
    '--pages the most pages it visits (default 20, at most 1000). Settings: SAMTYKKE_CHROMIUM_PATH,',
    'SAMTYKKE_COOKIE_DATABASE. Exit code 1 when something breaks consent or the scan failed.',
  ].join('\n'),
  options: { site: { type: 'string' }, url: { type: 'string', multiple: true }, pages: { type: 'string' }, json: { type: 'boolean' } },
  async run(db, values, { config }) {
    const key = stringOption(values, 'site');
    if (!key) throw new UsageError('scan needs --site KEY');
    const pagesText = stringOption(values, 'pages');
    if (pagesText !== undefined && !/^\d+$/.test(pagesText)) throw new InputError(`--pages must be a whole number from 1 to 1000, got "${pagesText}"`);
    const urls = (values.url as string[] | undefined) ?? [];
    const site = await keyedSite(db, key);
    const schedule = await readScanSchedule(db, site.id);
    const request = resolveScanRequest(
      { allowedOrigins: site.allowedOrigins, scanUrls: schedule.urls, scanPageLimit: schedule.pageLimit },
      config.publicUrl,
      { urls, pages: pagesText === undefined ? undefined : Number(pagesText) },
    );
    if (!request.ok) throw new InputError(request.problem.en);
    const json = values.json === true;
    const queued = await queueScan(db, { siteId: site.id, trigger: 'cli', startedBy: null, startUrls: request.startUrls, pageLimit: request.pageLimit });
    const scan = await claimScan(db, site.id, queued.id, RUNNER_NAME);
    if (!scan) throw new Error(`Scan ${queued.id} was taken by a running server before this command could run it`);
    const say = json ? (line: string) => console.error(line) : (line: string) => console.log(line);
    say(`Scan ${scan.id} of ${site.key}: up to ${request.pageLimit} pages from ${request.startUrls.join(', ')}`);
    const outcome = await runScan(db, config, scan, (progress) =>
      say(`  [${progress.visited}/${request.pageLimit}] ${progress.page}${progress.banner ? '' : '  (no Samtykke banner: first visit only)'}`),
    ).outcome;
    if (outcome.status === 'failed') {
      console.error(`The scan failed: ${outcome.error}`);
      return 1;
    }
    const { result } = outcome;
    if (json) {
      console.log(JSON.stringify(await findScan(db, site.id, scan.id), null, 2));
    } else {
      console.log(`\nScanned ${result.pages.length} pages (${result.skipped.length} skipped, ${result.externalLinks} links to other sites not followed).`);
      for (const skipped of result.skipped) console.log(`  skipped ${skipped.url}: ${skipped.message ?? skipped.reason}`);
      for (const type of FINDING_TYPES) {
        const found = result.findings.filter((finding) => finding.type === type);
        console.log(`\n${TYPE_WORDS[type]}: ${found.length}`);
        for (const finding of found) console.log(`  - ${describe(finding)}`);
      }
      if (result.suggestionsUnavailable) console.log(`\nNo suggestions: ${result.suggestionsUnavailable}`);
      if (result.added) console.log(`\nSince the previous scan: ${result.added.length} new, ${result.resolved?.length ?? 0} resolved.`);
    }
    return result.findings.some((finding) => finding.type === 'violation') ? 1 : 0;
  },
} satisfies CliCommand;
