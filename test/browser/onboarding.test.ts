/**
 * A new customer's first hour, in real Chromium against the real server process on a fresh PGlite folder: the
 * printed setup link, the first site, the tag copied from the install page onto the customer's own page at a
 * second origin, a decision recorded and seen in the dashboard, then the origin removed and the refusal counted.
 */
import { mkdtemp, rm } from 'node:fs/promises';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { RecordRow } from '../../dashboard/api.ts';
import { browserAvailable, launchBrowser } from '../helpers/browser.ts';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts';
import { EVENTUALLY, NOTICE, PREFERENCES, decide, isRequestTo } from '../widget/fixtures.ts';

const PASSWORD = 'et langt nok passord';
const SITE_KEY = 'kunde-web';
const SITE_NAME = 'Kunde AS nettsted';

/** The customer's own web server: one page, into whose head the test pastes the tag it copied. */
async function startCustomerSite(): Promise<{ url: string; paste(tag: string): void; close(): Promise<void> }> {
  let tag = '';
  const server: Server = createServer((_request, response) => {
    response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' });
    response.end(`<!doctype html><html lang="nb"><head><title>Kunde AS</title>${tag}</head><body><main><h1>Kunde AS</h1></main></body></html>`);
  });
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  return {
    url: `http://127.0.0.1:${port}`,
    paste: (copied) => (tag = copied),
    close: () => new Promise((resolve) => server.close(() => resolve())),
  };
}

/** Console errors and uncaught exceptions of a page. */
function collectErrors(page: Page): string[] {
  const errors: string[] = [];
  page.on('console', (message) => {
    if (message.type() === 'error') errors.push(message.text());
  });
  page.on('pageerror', (error) => errors.push(error.message));
  return errors;
}

