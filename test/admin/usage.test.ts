import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.ts';
import { engines } from '../helpers/database.ts';
import { seedActivity } from './fixtures.ts';
import { signedInStaff, type StaffClient } from './helpers.ts';

interface Row {
  value: string | null;
  metrics: Record<string, number | null>;
}

describe.each(engines)('usage analytics API on %s', (engine) => {
  let context: TestContext;
  let analyst: StaffClient;
  let siteId: number;
  beforeAll(async () => {
    context = await createTestContext(engine);
    siteId = context.demo.sites[0]!.id;
    await seedActivity(context.database.db, siteId);
    analyst = await signedInStaff(context, ['analyst']);
  });
  afterAll(() => context.close());

  async function overview(query = '') {
    const response = await analyst.get(`/api/admin/sites/${siteId}/usage/overview?period=7d${query}`);
    expect(response.status).toBe(200);
    return (await response.json()) as {
      totals: { current: Record<string, number>; previous: Record<string, number> };
      timeseries: Row[];
      panels: Record<string, Row[]>;
      consent: { decisions: number; analyticsGranted: number };
    };
  }

  it('reports the totals, the chart and every panel for the period', async () => {
    const result = await overview();
    expect(result.totals.current).toEqual({ visitors: 2, visits: 3, pageviews: 5, viewsPerVisit: 1.67, bounceRate: 33.3, visitDuration: 140, events: 1 });
    expect(result.totals.previous.visits).toBe(0);
    expect(result.timeseries.reduce((sum, point) => sum + (point.metrics.pageviews ?? 0), 0)).toBe(5);
    expect(result.panels.page!.map((row) => [row.value, row.metrics.pageviews])).toEqual([['/', 2], ['/pris', 2], ['/kontakt', 1]]);
    expect(result.panels.entryPage!.map((row) => [row.value, row.metrics.visits])).toEqual([['/', 2], ['/pris', 1]]);
    expect(result.panels.exitPage!.map((row) => [row.value, row.metrics.visits])).toEqual([['/pris', 2], ['/kontakt', 1]]);
    expect(result.panels.referrer!.map((row) => [row.value, row.metrics.visits])).toEqual([[null, 2], ['google.com', 1]]);
    expect(result.panels.adCampaign!.map((row) => [row.value, row.metrics.visits])).toEqual([['vinter', 1]]);
    expect(result.panels.device!.map((row) => [row.value, row.metrics.visits])).toEqual([['desktop', 2], ['mobile', 1]]);
    expect(result.panels.event!.map((row) => [row.value, row.metrics.events])).toEqual([['signup', 1]]);
    expect(result.consent).toEqual({ decisions: 4, analyticsGranted: 2 });
  });

  it('filters every panel by a clicked value: a page shows its referrers', async () => {
    const result = await overview('&f.page=%2Fpris');
    expect(result.totals.current.visits).toBe(2);
    expect(result.totals.current.pageviews).toBe(2);
    // Ties are ordered by value, direct traffic (no referrer) last.
    expect(result.panels.referrer!.map((row) => [row.value, row.metrics.visits])).toEqual([['google.com', 1], [null, 1]]);
    const byReferrer = await overview('&f.referrer=google.com');
    expect(byReferrer.panels.page!.map((row) => row.value).sort()).toEqual(['/', '/pris']);
  });

  it('breaks custom events down by a property', async () => {
    const response = await analyst.get(`/api/admin/sites/${siteId}/usage/breakdown?period=30d&dimension=prop:plan&f.event=signup`);
    expect(response.status).toBe(200);
    const page = (await response.json()) as { rows: Row[]; hasMore: boolean };
    expect(page.rows.map((row) => [row.value, row.metrics.events])).toEqual([['pro', 1]]);
    expect(page.hasMore).toBe(false);
  });

  it('sorts a breakdown on any column over the whole result, one page at a time', async () => {
    const get = async (query: string) => {
      const response = await analyst.get(`/api/admin/sites/${siteId}/usage/breakdown?period=30d&${query}`);
      expect(response.status).toBe(200);
      return (await response.json()) as { rows: Row[]; hasMore: boolean };
    };
    const byPageviews = await get('dimension=page');
    expect(byPageviews.rows.map((row) => [row.value, row.metrics.pageviews, row.metrics.visitors])).toEqual([['/', 2, 1], ['/pris', 2, 2], ['/kontakt', 1, 1]]);
    const first = await get('dimension=page&sort=value&order=asc&limit=2');
    expect(first).toEqual({ rows: [expect.objectContaining({ value: '/' }), expect.objectContaining({ value: '/kontakt' })], hasMore: true });
    const rest = await get('dimension=page&sort=value&order=asc&limit=2&offset=2');
    expect(rest).toEqual({ rows: [expect.objectContaining({ value: '/pris' })], hasMore: false });
    const bad = await analyst.get(`/api/admin/sites/${siteId}/usage/breakdown?period=30d&dimension=page&sort=bounce`);
    expect(bad.status).toBe(400);
    expect(await bad.text()).toContain('sort');
  });

  it('refuses bad periods, unknown filters and dimensions with 400 naming the field', async () => {
    for (const [query, field] of [
      ['period=custom&from=2026-01-05', 'to'],
      ['period=year', 'period'],
      ['f.colour=red', 'f.colour'],
    ] as const) {
      const response = await analyst.get(`/api/admin/sites/${siteId}/usage/overview?${query}`);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { field: string } }).error.field).toBe(field);
    }
    const badDimension = await analyst.get(`/api/admin/sites/${siteId}/usage/breakdown?dimension=prop:bad key`);
    expect(badDimension.status).toBe(400);
  });
});
