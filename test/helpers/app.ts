/** An in-process Samtykke on a fresh database, with the demo organisation seeded, for contract and browser tests. */
import { createServer, type RequestListener } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import type { Hono } from 'hono';
import { createApp } from '../../server/app.ts';
import { loadConfig, type Config } from '../../server/config.ts';
import { seedDemo, type DemoOrganisation } from '../../server/demo/seed.ts';
import { createDeps, drainDeps, type AppDeps } from '../../server/services.ts';
import { createTestDatabase, type Engine, type TestDatabase } from './database.ts';

/** The origin in-process tests pretend to be; the demo sites allow it. */
export const TEST_ORIGIN = 'http://portal.test';

export interface TestContext {
  readonly app: Hono;
  readonly deps: AppDeps;
  readonly database: TestDatabase;
  readonly demo: DemoOrganisation;
  close(): Promise<void>;
}

/** A server as it is before anyone set it up: no organisation, no demo. */
export type BareTestContext = Omit<TestContext, 'demo'>;

async function buildBareContext(engine: Engine, publicUrl: string, env: Record<string, string>): Promise<BareTestContext> {
  const database = await createTestDatabase(engine);
  const config: Config = {
    // No data folder unless a test gives one: checkpoints (and their key) stay out of the working tree.
    ...loadConfig({ SAMTYKKE_PUBLIC_URL: publicUrl, SAMTYKKE_RATE_LIMIT: '0', SAMTYKKE_DATA_DIR: ':memory:', ...env }),
    database: database.config,
  };
  const deps = await createDeps(config, database.db);
  return {
    app: createApp(deps),
    deps,
    database,
    close: async () => {
      await drainDeps(deps);
      await database.drop();
    },
  };
}

async function buildContext(engine: Engine, publicUrl: string, env: Record<string, string>): Promise<TestContext> {
  const context = await buildBareContext(engine, publicUrl, env);
  return { ...context, demo: await seedDemo(context.database.db, publicUrl) };
}

/** For `app.request()` tests: no socket. */
export function createTestContext(engine: Engine, env: Record<string, string> = {}): Promise<TestContext> {
  return buildContext(engine, TEST_ORIGIN, env);
}

/** For `app.request()` tests of the first run: an empty database. */
export function createBareTestContext(engine: Engine, env: Record<string, string> = {}): Promise<BareTestContext> {
  return buildBareContext(engine, TEST_ORIGIN, env);
}

/** Listening on a free port of 127.0.0.1, for browsers and load; publicUrl (and the demo's origin) is that address. */
export async function startTestServer(engine: Engine, env: Record<string, string> = {}): Promise<TestContext & { url: string }> {
  let listener: RequestListener = (_request, response) => response.writeHead(503).end();
  const server = createServer((request, response) => listener(request, response));
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
  const context = await buildContext(engine, url, env);
  listener = getRequestListener(context.app.fetch);
  return {
    ...context,
    url,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
      await context.close();
    },
  };
}
