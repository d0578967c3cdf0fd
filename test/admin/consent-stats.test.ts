import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { periodRange } from '../../server/admin/period.ts';
import { appendConsentRecords } from '../../server/queries/consent-records.ts';
import { consentShare, runConsentStats } from '../../server/queries/consent-stats.ts';
import { createTestContext, type TestContext } from '../helpers/app.ts';
import { engines } from '../helpers/database.ts';
import { record, seedActivity } from './fixtures.ts';
import { signedInStaff, type StaffClient } from './helpers.ts';

describe.each(engines)('consent analytics API on %s', (engine) => {
  let context: TestContext;
  let officer: StaffClient;
  beforeAll(async () => {
    context = await createTestContext(engine);
    await seedActivity(context.database.db, context.demo.sites[0]!.id);
    await seedActivity(context.database.db, context.demo.sites[2]!.id);
    officer = await signedInStaff(context, ['privacy_officer']);
  });
  afterAll(() => context.close());

  it('counts decisions, opt-ins per category and withdrawals by surface, source, action and policy version', async () => {
    const response = await officer.get('/api/admin/consent-stats?period=7d');
    expect(response.status).toBe(200);
    const stats = (await response.json()) as Record<string, Array<{ value: string; decisions: number; granted: Record<string, number>; withdrawals: number }>>;
    expect(stats.surface).toEqual([
      { value: 'app', decisions: 4, granted: { functional: 4, analytics: 2, ads: 1 }, withdrawals: 1 },
      { value: 'web', decisions: 4, granted: { functional: 4, analytics: 2, ads: 1 }, withdrawals: 1 },
    ]);
    expect(stats.source!.map((row) => [row.value, row.decisions])).toEqual([['banner', 4], ['preferences', 4]]);
    expect(stats.action!.map((row) => [row.value, row.decisions])).toEqual([['accept_all', 2], ['custom', 2], ['reject_all', 2], ['withdraw', 2]]);
    expect(stats.policyVersion!.map((row) => row.value)).toEqual(['app v1', 'min-bedrift v1']);
    expect(stats.day!.reduce((sum, row) => sum + row.decisions, 0)).toBe(8);
    // The range the figures cover comes with them: seven whole UTC days ending with today.
    const { from, to } = (stats as unknown as { range: { from: string; to: string } }).range;
    expect(Date.parse(to) - Date.parse(from)).toBe(7 * 86_400_000);
    expect(Date.parse(to) % 86_400_000).toBe(0);
    expect(Date.parse(to)).toBeGreaterThan(Date.now());
    const oneSite = (await (await officer.get(`/api/admin/consent-stats?period=7d&site=${context.demo.sites[2]!.id}`)).json()) as typeof stats;
    expect(oneSite.site).toEqual([{ value: 'app', decisions: 4, granted: { functional: 4, analytics: 2, ads: 1 }, withdrawals: 1 }]);
  });

  it("gives the overview the period's decisions and analytics grants, today's counted as they come", async () => {
    const { db } = context.database;
    const site = context.demo.sites[0]!;
    const { range } = periodRange({ period: '30d' }, new Date());
    const [stats] = await runConsentStats(db, { siteIds: [site.id], range, dimension: 'site' });
    const before = await consentShare(db, site.id, range);
    expect(before).toEqual({ decisions: stats!.decisions, analyticsGranted: stats!.granted.analytics });
    expect(before.decisions).toBeGreaterThan(0);
    await appendConsentRecords(db, site.id, [record('share-test-consent-id-0001', { analytics: true, ads: false }, {})]);
    expect(await consentShare(db, site.id, range)).toEqual({ decisions: before.decisions + 1, analyticsGranted: before.analyticsGranted + 1 });
  });
});
