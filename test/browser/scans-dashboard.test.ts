/**
 * The Scans page in real Chromium against a real server, with scans stored through the scanner's own queries (no
 * scanner runs here): the history and its counts, a finished scan's findings by item and by page against the one
 * before, a failed scan's error, confirming a suggested item into the inventory and the public declaration,
 * starting a scan (refused outside the site's origins, else queued and followed as the scanner writes), and the
 * schedule.
 */
import type { Page } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { Declaration } from '../../server/contract.ts';
import type { CookieSuggestion, CrawlResult, ObservedCookie, PageVisit, ScanTrigger, ScanVisit } from '../../server/domain/scan.ts';
import { FINDING_TYPES, scanCounts, scanFindings, scanResult, type Finding, type ScanResult } from '../../server/domain/scan-findings.ts';
import { listInventory } from '../../server/queries/inventory.ts';
import { claimNextScan, failScan, finishScan, noteScanProgress, queueScan } from '../../server/queries/scans.ts';
import { updateSite } from '../../server/queries/sites.ts';
import { startTestServer, type TestContext } from '../helpers/app.ts';
import { browserAvailable } from '../helpers/browser.ts';
import { dashboardSessions, type DashboardSessions } from '../helpers/dashboard.ts';
import { pageEngines } from '../helpers/database.ts';

const ORIGIN = 'https://www.kunde.test';
const YEAR_SECONDS = 365.25 * 86_400;
const GTAG = 'script https://www.googletagmanager.com/gtag/js:12';
const TAGS = `${ORIGIN}/tags.js`;

const GA_SUGGESTION: CookieSuggestion = {
  name: '_ga',
  platform: 'Google Analytics',
  category: 'analytics',
  databaseCategory: 'Analytics',
  provider: 'Google',
  purpose: 'Distinguishes users for Google Analytics.',
  retention: '2 years',
  privacyLink: 'https://policies.google.com/privacy',
  prefix: false,
};

function cookie(name: string, domain: string, lifetimeYears: number, setBy: string): ObservedCookie {
  const expires = Date.now() / 1000 + lifetimeYears * YEAR_SECONDS;
  return { name, domain, path: '/', expires, askedExpires: expires, httpOnly: false, secure: true, sameSite: 'Lax', setBy };
}

function visit(name: ScanVisit, contents: Partial<PageVisit> = {}): PageVisit {
  return { visit: name, banner: true, cookies: [], storage: [], requests: [], ...contents };
}

/**
 * Two pages where Google Analytics' `_ga` and an ad pixel on `pixelHost` load before any choice, and the consent
 * cookie lives three years where the inventory declares twelve months.
 */
function crawl(pixelHost: string, skipped: CrawlResult['skipped']): CrawlResult {
  const ga = cookie('_ga', '.kunde.test', 2, GTAG);
  const consent = cookie('samtykke', 'www.kunde.test', 3, 'script https://samtykke.test/sites/min-bedrift/widget.js:1');
  const pixel = { url: `https://${pixelHost}/pixel.gif?page=1`, kind: 'pixel' as const, initiator: TAGS };
  const page = (path: string, before: Partial<PageVisit>) => ({
    url: `${ORIGIN}${path}`,
    finalUrl: `${ORIGIN}${path}`,
    status: 200,
    visits: [visit('before_choice', before), visit('after_reject', { cookies: [consent] }), visit('after_accept', { cookies: [ga, consent], requests: [pixel] })],
  });
  return { pages: [page('/', { cookies: [ga], requests: [pixel] }), page('/pris', { cookies: [ga] })], skipped, externalLinks: 4 };
}

