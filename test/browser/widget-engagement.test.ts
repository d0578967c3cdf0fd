/**
 * The tracker's engagement signals in real Chromium: engaged time that stops while the tab is hidden, scroll depth,
 * an outbound click that does not hold the navigation up, a download, 404 pages; and none of it without analytics.
 */
import type { Page } from 'playwright-core';
import { beforeAll, describe, expect, test } from 'vitest';
import { browserAvailable } from '../helpers/browser.ts';
import { pageEngines } from '../helpers/database.ts';
import { NOTICE, decide, freshPage, isRequestTo, routePage, storedEvents, widgetEnvironment, EVENTUALLY } from '../widget/fixtures.ts';

const SITE = 'min-side';
const OTHER_SITE = 'https://etaten.example';

/** A page four viewports tall (3,200 px), with a link to another site, a file, a mail address and a page that is gone. */
function portalPage(options: { notFound?: boolean } = {}): string {
  return `<!doctype html><html lang="nb"${options.notFound ? ' data-samtykke-404' : ''}><head><title>Portal</title>
    <script src="/sites/${SITE}/widget.js" async></script></head>
    <body style="margin:0"><main style="height:3200px;display:flow-root"><h1>Portal</h1>
    <p><a id="out" href="${OTHER_SITE}/skjema?fnr=12345#top">Etaten</a> <a id="out-tab" href="${OTHER_SITE}/nyheter" target="_blank">Nyheter</a> <a id="file" href="/filer/faktura-2026.pdf?token=x">Faktura</a>
    <a id="mail" href="mailto:kundeservice@example.test">E-post</a> <a id="gone" href="/gammel-side">Gammel side</a></p></main></body></html>`;
}

const VIEWPORT = { width: 1000, height: 800 };

