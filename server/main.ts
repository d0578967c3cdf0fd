/**
 * The process: load config → open the database → migrate → seed the demo on first start → serve → drain on SIGTERM.
 * With SAMTYKKE_WORKERS above 1 (PostgreSQL only) this process is the primary: it does the start-up once, forks the
 * workers that serve the port (node:cluster hands each new connection to one of them), restarts one that dies, and
 * passes SIGTERM on; each worker opens its own pool, serves the whole app, and drains as a single process does.
 */
import cluster, { type Worker } from 'node:cluster';
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { createDemoAdmin } from './admin/demo-admin.ts';
import { createApp } from './app.ts';
import { CountryDatabase } from './collector/countries.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createDb, type Db } from './db/create.ts';
import { DataDirInUseError } from './db/data-dir-lock.ts';
import { migrateToLatest } from './db/migrate.ts';
import { seedDemoIfEmpty } from './demo/seed.ts';
import { seedDemoTraffic } from './demo/traffic.ts';
import { storeStrandedJournals } from './journal/stranded.ts';
import { gatherWorkerMetrics, offerWorkerMetrics } from './metrics/cluster.ts';
import { startRetentionJob } from './jobs/retention.ts';
import { startScanService } from './scanner/service.ts';
import { startReportScheduler } from './reports/scheduler.ts';
import { hasOrganisation } from './queries/organisation.ts';
import { createSetupToken } from './queries/setup.ts';
import { findSiteByKey } from './queries/sites.ts';
import { DEMO_SITE } from './widget/demo.tsx';
import { createDeps, drainDeps } from './services.ts';

/** Which worker answered, on every answer while several serve one port: for load balancing checks and tests. */
export const WORKER_HEADER = 'X-Samtykke-Worker';

/** Start-up stops here with a message a person can act on: a wrong setting, or a data folder another process holds. */
async function openDatabase(): Promise<{ config: Config; db: Db }> {
  try {
    const config = loadConfig();
    // Read now, so a missing or broken country database stops start-up like any other wrong setting.
    CountryDatabase.open(config.countryDatabase);
    return { config, db: await createDb(config.database, `server listening on ${config.publicUrl}`) };
  } catch (error) {
    if (!(error instanceof ConfigError || error instanceof DataDirInUseError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

interface Welcome {
  readonly demo: Awaited<ReturnType<typeof seedDemoIfEmpty>>;
  readonly demoTraffic: Awaited<ReturnType<typeof seedDemoTraffic>> | null;
  readonly demoAdmin: Awaited<ReturnType<typeof createDemoAdmin>> | null;
  readonly setupToken: string | null;
  readonly demoInstalled: boolean;
}

/** What is done once per start, whatever the number of processes: migrations, the demo, the setup link. */
async function prepare(config: Config, db: Db): Promise<Welcome> {
  const applied = await migrateToLatest(db);
  if (applied.length > 0) console.log(`Applied migrations: ${applied.join(', ')}`);
  const demo = config.seedDemo ? await seedDemoIfEmpty(db, config.publicUrl) : null;
  const demoTraffic = demo && config.demoTraffic ? await seedDemoTraffic(db, demo) : null;
  // Made with the demo organisation only, so its password is printed once, on the first start.
  const demoAdmin = demo ? await createDemoAdmin(db, demo.organisationId) : null;
  // Without any organisation (SAMTYKKE_DEMO=false on a new database) the first person in needs the setup link.
  const setupToken = (await hasOrganisation(db)) ? null : await createSetupToken(db);
  const demoInstalled = (await findSiteByKey(db, DEMO_SITE)) !== null;
  if (config.journal) await storeStrandedJournals(config.journal, config.workers, db);
  return { demo, demoTraffic, demoAdmin, setupToken, demoInstalled };
}

function printWelcome(config: Config, { demo, demoTraffic, demoAdmin, setupToken, demoInstalled }: Welcome, workers: number): void {
  const where = config.database.engine === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.database.dataDir ?? 'memory'}`;
  console.log(`Samtykke is listening on ${config.publicUrl} with ${where}${workers > 1 ? `, in ${workers} worker processes` : ''}`);
  if (config.workersRefused !== null) {
    console.log(`  SAMTYKKE_WORKERS=${config.workersRefused} asks for more processes than PGlite allows: it runs inside this one process, so one serves. Use PostgreSQL (DATABASE_URL) for more.`);
  }
  if (demo) console.log(`Created the demo organisation with sites ${demo.sites.map((site) => site.key).join(', ')}`);
  if (demoTraffic) console.log(`  and 30 days of made-up traffic to look at: ${demoTraffic.decisions} decisions, ${demoTraffic.events} events, goals and a funnel`);
  console.log(`  Start page           ${config.publicUrl}/`);
  console.log(`  Dashboard            ${config.publicUrl}/dashboard`);
  if (demoInstalled) {
    console.log(`  Demo portal page     ${config.publicUrl}/demo`);
    console.log(`  Cookie declaration   ${config.publicUrl}/sites/${DEMO_SITE}/cookies`);
  }
  console.log(`  Health               ${config.publicUrl}/healthz`);
  if (demoAdmin) console.log(`  Demo admin sign-in   ${demoAdmin.email} / ${demoAdmin.password}  (shown this once)`);
  if (setupToken) {
    console.log(
      [
        '',
        'No organisation exists yet. Set up yours, with its first admin, at this one-time link:',
        `  ${config.publicUrl}/dashboard/setup#${setupToken}`,
        '(valid until used; a restart prints a new one. The command line can do the same: org add "Name", then user add;',
        ` on PGlite stop the server first, since one process at a time opens its data folder.)`,
      ].join('\n'),
    );
  }
}

