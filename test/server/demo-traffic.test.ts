/**
 * The demo's made-up traffic: thirty days that the dashboard's figures, goals and funnel read like real ones, kept to
 * the same rules as real traffic (events only under analytics, campaigns only under ads, an intact evidence chain).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { seedDemo, type DemoOrganisation } from '../../server/demo/seed.ts';
import { seedDemoTraffic } from '../../server/demo/traffic.ts';
import { verifySiteChain } from '../../server/queries/consent-records.ts';
import { createBareTestContext, TEST_ORIGIN, type BareTestContext, type TestContext } from '../helpers/app.ts';
import { engines } from '../helpers/database.ts';
import { signedInStaff, type StaffClient } from '../admin/helpers.ts';

describe.each(engines)('the demo traffic on %s', (engine) => {
  let context: BareTestContext;
  let demo: DemoOrganisation;
  let analyst: StaffClient;
  let seeded: { decisions: number; events: number };
  const portal = () => demo.sites.find((site) => site.key === 'min-bedrift')!;

  beforeAll(async () => {
    context = await createBareTestContext(engine);
    demo = await seedDemo(context.database.db, TEST_ORIGIN);
    seeded = await seedDemoTraffic(context.database.db, demo);
    analyst = await signedInStaff({ ...context, demo } as TestContext, ['analyst']);
  });
  afterAll(() => context?.close());

  it('fills thirty days of every site with visitors, and chains their decisions intact', async () => {
    expect(seeded.decisions).toBeGreaterThan(1_000);
    expect(seeded.events).toBeGreaterThan(seeded.decisions);
    for (const site of demo.sites) {
      const overview = await analyst.get(`/api/admin/sites/${site.id}/usage/overview?period=30d`);
      const { totals, timeseries } = (await overview.json()) as { totals: { current: { visitors: number; pageviews: number } }; timeseries: Array<{ metrics: { visitors: number } }> };
      expect(totals.current.visitors, site.key).toBeGreaterThan(100);
      expect(totals.current.pageviews, site.key).toBeGreaterThan(totals.current.visitors);
      // Every day of the period has visitors, weekends fewer.
      expect(timeseries.filter((point) => point.metrics.visitors > 0).length, site.key).toBeGreaterThanOrEqual(29);
      const chain = await verifySiteChain(context.database.db, site.id);
      expect(chain, site.key).toMatchObject({ checked: expect.any(Number), problem: null });
      expect(chain.checked, site.key).toBeGreaterThan(100);
    }
  });

  it('keeps to the rules real traffic keeps: events only under analytics, campaigns and ad clicks only under ads', async () => {
    const { db } = context.database;
    const decisions = new Map((await db.selectFrom('consent_records').select(['consent_id', 'analytics', 'ads']).execute()).map((row) => [row.consent_id, row]));
    const events = await db.selectFrom('events').select(['consent_id', 'utm_campaign', 'ad_click']).execute();
    expect(events.every((event) => decisions.get(event.consent_id)?.analytics === true)).toBe(true);
    const attributed = events.filter((event) => event.utm_campaign !== null || event.ad_click !== null);
    expect(attributed.length).toBeGreaterThan(0);
    expect(attributed.every((event) => decisions.get(event.consent_id)?.ads === true)).toBe(true);
  });

  it('gives the company portal goals with conversions, and a funnel that narrows step by step', async () => {
    const conversions = (await (await analyst.get(`/api/admin/sites/${portal().id}/goals/conversions?period=30d`)).json()) as {
      goals: Array<{ name: string }>;
      groups: Array<{ goals: Array<{ visitors: number }> }>;
    };
    expect(conversions.goals.map((goal) => goal.name)).toContain('Bestilte tilleggstjeneste');
    expect(conversions.groups[0]!.goals.every((goal) => goal.visitors > 0)).toBe(true);
    const [funnel] = (await (await analyst.get(`/api/admin/sites/${portal().id}/funnels`)).json()) as Array<{ id: number }>;
    const report = (await (await analyst.get(`/api/admin/sites/${portal().id}/funnels/${funnel!.id}/figures?period=30d`)).json()) as { steps: Array<{ visitors: number }> };
    const visitors = report.steps.map((step) => step.visitors);
    expect(visitors).toHaveLength(4);
    expect(visitors.at(-1)).toBeGreaterThan(0);
    for (let step = 1; step < visitors.length; step++) expect(visitors[step]).toBeLessThanOrEqual(visitors[step - 1]!);
  });
});