describe.skipIf(!browserAvailable).each(pageEngines)('the Scans page in Chromium (%s)', (engine) => {
  let server: TestContext & { url: string };
  let sessions: DashboardSessions;
  let siteId: number;
  /** The site's first scan, and its newest (a failed one between them). */
  let first: ScanResult;
  let newest: ScanResult;

  /** Queues a scan and runs it to its end: stored as the scanner stores it, with findings against the previous one. */
  async function storeScan(trigger: ScanTrigger, startedBy: string | null, crawled: CrawlResult, previous: readonly Finding[] | null): Promise<ScanResult> {
    const db = server.database.db;
    await queueScan(db, { siteId, trigger, startedBy, startUrls: [`${ORIGIN}/`], pageLimit: 20 });
    const claimed = (await claimNextScan(db, 'test'))!;
    const findings = scanFindings({
      crawl: crawled,
      inventory: await listInventory(db, siteId),
      siteOrigins: [ORIGIN],
      samtykkeOrigin: 'https://samtykke.test',
      suggest: (name) => (name === '_ga' ? GA_SUGGESTION : null),
      scannedAt: Date.now(),
    });
    const result = scanResult(crawled, findings, previous, null);
    await finishScan(db, claimed, result, scanCounts(result));
    return result;
  }

  beforeAll(async () => {
    server = await startTestServer(engine);
    sessions = dashboardSessions(server, 'scans.test');
    siteId = server.demo.sites[0]!.id;
    await updateSite(server.database.db, siteId, { allowedOrigins: [ORIGIN] });
    first = await storeScan('schedule', null, crawl('old-ads.example', []), null);
    await queueScan(server.database.db, { siteId, trigger: 'cli', startedBy: null, startUrls: [`${ORIGIN}/`], pageLimit: 20 });
    await failScan(server.database.db, (await claimNextScan(server.database.db, 'test'))!, 'Chromium could not start: no executable at /usr/bin/chromium');
    const skipped = [
      { url: `${ORIGIN}/admin`, reason: 'robots' as const },
      { url: `${ORIGIN}/treg`, reason: 'error' as const, message: 'The page never finished loading' },
    ];
    newest = await storeScan('dashboard', 'revisor@scans.test', crawl('ads.example', skipped), first.findings);
  });
  afterAll(async () => {
    // Chromium logs the 401 of the session check before sign-in, and the refused start's 400 a test wants.
    expect(sessions.pageErrors.filter((text) => !/status of 40[01]/.test(text))).toEqual([]);
    await sessions?.close();
    await server?.close();
  });

  async function openScans(): Promise<Page> {
    const { page } = await sessions.signIn(['admin']);
    await page.getByRole('navigation', { name: 'main' }).getByRole('link', { name: 'Skanning', exact: true }).click();
    await page.getByRole('heading', { level: 1, name: 'Skanning' }).waitFor();
    await page.getByLabel('Nettsted').selectOption({ label: 'Min Bedrift (web)' });
    return page;
  }

  const rowCells = (page: Page, index: number) => page.getByRole('table', { name: 'Skanninger' }).locator('tbody tr').nth(index).locator('td').allTextContents();
  const finding = (page: Page, type: string, name: string) =>
    page.locator(`[data-findings="${type}"] .finding`, { has: page.locator('.finding-name', { hasText: new RegExp(`^${name}$`) }) });

  test('lists the scans with their counts, and shows the newest by item and by page against the one before', async () => {
    const page = await openScans();
    await page.setViewportSize({ width: 1280, height: 800 });
    // Counted by the type's order: violations, undeclared, expiry mismatches, declared but not seen.
    const counts = (result: ScanResult | null) => FINDING_TYPES.map((type) => (result ? String(scanCounts(result)[type]) : '–'));
    expect(counts(newest).slice(0, 3)).toEqual(['2', '2', '1']);
    await expect.poll(async () => (await rowCells(page, 0)).slice(1)).toEqual(['Dashbordet', 'revisor@scans.test', 'Ferdig', '2 av 20', ...counts(newest), '+2 / −2']);
    expect((await rowCells(page, 1)).slice(1)).toEqual(['Kommandolinjen', '–', 'Feilet', '0 av 20', ...counts(null), '–']);
    expect((await rowCells(page, 2)).slice(1)).toEqual(['Fast plan', '–', 'Ferdig', '2 av 20', ...counts(first), '–']);

    // The newest opens by itself.
    const results = page.locator('section.scan[data-status="done"]');
    await results.waitFor();
    expect(await results.locator('[data-changes]').textContent()).toBe('Siden forrige skanning: 2 nye og 2 løste. 2 sider skannet, 2 hoppet over.');

    // Violations first: Google Analytics before any choice, on both pages, with what set it.
    const sections = [...FINDING_TYPES.filter((type) => newest.findings.some((found) => found.type === type)), 'resolved'];
    expect(sections[0]).toBe('violation');
    expect(await page.locator('[data-findings]').evaluateAll((found) => found.map((section) => section.getAttribute('data-findings')))).toEqual(sections);
    const gaViolation = finding(page, 'violation', '_ga');
    for (const text of ['Før valg', 'Bruksanalyse', GTAG, `${ORIGIN}/`, `${ORIGIN}/pris`]) expect(await gaViolation.textContent()).toContain(text);
    expect(await gaViolation.locator('.badge.new').count()).toBe(0);
    // The pixel is new: the scan before saw one on another host, now resolved.
    const pixelViolation = finding(page, 'violation', 'pixel.gif');
    for (const text of ['ads.example', 'Ukjent tredjepart', TAGS]) expect(await pixelViolation.textContent()).toContain(text);
    expect(await pixelViolation.locator('.badge.new').textContent()).toBe('Ny');

    // The undeclared _ga carries the Open Cookie Database's entry as a suggestion to check.
    const suggestion = finding(page, 'undeclared', '_ga').locator('[data-suggestion]');
    expect(await suggestion.locator('.badge').textContent()).toBe('Forslag');
    const suggested = await suggestion.textContent();
    for (const text of ['Kontroller forslaget', 'Google Analytics', 'Google', 'Distinguishes users for Google Analytics.', '2 years']) expect(suggested).toContain(text);
    expect(await suggestion.getByRole('link').getAttribute('href')).toBe('https://policies.google.com/privacy');
    expect(await finding(page, 'expiry_mismatch', 'samtykke').textContent()).toContain('12 months');
    expect(await page.locator('[data-findings="resolved"]').textContent()).toContain('old-ads.example');

    await page.getByRole('tab', { name: 'Etter side' }).click();
    const visits = page.getByRole('table', { name: `Besøkene på ${ORIGIN}/`, exact: true });
    await visits.waitFor();
    expect(await page.locator(`[data-page="${ORIGIN}/"] .note`).textContent()).toBe('HTTP-status: 200 · Banneret vistes: Ja');
    // Each cell's names, or its dash when it holds none.
    const cells = await visits.locator('tbody tr').evaluateAll((rows) =>
      rows.map((row) => [...row.querySelectorAll('td')].map((cell) => [...cell.querySelectorAll('code')].map((code) => code.textContent).join(' ') || cell.textContent)),
    );
    expect(cells).toEqual([
      ['Før valg', '_ga', '–', 'pixel ads.example'],
      ['Etter «Avvis alle»', 'samtykke', '–', '–'],
      ['Etter «Godta alle»', '_ga samtykke', '–', 'pixel ads.example'],
    ]);
    const skipped = await page.getByRole('table', { name: 'Sider som ikke ble besøkt' }).textContent();
    expect(skipped).toContain('robots.txt forbyr det');
    expect(skipped).toContain('Feil: The page never finished loading');
    await page.getByText('4 lenker til andre nettsteder ble ikke fulgt.').waitFor();

    const clipped = await page.locator('.table-scroll').evaluateAll((containers) => containers.filter((container) => container.scrollWidth > container.clientWidth).length);
    expect(clipped, 'tables wider than the page at 1280 px').toBe(0);
    await page.setViewportSize({ width: 375, height: 800 });
    await expect.poll(() => page.evaluate(() => document.documentElement.scrollWidth)).toBeLessThanOrEqual(375);

    // The failed scan opens from the history with its error.
    await page.getByRole('table', { name: 'Skanninger' }).locator('tbody tr').nth(1).getByRole('button').click();
    await page.locator('section.scan[data-status="failed"]').getByRole('alert').getByText('Skanningen feilet: Chromium could not start').waitFor();

    await page.getByRole('button', { name: 'English' }).click();
    await page.getByRole('heading', { level: 1, name: 'Scans' }).waitFor();
    await page.getByRole('table', { name: 'Scans' }).getByText('Command line').waitFor();
  });

  test('adds an undeclared finding to the inventory as confirmed, and the declaration shows it', async () => {
    const page = await openScans();
    const ga = finding(page, 'undeclared', '_ga');
    await ga.getByRole('button', { name: 'Legg til i oversikten: _ga' }).click();
    const form = ga.getByRole('form', { name: 'Legg til i oversikten: _ga' });
    expect(await form.getByLabel('Navn', { exact: true }).inputValue()).toBe('_ga');
    expect(await form.getByLabel('Leverandør').inputValue()).toBe('Google');
    expect(await form.getByLabel('Kategori').inputValue()).toBe('analytics');
    expect(await form.getByLabel('Lagringstid (en)').inputValue()).toBe('2 years');
    await form.getByLabel('Formål (nb)').fill('Skiller brukere fra hverandre i Google Analytics.');
    await form.getByRole('button', { name: 'Legg til i oversikten', exact: true }).click();
    await ga.locator('[data-added]').waitFor();
    await form.waitFor({ state: 'detached' });

    const stored = await server.database.db.selectFrom('inventory_items').selectAll().where('site_id', '=', siteId).where('name', '=', '_ga').execute();
    expect(stored).toHaveLength(1);
    expect(stored[0]).toMatchObject({ kind: 'cookie', provider: 'Google', party: 'first', domain: null, category: 'analytics' });
    expect(stored[0]!.purpose).toMatchObject({ nb: 'Skiller brukere fra hverandre i Google Analytics.', en: 'Distinguishes users for Google Analytics.' });

    const declaration = (await (await fetch(`${server.url}/api/sites/${server.demo.sites[0]!.key}/declaration`)).json()) as Declaration;
    const analytics = declaration.categories.find((category) => category.category === 'analytics')!;
    expect(analytics.items.map((item) => item.name)).toContain('_ga');
  });

  test('starting a scan outside the site’s origins is refused beside the URLs; a valid one is queued and followed', async () => {
    const page = await openScans();
    const form = page.getByRole('form', { name: 'Start en skanning' });
    const urls = form.getByLabel('Startadresser');
    await urls.fill('https://elsewhere.example/');
    await form.getByRole('button', { name: 'Start skanningen' }).click();
    const problem = form.locator('.field', { has: page.getByLabel('Startadresser') }).locator('.field-error');
    expect(await problem.textContent()).toContain('https://elsewhere.example/ er ikke på nettstedets tillatte opprinnelser (https://www.kunde.test');
    expect(await urls.getAttribute('aria-invalid')).toBe('true');

    await urls.fill(`${ORIGIN}/pris`);
    await form.getByLabel('Sidegrense').fill('5');
    await form.getByRole('button', { name: 'Start skanningen' }).click();
    await page.locator('section.scan[data-status="queued"]').getByText('I kø: skanneren tar den').waitFor();
    await problem.waitFor({ state: 'detached' });
    await expect.poll(async () => (await rowCells(page, 0)).slice(1, 5)).toEqual(['Dashbordet', expect.stringMatching(/^admin-\d+@scans\.test$/), 'I kø', '0 av 5']);
    const queued = await server.database.db.selectFrom('scans').select(['status', 'start_urls', 'page_limit']).where('site_id', '=', siteId).orderBy('id', 'desc').executeTakeFirstOrThrow();
    expect(queued).toEqual({ status: 'queued', start_urls: [`${ORIGIN}/pris`], page_limit: 5 });

    // The open scan follows what the scanner writes, with no click: its progress, then its end (here a failure).
    const db = server.database.db;
    const claimed = (await claimNextScan(db, 'test'))!;
    await noteScanProgress(db, claimed, 3, `${ORIGIN}/pris/kontakt`);
    const running = page.locator('section.scan[data-status="running"]');
    await running.getByRole('status').getByText('3 av høyst 5 sider er besøkt.').waitFor();
    expect(await running.getByText('Besøker nå').textContent()).toBe(`Besøker nå: ${ORIGIN}/pris/kontakt`);
    expect(await running.getByRole('progressbar').getAttribute('value')).toBe('3');
    await failScan(db, claimed, 'The scan took longer than its time limit');
    await page.locator('section.scan[data-status="failed"]').getByText('Skanningen feilet: The scan took longer than its time limit').waitFor();
    await expect.poll(async () => (await rowCells(page, 0)).slice(3, 5)).toEqual(['Feilet', '3 av 5']);
  });

  test('saves the schedule and shows when the next scan is due', async () => {
    const page = await openScans();
    const form = page.getByRole('form', { name: 'Fast skanning' });
    expect(await form.locator('[data-next-scan]').textContent()).toBe('Ingen faste skanninger.');
    await form.getByLabel('Hvor ofte').selectOption({ label: 'Hver uke' });
    await form.getByLabel('Startadresser').fill(`${ORIGIN}/\n${ORIGIN}/pris`);
    await form.getByLabel('Sidegrense').fill('10');
    await form.getByRole('button', { name: 'Lagre planen' }).click();
    await form.getByRole('status').getByText('Lagret.').waitFor();
    expect(await form.locator('[data-next-scan]').textContent()).toMatch(/^Neste faste skanning: \d/);
    const site = await server.database.db.selectFrom('sites').select(['scan_schedule', 'scan_urls', 'scan_page_limit']).where('id', '=', siteId).executeTakeFirstOrThrow();
    expect(site).toEqual({ scan_schedule: 'weekly', scan_urls: [`${ORIGIN}/`, `${ORIGIN}/pris`], scan_page_limit: 10 });
  });
});
