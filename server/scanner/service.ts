/**
 * The server's scanner: one scan at a time per server, taken from the queue the dashboard and the schedules fill
 * (scans are rows, so any process may queue one and the one that runs them finds it), and each site's schedule
 * turned into queued scans when due. It runs in the process that runs the retention job: the only process, or the
 * primary of several workers.
 */
import { hostname } from 'node:os';
import type { Config } from '../config.ts';
import type { Db } from '../db/create.ts';
import { isAlive } from '../db/data-dir-lock.ts';
import { resolveScanRequest } from '../domain/scan.ts';
import { claimNextScan, failAbandonedScans, failScan, queueScan, sitesDueForScan } from '../queries/scans.ts';
import { findSiteById } from '../queries/sites.ts';
import { runScan, type RunningScan } from './runner.ts';

const QUEUE_POLL_MS = 2_000;
const SCHEDULE_CHECK_MS = 60_000;

/** How this process names itself on the scans it runs: a restart on this host can tell whether it still runs. */
export const RUNNER_NAME = `${hostname()}:${process.pid}`;

export interface ScanService {
  stop(): Promise<void>;
}

/** Fails the scans whose runner is gone (a process of this host that no longer runs, or one far past any time limit). */
export function failAbandoned(db: Db, config: Config): Promise<number> {
  const longest = config.scanner.timeLimitMs + 10 * 60_000;
  return failAbandonedScans(
    db,
    (runner, startedAt) => {
      const [host, pid] = (runner ?? '').split(':');
      if (host === hostname() && pid && Number(pid) !== process.pid && !isAlive(Number(pid))) return true;
      return startedAt === null || Date.now() - new Date(startedAt).getTime() > longest;
    },
    'The server stopped while this scan ran; start it again',
  );
}

export async function startScanService(db: Db, config: Config): Promise<ScanService> {
  const abandoned = await failAbandoned(db, config);
  if (abandoned > 0) console.error(`${abandoned} scans were running when the server last stopped; they are marked failed`);
  let stopped = false;
  let running: RunningScan | null = null;
  let polling: Promise<void> = Promise.resolve();

  async function runQueued(): Promise<void> {
    while (!stopped) {
      const scan = await claimNextScan(db, RUNNER_NAME);
      if (!scan) return;
      running = runScan(db, config, scan);
      await running.outcome;
      running = null;
    }
  }

  async function queueDue(): Promise<void> {
    for (const due of await sitesDueForScan(db, new Date())) {
      const site = await findSiteById(db, due.siteId);
      if (!site) continue;
      const request = resolveScanRequest({ allowedOrigins: site.allowedOrigins, scanUrls: due.urls, scanPageLimit: due.pageLimit }, config.publicUrl, {});
      const startUrls = request.ok ? request.startUrls : due.urls;
      const scan = await queueScan(db, { siteId: site.id, trigger: 'schedule', startedBy: null, startUrls, pageLimit: due.pageLimit });
      // The schedule's URLs no longer fit the site (its origins changed): the history says so, and the next try is
      // a day or a week away, as scheduled.
      if (!request.ok) await failScan(db, { siteId: site.id, id: scan.id }, request.problem.en);
    }
  }

  const tick = (work: () => Promise<void>, what: string) => () => {
    polling = polling.then(work).catch((error: Error) => console.error(`The scanner could not ${what}: ${error.message}`));
  };
  const queueTimer = setInterval(tick(runQueued, 'take a queued scan'), QUEUE_POLL_MS);
  const scheduleTimer = setInterval(tick(queueDue, 'queue the scheduled scans'), SCHEDULE_CHECK_MS);
  queueTimer.unref();
  scheduleTimer.unref();
  tick(queueDue, 'queue the scheduled scans')();

  return {
    async stop() {
      stopped = true;
      clearInterval(queueTimer);
      clearInterval(scheduleTimer);
      // A scan is minutes of a browser's work; stopping the server does not wait for it. It is stored as failed.
      running?.kill('The server stopped while this scan ran; start it again');
      await polling;
    },
  };
}
