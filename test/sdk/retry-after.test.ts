/**
 * The client package against a server whose PostgreSQL (a cluster of the test's own) is stopped: the server's
 * 503 answers carry Retry-After, and the client sends again no sooner than it says; a withdrawal during the wait
 * calls the events' retry off, so the events refused meanwhile are never stored.
 */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { getRequestListener } from '@hono/node-server';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createDb, type Db } from '../../server/db/create.ts';
import { migrateToLatest } from '../../server/db/migrate.ts';
import { seedDemo } from '../../server/demo/seed.ts';
import { createDeps, drainDeps, type AppDeps } from '../../server/services.ts';
import { createSamtykke, type Samtykke, type SamtykkeError } from '../../sdk/src/index.ts';
import { privatePostgresAvailable, startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.ts';

const ALL = { functional: true, analytics: true, ads: true };
const NONE = { functional: true, analytics: false, ads: false };

interface Retry {
  readonly at: number;
  readonly afterMs: number;
  readonly reason: string;
  readonly serverAsked: boolean;
}

describe.skipIf(!privatePostgresAvailable)('the client package and a server whose database is down', () => {
  let postgres: PrivatePostgres;
  let db: Db;
  let deps: AppDeps;
  let server: Server;
  let url: string;

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    server = createServer();
    await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}`;
    // No data folder, so no outage journal: what the database cannot take now is answered 503 with Retry-After.
    const config = loadConfig({ SAMTYKKE_PUBLIC_URL: url, SAMTYKKE_RATE_LIMIT: '0', SAMTYKKE_DATA_DIR: ':memory:', DATABASE_URL: postgres.url });
    db = await createDb(config.database);
    await migrateToLatest(db);
    await seedDemo(db, url);
    deps = await createDeps(config, db);
    server.on('request', getRequestListener(createApp(deps).fetch));
  });
  afterAll(async () => {
    server.closeAllConnections();
    await new Promise<void>((resolve) => server.close(() => resolve()));
    await drainDeps(deps);
    await db.destroy();
    await postgres.destroy();
  });

  async function client(retries: Retry[], errors: SamtykkeError[]): Promise<Samtykke> {
    return createSamtykke({
      endpoint: url,
      site: 'app',
      policyVersion: 1,
      batchDelayMs: 10,
      retry: { minMs: 50, maxMs: 200 },
      onRetry: (retry) => retries.push({ at: Date.now(), ...retry }),
      onError: (error) => errors.push(error),
    });
  }

  async function recordedAt(consentId: string, action: 'accept_all' | 'withdraw'): Promise<Date | undefined> {
    const row = await db.selectFrom('consent_records').select('recorded_at').where('consent_id', '=', consentId).where('action', '=', action).executeTakeFirst();
    return row?.recorded_at;
  }

  it('waits for Retry-After before sending again, and a withdrawal during the wait sends no refused event', async () => {
    const [watcherRetries, newcomerRetries, errors]: [Retry[], Retry[], SamtykkeError[]] = [[], [], []];
    const watcher = await client(watcherRetries, errors);
    const newcomer = await client(newcomerRetries, errors);
    await watcher.decide(ALL);
    await watcher.screen('oversikt');
    await expect.poll(() => watcher.pending(), { timeout: 10_000 }).toEqual({ decisions: 0, events: 0 });

    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await postgres.stop();
    // The server knows the watcher's decision, so its events are taken into memory until the writer finds the
    // database gone; from then on they are refused with 503 and Retry-After.
    const screens: string[] = [];
    for (let i = 0; watcherRetries.length === 0; i++) {
      if (i === 50) throw new Error('The server never answered 503 to events');
      screens.push(`under-${i}`);
      await watcher.screen(`under-${i}`);
      await watcher.flush();
    }
    const refusedScreen = screens.at(-1)!;
    const [eventsRetry] = watcherRetries;
    expect(eventsRetry).toMatchObject({ serverAsked: true, reason: '503 database_unavailable' });
    expect(watcher.pending().events).toBe(1);

    // A decision the server cannot record: the same answer, with its own Retry-After.
    await newcomer.decide(ALL);
    await expect.poll(() => newcomerRetries.length, { timeout: 10_000 }).toBe(1);
    const [decisionRetry] = newcomerRetries;
    expect(decisionRetry).toMatchObject({ serverAsked: true, reason: '503 database_unavailable' });
    expect(decisionRetry!.afterMs).toBeGreaterThanOrEqual(1_000);

    // The watcher withdraws while its events wait: the queue empties at once and their retry is called off.
    await watcher.decide(NONE);
    expect(watcher.pending()).toEqual({ decisions: 1, events: 0 });
    // flush() does not jump the server's Retry-After either.
    await watcher.flush();
    await newcomer.flush();
    expect(newcomer.pending().decisions).toBe(1);

    await postgres.start();
    await expect.poll(() => newcomer.pending().decisions, { timeout: 30_000, interval: 100 }).toBe(0);
    await expect.poll(() => watcher.pending().decisions, { timeout: 30_000, interval: 100 }).toBe(0);
    logged.mockRestore();

    // Each was sent again no sooner than the server asked (its clock is this process's).
    const newcomerAt = await recordedAt(newcomer.consentId, 'accept_all');
    expect(newcomerAt!.getTime()).toBeGreaterThanOrEqual(decisionRetry!.at + decisionRetry!.afterMs - 50);
    const withdrawnAt = await recordedAt(watcher.consentId, 'withdraw');
    expect(withdrawnAt!.getTime()).toBeGreaterThanOrEqual(eventsRetry!.at + eventsRetry!.afterMs - 50);
    expect(newcomerRetries).toHaveLength(1);
    expect(errors).toEqual([]);

    // What the server took before it refused is stored; the refused event, withdrawn with analytics, never is.
    await watcher.close();
    await newcomer.close();
    await deps.eventWriter.close(30_000);
    const paths = (await db.selectFrom('events').select('path').where('consent_id', '=', watcher.consentId).orderBy('id').execute()).map((row) => row.path);
    expect(paths).toEqual(['/oversikt', ...screens.slice(0, -1).map((screen) => `/${screen}`)]);
    expect(paths).not.toContain(`/${refusedScreen}`);
  });
});
