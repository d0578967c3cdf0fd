/**
 * A dashboard everyone can use and read at a glance, in real Chromium on the demo data: axe-core on every page, the
 * rows that filter or open something worked by keyboard, readable panel values, panels sorted on the server over
 * the whole result and extended, the consent chart over the whole period, and no table clipped at 1280 px.
 */
import type { Locator, Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { scanCounts, type ScanResult } from '../../server/domain/scan-findings.ts';
import { insertEvents } from '../../server/queries/events.ts';
import { addReportRecipient } from '../../server/queries/reports.ts';
import { claimNextScan, finishScan, queueScan } from '../../server/queries/scans.ts';
import { CONSENT_IDS, seedActivity } from '../admin/fixtures.ts';
import { startTestServer, type TestContext } from '../helpers/app.ts';
import { axeViolations } from '../helpers/axe.ts';
import { browserAvailable } from '../helpers/browser.ts';
import { dashboardSessions, type DashboardSessions } from '../helpers/dashboard.ts';
import { pageEngines } from '../helpers/database.ts';

const DAY_MS = 86_400_000;
/** One visit from an iPad in desktop mode through more pages than a panel shows at first. */
const EXTRA_PAGES = Array.from({ length: 12 }, (_, index) => `/side-${String(index + 1).padStart(2, '0')}`);
/** Every page the seeded visits viewed, with its pageviews. */
const PAGEVIEWS: Record<string, number> = { '/': 2, '/pris': 2, '/kontakt': 1, ...Object.fromEntries(EXTRA_PAGES.map((path) => [path, 1])) };

/** A finished scan with each thing the Scans page draws: a suggestion, a new finding, a resolved one, a skipped page. */
const SCAN_PAGE = 'https://www.kunde.test/';
const GA = { kind: 'cookie', name: '_ga', domain: 'kunde.test', pages: [SCAN_PAGE] } as const;
const SCAN_RESULT: ScanResult = {
  pages: [
    {
      url: SCAN_PAGE,
      finalUrl: SCAN_PAGE,
      status: 200,
      banner: true,
      visits: [
        { visit: 'before_choice', cookies: ['_ga'], storage: [], requests: ['pixel ads.example'] },
        { visit: 'after_reject', cookies: [], storage: ['localStorage consent'], requests: [] },
      ],
    },
  ],
  skipped: [{ url: `${SCAN_PAGE}treg`, reason: 'error', message: 'The page never finished loading' }],
  externalLinks: 2,
  findings: [
    { ...GA, key: 'violation:before_choice:cookie:_ga@kunde.test', type: 'violation', visit: 'before_choice', category: 'analytics', itemId: null, causes: ['script https://www.googletagmanager.com/gtag/js:12'] },
    {
      ...GA,
      key: 'undeclared:cookie:_ga@kunde.test',
      type: 'undeclared',
      party: 'first',
      seenIn: ['before_choice'],
      suggestion: { name: '_ga', platform: 'Google Analytics', category: 'analytics', databaseCategory: 'Analytics', provider: 'Google', purpose: 'Distinguishes users.', retention: '2 years', privacyLink: 'https://policies.google.com/privacy', prefix: false },
      proposed: {
        kind: 'cookie',
        name: '_ga',
        namePattern: false,
        provider: 'Google',
        party: 'first',
        domain: null,
        category: 'analytics',
        purpose: { nb: 'Skiller brukere.', en: 'Distinguishes users.' },
        retention: { nb: '2 år', en: '2 years' },
        blocking: { nb: 'Brukes bare med samtykke.', en: 'Used only with consent.' },
      },
    },
    { type: 'expiry_mismatch', key: 'expiry_mismatch:2:samtykke', kind: 'cookie', name: 'samtykke', domain: null, pages: [SCAN_PAGE], itemId: 2, declared: '12 months', declaredSeconds: 31_557_600, observedSeconds: 94_672_800 },
  ],
  added: ['undeclared:cookie:_ga@kunde.test'],
  resolved: [{ type: 'declared_not_seen', key: 'declared_not_seen:1', kind: 'cookie', name: 'portal_session', domain: null, pages: [], itemId: 1 }],
  suggestionsUnavailable: null,
};

/** The accessible name (or text) of what has focus. */
const focused = (page: Page) => page.evaluate(() => `${document.activeElement?.tagName.toLowerCase()}:${document.activeElement?.getAttribute('aria-label') ?? document.activeElement?.textContent}`);

/** The first cell of every body row: the values in the order shown. */
const firstCells = (table: Locator) => table.locator('tbody tr td:first-child').allTextContents();

describe.skipIf(!browserAvailable).each(pageEngines)('a dashboard everyone can use (%s)', (engine) => {
  let server: TestContext & { url: string };
  let sessions: DashboardSessions;

  beforeAll(async () => {
    server = await startTestServer(engine);
    sessions = dashboardSessions(server, 'a11y.test');
    const siteId = server.demo.sites[0]!.id;
    await seedActivity(server.database.db, siteId);
    const start = Date.now() - 2 * 3_600_000;
    await insertEvents(
      server.database.db,
      EXTRA_PAGES.map((path, index) => ({
        site_id: siteId,
        occurred_at: new Date(start + index * 10_000),
        consent_id: CONSENT_IDS.granted,
        session_id: 'visit-many-pages',
        type: 'pageview',
        path,
        device: 'tablet',
        browser: 'Safari',
        os: 'Mac OS',
      })),
    );
    await queueScan(server.database.db, { siteId, trigger: 'dashboard', startedBy: 'admin@a11y.test', startUrls: [SCAN_PAGE], pageLimit: 20 });
    await finishScan(server.database.db, (await claimNextScan(server.database.db, 'a11y'))!, SCAN_RESULT, scanCounts(SCAN_RESULT));
    // An email report's recipient, and one mail of each state the Reports page draws.
    const recipient = (await addReportRecipient(server.database.db, siteId, 'rapport@a11y.test'))!;
    const week = (from: string, to: string) => ({ site_id: siteId, recipient_id: recipient.id, frequency: 'weekly' as const, period_from: new Date(from), period_to: new Date(to) });
    await server.database.db
      .insertInto('report_deliveries')
      .values([
        { ...week('2026-11-16', '2026-11-23'), status: 'sent', attempts: 1, last_attempt_at: new Date('2026-11-23T01:00Z'), sent_at: new Date('2026-11-23T01:00Z') },
        { ...week('2026-11-23', '2026-11-30'), status: 'pending', attempts: 2, last_attempt_at: new Date('2026-11-30T01:01Z'), last_error: 'smtp.example.com: 451 Try later', next_attempt_at: new Date('2026-11-30T01:06Z') },
      ])
      .execute();
  });
  afterAll(async () => {
    // Chromium logs the 401 of the session check before sign-in.
    expect(sessions.pageErrors.filter((text) => !/status of 401/.test(text))).toEqual([]);
    await sessions?.close();
    await server?.close();
  });

  async function openPage(page: Page, link: string): Promise<void> {
    await page.getByRole('navigation', { name: 'main' }).getByRole('link', { name: link, exact: true }).click();
    await page.getByRole('heading', { level: 1, name: link }).waitFor();
    await expect.poll(() => page.locator('.loading').count()).toBe(0);
  }

  test('axe-core finds no violation on any page with data', async () => {
    const { page } = await sessions.signIn(['admin']);
    const views: Array<[string, string, () => Promise<unknown>]> = [
      ['Bruksanalyse', 'Bruksanalyse', () => page.locator('.chart canvas').waitFor()],
      ['Samtykkeanalyse', 'Samtykkeanalyse', () => page.locator('.chart canvas').waitFor()],
      ['Samtykkelogg', 'Samtykkelogg', () => page.getByRole('table', { name: 'Samtykkelogg' }).waitFor()],
      [
        'Samtykkelogg',
        'a record',
        async () => {
          await page.getByRole('button', { name: /^Åpne samtykke / }).first().click();
          await page.locator('.record-view [data-evidence]').waitFor();
        },
      ],
      ['Informasjonskapsler', 'Informasjonskapsler', () => page.getByRole('table', { name: 'Informasjonskapsler' }).waitFor()],
      ['Banner', 'Banner', () => page.locator('.banner-preview iframe').waitFor()],
      ['Samtykketekst', 'Samtykketekst', () => page.getByRole('table', { name: 'Versjoner' }).waitFor()],
      [
        'Samtykketekst',
        'a draft',
        async () => {
          await page.getByRole('button', { name: 'Nytt utkast fra gjeldende versjon' }).click();
          await page.getByRole('form', { name: 'Utkast', exact: true }).waitFor();
        },
      ],
      ['Nettsteder', 'Nettsteder', () => page.getByRole('table', { name: 'Nettsteder' }).waitFor()],
      ['Brukere', 'Brukere', () => page.getByRole('table', { name: 'Brukere' }).waitFor()],
      ['Revisjonslogg', 'Revisjonslogg', () => page.getByRole('table', { name: 'Revisjonslogg' }).waitFor()],
      ['Installasjon', 'Installasjon', () => page.locator('.check').waitFor()],
      ['Mål og trakter', 'Mål og trakter', () => page.getByRole('form', { name: 'Ny trakt' }).waitFor()],
      ['Rapporter', 'Rapporter', () => page.getByRole('table', { name: 'Utsendinger' }).waitFor()],
      ['API-nøkler', 'API-nøkler', () => page.getByRole('form', { name: 'Lag API-nøkkel' }).waitFor()],
      ['Skanning', 'Skanning', () => page.locator('[data-findings="undeclared"]').waitFor()],
      [
        'Skanning',
        'a proposed inventory item',
        async () => {
          await page.getByRole('button', { name: 'Legg til i oversikten: _ga' }).click();
          await page.getByRole('form', { name: 'Legg til i oversikten: _ga' }).waitFor();
        },
      ],
      [
        'Skanning',
        'scanned pages',
        async () => {
          await page.getByRole('tab', { name: 'Etter side' }).click();
          await page.locator('.scanned-page').waitFor();
        },
      ],
    ];
    const failures: string[] = [];
    for (const [link, view, ready] of views) {
      if (link === view) await openPage(page, link);
      await ready();
      failures.push(...(await axeViolations(page)).map((line) => `${view}: ${line}`));
    }
    expect(failures, failures.join('\n')).toEqual([]);
  });

  test('rows that filter the panels or show a history are buttons, reached with Tab and worked with Enter or Space', async () => {
    const { page } = await sessions.signIn(['admin']);
    const pages = page.getByRole('table', { name: 'Populære sider' });
    await pages.waitFor();
    // Tab from the last sortable header lands on the first row's own button.
    await pages.getByRole('button', { name: 'Sidevisninger' }).focus();
    await page.keyboard.press('Tab');
    const first = await focused(page);
    expect(first).toMatch(/^button:Filtrer på \//);
    const value = first.replace('button:Filtrer på ', '');
    await page.keyboard.press('Enter');
    await page.getByRole('button', { name: `Populære sider: ${value} ✕` }).waitFor();

    await openPage(page, 'Samtykkelogg');
    const history = page.getByRole('button', { name: `Vis historikken til ${CONSENT_IDS.rejected}` });
    await history.focus();
    expect(await focused(page)).toBe(`button:Vis historikken til ${CONSENT_IDS.rejected}`);
    await page.keyboard.press('Space');
    await page.getByRole('heading', { level: 2, name: `Historikk for ${CONSENT_IDS.rejected}` }).waitFor();
  });

  test('panels read as words and proper names, and each change says what it is compared with, in nb and en', async () => {
    const { page } = await sessions.signIn(['analyst']);
    const devices = page.getByRole('table', { name: 'Enhetstyper' });
    await devices.waitFor();
    expect((await firstCells(devices)).sort()).toEqual(['Datamaskin', 'Mobil', 'Nettbrett']);
    expect(await firstCells(page.getByRole('table', { name: 'Operativsystemer' }))).toContain('macOS');
    // Each row's share of the period's visits: the mobile visit is one of four.
    expect(await devices.getByRole('row', { name: /Mobil/ }).locator('.share').textContent()).toBe('25 %');
    // Countries by name in the dashboard's language, with the link back DB-IP's licence asks for.
    expect(await firstCells(page.getByRole('table', { name: 'Land' }))).toEqual(['Norge', 'Sverige']);
    expect(await page.locator('[data-panel="country"]').getByRole('link', { name: 'IP-geolokalisering fra DB-IP' }).getAttribute('href')).toBe('https://db-ip.com');

    const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    const previous = (locale: string) =>
      new Intl.DateTimeFormat(locale, { day: 'numeric', month: 'short', timeZone: 'UTC' })
        .formatRange(new Date(today - 59 * DAY_MS), new Date(today - 30 * DAY_MS))
        .replace(/\s/g, ' ');
    // Spaces as spaces: ICU puts thin and no-break ones in ranges, and its versions differ in where.
    const comparison = async () => (await page.locator('.kpi[data-metric="visits"] .kpi-comparison').textContent())!.replace(/\s/g, ' ');
    expect(await comparison()).toBe(`– mot forrige 30 dager (${previous('nb-NO')})`);

    await page.getByRole('button', { name: 'English' }).click();
    await expect.poll(() => firstCells(page.getByRole('table', { name: 'Device classes' })).then((cells) => cells.sort())).toEqual(['Desktop', 'Mobile', 'Tablet']);
    expect(await firstCells(page.getByRole('table', { name: 'Countries' }))).toEqual(['Norway', 'Sweden']);
    expect(await comparison()).toBe(`– vs the previous 30 days (${previous('en-GB')})`);
  });

  // Needs the server's sorted, paged breakdown (`{ rows, hasMore }` with sort, order, limit and offset).
  test('a panel sorts on the server over every row by any column, and shows more rows on request', async () => {
    const { page } = await sessions.signIn(['analyst']);
    const panel = page.locator('[data-panel="page"]');
    const table = panel.getByRole('table', { name: 'Populære sider' });
    await table.waitFor();
    expect(await firstCells(table)).toHaveLength(10);

    const breakdownRequest = () => page.waitForRequest((request) => request.url().includes('/usage/breakdown') && request.url().includes('dimension=page'));
    const asked = breakdownRequest();
    await panel.getByRole('button', { name: 'Vis flere: Populære sider' }).click();
    expect(Object.fromEntries(new URL((await asked).url()).searchParams)).toMatchObject({ sort: 'pageviews', order: 'desc', offset: '0' });
    await expect.poll(() => firstCells(table)).toHaveLength(Object.keys(PAGEVIEWS).length);
    await panel.getByRole('button', { name: 'Vis flere: Populære sider' }).waitFor({ state: 'detached' });

    const byValue = Object.keys(PAGEVIEWS).sort();
    const sortedBy = breakdownRequest();
    await table.getByRole('button', { name: 'Verdi' }).click();
    expect(Object.fromEntries(new URL((await sortedBy).url()).searchParams)).toMatchObject({ sort: 'value', order: 'asc', offset: '0' });
    await expect.poll(() => firstCells(table)).toEqual(byValue);
    expect(await table.getByRole('columnheader', { name: /Verdi/ }).getAttribute('aria-sort')).toBe('ascending');
    await table.getByRole('button', { name: /Verdi/ }).click();
    await expect.poll(() => firstCells(table)).toEqual([...byValue].reverse());
    expect(await table.getByRole('columnheader', { name: /Verdi/ }).getAttribute('aria-sort')).toBe('descending');

    // A filter keeps the order chosen, over the rows that are left, and so does clearing it.
    await page.getByRole('table', { name: 'Enhetstyper' }).getByRole('button', { name: 'Filtrer på Nettbrett' }).click();
    await expect.poll(() => firstCells(table)).toEqual([...EXTRA_PAGES].reverse());
    await page.getByRole('button', { name: 'Fjern alle filtre' }).click();
    await expect.poll(() => firstCells(table)).toEqual([...byValue].reverse());

    await table.getByRole('button', { name: 'Sidevisninger' }).click();
    await expect.poll(async () => (await firstCells(table)).slice(0, 2)).toEqual(['/', '/pris']);

    const properties = page.locator('.panel', { has: page.getByRole('heading', { name: 'Egenskap' }) });
    await properties.getByLabel('Egenskap').fill('plan');
    await properties.getByRole('button', { name: 'Vis egenskap' }).click();
    await expect.poll(() => firstCells(properties.getByRole('table'))).toEqual(['pro']);
  });

  test('the consent chart spans every day of the period, and no table is clipped at 1280 × 800', async () => {
    const { page } = await sessions.signIn(['admin']);
    await page.setViewportSize({ width: 1280, height: 800 });
    await openPage(page, 'Samtykkeanalyse');
    await page.getByLabel('Periode').selectOption('7d');
    const over = page.locator('.chart .u-over');
    // The day under the pointer at the chart's left or right edge; the 30-day chart may still be up, about to be
    // replaced by the 7-day one, so the plot is found again on every look.
    const dayAt = async (edge: 'left' | 'right') => {
      const box = await over.boundingBox();
      if (!box) return null;
      await page.mouse.move(box.x + (edge === 'left' ? 1 : box.width - 1), box.y + box.height / 2);
      return (await page.locator('.chart .u-legend tr.u-series').first().locator('.u-value').textContent())?.slice(0, 10) ?? null;
    };
    const today = Math.floor(Date.now() / DAY_MS) * DAY_MS;
    const day = (time: number) => new Date(time).toISOString().slice(0, 10);
    await expect.poll(() => dayAt('left')).toBe(day(today - 6 * DAY_MS));
    await expect.poll(() => dayAt('right')).toBe(day(today));

    for (const link of ['Samtykkeanalyse', 'Bruksanalyse']) {
      await openPage(page, link);
      await page.locator('table').first().waitFor();
      const clipped = await page.locator('.table-scroll').evaluateAll((containers) =>
        containers.filter((container) => container.scrollWidth > container.clientWidth).map((container) => container.querySelector('table')?.getAttribute('aria-label')),
      );
      expect(clipped, `${link}: tables wider than their panel`).toEqual([]);
    }
  });
});
