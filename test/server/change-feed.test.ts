/**
 * The change feed between processes on one PostgreSQL, in one test process: two feeds stand for two server
 * processes. What one publishes reaches the other (and not itself), however much is published at once, and a feed
 * that lost its connection drops every cached entry when it is back, since what was published meanwhile is gone.
 */
import { sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { DecisionCache } from '../../server/collector/decision-cache.ts';
import { FEED_APPLICATION_NAME, LOCAL_ONLY, startChangeFeed, type Change, type ChangeFeed } from '../../server/db/change-feed.ts';
import { seedDemo } from '../../server/demo/seed.ts';
import { findSiteByKey } from '../../server/queries/sites.ts';
import { SiteDirectory } from '../../server/sites/directory.ts';
import { createTestDatabase, type TestDatabase } from '../helpers/database.ts';

describe('the change feed on PGlite', () => {
  it('is the local one: a single process has nobody to tell', async () => {
    expect(await startChangeFeed({ engine: 'pglite', dataDir: null })).toBe(LOCAL_ONLY);
  });
});

describe.skipIf(!process.env.DATABASE_URL)('the change feed on PostgreSQL', () => {
  const cleanups: Array<() => Promise<void>> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function database(): Promise<TestDatabase> {
    const created = await createTestDatabase('postgres');
    cleanups.push(() => created.drop());
    return created;
  }

  async function feed(test: TestDatabase): Promise<ChangeFeed & { heard: Change[]; missedCount: () => number }> {
    const started = await startChangeFeed(test.config);
    cleanups.push(() => started.close());
    const heard: Change[] = [];
    let missed = 0;
    started.subscribe({ changed: (change) => heard.push(change), missed: () => (missed += 1) });
    return Object.assign(started, { heard, missedCount: () => missed });
  }

  it('carries decisions and site keys to the other processes, not back to the sender, split under 8000 bytes', async () => {
    const test = await database();
    const [a, b] = [await feed(test), await feed(test)];
    // Far more than one notification holds: about 40 bytes each.
    const decisions = Array.from({ length: 2_000 }, (_, i) => ({ kind: 'decision' as const, siteId: 7, consentId: `consent-id-${String(i).padStart(12, '0')}` }));
    for (const change of decisions) a.publish(change);
    a.publish({ kind: 'site', key: 'min-side' });
    await expect.poll(() => b.heard.length, { timeout: 2_000 }).toBe(2_001);
    expect(b.heard).toEqual(expect.arrayContaining([...decisions, { kind: 'site', key: 'min-side' }]));
    expect(a.heard).toEqual([]);
  });

  it('a decision recorded by one process replaces what the other recorded or read, at once', async () => {
    const test = await database();
    const demo = await seedDemo(test.db, 'http://portal.test');
    const siteId = demo.sites.find((site) => site.key === 'min-side')!.id;
    const [here, there] = [new DecisionCache(test.db, await feed(test)), new DecisionCache(test.db, await feed(test))];
    const decision = (analytics: boolean) => ({ policyVersion: 1, choices: { functional: true, analytics, ads: false }, recordedAt: new Date() });
    // "there" recorded a grant itself: without the feed it would trust that until the entry is evicted.
    there.remember(siteId, 'consent-1', decision(true));
    expect((await there.latest(siteId, 'consent-1'))?.choices.analytics).toBe(true);
    // "here" records the withdrawal. The database holds no record in this test, so "there" answering from it (no
    // decision) shows it stopped trusting its own entry.
    here.remember(siteId, 'consent-1', decision(false));
    await expect.poll(async () => (await there.latest(siteId, 'consent-1'))?.choices.analytics ?? 'read again', { timeout: 1_000, interval: 20 }).toBe('read again');
  });

  it('forgets a site another process changed, and drops every cached site after its connection came back', async () => {
    const test = await database();
    await seedDemo(test.db, 'http://portal.test');
    const [feedHere, feedThere] = [await feed(test), await feed(test)];
    const [here, there] = [new SiteDirectory(test.db, feedHere), new SiteDirectory(test.db, feedThere)];
    const site = (await here.find('min-side'))!;
    expect((await there.find('min-side'))!.allowedOrigins).toEqual([]);
    await here.update(site, { allowedOrigins: ['https://www.kunde.no'] });
    await expect.poll(async () => (await there.find('min-side'))!.allowedOrigins, { timeout: 1_000, interval: 20 }).toEqual(['https://www.kunde.no']);

    // A change made while "there" is not listening is never heard; coming back, it drops what it cached.
    const missedBefore = feedThere.missedCount();
    await sql`select pg_terminate_backend(pid) from pg_stat_activity where application_name = ${FEED_APPLICATION_NAME} and datname = current_database()`.execute(test.db);
    await sql`update sites set allowed_origins = ${sql.val(['https://ny.kunde.no'])} where id = ${site.id}`.execute(test.db);
    await expect.poll(() => feedThere.missedCount(), { timeout: 3_000 }).toBeGreaterThan(missedBefore);
    expect((await there.find('min-side'))!.allowedOrigins).toEqual(['https://ny.kunde.no']);
    expect((await findSiteByKey(test.db, 'min-side'))!.allowedOrigins).toEqual(['https://ny.kunde.no']);
  });
});
