/** The process: load config → open the database → migrate → seed the demo on first start → serve → drain on SIGTERM. */
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { createDemoAdmin } from './admin/demo-admin.ts';
import { createApp } from './app.ts';
import { ConfigError, loadConfig, type Config } from './config.ts';
import { createDb, type Db } from './db/create.ts';
import { DataDirInUseError } from './db/data-dir-lock.ts';
import { migrateToLatest } from './db/migrate.ts';
import { seedDemoIfEmpty } from './demo/seed.ts';
import { startRetentionJob } from './jobs/retention.ts';
import { hasOrganisation } from './queries/organisation.ts';
import { createSetupToken } from './queries/setup.ts';
import { DEMO_SITE } from './widget/demo.tsx';
import { createDeps, drainDeps } from './services.ts';

/** Start-up stops here with a message a person can act on: a wrong setting, or a data folder another process holds. */
async function openDatabase(): Promise<{ config: Config; db: Db }> {
  try {
    const config = loadConfig();
    return { config, db: await createDb(config.database, `server listening on ${config.publicUrl}`) };
  } catch (error) {
    if (!(error instanceof ConfigError || error instanceof DataDirInUseError)) throw error;
    console.error(error.message);
    process.exit(1);
  }
}

const { config, db } = await openDatabase();
const applied = await migrateToLatest(db);
if (applied.length > 0) console.log(`Applied migrations: ${applied.join(', ')}`);
const demo = config.seedDemo ? await seedDemoIfEmpty(db, config.publicUrl) : null;
// Made with the demo organisation only, so its password is printed once, on the first start.
const demoAdmin = demo ? await createDemoAdmin(db, demo.organisationId) : null;
// Without any organisation (SAMTYKKE_DEMO=false on a new database) the first person in needs the setup link.
const setupToken = (await hasOrganisation(db)) ? null : await createSetupToken(db);
const retention = startRetentionJob(db);
const deps = await createDeps(config, db);
const demoInstalled = (await deps.sites.find(DEMO_SITE)) !== null;
const app = createApp(deps);

const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => {
  const where = config.database.engine === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.database.dataDir ?? 'memory'}`;
  console.log(`Samtykke is listening on ${config.publicUrl} with ${where}`);
  if (demo) console.log(`Created the demo organisation with sites ${demo.sites.map((site) => site.key).join(', ')}`);
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
}) as Server;

let stopping = false;
// Clients with keep-alive connections would keep a stopping server busy for ever: from SIGTERM on, each answer
// closes its connection.
server.on('request', (_request, response) => {
  if (stopping) response.setHeader('Connection', 'close');
});

async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: no longer accepting requests; storing everything already accepted`);
  retention.stop();
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
    console.log('Stopped cleanly: every accepted event and consent record is stored');
    process.exit(0);
  } catch (error) {
    console.error('Shutdown could not store everything:', error);
    process.exit(1);
  }
}
process.on('SIGTERM', () => void shutdown('SIGTERM'));
process.on('SIGINT', () => void shutdown('SIGINT'));
