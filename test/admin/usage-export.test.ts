/** The analyst's exports (every panel and the chart as CSV) and the realtime panel, against known events. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { NewEvent } from '../../server/db/schema.ts';
import { insertEvents } from '../../server/queries/events.ts';
import { createTestContext, type TestContext } from '../helpers/app.ts';
import { engines } from '../helpers/database.ts';
import { seedActivity } from './fixtures.ts';
import { signedInStaff, type StaffClient } from './helpers.ts';

/** UTF-8's byte-order mark, which spreadsheet programs need to read æøå right. */
const BOM = [0xef, 0xbb, 0xbf];

/** Lines of a CSV after its byte-order mark, each split on commas (these fixtures quote nothing). */
function csvLines(bytes: Uint8Array): string[][] {
  expect([...bytes.subarray(0, 3)]).toEqual(BOM);
  // TextDecoder drops the mark.
  return new TextDecoder().decode(bytes).trimEnd().split('\n').map((line) => line.split(','));
}

describe.each(engines)('usage exports and realtime on %s', (engine) => {
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

  async function download(path: string): Promise<{ response: Response; lines: string[][] }> {
    const response = await analyst.get(`/api/admin/sites/${siteId}${path}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    return { response, lines: csvLines(new Uint8Array(await response.arrayBuffer())) };
  }

  it('exports every row of a panel, not only the page shown, with the filters applied', async () => {
    const { response, lines } = await download('/usage/breakdown?period=30d&dimension=page&limit=1&format=csv');
    expect(response.headers.get('content-disposition')).toMatch(/^attachment; filename="usage-min-bedrift-page-\d{4}-\d\d-\d\d-\d{4}-\d\d-\d\d\.csv"$/);
    expect(lines).toEqual([
      ['page', 'visitors', 'visits', 'pageviews', 'events'],
      ['/', '1', '2', '2', '0'],
      // A page's row counts its pageviews; custom events are counted per name, in the event panel.
      ['/pris', '2', '2', '2', '0'],
      ['/kontakt', '1', '1', '1', '0'],
    ]);
    const filtered = await download('/usage/breakdown?period=30d&dimension=referrer&f.page=%2Fpris&format=csv');
    // Direct traffic (no referrer) is an empty cell.
    expect(filtered.lines).toEqual([
      ['referrer', 'visitors', 'visits', 'pageviews', 'events'],
      ['google.com', '1', '1', '1', '1'],
      ['', '1', '1', '1', '0'],
    ]);
  });

  it('exports the chart per day with the same totals as the overview', async () => {
    const { lines } = await download('/usage/timeseries?period=7d&format=csv');
    expect(lines[0]).toEqual(['day', 'visitors', 'visits', 'pageviews', 'events']);
    const rows = lines.slice(1);
    expect(rows.every(([bucket]) => /^\d{4}-\d\d-\d\dT00:00:00Z$/.test(bucket!))).toBe(true);
    const sum = (column: number) => rows.reduce((total, row) => total + Number(row[column]), 0);
    expect([sum(2), sum(3), sum(4)]).toEqual([3, 5, 1]);
    const json = await analyst.get(`/api/admin/sites/${siteId}/usage/timeseries?period=7d`);
    expect(((await json.json()) as unknown[]).length).toBe(rows.length);
  });

  it('exports a consent-analytics breakdown with the opt-in rate of each category', async () => {
    const officer = await signedInStaff(context, ['privacy_officer']);
    const response = await officer.get(`/api/admin/consent-stats?period=7d&site=${siteId}&dimension=action&format=csv`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-disposition')).toContain(`consent-site-${siteId}-action-`);
    const lines = csvLines(new Uint8Array(await response.arrayBuffer()));
    expect(lines[0]).toEqual([
      'action', 'decisions', 'functional_granted', 'functional_opt_in_percent', 'analytics_granted', 'analytics_opt_in_percent', 'ads_granted', 'ads_opt_in_percent', 'withdrawals',
    ]);
    // The fixture's four decisions: accept all, analytics only, reject all, and a withdrawal.
    expect(lines.slice(1).sort()).toEqual([
      ['accept_all', '1', '1', '100', '1', '100', '1', '100', '0'],
      ['custom', '1', '1', '100', '1', '100', '0', '0', '0'],
      ['reject_all', '1', '1', '100', '0', '0', '0', '0', '0'],
      ['withdraw', '1', '1', '100', '0', '0', '0', '0', '1'],
    ]);
    const withoutDimension = await officer.get(`/api/admin/consent-stats?format=csv`);
    expect(withoutDimension.status).toBe(400);
    expect(((await withoutDimension.json()) as { error: { field: string } }).error.field).toBe('dimension');
  });

  it('refuses an unknown format with 400 naming it', async () => {
    const response = await analyst.get(`/api/admin/sites/${siteId}/usage/breakdown?dimension=page&format=xlsx`);
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { field: string } }).error.field).toBe('format');
  });

  it('shows the visitors of the last five minutes on the page each is on now', async () => {
    const before = (await (await analyst.get(`/api/admin/sites/${siteId}/usage/realtime`)).json()) as { visitors: number };
    const now = Date.now();
    const event = (consentId: string, session: string, secondsAgo: number, fields: Partial<NewEvent> = {}): NewEvent => ({
      site_id: siteId,
      occurred_at: new Date(now - secondsAgo * 1000),
      consent_id: consentId,
      session_id: session,
      type: 'pageview',
      path: '/',
      device: 'desktop',
      ...fields,
    });
    await insertEvents(context.database.db, [
      // Moved on from / to /fakturaer: counted on /fakturaer only.
      event('live-visitor-0001', 'live-a', 200),
      event('live-visitor-0001', 'live-a', 30, { path: '/fakturaer' }),
      event('live-visitor-0002', 'live-b', 60, { path: '/fakturaer' }),
      event('live-visitor-0003', 'live-c', 90, { path: '/pris' }),
      // A custom event alone: live, but on no page.
      event('live-visitor-0004', 'live-d', 10, { type: 'custom', name: 'signup', path: '/pris' }),
      // Six minutes ago: gone.
      event('live-visitor-0005', 'live-e', 360, { path: '/kontakt' }),
    ]);
    const response = await analyst.get(`/api/admin/sites/${siteId}/usage/realtime`);
    expect(response.status).toBe(200);
    const live = (await response.json()) as { visitors: number; pages: { path: string; visitors: number }[] };
    expect(live.visitors - before.visitors).toBe(4);
    expect(live.pages.filter((page) => page.path !== '/' || page.visitors > 0)).toEqual(
      expect.arrayContaining([
        { path: '/fakturaer', visitors: 2 },
        { path: '/pris', visitors: 1 },
      ]),
    );
    expect(live.pages.find((page) => page.path === '/kontakt')).toBeUndefined();
    const { lines } = await download('/usage/realtime?format=csv');
    expect(lines[0]).toEqual(['page', 'visitors']);
    expect(lines[1]).toEqual(['/fakturaer', '2']);
  });
});
