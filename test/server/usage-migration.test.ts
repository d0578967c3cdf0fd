/**
 * The migration that partitions the events and adds the usage rollups, on a database holding events from before
 * it: every event is kept with its id, lands in its day's partition, and is folded into visits, rollups and
 * sketches; ids continue after the old ones; and going down restores the plain table with every row.
 */
import { Migrator, sql } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { migrations } from '../../migrations/index.ts';
import { migrateToLatest } from '../../server/db/migrate.ts';
import { eventPartitionDays } from '../../server/queries/event-partitions.ts';
import { insertEvents } from '../../server/queries/events.ts';
import { createEmptyTestDatabase, engines, type TestDatabase } from '../helpers/database.ts';

const BEFORE = '2026-12-01T0100-banner-and-evidence';
const DAY = 86_400_000;

describe.each(engines)('the usage-rollups migration on %s', (engine) => {
  let database: TestDatabase;
  afterEach(() => database?.drop());

  it('moves earlier events into daily partitions and folds them into visits, rollups and sketches', async () => {
    database = await createEmptyTestDatabase(engine);
    const { db } = database;
    const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
    expect((await migrator.migrateTo(BEFORE)).error).toBeUndefined();

    await sql`insert into organisations (name) values ('Kunde AS')`.execute(db);
    const { rows: [site] } = await sql<{ id: number }>`insert into sites (organisation_id, key, name, surface) select id, 'portal', 'Portal', 'web' from organisations returning id`.execute(db);
    const day = (daysAgo: number, minutes: number) => new Date(Math.floor(Date.now() / DAY) * DAY - daysAgo * DAY + minutes * 60_000);
    // Two visits of one visitor on one day, the second across its midnight, and a bounce two days later.
    const old = [
      { session: 's1', consent: 'c1', at: day(3, 600), path: '/' },
      { session: 's1', consent: 'c1', at: day(3, 602), path: '/pris' },
      { session: 's2', consent: 'c1', at: day(2, -1), path: '/' },
      { session: 's2', consent: 'c1', at: day(2, 3), path: '/kontakt' },
      { session: 's3', consent: 'c2', at: day(1, 30), path: '/pris' },
    ];
    for (const event of old) {
      await sql`insert into events (site_id, occurred_at, consent_id, session_id, type, path, device) values (${site!.id}, ${event.at}, ${event.consent}, ${event.session}, 'pageview', ${event.path}, 'desktop')`.execute(db);
    }
    const before = await sql<{ id: number; session_id: string }>`select id, session_id from events order by id`.execute(db);

    await migrateToLatest(db);
    const after = await sql<{ id: number; session_id: string }>`select id, session_id from events order by id`.execute(db);
    expect(after.rows).toEqual(before.rows);
    expect(await eventPartitionDays(db)).toEqual(expect.arrayContaining([day(3, 0), day(2, 0), day(1, 0)].map((time) => time.toISOString().slice(0, 10))));
    const visits = await db.selectFrom('visits').select(['session_id', 'pageviews', 'entry_page', 'exit_page']).orderBy('session_id').execute();
    expect(visits).toEqual([
      { session_id: 's1', pageviews: 2, entry_page: '/', exit_page: '/pris' },
      { session_id: 's2', pageviews: 2, entry_page: '/', exit_page: '/kontakt' },
      { session_id: 's3', pageviews: 1, entry_page: '/pris', exit_page: '/pris' },
    ]);
    const totals = await sql<{ visits: number; bounces: number; duration_ms: number }>`
      select sum(visits)::int as visits, sum(bounces)::int as bounces, sum(duration_ms)::int as duration_ms from usage_daily where dimension = 'total'`.execute(db);
    expect(totals.rows[0]).toEqual({ visits: 3, bounces: 1, duration_ms: 6 * 60_000 });
    // One sketch per day a visit started on: s1 and s2 share theirs.
    expect(Number((await sql<{ n: number }>`select count(*) as n from usage_sketches where not stale`.execute(db)).rows[0]!.n)).toBe(2);

    await insertEvents(db, [{ site_id: site!.id, occurred_at: new Date(), consent_id: 'c3', session_id: 's4', type: 'pageview', path: '/', device: 'mobile' }]);
    const newest = await db.selectFrom('events').select('id').where('session_id', '=', 's4').executeTakeFirstOrThrow();
    expect(newest.id).toBeGreaterThan(Math.max(...before.rows.map((row) => row.id)));

    expect((await migrator.migrateTo(BEFORE)).error).toBeUndefined();
    const restored = await sql<{ id: number; session_id: string }>`select id, session_id from events order by id`.execute(db);
    expect(restored.rows).toEqual([...before.rows, { id: newest.id, session_id: 's4' }]);
    const { rows: kinds } = await sql<{ kind: string }>`select relkind::text as kind from pg_class where relname = 'events'`.execute(db);
    expect(kinds).toEqual([{ kind: 'r' }]);
  });
});
