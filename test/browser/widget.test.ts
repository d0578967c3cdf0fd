/** The widget on the demo portal in real Chromium: blocking before a choice, reject, accept, withdraw, GPC, the embed. */
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import type { ConsentRequest } from '../../server/contract.ts';
import { widgetSiteConfig } from '../helpers/served.ts';
import { browserAvailable } from '../helpers/browser.ts';
import { engines } from '../helpers/database.ts';
import {
  NOTICE,
  PREFERENCES,
  consentRecords,
  cspViolations,
  decide,
  freshPage,
  storedEvents,
  widgetEnvironment,
  EVENTUALLY,
} from '../widget/fixtures.ts';

const NON_FUNCTIONAL_STORAGE = { cookie: '_pa_id', localStorage: 'portal_analytics_queue' };

describe.skipIf(!browserAvailable).each(engines)('widget on the demo portal (%s)', (engine) => {
  const environment = widgetEnvironment(engine);

  const consentIdOf = (page: Page) => page.evaluate(() => window.Samtykke!.consentId);

  async function storageState(page: Page) {
    const cookies = (await page.context().cookies()).map((cookie) => cookie.name);
    const keys = await page.evaluate(() => Object.keys(localStorage));
    const analyticsRuns = await page.evaluate(() => (window as { portalAnalytics?: { runs: number } }).portalAnalytics?.runs ?? 0);
    return { cookies, keys, analyticsRuns };
  }


  async function openDemo(options: Parameters<typeof freshPage>[1] = {}, path = '/demo') {
    const visit = await freshPage(environment.browser, options);
    await visit.page.goto(environment.server.url + path);
    await visit.page.locator(NOTICE).waitFor();
    return visit;
  }

  test('before any choice nothing gated runs, loads or is stored, and the banner shifts no layout', async () => {
    const { page, context, requests, errors } = await openDemo();
    await page.waitForLoadState('networkidle');
    await page.locator(NOTICE).waitFor();
    expect(await page.locator(NOTICE).getByRole('heading').textContent()).toBe('Vi bruker informasjonskapsler');

    const state = await storageState(page);
    expect(state.analyticsRuns).toBe(0);
    // Only the portal's login session cookie (functional, from the server), as the inventory declares.
    expect(state.cookies).toEqual(['portal_session']);
    expect(state.keys).toEqual([]);
    expect(requests.filter((url) => /\/demo\/assets\/(analytics|ad-beacon)\.js|\/p\.gif|\/api\/(events|consent)|declaration/.test(url))).toEqual([]);
    expect(await page.evaluate(() => window.Samtykke!.get())).toBeNull();

    const layoutShift = await page.evaluate(
      () =>
        new Promise<number>((resolve) => {
          let total = 0;
          new PerformanceObserver((list) => {
            for (const entry of list.getEntries()) total += (entry as unknown as { value: number }).value;
          }).observe({ type: 'layout-shift', buffered: true });
          setTimeout(() => resolve(total), 100);
        }),
    );
    expect(layoutShift).toBe(0);
    expect(await cspViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  test('records decisions on the demo reached at another address than SAMTYKKE_PUBLIC_URL', async () => {
    // The server's public URL is http://127.0.0.1:PORT; a visitor on http://localhost:PORT is on another origin,
    // and the widget still sends to the origin it was loaded from, which Samtykke's own pages may always use.
    const other = environment.server.url.replace('127.0.0.1', 'localhost');
    const { page, context, errors } = await freshPage(environment.browser);
    await page.goto(`${other}/demo`);
    await page.locator(NOTICE).waitFor();
    const recorded = page.waitForResponse((response) => response.url() === `${other}/api/consent` && response.status() === 201);
    await page.getByRole('button', { name: 'Avvis alle', exact: true }).click();
    await recorded;
    const [record] = await consentRecords(environment.server, await consentIdOf(page));
    expect(record).toMatchObject({ action: 'reject_all', page_url: `${other}/demo` });
    expect(errors).toEqual([]);
    await context.close();
  });

  test('Reject all keeps everything held back and records the decision with the hash of what was shown', async () => {
    const { page, context, requests, errors } = await openDemo();
    const sent: ConsentRequest[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/api/consent')) sent.push(JSON.parse(request.postData()!) as ConsentRequest);
    });
    await page.evaluate(() => {
      const changes: unknown[] = [];
      Object.assign(window, { changes });
      window.Samtykke!.on('change', (choices) => changes.push(choices));
    });
    await decide(page, 'Avvis alle');
    expect(await page.evaluate(() => (window as unknown as { changes: unknown[] }).changes)).toEqual([
      { functional: true, analytics: false, ads: false },
    ]);
    const consentId = await consentIdOf(page);
    await page.locator(NOTICE).waitFor({ state: 'hidden' });

    const [record] = await consentRecords(environment.server, consentId);
    const { config } = await widgetSiteConfig(environment.server.deps, 'min-bedrift');
    expect(sent).toEqual([expect.objectContaining({ locale: 'nb', shown: config.texts.nb!.shown })]);
    // No Global Privacy Control in this browser: the field is left out, not sent as false.
    expect(sent[0]).not.toHaveProperty('gpc');
    expect(record).toMatchObject({ action: 'reject_all', source: 'banner', functional: true, analytics: false, ads: false, locale: 'nb' });
    expect(record).toMatchObject({ shown_hash: config.texts.nb!.shown });
    expect(record!.page_url).toBe(`${environment.server.url}/demo`);

    // A later page view asks nothing and still runs nothing.
    await page.reload();
    await page.waitForLoadState('networkidle');
    await page.locator(NOTICE).waitFor({ state: 'hidden' });
    const state = await storageState(page);
    expect(state.analyticsRuns).toBe(0);
    expect(state.cookies.sort()).toEqual(['portal_session', 'samtykke']);
    expect(state.keys).toEqual([]);
    expect(requests.filter((url) => /analytics\.js|ad-beacon\.js|\/p\.gif|\/api\/events/.test(url))).toEqual([]);
    expect(await storedEvents(environment.server, consentId)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  test('Accept all runs the held-back script without a reload, requests the pixel and stores pageviews', async () => {
    const { page, context, requests, errors } = await openDemo();
    const consentId = await consentIdOf(page);
    await decide(page, 'Godta alle');

    await expect.poll(() => storageState(page), EVENTUALLY).toMatchObject({ analyticsRuns: 1 });
    const state = await storageState(page);
    expect(state.cookies).toEqual(expect.arrayContaining(['samtykke', NON_FUNCTIONAL_STORAGE.cookie]));
    expect(state.keys).toContain(NON_FUNCTIONAL_STORAGE.localStorage);
    await expect.poll(() => requests.some((url) => url.includes('/p.gif?') && url.includes(`cid=${consentId}`)), EVENTUALLY).toBe(true);

    const [record] = await consentRecords(environment.server, consentId);
    expect(record).toMatchObject({ action: 'accept_all', source: 'banner', functional: true, analytics: true, ads: true });
    await expect.poll(() => storedEvents(environment.server, consentId), EVENTUALLY).toEqual(
      expect.arrayContaining([expect.objectContaining({ type: 'pageview', path: '/demo' })]),
    );

    // A single-page navigation is a pageview; a custom event travels with its properties.
    await page.getByRole('link', { name: 'Fakturaer' }).click();
    await page.getByRole('button', { name: /Last ned faktura/ }).click();
    await expect.poll(async () => (await storedEvents(environment.server, consentId)).map((event) => [event.type, event.name, event.path]), EVENTUALLY).toEqual(
      expect.arrayContaining([
        ['pageview', null, '/demo/invoices'],
        ['custom', 'invoice_downloaded', '/demo/invoices'],
      ]),
    );
    expect((await storedEvents(environment.server, consentId)).find((event) => event.name === 'invoice_downloaded')!.props).toEqual({ format: 'pdf' });

    // The ad-conversion web beacon fires on purchase, with ads allowed.
    await page.getByRole('button', { name: /Kjøp tilleggstjeneste/ }).click();
    await expect.poll(() => requests.some((url) => url.includes('name=ad-conversion')), EVENTUALLY).toBe(true);
    expect(await cspViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  test('withdrawing analytics deletes its cookie and storage key and stops all sending', async () => {
    const { page, context, requests, errors } = await openDemo();
    const consentId = await consentIdOf(page);
    await decide(page, 'Godta alle');
    await expect.poll(() => storageState(page), EVENTUALLY).toMatchObject({ analyticsRuns: 1 });
    await expect.poll(() => storedEvents(environment.server, consentId), EVENTUALLY).toHaveLength(2); // the pageview and the ad-impression pixel

    await page.getByRole('button', { name: 'Innstillinger for informasjonskapsler' }).click();
    await page.locator(PREFERENCES).waitFor();
    expect(await page.getByRole('switch', { name: 'Bruksanalyse' }).isChecked()).toBe(true);
    await page.getByRole('switch', { name: 'Bruksanalyse' }).uncheck();
    await page.getByRole('switch', { name: 'Annonsemåling' }).uncheck();
    const sentBefore = requests.length;
    await decide(page, 'Lagre valgene');

    const state = await storageState(page);
    expect(state.cookies).not.toContain(NON_FUNCTIONAL_STORAGE.cookie);
    expect(state.keys).not.toContain(NON_FUNCTIONAL_STORAGE.localStorage);
    expect(await page.evaluate(() => window.Samtykke!.get())).toEqual({ functional: true, analytics: false, ads: false });
    const records = await consentRecords(environment.server, consentId);
    expect(records.map((record) => [record.action, record.source, record.analytics, record.ads])).toEqual([
      ['accept_all', 'banner', true, true],
      ['withdraw', 'preferences', false, false],
    ]);

    // Nothing is sent any more: not a navigation, not a custom event, not the beacon, not even on page exit.
    await page.getByRole('link', { name: 'Abonnementer' }).click();
    await page.evaluate(() => window.Samtykke!.track('after_withdrawal'));
    await page.getByRole('button', { name: /Kjøp tilleggstjeneste/ }).click();
    await page.goto('about:blank');
    expect(requests.slice(sentBefore).filter((url) => /\/api\/events|\/p\.gif/.test(url))).toEqual([]);
    expect(await storedEvents(environment.server, consentId)).toHaveLength(2);
    expect(errors).toEqual([]);
    await context.close();
  });

  test('with Global Privacy Control, Accept all leaves ads off and records the signal; ads need an explicit switch', async () => {
    const { page, context, requests } = await openDemo({ gpc: true });
    const sent: ConsentRequest[] = [];
    page.on('request', (request) => {
      if (request.url().endsWith('/api/consent')) sent.push(JSON.parse(request.postData()!) as ConsentRequest);
    });
    expect(await page.locator(NOTICE).textContent()).toContain('GPC');
    const consentId = await consentIdOf(page);
    await decide(page, 'Godta alle');
    expect(await page.evaluate(() => window.Samtykke!.get())).toEqual({ functional: true, analytics: true, ads: false });
    await expect.poll(() => storageState(page), EVENTUALLY).toMatchObject({ analyticsRuns: 1 });
    expect(requests.filter((url) => url.includes('/p.gif'))).toEqual([]);

    await page.evaluate(() => window.Samtykke!.open());
    await page.getByRole('switch', { name: 'Annonsemåling' }).check();
    await decide(page, 'Lagre valgene');
    await expect.poll(() => requests.some((url) => url.includes('/p.gif')), EVENTUALLY).toBe(true);
    const records = await consentRecords(environment.server, consentId);
    expect(records.map((record) => [record.action, record.source, record.ads, record.gpc])).toEqual([
      ['custom', 'gpc', false, true],
      ['accept_all', 'preferences', true, true],
    ]);
    // Every decision from this browser carries the signal, also the one it did not change.
    expect(sent.map((request) => request.gpc)).toEqual([true, true]);
    await context.close();
  });

  test('the declaration embed, a script of its own, lists every cookie and pixel with its state and a way to change it', async () => {
    const { page, context, errors, requests } = await openDemo({}, '/demo/terms');
    const embed = page.locator('[data-samtykke-declaration]');
    await expect.poll(() => embed.locator('table').count(), EVENTUALLY).toBe(3);
    for (const name of ['samtykke', '_pa_*', 'portal_analytics_queue', 'p.gif', 'ad-conversion']) {
      await embed.getByRole('cell', { name, exact: true }).waitFor();
    }
    await embed.getByRole('heading', { name: 'Bruksanalyse: Ikke tillatt' }).waitFor();
    await decide(page, 'Godta alle');
    await embed.getByRole('heading', { name: 'Bruksanalyse: Tillatt' }).waitFor();
    await embed.getByRole('button', { name: 'Innstillinger for informasjonskapsler' }).click();
    await page.locator(PREFERENCES).waitFor();
    // The renderer and the data came in one script, loaded by the widget for this page only.
    expect(requests.filter((url) => /\/declaration(\.js)?\b/.test(new URL(url).pathname))).toEqual([
      `${environment.server.url}/sites/min-bedrift/declaration.js?lang=nb`,
    ]);
    expect(await cspViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });
});
