/**
 * A scan's own process (started by runner.ts, one job each): it drives the browser (crawl.ts) and makes the
 * findings, so neither a hung or crashed browser nor the Open Cookie Database's memory ever reaches the server.
 * It tells each page over IPC as it is visited, then the result, and exits.
 */
import type { InventoryItem } from '../domain/inventory.ts';
import type { CrawlProgress, CrawlResult, ScanPlan } from '../domain/scan.ts';
import { scanFindings, type Finding } from '../domain/scan-findings.ts';
import { CookieDatabase } from './cookie-database.ts';
import { crawl } from './crawl.ts';

export interface ScanJob {
  readonly plan: ScanPlan;
  /** The site's active items (retiredAt null, so JSON carries them whole). */
  readonly inventory: readonly InventoryItem[];
  readonly cookieDatabase: string;
}

export type ScanMessage =
  | { readonly progress: CrawlProgress }
  | { readonly done: { readonly crawl: CrawlResult; readonly findings: readonly Finding[]; readonly scannedAt: number; readonly suggestionsUnavailable: string | null } }
  | { readonly failed: string };

function send(message: ScanMessage): Promise<void> {
  return new Promise((resolve, reject) => process.send!(message, (error: Error | null) => (error ? reject(error) : resolve())));
}

async function run(job: ScanJob): Promise<ScanMessage> {
  const scannedAt = Date.now();
  const observed = await crawl(job.plan, (progress) => void send({ progress }));
  let suggestionsUnavailable: string | null = null;
  let database: CookieDatabase | null = null;
  try {
    database = await CookieDatabase.load(job.cookieDatabase);
  } catch (error) {
    // The scan stands without suggestions; the result says why there are none.
    suggestionsUnavailable = (error as Error).message;
  }
  const findings = scanFindings({
    crawl: observed,
    inventory: job.inventory,
    siteOrigins: job.plan.allowedOrigins,
    samtykkeOrigin: job.plan.samtykkeOrigin,
    suggest: (name, host) => database?.suggest(name, host) ?? null,
    scannedAt,
  });
  return { done: { crawl: observed, findings, scannedAt, suggestionsUnavailable } };
}

process.once('message', (job: ScanJob) => {
  void run(job)
    .catch((error: Error): ScanMessage => ({ failed: error.message }))
    .then(send)
    .finally(() => process.exit(0));
});
