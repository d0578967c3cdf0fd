/** The process: load config → open the database → migrate → seed the demo on first start → serve → drain on SIGTERM. */
import type { Server } from 'node:http';
import { serve } from '@hono/node-server';
import { createDemoAdmin } from './admin/demo-admin.ts';
import { createApp } from './app.ts';
import { loadConfig } from './config.ts';
import { createDb } from './db/create.ts';
import { migrateToLatest } from './db/migrate.ts';
import { seedDemoIfEmpty } from './demo/seed.ts';
import { startRetentionJob } from './jobs/retention.ts';
import { createDeps, drainDeps } from './services.ts';

const config = loadConfig();
const db = await createDb(config.database);
const applied = await migrateToLatest(db);
if (applied.length > 0) console.log(`Applied migrations: ${applied.join(', ')}`);
const demo = config.seedDemo ? await seedDemoIfEmpty(db, config.publicUrl) : null;
// Made with the demo organisation only, so its password is printed once, on the first start.
const demoAdmin = demo ? await createDemoAdmin(db, demo.organisationId) : null;
const retention = startRetentionJob(db);
const deps = await createDeps(config, db);
const app = createApp(deps);

const server = serve({ fetch: app.fetch, port: config.port, hostname: config.host }, () => {
  const where = config.database.engine === 'postgres' ? 'PostgreSQL (DATABASE_URL)' : `embedded PGlite in ${config.database.dataDir ?? 'memory'}`;
  console.log(`Samtykke is listening on ${config.publicUrl} with ${where}`);
  if (demo) console.log(`Created the demo organisation with sites ${demo.sites.map((site) => site.key).join(', ')}`);
  console.log(
    [
      `  Dashboard            ${config.publicUrl}/dashboard`,
      `  Demo portal page     ${config.publicUrl}/demo`,
      `  Cookie declaration   ${config.publicUrl}/sites/min-side/cookies`,
      `  Declaration (JSON)   ${config.publicUrl}/api/sites/min-side/declaration`,
      `  Health               ${config.publicUrl}/healthz`,
    ].join('\n'),
  );
  if (demoAdmin) console.log(`  Demo admin sign-in   ${demoAdmin.email} / ${demoAdmin.password}  (shown this once)`);
}) as Server;

let stopping = false;
async function shutdown(signal: string): Promise<void> {
  if (stopping) return;
  stopping = true;
  console.log(`${signal}: no longer accepting requests; storing everything already accepted`);
  retention.stop();
  const closed = new Promise<void>((resolve) => server.close(() => resolve()));
  server.closeIdleConnections();
  try {
    await drainDeps(deps);
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
