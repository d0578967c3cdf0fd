/**
 * A database outage on a PostgreSQL cluster of the test's own, stopped and started by the test: requests that need
 * the database are answered 503 with Retry-After, never 500; the outage is logged once, not per request; events
 * acknowledged meanwhile are stored once it is back; and the server recovers by itself.
 */
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import { createDb, type Db } from '../../server/db/create.ts';
import { migrateToLatest } from '../../server/db/migrate.ts';
import { seedDemo } from '../../server/demo/seed.ts';
import { createDeps, drainDeps, type AppDeps } from '../../server/services.ts';
import { TEST_ORIGIN } from '../helpers/app.ts';
import { privatePostgresAvailable, startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.ts';
import { consentRequest, errorOf, eventsRequest, newConsentId, post } from '../helpers/requests.ts';

describe.skipIf(!privatePostgresAvailable)('a PostgreSQL outage', () => {
  let postgres: PrivatePostgres;
  let db: Db;
  let deps: AppDeps;
  let app: ReturnType<typeof createApp>;

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    const config = loadConfig({ SAMTYKKE_PUBLIC_URL: TEST_ORIGIN, SAMTYKKE_RATE_LIMIT: '0', SAMTYKKE_DATA_DIR: ':memory:', DATABASE_URL: postgres.url });
    db = await createDb(config.database);
    await migrateToLatest(db);
    await seedDemo(db, TEST_ORIGIN);
    deps = await createDeps(config, db);
    app = createApp(deps);
  });
  afterAll(async () => {
    await drainDeps(deps);
    await db.destroy();
    await postgres.destroy();
  });

  it('answers 503 with Retry-After while the database is down, logs it once, and stores what it acknowledged once it is back', async () => {
    const consentId = newConsentId();
    expect((await post(app, '/api/consent', consentRequest({ consentId }))).status).toBe(201);
    // A site nobody asked for yet is not in the cache: its lookup needs the database.
    const cold = consentRequest({ site: 'app' });

    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await postgres.stop();
    const answers = [];
    for (let i = 0; i < 20; i++) answers.push(await post(app, '/api/consent', { ...cold, consentId: newConsentId() }));
    for (const answer of answers) {
      expect(answer.status).toBe(503);
      expect(answer.headers.get('retry-after')).toBe('5');
      expect(await errorOf(answer)).toMatchObject({ code: 'database_unavailable' });
    }
    const health = await app.request('/healthz');
    expect(health.status).toBe(503);
    expect(await health.text()).not.toContain('127.0.0.1');
    // The decision this process recorded is known without the database: its events are held, then stored.
    expect((await post(app, '/api/events', eventsRequest(consentId))).status).toBe(202);
    const outageLines = logged.mock.calls.filter(([line]) => String(line).startsWith('The database does not answer'));
    expect(outageLines).toHaveLength(1);

    await postgres.start();
    await expect.poll(async () => (await post(app, '/api/consent', { ...cold, consentId: newConsentId() })).status, { timeout: 15_000, interval: 500 }).toBe(201);
    await expect.poll(() => logged.mock.calls.some(([line]) => String(line).startsWith('The database answers again')), { timeout: 10_000 }).toBe(true);
    logged.mockRestore();
    await deps.eventWriter.close(30_000);
    const stored = await db.selectFrom('events').select('consent_id').where('consent_id', '=', consentId).execute();
    expect(stored).toHaveLength(1);
  });
});
