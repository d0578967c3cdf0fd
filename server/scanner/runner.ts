/**
 * Runs one claimed scan: the site's plan and inventory go to a process of its own (scan-process.ts), watched from
 * here. A browser that hangs is killed and a process that dies ends the scan as failed with a message; either way
 * the server goes on, and a scan is stored whole (done, with its result) or not at all (failed, with why).
 */
import { fork, type ChildProcess } from 'node:child_process';
import { setPriority } from 'node:os';
import { fileURLToPath } from 'node:url';
import type { Config } from '../config.ts';
import type { Db } from '../db/create.ts';
import { scanOrigins, type CrawlProgress } from '../domain/scan.ts';
import { scanCounts, scanResult, type ScanResult } from '../domain/scan-findings.ts';
import { listActiveInventory } from '../queries/inventory.ts';
import { failScan, finishScan, noteScanProgress, previousFindings, type ClaimedScan } from '../queries/scans.ts';
import { findSiteById } from '../queries/sites.ts';
import type { ScanJob, ScanMessage } from './scan-process.ts';

// Compiled (dist/server/), the scan process is a bundle beside this one; from the TypeScript sources it needs tsx,
// whatever loaded this module (tsx, or a test runner's own).
const FROM_SOURCES = import.meta.url.endsWith('.ts');
const SCAN_PROCESS = fileURLToPath(new URL(FROM_SOURCES ? './scan-process.ts' : './scan-process.js', import.meta.url));
const TYPESCRIPT_LOADER = FROM_SOURCES ? ['--import', 'tsx'] : [];
// The scan's process holds the crawl's observations and the Open Cookie Database; the browser has its own memory.
const SCAN_HEAP_MB = 512;
/** Unix niceness of the scan's processes: 10 of 19, low enough to yield to the server, high enough to progress. */
const SCAN_NICENESS = 10;
// Past the scan's own time limit, the crawl reports what it skipped; past this much more, it is not answering.
const OVERRUN_MS = 120_000;

/** How a scan's process ends: its result, or why it has none. */
type ScanEnd = Exclude<ScanMessage, { readonly progress: CrawlProgress }>;

export type ScanOutcome = { readonly status: 'done'; readonly result: ScanResult } | { readonly status: 'failed'; readonly error: string };

/** A running scan's process, so the server can end it when it stops. */
export interface RunningScan {
  readonly outcome: Promise<ScanOutcome>;
  kill(reason: string): void;
}

/** Starts the scan and stores its outcome when it ends; the returned outcome never rejects. */
export function runScan(db: Db, config: Config, scan: ClaimedScan, onProgress: (progress: CrawlProgress) => void = () => {}): RunningScan {
  let child: ChildProcess | null = null;
  let killedFor: string | null = null;
  const outcome = (async (): Promise<ScanOutcome> => {
    const site = await findSiteById(db, scan.siteId);
    if (!site) return { status: 'failed', error: 'The site no longer exists' };
    const job: ScanJob = {
      plan: {
        startUrls: scan.startUrls,
        allowedOrigins: scanOrigins(site.allowedOrigins, config.publicUrl),
        pageLimit: scan.pageLimit,
        timeLimitMs: config.scanner.timeLimitMs,
        pageTimeoutMs: config.scanner.pageTimeoutMs,
        browserPath: config.scanner.browserPath,
        samtykkeOrigin: config.publicUrl,
      },
      inventory: await listActiveInventory(db, scan.siteId),
      cookieDatabase: config.scanner.cookieDatabase,
    };
    const started = fork(SCAN_PROCESS, { execArgv: [...TYPESCRIPT_LOADER, `--max-old-space-size=${SCAN_HEAP_MB}`], stdio: ['ignore', 'inherit', 'inherit', 'ipc'] });
    child = started;
    // Below the server's own priority, and Chromium's processes with it (they inherit it): a scan takes the CPU the
    // collector leaves, never the other way round. Lowering one's own child's priority is always allowed.
    if (started.pid !== undefined) setPriority(started.pid, SCAN_NICENESS);
    if (killedFor) started.kill('SIGKILL');
    const message = await watch(started, job, config, (progress) => {
      onProgress(progress);
      void noteScanProgress(db, scan, progress.visited, progress.page).catch((error: Error) => console.error(`Scan ${scan.id}: its progress could not be noted: ${error.message}`));
    });
    if (killedFor) return { status: 'failed', error: killedFor };
    if ('failed' in message) return { status: 'failed', error: message.failed };
    const { crawl, findings, suggestionsUnavailable } = message.done;
    if (crawl.pages.length === 0) {
      const reasons = crawl.skipped.flatMap((skipped) => (skipped.message ? [`${skipped.url}: ${skipped.message}`] : [`${skipped.url}: ${skipped.reason}`]));
      return { status: 'failed', error: `No page could be scanned. ${reasons.join('; ') || 'No start page was given.'}` };
    }
    return { status: 'done', result: scanResult(crawl, findings, await previousFindings(db, scan.siteId, scan.id), suggestionsUnavailable) };
  })()
    .catch((error: Error): ScanOutcome => ({ status: 'failed', error: `The scan could not run: ${error.message}` }))
    .then(async (ended) => {
      await store(db, scan, ended);
      return ended;
    });
  return {
    outcome,
    kill(reason) {
      killedFor = reason;
      child?.kill('SIGKILL');
    },
  };
}

async function store(db: Db, scan: ClaimedScan, outcome: ScanOutcome): Promise<void> {
  try {
    if (outcome.status === 'done') await finishScan(db, scan, outcome.result, scanCounts(outcome.result));
    else await failScan(db, scan, outcome.error);
  } catch (error) {
    // Still running in the database: the next start fails it as abandoned (service.ts).
    console.error(`Scan ${scan.id} of site ${scan.siteId} ended (${outcome.status}) but could not be stored: ${(error as Error).message}`);
  }
}

/**
 * Hands the job over and waits for the result. A page that takes far longer than a page may (the browser hangs) or
 * a scan far past its time limit is killed; a process that exits without a result is reported as crashed.
 */
function watch(child: ChildProcess, job: ScanJob, config: Config, onProgress: (progress: CrawlProgress) => void): Promise<ScanEnd> {
  const silentLimitMs = config.scanner.pageTimeoutMs * 4 + 60_000;
  return new Promise((resolve) => {
    let current = job.plan.startUrls[0] ?? '';
    let settled = false;
    const finish = (message: ScanEnd) => {
      if (settled) return;
      settled = true;
      clearTimeout(silence);
      clearTimeout(overall);
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGKILL');
      resolve(message);
    };
    const hung = (why: string) => finish({ failed: why });
    const quiet = () => setTimeout(() => hung(`The browser stopped answering after ${current} (nothing in ${silentLimitMs / 1000} s); the scan was ended`), silentLimitMs);
    let silence = quiet();
    const overall = setTimeout(
      () => hung(`The scan ran ${Math.round((config.scanner.timeLimitMs + OVERRUN_MS) / 60_000)} minutes, past its time limit; it was ended`),
      config.scanner.timeLimitMs + OVERRUN_MS,
    );
    child.on('message', (message: ScanMessage) => {
      if ('progress' in message) {
        current = message.progress.page;
        clearTimeout(silence);
        silence = quiet();
        onProgress(message.progress);
        return;
      }
      finish(message);
    });
    child.on('error', (error) => finish({ failed: `The scan's process could not run: ${error.message}` }));
    child.on('exit', (code, signal) => finish({ failed: `The scan's process ended without a result (${signal ?? `exit code ${code}`}); the browser may have crashed` }));
    child.send(job);
  });
}