/**
 * Serves the app from this process until a signal, then drains: stops accepting, stores everything accepted, exits.
 * `name` prefixes the shutdown lines of a worker, so the log tells the processes apart.
 */
async function serveApp(config: Config, db: Db, options: { name: string | null; onListening(): void; onStop?(): Promise<void> }): Promise<void> {
  const deps = await createDeps(config, db);
  if (cluster.isWorker) offerWorkerMetrics(deps.metrics.registry);
  const app = createApp(deps);
  const say = (line: string) => console.log(options.name ? `${options.name}: ${line}` : line);
  const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => options.onListening()) as Server;

  let stopping = false;
  const workerId = cluster.worker ? String(cluster.worker.id) : null;
  // Clients with keep-alive connections would keep a stopping server busy for ever: from SIGTERM on, each answer
  // closes its connection.
  server.on('request', (_request, response) => {
    if (workerId) response.setHeader(WORKER_HEADER, workerId);
    if (stopping) response.setHeader('Connection', 'close');
  });

  async function shutdown(signal: string): Promise<void> {
    if (stopping) return;
    stopping = true;
    say(`${signal}: no longer accepting requests; storing everything already accepted`);
    await options.onStop?.();
    const closed = new Promise<void>((resolve) => server.close(() => resolve()));
    server.closeIdleConnections();
    try {
      await drainDeps(deps);
      // Everything accepted is stored. After a moment for the last receipts to be written, what is still in flight
      // could only be refused.
      await new Promise((resolve) => setTimeout(resolve, 250));
      server.closeAllConnections();
      await closed;
      await db.destroy();
      say('Stopped cleanly: every accepted event and consent record is stored');
      process.exit(0);
    } catch (error) {
      console.error(`${options.name ? `${options.name}: ` : ''}Shutdown could not store everything:`, error);
      process.exit(1);
    }
  }
  process.on('SIGTERM', () => void shutdown('SIGTERM'));
  process.on('SIGINT', () => void shutdown('SIGINT'));
  // A primary that is gone (killed) hands out no more connections: finish what was accepted and go.
  if (cluster.worker) process.on('disconnect', () => void shutdown('The primary process is gone'));
}

// A worker that dies this soon after starting, before it ever listened, is failing to start, not crashing.
const RESTART_FIRST_MS = 1_000;
const RESTART_MAX_MS = 30_000;