describe.skipIf(!browserAvailable).each(pageEngines)('engagement signals from the widget (%s)', (engine) => {
  const environment = widgetEnvironment(engine);
  // Every signal on (they are off by default), so the site's script carries their code.
  beforeAll(async () => {
    const site = environment.server.demo.sites.find((candidate) => candidate.key === SITE)!;
    await environment.server.deps.sites.update(site, { features: { engagement: true, outboundLinks: true, fileDownloads: true, notFoundPages: true } });
  });

  async function portal() {
    const opened = await freshPage(environment.browser);
    const { page, context } = opened;
    await page.setViewportSize(VIEWPORT);
    await routePage(page, '/portal', portalPage());
    await routePage(page, '/gammel-side', portalPage({ notFound: true }));
    await page.route((url) => url.pathname.startsWith('/filer/'), (route) =>
      route.fulfill({ status: 200, contentType: 'application/pdf', body: '%PDF-1.4', headers: { 'Content-Disposition': 'attachment; filename="faktura.pdf"' } }),
    );
    await context.route(`${OTHER_SITE}/**`, (route) => route.fulfill({ status: 200, contentType: 'text/html', body: '<!doctype html><title>Etaten</title><h1>Etaten</h1>' }));
    const sent: Array<Record<string, unknown>> = [];
    page.on('request', (request) => {
      if (isRequestTo('/api/events')(request.url())) sent.push(...(request.postDataJSON() as { events: Array<Record<string, unknown>> }).events);
    });
    const loadedAt = Date.now();
    await page.goto(`${environment.server.url}/portal`);
    await page.locator(NOTICE).waitFor();
    const consentId = await page.evaluate(() => window.Samtykke!.consentId);
    return { ...opened, sent, consentId, loadedAt };
  }

  const stored = (consentId: string, type: string) => async () => (await storedEvents(environment.server, consentId)).filter((event) => event.type === type);

  /**
   * Hides or shows the tab as the browser would when another tab comes to the front. Headless Chromium keeps every
   * page visible whatever is in front (tried: another tab, a minimised window, CDP targets), so the page's own
   * state is set and the browser's event fired.
   */
  async function setHidden(page: Page, hidden: boolean): Promise<void> {
    await page.evaluate((hide) => {
      Object.defineProperty(document, 'visibilityState', { configurable: true, get: () => (hide ? 'hidden' : 'visible') });
      Object.defineProperty(document, 'hidden', { configurable: true, get: () => hide });
      document.dispatchEvent(new Event('visibilitychange'));
    }, hidden);
  }

  /** Input now and then for `ms`, as a reader moves the mouse: the page counts as in use throughout. */
  async function use(page: Page, ms: number): Promise<void> {
    for (let moved = 0; moved < ms; moved += 250) {
      await page.mouse.move(100 + (moved % 500), 200);
      await page.waitForTimeout(250);
    }
  }

  test('engaged time stops while the tab is hidden, and travels with the deepest scroll on hide and on navigation', async () => {
    const { page, context, consentId, errors, loadedAt } = await portal();
    await decide(page, 'Godta alle');
    await page.evaluate(() => scrollTo(0, 800));
    await use(page, 1500);

    await setHidden(page, true);
    // Visible since it loaded, and in use all along (never 30 s without input).
    const visibleFor = Date.now() - loadedAt;
    const engagement = stored(consentId, 'engagement');
    await expect.poll(async () => (await engagement()).length, EVENTUALLY).toBe(1);
    const [first] = await engagement();
    expect(first).toMatchObject({ path: '/portal', scroll: 50 });
    expect(first!.engaged_ms).toBeGreaterThanOrEqual(1400);
    expect(first!.engaged_ms).toBeLessThanOrEqual(visibleFor + 100);

    // Hidden for 3 s: none of it counts. Back in front, used for about a second, then a navigation in the app.
    await page.waitForTimeout(3000);
    const back = Date.now();
    await setHidden(page, false);
    await use(page, 1000);
    await page.evaluate(() => history.pushState(null, '', '/portal/innstillinger'));
    const secondVisible = Date.now() - back;
    await expect.poll(async () => (await engagement()).length, EVENTUALLY).toBe(2);
    const second = (await engagement())[1]!;
    expect(second.path).toBe('/portal');
    expect(second.engaged_ms).toBeGreaterThanOrEqual(900);
    expect(second.engaged_ms).toBeLessThanOrEqual(secondVisible + 100);
    // The deepest point of the page seen is kept per report: 800 px scrolled of 3,200 px, plus the 800 px window.
    expect(second.scroll).toBe(50);
    // Engagement does not make pageviews or visits: the visit has its two pageviews only.
    const visit = await environment.server.deps.db.selectFrom('visits').selectAll().where('visitor', '=', consentId).executeTakeFirstOrThrow();
    expect([visit.pageviews, visit.events]).toEqual([2, 2]);
    expect(errors).toEqual([]);
    await context.close();
  });

  test('an outbound click is sent without holding the navigation up; a download and a 404 page are sent with their links', async () => {
    const { page, context, consentId, errors } = await portal();
    await decide(page, 'Godta alle');
    await page.click('#file');
    // The page handles its mail link itself; the click still passes the widget's listener first, which ignores it.
    await page.evaluate(() => {
      const mail = document.querySelector<HTMLAnchorElement>('#mail')!;
      mail.addEventListener('click', (event) => event.preventDefault());
      mail.click();
    });
    const downloads = stored(consentId, 'download');
    await expect.poll(async () => (await downloads()).length, EVENTUALLY).toBe(1);
    expect(await downloads()).toEqual([expect.objectContaining({ path: '/portal', target: `${environment.server.url}/filer/faktura-2026.pdf`, name: 'pdf' })]);

    // A link to another site in a new tab: the tab opens at once, the click is stored from the batch that follows.
    const clickedAt = Date.now();
    const [popup] = await Promise.all([page.waitForEvent('popup'), page.click('#out-tab')]);
    await popup.waitForURL(`${OTHER_SITE}/**`);
    expect(Date.now() - clickedAt).toBeLessThan(1000);
    const outbound = stored(consentId, 'outbound');
    await expect.poll(async () => (await outbound()).length, EVENTUALLY).toBe(1);
    expect((await outbound())[0]).toMatchObject({ path: '/portal', target: `${OTHER_SITE}/nyheter` });
    expect((await storedEvents(environment.server, consentId)).filter((event) => event.target?.startsWith('mailto'))).toEqual([]);

    // In the same tab: the browser leaves at once, and the click goes with the page's exit beacon. What the page
    // hands to sendBeacon is read back here: this harness loses keepalive requests of a page it has left (a plain
    // Chromium delivers them), so their arrival is not what this checks.
    await page.evaluate(() => {
      const send = navigator.sendBeacon.bind(navigator);
      navigator.sendBeacon = (url, data) => {
        localStorage.setItem('beacons', `${localStorage.getItem('beacons') ?? ''}${String(data)}\n`);
        return send(url, data);
      };
    });
    let navigatedAt = 0;
    page.on('request', (request) => {
      if (request.url().startsWith(`${OTHER_SITE}/skjema`) && !navigatedAt) navigatedAt = Date.now();
    });
    const sameTabAt = Date.now();
    await page.click('#out');
    await page.waitForURL(`${OTHER_SITE}/**`);
    expect(navigatedAt - sameTabAt).toBeLessThan(500);
    await page.goto(`${environment.server.url}/portal?fra=meny`);
    const beacons = (await page.evaluate(() => localStorage.getItem('beacons') ?? '')).trim().split('\n');
    const exit = JSON.parse(beacons.at(-1)!) as { events: Array<Record<string, unknown>> };
    expect(exit.events).toContainEqual(expect.objectContaining({ type: 'outbound', url: `${environment.server.url}/portal`, link: `${OTHER_SITE}/skjema` }));

    // A page that answers 404 says so on its <html>; the page that linked to it travels, without its query string.
    await page.click('#gone');
    await page.waitForURL('**/gammel-side');
    const notFound = stored(consentId, 'notfound');
    await expect.poll(async () => (await notFound()).length, EVENTUALLY).toBe(1);
    expect((await notFound())[0]).toMatchObject({ path: '/gammel-side', target: `${environment.server.url}/portal` });
    // Or a single-page app reports it: Samtykke.track('404').
    await page.evaluate(() => {
      history.pushState(null, '', '/portal/finnes-ikke');
      window.Samtykke!.track('404');
    });
    await expect.poll(async () => (await notFound()).map((event) => event.path), EVENTUALLY).toEqual(['/gammel-side', '/portal/finnes-ikke']);
    expect((await storedEvents(environment.server, consentId)).filter((event) => event.type === 'custom')).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  /** Everything that would make a signal: use, scroll, a hidden tab, a download, an outbound click, 404 pages. */
  async function everySignal(page: Page): Promise<void> {
    await use(page, 500);
    await page.evaluate(() => scrollTo(0, 2000));
    await setHidden(page, true);
    await setHidden(page, false);
    await page.click('#file');
    await page.evaluate(() => window.Samtykke!.track('404'));
    await page.click('#gone');
    await page.waitForURL('**/gammel-side');
    await page.click('#out');
    await page.waitForURL(`${OTHER_SITE}/**`);
    // Longer than the widget's batching delay: anything queued would have gone by now.
    await page.waitForTimeout(1500);
  }

  test('without a decision and after Reject all, no signal leaves the page and none is stored', async () => {
    const { page, context, consentId, sent, errors } = await portal();
    await everySignal(page);
    expect(sent).toEqual([]);

    const rejecting = await portal();
    await decide(rejecting.page, 'Avvis alle');
    await everySignal(rejecting.page);
    expect(rejecting.sent).toEqual([]);
    for (const id of [consentId, rejecting.consentId]) expect(await storedEvents(environment.server, id)).toEqual([]);
    expect([...errors, ...rejecting.errors]).toEqual([]);
    await context.close();
    await rejecting.context.close();
  });
});
