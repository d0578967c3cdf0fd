/**
 * `npm run bench -- scanner` (issue 11): the cookie scanner over a site of many pages served by this run (each page
 * with Samtykke's widget, a held-back analytics script, a cookie set before any choice and a third-party pixel),
 * then over the demo's pages on the real server: pages scanned per minute (three visits each) and the scan's peak
 * memory, the scan's own process and Chromium's together, sampled while it runs.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { loadConfig } from '../server/config.ts';
import { createDb, type Db } from '../server/db/create.ts';
import { claimScan, queueScan } from '../server/queries/scans.ts';
import { findSiteByKey, updateSite } from '../server/queries/sites.ts';
import { runScan } from '../server/scanner/runner.ts';
import { RUNNER_NAME } from '../server/scanner/service.ts';
import { OPEN_COOKIE_DATABASE } from '../test/helpers/cookie-database.ts';
import { CHROMIUM_PATH } from '../test/helpers/browser.ts';
import { startServerProcess } from '../test/helpers/server-process.ts';
import { createBenchDatabase, DEFAULT_DATABASE_URL } from './lib/databases.ts';
import { progressLog } from './lib/progress.ts';
import type { Figure, ScenarioReport } from './lib/report.ts';
import { positiveInteger, type BenchEnv, type OptionValues, type Scenario } from './lib/scenario.ts';

const SITE = 'min-side';
const SAMPLE_MS = 200;

/** `count` pages, each linking to the next few, so the crawl goes breadth-first through all of them. */
async function startManyPageSite(samtykkeUrl: string, count: number): Promise<{ url: string; close(): Promise<void> }> {
  const third = createServer((_request, response) => response.writeHead(200, { 'content-type': 'image/gif' }).end());
  await new Promise<void>((resolve) => third.listen(0, '127.0.0.1', resolve));
  const thirdUrl = `http://127.0.0.1:${(third.address() as AddressInfo).port}`;
  const site: Server = createServer((request, response) => {
    const page = Number(/^\/p\/(\d+)$/.exec(request.url ?? '')?.[1] ?? (request.url === '/' ? 0 : NaN));
    if (!Number.isInteger(page) || page >= count) return void response.writeHead(404).end();
    const links = [1, 2, 3].map((step) => (page + step) % count).map((next) => `<a href="/p/${next}">Side ${next}</a>`);
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end(
      `<!doctype html><html lang="nb"><head><title>Side ${page}</title>` +
        `<script src="${samtykkeUrl}/sites/${SITE}/widget.js" async></script>` +
        `<script>document.cookie = 'tema=lys; path=/';</script>` +
        `<script type="text/plain" data-category="analytics">localStorage.setItem('portal_analytics_queue', '[]');</script>` +
        `</head><body><h1>Side ${page}</h1><p>${links.join(' ')}</p><img src="${thirdUrl}/px.gif?p=${page}" alt=""></body></html>`,
    );
  });
  await new Promise<void>((resolve) => site.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(site.address() as AddressInfo).port}`,
    close: async () => {
      for (const server of [site, third]) {
        server.closeAllConnections();
        await new Promise<void>((resolve) => server.close(() => resolve()));
      }
    },
  };
}

/**
 * Memory (MiB) of this process's descendants, except the trees of the pids in `apart`, as their proportional set size:
 * Chromium's processes share much of their memory, which a sum of resident sizes would count again for each.
 */
function descendantsMemory(apart: readonly number[]): number {
  const table = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const excluded = new Set(apart);
  let kilobytes = 0;
  const walk = (parent: number) => {
    for (const [pid, ppid] of table) {
      if (ppid !== parent || excluded.has(pid)) continue;
      kilobytes += proportionalKilobytes(pid);
      walk(pid);
    }
  };
  walk(process.pid);
  return kilobytes / 1024;
}

function proportionalKilobytes(pid: number): number {
  try {
    return Number(/^Pss:\s+(\d+) kB/m.exec(readFileSync(`/proc/${pid}/smaps_rollup`, 'utf8'))?.[1] ?? 0);
  } catch {
    // Gone between the listing and the read.
    return 0;
  }
}

interface Measured {
  readonly pages: number;
  readonly seconds: number;
  readonly peakMiB: number;
  readonly findings: number;
}

async function measureScan(db: Db, samtykkeUrl: string, startUrl: string, pageLimit: number, apart: readonly number[], progress: (line: string) => void): Promise<Measured> {
  const site = (await findSiteByKey(db, SITE))!;
  const config = loadConfig({ ...process.env, SAMTYKKE_PUBLIC_URL: samtykkeUrl, SAMTYKKE_CHROMIUM_PATH: CHROMIUM_PATH, SAMTYKKE_COOKIE_DATABASE: OPEN_COOKIE_DATABASE });
  const queued = await queueScan(db, { siteId: site.id, trigger: 'cli', startedBy: null, startUrls: [startUrl], pageLimit });
  const scan = (await claimScan(db, site.id, queued.id, RUNNER_NAME))!;
  let peakMiB = 0;
  const sampler = setInterval(() => (peakMiB = Math.max(peakMiB, descendantsMemory(apart))), SAMPLE_MS);
  const started = performance.now();
  const outcome = await runScan(db, config, scan, (step) => step.visited % 10 === 0 && progress(`scanned ${step.visited} pages`)).outcome;
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  if (outcome.status === 'failed') throw new Error(`The scan failed: ${outcome.error}`);
  return { pages: outcome.result.pages.length, seconds, peakMiB, findings: outcome.result.findings.length };
}

function figures(key: string, label: string, measured: Measured): Figure[] {
  return [
    { key: `${key}.pages`, label: `${label}: pages scanned (3 visits each)`, value: measured.pages, unit: '' },
    { key: `${key}.pages_per_minute`, label: `${label}: pages per minute`, value: (measured.pages / measured.seconds) * 60, unit: '/min' },
    { key: `${key}.peak_mib`, label: `${label}: peak memory, scan process and Chromium`, value: measured.peakMiB, unit: 'MiB' },
    { key: `${key}.findings`, label: `${label}: findings`, value: measured.findings, unit: '' },
  ];
}

async function run(values: OptionValues, env: BenchEnv): Promise<ScenarioReport> {
  const pages = positiveInteger(values, 'pages', 40);
  const progress = progressLog('scanner');
  const database = await createBenchDatabase('postgres', env.databaseUrl ?? DEFAULT_DATABASE_URL);
  const server = await startServerProcess({ ...database.env, SAMTYKKE_RATE_LIMIT: '0', SAMTYKKE_WORKERS: '1' });
  const db = await createDb(database.config);
  const site = await startManyPageSite(server.url, pages);
  try {
    const demoSite = (await findSiteByKey(db, SITE))!;
    await updateSite(db, demoSite.id, { allowedOrigins: [site.url] });
    progress(`scanning ${pages} generated pages`);
    const many = await measureScan(db, server.url, `${site.url}/`, pages, [server.pid], progress);
    progress('scanning the demo portal (min-side)');
    const demo = await measureScan(db, server.url, `${server.url}/demo/min-side`, 20, [server.pid], progress);
    return {
      settings: { pages, engine: 'postgres', browser: CHROMIUM_PATH },
      figures: [...figures('generated', `${pages} generated pages`, many), ...figures('demo', 'demo min-side', demo)],
      notes: [
        database.description,
        'Each page is visited three times in fresh browser contexts (before any choice, after reject all, after accept all) by one Chromium; no target is set by the issue.',
        `Peak memory: the proportional set size (shared pages split between their processes) of the scan's process and Chromium's, summed, sampled every ${SAMPLE_MS} ms.`,
      ],
    };
  } finally {
    await site.close();
    await db.destroy();
    await server.stop();
    await database.drop();
  }
}

export const scannerScenario: Scenario = {
  summary: 'the cookie scanner: pages scanned per minute and its peak memory (PostgreSQL, Chromium)',
  help: ['--pages N   pages of the generated site (default 40)'],
  options: { pages: { type: 'string' } },
  run,
};
