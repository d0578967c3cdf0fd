/** The dashboard in real Chromium: sign-in, the overview chart, inventory edits, CSV export, blocking a user. */
import { readFile } from 'node:fs/promises';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Role } from '../../server/domain/roles.ts';
import { insertEvents } from '../../server/queries/events.ts';
import { seedActivity } from '../admin/fixtures.ts';
import { TEST_PASSWORD } from '../admin/helpers.ts';
import { startTestServer, type TestContext } from '../helpers/app.ts';
import { browserAvailable } from '../helpers/browser.ts';
import { dashboardSessions, type DashboardSessions } from '../helpers/dashboard.ts';
import { pageEngines } from '../helpers/database.ts';

describe.skipIf(!browserAvailable).each(pageEngines)('dashboard in Chromium (%s)', (engine) => {
  let server: TestContext & { url: string };
  let sessions: DashboardSessions;

  beforeAll(async () => {
    server = await startTestServer(engine);
    sessions = dashboardSessions(server, 'browser.test');
    await seedActivity(server.database.db, server.demo.sites[0]!.id);
  });
  afterAll(async () => {
    // The blocked user's refused requests log 401s in the console, which is what that test wants.
    expect(sessions.pageErrors.filter((text) => !/status of 40[13]/.test(text))).toEqual([]);
    await sessions?.close();
    await server.close();
  });

  const signedIn = (roles: Role[]) => sessions.signIn(roles);

  test('signs in, shows the overview chart with the seeded visits, and filters the panels by a clicked page', async () => {
    const { page } = await signedIn(['analyst']);
    await page.getByRole('heading', { name: 'Bruksanalyse' }).waitFor();
    const visitors = page.locator('.kpi[data-metric="visitors"] .kpi-value');
    await expect.poll(() => visitors.textContent()).toBe('2');
    expect(await page.locator('.kpi[data-metric="visits"] .kpi-value').textContent()).toBe('3');
    // uPlot draws into a canvas, with a legend row per series.
    await page.locator('.chart canvas').waitFor();
    expect(await page.locator('.chart .u-legend').textContent()).toContain('Sidevisninger');
    expect(await page.locator('[data-panel="referrer"]').textContent()).toContain('google.com');
    expect(await page.locator('.note').first().textContent()).toContain('50 % av 4 valg');

    await page.locator('[data-panel="page"] tr', { hasText: '/pris' }).click();
    await page.getByRole('button', { name: /Populære sider: \/pris/ }).waitFor();
    await expect.poll(() => page.locator('.kpi[data-metric="visits"] .kpi-value').textContent()).toBe('2');
  });

  test('shows who is on the site right now, refreshed in place, and downloads a panel as CSV', async () => {
    const { page } = await signedIn(['analyst']);
    const live = page.locator('[data-realtime-visitors]');
    await expect.poll(() => live.textContent()).toMatch(/^\d+$/);
    const before = Number(await live.textContent());
    const siteId = server.demo.sites[0]!.id;
    await insertEvents(server.database.db, [
      { site_id: siteId, occurred_at: new Date(), consent_id: 'live-browser-0001', session_id: 'live-browser', type: 'pageview', path: '/fakturaer/2026-11', device: 'desktop' },
    ]);
    // What a tab does when it comes back into view; the 15 s poll does the same while it stays in view.
    await page.evaluate(() => document.dispatchEvent(new Event('visibilitychange')));
    await expect.poll(() => live.textContent()).toBe(String(before + 1));
    expect(await page.locator('[data-panel="realtime"]').textContent()).toContain('/fakturaer/2026-11');

    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Last ned som CSV: Populære sider' }).click()]);
    const bytes = await readFile((await download.path())!);
    const [header, ...rows] = bytes.subarray(3).toString('utf8').trim().split('\n');
    expect(header).toBe('page,visitors,visits,pageviews,events');
    expect(rows.map((row) => row.split(',')[0])).toEqual(expect.arrayContaining(['/', '/pris', '/kontakt']));
  });

  test('edits an inventory item and the public declaration shows the change', async () => {
    const { page } = await signedIn(['admin']);
    await page.getByRole('link', { name: 'Informasjonskapsler' }).click();
    const firstEdit = page.getByRole('button', { name: /^Endre / }).first();
    await firstEdit.waitFor();
    const itemName = (await firstEdit.getAttribute('aria-label'))!.replace(/^Endre /, '');
    await firstEdit.click();
    const form = page.getByRole('form', { name: 'Endre' });
    await form.getByLabel('Leverandør').fill('Redigert Leverandør AS');
    await form.getByLabel('Formål (nb)').fill('Et nytt formål med æøå');
    await form.getByRole('button', { name: 'Lagre' }).click();
    await form.waitFor({ state: 'detached' });
    await expect.poll(() => page.locator('table', { hasText: itemName }).textContent()).toContain('Redigert Leverandør AS');

    const declaration = await page.context().newPage();
    await declaration.goto(`${server.url}/sites/${server.demo.sites[0]!.key}/cookies?lang=nb`);
    const text = await declaration.locator('body').textContent();
    expect(text).toContain('Redigert Leverandør AS');
    expect(text).toContain('Et nytt formål med æøå');
  });

  test('exports consent records as CSV whose rows match the database', async () => {
    const { page } = await signedIn(['privacy_officer']);
    await page.getByRole('link', { name: 'Samtykkelogg' }).click();
    await page.locator('table').waitFor();
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByRole('link', { name: 'Eksporter CSV' }).click()]);
    const bytes = await readFile((await download.path())!);
    expect([...bytes.subarray(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const [header, ...lines] = bytes.subarray(3).toString('utf8').trim().split('\n');
    const columns = header!.split(',');
    expect(columns).toEqual(expect.arrayContaining(['id', 'consent_id', 'action', 'hash']));
    const stored = await server.database.db.selectFrom('consent_records').select(['id', 'consent_id', 'action', 'hash']).orderBy('id').execute();
    const cell = (cells: string[], name: string) => cells[columns.indexOf(name)];
    expect(lines.map((line) => line.split(',')).map((cells) => [Number(cell(cells, 'id')), cell(cells, 'consent_id'), cell(cells, 'action'), cell(cells, 'hash')])).toEqual(
      stored.map((row) => [row.id, row.consent_id, row.action, row.hash]),
    );
  });

  test('blocking a user ends their open session on their next request', async () => {
    const analyst = await signedIn(['analyst']);
    await analyst.page.locator('.kpi').first().waitFor();
    const admin = await signedIn(['admin']);
    await admin.page.getByRole('link', { name: 'Brukere' }).click();
    await admin.page.getByRole('button', { name: `Sperr ${analyst.email}` }).click();
    await admin.page.locator('tr', { hasText: analyst.email }).getByText('Sperret').waitFor();

    await analyst.page.getByLabel('Periode').selectOption('7d');
    await analyst.page.getByText('Økten er avsluttet. Logg inn igjen.').waitFor();
    await analyst.page.getByLabel('E-post').fill(analyst.email);
    await analyst.page.getByLabel('Passord').fill(TEST_PASSWORD);
    await analyst.page.getByRole('button', { name: 'Logg inn' }).click();
    await analyst.page.getByText('Kontoen er sperret', { exact: false }).waitFor();
  });
});