/** The primary of several workers: start-up once, then fork, watch and stop them. */
async function runPrimary(config: Config, db: Db, welcome: Welcome): Promise<void> {
  gatherWorkerMetrics();
  // Once, here, not in every worker: runs in several processes would split the counts and get in each other's way.
  const retention = startRetentionJob(db);
  const scanner = await startScanService(db, config);
  const reports = startReportScheduler(db, config);
  const alive = new Set<Worker>();
  const listening = new Set<Worker>();
  let welcomed = false;
  let stopping = false;
  let restartMs = RESTART_FIRST_MS;
  const failures: string[] = [];

  // A worker started in place of one that died takes its slot, and with it the journals that worker left.
  const slots = new Map<Worker, number>();
  const fork = (slot: number) => {
    const worker = cluster.fork({ SAMTYKKE_WORKER_SLOT: String(slot) });
    slots.set(worker, slot);
    alive.add(worker);
    worker.on('listening', () => {
      listening.add(worker);
      restartMs = RESTART_FIRST_MS;
      if (!welcomed && listening.size === config.workers) {
        welcomed = true;
        printWelcome(config, welcome, config.workers);
      }
    });
  };

  cluster.on('exit', (worker, code, signal) => {
    alive.delete(worker);
    const started = listening.delete(worker);
    const how = signal ? `was killed by ${signal}` : `exited with code ${code}`;
    if (stopping) {
      if (code !== 0) failures.push(`worker ${worker.id} (pid ${worker.process.pid}) ${how}`);
      if (alive.size === 0) void stopped();
      return;
    }
    if (!welcomed && !started) {
      // Never served: a setting, the port or the database is wrong, and each new worker would fail the same way.
      console.error(`Worker ${worker.id} (pid ${worker.process.pid}) ${how} before it listened; stopping the others`);
      void stop('start-up failed', 1);
      return;
    }
    console.error(`Worker ${worker.id} (pid ${worker.process.pid}) ${how} unexpectedly; starting a new one${started ? '' : ` in ${restartMs / 1000} s`}`);
    const slot = slots.get(worker)!;
    slots.delete(worker);
    if (started) return fork(slot);
    // It died starting (the database may be down): wait longer each time, rather than fork as fast as they fail.
    setTimeout(() => stopping || fork(slot), restartMs);
    restartMs = Math.min(restartMs * 2, RESTART_MAX_MS);
  });

  let exitCode = 0;
  async function stop(reason: string, code: number): Promise<void> {
    if (stopping) return;
    stopping = true;
    exitCode = code;
    retention.stop();
    if (code === 0) console.log(`${reason}: stopping ${alive.size} worker processes; each stores everything it accepted`);
    for (const worker of alive) worker.process.kill('SIGTERM');
    if (alive.size === 0) await stopped();
  }

  async function stopped(): Promise<void> {
    await scanner.stop();
    await reports.stop();
    await db.destroy();
    if (failures.length > 0 || exitCode !== 0) {
      if (failures.length > 0) console.error(`Shutdown could not store everything: ${failures.join('; ')}`);
      process.exit(exitCode || 1);
    }
    console.log('Stopped cleanly: every worker stored every accepted event and consent record');
    process.exit(0);
  }

  process.on('SIGTERM', () => void stop('SIGTERM', 0));
  process.on('SIGINT', () => void stop('SIGINT', 0));
  for (let slot = 0; slot < config.workers; slot++) fork(slot);
}

if (cluster.isPrimary) {
  const { config, db } = await openDatabase();
  const welcome = await prepare(config, db);
  if (config.workers > 1) {
    await runPrimary(config, db, welcome);
  } else {
    const retention = startRetentionJob(db);
    const scanner = await startScanService(db, config);
    const reports = startReportScheduler(db, config);
    await serveApp(config, db, {
      name: null,
      onListening: () => printWelcome(config, welcome, 1),
      onStop: async () => {
        retention.stop();
        await scanner.stop();
        await reports.stop();
      },
    });
  }
} else {
  // A worker: the primary migrated and seeded already, and runs the retention job.
  const { config, db } = await openDatabase();
  await serveApp(config, db, { name: `worker ${cluster.worker!.id}`, onListening: () => {} });
}