describe.skipIf(!browserAvailable)('a new customer sets up Samtykke in Chromium (real server process, PGlite)', () => {
  let dataRoot: string;
  let server: ServerProcess;
  let customer: Awaited<ReturnType<typeof startCustomerSite>>;
  let browser: Awaited<ReturnType<typeof launchBrowser>>;

  beforeAll(async () => {
    dataRoot = await mkdtemp(path.join(tmpdir(), 'samtykke-onboarding-'));
    [server, customer, browser] = await Promise.all([
      startServerProcess({ SAMTYKKE_DEMO: 'false', SAMTYKKE_DATA_DIR: path.join(dataRoot, 'pglite') }),
      startCustomerSite(),
      launchBrowser(),
    ]);
    await browser.context.grantPermissions(['clipboard-read', 'clipboard-write'], { origin: server.url });
  });
  afterAll(async () => {
    await browser?.close();
    await customer?.close();
    expect(await server?.stop()).toBe(0);
    await rm(dataRoot, { recursive: true, force: true });
  });

  test('from the setup link to recorded consent, and a removed origin shows as refused', async () => {
    const [setupLink] = await server.waitForOutput(/http:\S+\/dashboard\/setup#\S+/);
    const dashboard = await browser.context.newPage();
    const dashboardErrors = collectErrors(dashboard);

    // 1. The organisation and its first admin, who is signed in and lands on the Sites page.
    await dashboard.goto(setupLink);
    await dashboard.getByLabel('Organisasjon').fill('Kunde AS');
    await dashboard.getByLabel('Ditt navn').fill('Kari Kunde');
    await dashboard.getByLabel('E-post').fill('kari@kunde.test');
    await dashboard.getByLabel('Passord', { exact: true }).fill(PASSWORD);
    await dashboard.getByLabel('Gjenta passordet').fill(`${PASSWORD} med skrivefeil`);
    await dashboard.getByRole('button', { name: 'Opprett organisasjonen' }).click();
    await dashboard.getByText('Passordene er ikke like.').waitFor();
    await dashboard.getByLabel('Gjenta passordet').fill(PASSWORD);
    await dashboard.getByRole('button', { name: 'Opprett organisasjonen' }).click();
    await dashboard.getByRole('heading', { name: 'Nettsteder' }).waitFor();
    await dashboard.getByText('Ingen nettsteder ennå').waitFor();
    expect(dashboard.url()).toBe(`${server.url}/dashboard/sites`);

    // 2. A web site whose allowed origin is the customer's server; a mistyped origin is named beside its field.
    const newSite = dashboard.getByRole('form', { name: 'Nytt nettsted' });
    await newSite.getByLabel('Nøkkel').fill(SITE_KEY);
    await newSite.getByLabel('Navn').fill(SITE_NAME);
    const origins = newSite.getByLabel('Tillatte opprinnelser');
    await origins.fill(`https://www.kunde.test\n\n${customer.url.replace('http://', '')}\n`);
    await newSite.getByRole('button', { name: 'Opprett nettstedet' }).click();
    await newSite.locator('.field-error', { hasText: 'mangler protokoll' }).waitFor();
    expect(await origins.getAttribute('aria-invalid')).toBe('true');
    await origins.fill(`${customer.url}\n`);
    await newSite.getByRole('button', { name: 'Opprett nettstedet' }).click();

    // The install page of the new site opens; nothing has arrived yet.
    await dashboard.getByRole('heading', { name: 'Installasjon', level: 1 }).waitFor();
    await dashboard.locator('.check[data-status="waiting"]').waitFor();
    expect(await dashboard.locator('.warning').count()).toBe(0);
    const tagCard = dashboard.locator('[data-snippet="tag"]');
    await tagCard.getByRole('button', { name: 'Kopier Skript-taggen' }).click();
    await tagCard.getByRole('status').filter({ hasText: 'Kopiert' }).waitFor();
    const copied = await dashboard.evaluate(() => navigator.clipboard.readText());
    expect(copied).toBe(await tagCard.locator('pre code').textContent());
    expect(copied).toBe(`<script src="${server.url}/sites/${SITE_KEY}/widget.js" async></script>`);

    // 3. The customer's page with the pasted tag: the banner, and a decision the collector stores.
    customer.paste(copied);
    const portal = await browser.context.newPage();
    const portalErrors = collectErrors(portal);
    await portal.goto(customer.url);
    await portal.locator(NOTICE).waitFor();
    await decide(portal, 'Godta alle');
    const consentId = await portal.evaluate(() => window.Samtykke!.consentId);
    expect(portalErrors).toEqual([]);

    // 4. The decision in the consent log, through the dashboard and its API, and the check turns green.
    await dashboard.getByRole('link', { name: 'Samtykkelogg' }).click();
    await dashboard.locator('table', { hasText: consentId }).waitFor();
    const records = await dashboard.evaluate(() => fetch('/api/admin/records').then((response) => response.json() as Promise<RecordRow[]>));
    expect(records).toEqual([expect.objectContaining({ consentId, siteKey: SITE_KEY, action: 'accept_all', source: 'banner', analytics: true, ads: true })]);
    await dashboard.getByRole('link', { name: 'Installasjon' }).click();
    await dashboard.locator('.check[data-status="working"]').waitFor();
    expect(await dashboard.locator('[data-sighting="decision"]').textContent()).toContain(`fra ${customer.url}`);

    // 5. Without its origin the customer's next decision is refused, and the install page counts it.
    await dashboard.getByRole('link', { name: 'Nettsteder' }).click();
    await dashboard.getByRole('button', { name: `Endre ${SITE_NAME}` }).click();
    const edit = dashboard.getByRole('form', { name: `Endre ${SITE_NAME}` });
    await edit.getByLabel('Tillatte opprinnelser').fill('');
    await edit.getByRole('button', { name: 'Lagre' }).click();
    await edit.waitFor({ state: 'detached' });
    await dashboard.locator('tr', { hasText: SITE_KEY }).getByText('ingen').waitFor();

    await portal.reload();
    await portal.waitForFunction(() => window.Samtykke !== undefined);
    await portal.evaluate(() => window.Samtykke!.open());
    // The refusal names its origin in the CORS header, so the page (and its developer's console) reads the 403.
    const refused = portal.waitForResponse((response) => isRequestTo('/api/consent')(response.url()) && response.status() === 403);
    await portal.locator(PREFERENCES).getByRole('button', { name: 'Avvis alle', exact: true }).click();
    expect(await (await refused).json()).toMatchObject({ error: { code: 'origin_not_allowed' } });

    await dashboard.locator('tr', { hasText: SITE_KEY }).getByRole('link', { name: `Installer ${SITE_NAME}` }).click();
    await dashboard.locator('.check[data-status="refused"]').waitFor(EVENTUALLY);
    const row = dashboard.locator('.check tr', { hasText: customer.url });
    expect(Number(await row.locator('td.numeric').textContent())).toBeGreaterThanOrEqual(1);

    // One click allows the origin again: it leaves the refused list, and the check no longer warns.
    await row.getByRole('button', { name: `Legg til ${customer.url}` }).click();
    await dashboard.locator('.check[data-status="working"]').waitFor();
    await row.waitFor({ state: 'detached' });

    // The one 400 is the mistyped origin refused in step 2.
    expect(dashboardErrors.filter((text) => !/status of 400 \(Bad Request\)/.test(text))).toEqual([]);
    // After step 5 Chromium reports the refusals: the decision's and the pageview beacon's 403s.
    expect(portalErrors.filter((text) => !/status of 403 \(Forbidden\)/.test(text))).toEqual([]);
  });
});
