/**
 * The goals and funnels page in real Chromium against a real server: goals defined in the page (a path, a
 * pattern), a funnel of them saved, its visitors per step shown as the API counts them, the overview's goals panel,
 * and axe-core on the page with data.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { NewEvent } from '../../server/db/schema.ts';
import { insertEvents } from '../../server/queries/events.ts';
import { startTestServer, type TestContext } from '../helpers/app.ts';
import { axeViolations } from '../helpers/axe.ts';
import { browserAvailable } from '../helpers/browser.ts';
import { dashboardSessions, type DashboardSessions } from '../helpers/dashboard.ts';
import { pageEngines } from '../helpers/database.ts';

const MINUTE = 60_000;

describe.skipIf(!browserAvailable).each(pageEngines)('the goals and funnels page in Chromium (%s)', (engine) => {
  let server: TestContext & { url: string };
  let sessions: DashboardSessions;

  beforeAll(async () => {
    server = await startTestServer(engine);
    sessions = dashboardSessions(server, 'funnels.test');
    const siteId = server.demo.sites[0]!.id;
    const start = Date.now() - 3_600_000;
    const view = (visitor: number, minute: number, path: string): NewEvent => ({
      site_id: siteId, occurred_at: new Date(start + visitor * 10 * MINUTE + minute * MINUTE), consent_id: `visitor-${visitor}`, session_id: `visit-${visitor}`,
      type: 'pageview', path, browser: 'Firefox', os: 'Linux', device: 'desktop',
    });
    // Three visitors see the prices, two of them an invoice afterwards, one an invoice before the prices.
    await insertEvents(server.database.db, [
      view(1, 0, '/pris'), view(1, 1, '/fakturaer/2026-11'),
      view(2, 0, '/pris'), view(2, 2, '/'), view(2, 3, '/fakturaer/2026-12'),
      view(3, 0, '/fakturaer/2026-10'), view(3, 1, '/pris'),
    ]);
  });
  afterAll(async () => {
    // Chromium logs the 401 of the session check before sign-in, and the refused goal's 400 the test wants.
    expect(sessions.pageErrors.filter((text) => !/status of 40[01]/.test(text))).toEqual([]);
    await sessions?.close();
    await server?.close();
  });

  async function addGoal(page: Page, name: string, path: string): Promise<void> {
    const form = page.getByRole('form', { name: 'Legg til mål' });
    await form.getByLabel('Navn', { exact: true }).fill(name);
    await form.getByLabel('Sti').fill(path);
    await form.getByRole('button', { name: 'Legg til mål' }).click();
    await page.getByRole('table', { name: 'Mål' }).getByRole('cell', { name, exact: true }).waitFor();
  }

  test('defines goals and a funnel, and shows its steps', async () => {
    const { page } = await sessions.signIn(['analyst']);
    await page.setViewportSize({ width: 1280, height: 900 });
    await page.getByRole('navigation', { name: 'main' }).getByRole('link', { name: 'Mål og trakter', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Mål og trakter' }).waitFor();
    await page.getByLabel('Nettsted').selectOption({ label: 'Min Bedrift (web)' });
    await addGoal(page, 'Priser', '/pris');
    await addGoal(page, 'Fakturaer', '/fakturaer/*');

    // A path without its leading slash is refused, with the reason beside the field.
    await addGoalRefused(page);

    const form = page.getByRole('form', { name: 'Ny trakt' });
    await form.getByLabel('Navn på trakten').fill('Fra pris til faktura');
    await form.getByLabel('Steg 1').selectOption({ label: 'Priser' });
    await form.getByLabel('Steg 2').selectOption({ label: 'Fakturaer' });
    await form.getByRole('button', { name: 'Lagre trakten' }).click();

    const figures = page.getByRole('table', { name: 'Fra pris til faktura' });
    await figures.waitFor();
    const rows = async () => (await figures.locator('tbody tr').all()).map((row) => row.locator('td').allTextContents());
    await expect.poll(async () => Promise.all(await rows())).toEqual([
      ['1', 'Priser', '3', '100 %', '100 %', '0'],
      ['2', 'Fakturaer', '2', '66,7 %', '66,7 %', '1'],
    ]);
    expect(await page.getByRole('link', { name: 'Last ned som CSV: Fra pris til faktura' }).getAttribute('href')).toContain('format=csv');

    const failures = await axeViolations(page);
    expect(failures, failures.join('\n')).toEqual([]);

    // The overview's goals panel counts the same goals.
    await page.getByRole('navigation', { name: 'main' }).getByRole('link', { name: 'Bruksanalyse', exact: true }).click();
    const panel = page.getByRole('table', { name: 'Mål' });
    await expect.poll(async () => panel.locator('tbody tr td').allTextContents()).toEqual(['Priser', '3', '3', '100 %', 'Fakturaer', '3', '3', '100 %']);
  });

  async function addGoalRefused(page: Page): Promise<void> {
    const form = page.getByRole('form', { name: 'Legg til mål' });
    await form.getByLabel('Navn', { exact: true }).fill('Uten skråstrek');
    await form.getByLabel('Sti').fill('pris');
    await form.getByRole('button', { name: 'Legg til mål' }).click();
    await form.getByRole('alert').waitFor();
    expect(await form.getByRole('alert').textContent()).toContain('/');
  }
});
