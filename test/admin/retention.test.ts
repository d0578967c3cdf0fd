import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { enforceRetention } from '../../server/jobs/retention.ts';
import { addSiteActivity } from '../../server/queries/site-activity.ts';
import { createTestContext, type TestContext } from '../helpers/app.ts';
import { engines } from '../helpers/database.ts';
import { seedActivity } from './fixtures.ts';

const DAY = 86_400_000;

describe.each(engines)('daily retention job on %s', (engine) => {
  let context: TestContext;
  beforeEach(async () => {
    context = await createTestContext(engine);
  });
  afterEach(() => context.close());

  it("deletes events and consent records past each organisation's retention, and audits it", async () => {
    const db = context.database.db;
    const siteId = context.demo.sites[0]!.id;
    await db.updateTable('organisations').set({ event_retention_days: 30, consent_retention_days: 800 }).execute();
    await seedActivity(db, siteId, new Date(Date.now() - 900 * DAY));
    await seedActivity(db, context.demo.sites[1]!.id, new Date(Date.now() - 40 * DAY));
    await seedActivity(db, context.demo.sites[2]!.id);

    const [result] = await enforceRetention(db, new Date());
    expect(result).toEqual({ organisationId: context.demo.organisationId, eventsDeleted: 12, consentRecordsDeleted: 4 });
    const left = await db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow();
    expect(Number(left.n)).toBe(6);
    const records = await db.selectFrom('consent_records').select('site_id').distinct().orderBy('site_id').execute();
    expect(records.map((row) => row.site_id)).toEqual([context.demo.sites[1]!.id, context.demo.sites[2]!.id]);
    const audit = await db.selectFrom('audit_log').select(['action', 'detail']).execute();
    expect(audit).toEqual([
      { action: 'retention.enforce', detail: { eventsDeleted: 12, consentRecordsDeleted: 4, eventRetentionDays: 30, consentRetentionDays: 800 } },
    ]);
    expect(await enforceRetention(db, new Date())).toEqual([{ organisationId: context.demo.organisationId, eventsDeleted: 0, consentRecordsDeleted: 0 }]);
  });

  it("forgets the installation check's old hours but keeps each site's newest of each kind", async () => {
    const db = context.database.db;
    const [first, second] = context.demo.sites;
    const daysAgo = (days: number) => new Date(Math.floor((Date.now() - days * DAY) / 3_600_000) * 3_600_000);
    const row = (siteId: number, kind: 'decision' | 'event' | 'refused', days: number) => ({ siteId, kind, origin: 'https://kunde.no', hour: daysAgo(days), count: 1, lastAt: daysAgo(days) });
    await addSiteActivity(db, [row(first!.id, 'decision', 60), row(first!.id, 'decision', 45), row(first!.id, 'refused', 50), row(second!.id, 'event', 70), row(second!.id, 'event', 1)]);
    await enforceRetention(db, new Date());
    const left = await db.selectFrom('site_origin_activity').select(['site_id', 'kind', 'hour']).orderBy('site_id').orderBy('kind').orderBy('hour').execute();
    expect(left).toEqual([
      { site_id: first!.id, kind: 'decision', hour: daysAgo(45) },
      { site_id: first!.id, kind: 'refused', hour: daysAgo(50) },
      { site_id: second!.id, kind: 'event', hour: daysAgo(1) },
    ]);
  });
});
