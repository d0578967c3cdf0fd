/**
 * The widget on hand-written pages at the server's origin: Consent Mode order, strict CSP, inline scripts and
 * iframes, ad attribution, Nynorsk, a collector that is down, and material and wording-fix policy versions.
 */
import { describe, expect, test } from 'vitest';
import type { SiteFeatures } from '../../server/domain/sites.ts';
import { widgetSiteConfig } from '../helpers/served.ts';
import { DEMO_POLICY_TEXTS } from '../../server/demo/content.ts';
import { strictCsp } from '../../server/widget/demo.tsx';
import { browserAvailable } from '../helpers/browser.ts';
import { engines } from '../helpers/database.ts';
import { publishVersion } from '../helpers/policies.ts';
import {
  NOTICE,
  consentRecords,
  cspViolations,
  decide,
  freshPage,
  isRequestTo,
  routePage,
  storedEvents,
  widgetEnvironment,
  EVENTUALLY,
} from '../widget/fixtures.ts';

const SITE = 'min-side';

describe.skipIf(!browserAvailable).each(engines)('widget on hand-written pages (%s)', (engine) => {
  const environment = widgetEnvironment(engine);
  const site = () => environment.server.demo.sites.find((candidate) => candidate.key === SITE)!;
  const setFeatures = (features: Partial<SiteFeatures>) => environment.server.deps.sites.update(site(), { features });

  /** A page with the widget and a held-back inline script, iframe and pixel; extra markup goes in head or body. */
  function portalPage(options: { lang?: string; head?: string; body?: string; scriptAttributes?: string } = {}): string {
    return `<!doctype html><html lang="${options.lang ?? 'nb'}"><head><title>Portal</title>
      <script src="/sites/${SITE}/widget.js" ${options.scriptAttributes ?? 'async'}></script>${options.head ?? ''}
      <script type="text/plain" data-category="analytics">window.inlineRan = (window.inlineRan || 0) + 1</script>
      </head><body><main><h1>Portal</h1>
      <iframe title="Held back" data-category="analytics" data-src="/healthz"></iframe>
      <img alt="" data-category="ads" data-src="/p.gif?site=${SITE}&cid={cid}&url={url}">
      ${options.body ?? ''}</main></body></html>`;
  }

  test('held-back inline scripts and iframes are released on consent without a reload; English from <html lang>', async () => {
    const { page, context, requests, errors } = await freshPage(environment.browser);
    await routePage(page, '/portal', portalPage({ lang: 'en' }));
    await page.goto(`${environment.server.url}/portal`);
    await page.locator(NOTICE).waitFor();
    expect(await page.locator(NOTICE).getByRole('heading').textContent()).toBe('We use cookies');
    await page.waitForLoadState('networkidle');
    expect(await page.evaluate(() => (window as { inlineRan?: number }).inlineRan)).toBeUndefined();
    expect(requests.filter((url) => url.includes('/healthz') || url.includes('/p.gif'))).toEqual([]);

    await decide(page, 'Accept all');
    await expect.poll(() => page.evaluate(() => (window as { inlineRan?: number }).inlineRan), EVENTUALLY).toBe(1);
    await expect.poll(() => requests.filter((url) => url.includes('/healthz') || url.includes('/p.gif')).length, EVENTUALLY).toBe(2);
    expect(await page.locator('iframe').getAttribute('src')).toBe('/healthz');
    expect(errors).toEqual([]);
    await context.close();
  });

  const gtagSnippet = `<script>window.dataLayer = window.dataLayer || []; function gtag(){dataLayer.push(arguments);}
      gtag('js', new Date()); gtag('config', 'G-TEST');</script>`;

  test('Consent Mode v2 (the site has it on): denied defaults come before any Google tag, and every decision sends an update', async () => {
    const { page, context } = await freshPage(environment.browser);
    // A blocking tag, so the defaults must be in the dataLayer before the page's own gtag snippet runs.
    await routePage(page, '/portal', portalPage({ head: gtagSnippet, scriptAttributes: '' }));
    const dataLayer = () =>
      page.evaluate(() => (window.dataLayer ?? []).map((entry) => Array.from(entry as ArrayLike<unknown>).map((x) => (x instanceof Date ? 'date' : x))));
    const denied = {
      ad_storage: 'denied',
      ad_user_data: 'denied',
      ad_personalization: 'denied',
      analytics_storage: 'denied',
      functionality_storage: 'denied',
      personalization_storage: 'denied',
      security_storage: 'granted',
    };
    await page.goto(`${environment.server.url}/portal`);
    await page.locator(NOTICE).waitFor();
    expect(await dataLayer()).toEqual([
      ['consent', 'default', { ...denied, wait_for_update: 500 }],
      ['js', 'date'],
      ['config', 'G-TEST'],
    ]);

    await page.getByRole('button', { name: 'Velg selv', exact: true }).click();
    await page.getByRole('switch', { name: 'Bruksanalyse' }).check();
    await decide(page, 'Lagre valgene');
    const analyticsOnly = { ...denied, analytics_storage: 'granted', functionality_storage: 'granted', personalization_storage: 'granted' };
    expect((await dataLayer()).at(-1)).toEqual(['consent', 'update', analyticsOnly]);

    // On the next page the stored choice follows the defaults at once, still before the tags.
    await page.reload();
    await page.waitForLoadState('networkidle');
    expect((await dataLayer()).slice(0, 3)).toEqual([
      ['consent', 'default', { ...denied, wait_for_update: 500 }],
      ['consent', 'update', analyticsOnly],
      ['js', 'date'],
    ]);
    await context.close();
  });

  test('without the Consent Mode feature the widget leaves the dataLayer alone', async () => {
    await setFeatures({ consentMode: false, declarationEmbed: false });
    try {
      const { page, context } = await freshPage(environment.browser);
      await routePage(page, '/portal', portalPage({ head: gtagSnippet, scriptAttributes: '' }));
      await page.goto(`${environment.server.url}/portal`);
      await page.locator(NOTICE).waitFor();
      await decide(page, 'Godta alle');
      const commands = await page.evaluate(() => (window.dataLayer ?? []).map((entry) => (entry as ArrayLike<unknown>)[0]));
      expect(commands).toEqual(['js', 'config']);
      await context.close();
    } finally {
      await setFeatures({ consentMode: true, declarationEmbed: true });
    }
  });

  test('a Nynorsk page gets the Nynorsk texts and labels, and its decision cites the Nynorsk content', async () => {
    const { page, context } = await freshPage(environment.browser, { locale: 'en-GB' });
    // An English browser on a Nynorsk page: the script inlines English, so the page fetches its Nynorsk texts.
    await routePage(page, '/portal', portalPage({ lang: 'nn' }));
    await page.goto(`${environment.server.url}/portal`);
    await page.locator(NOTICE).waitFor();
    const { config } = await widgetSiteConfig(environment.server.deps, SITE, 'nn');
    expect(await page.locator(NOTICE).getByRole('heading').textContent()).toBe(DEMO_POLICY_TEXTS.nn!.title);
    await page.getByRole('button', { name: 'Vel sjølv', exact: true }).click();
    await decide(page, 'Lagre vala');
    const [record] = await consentRecords(environment.server, await page.evaluate(() => window.Samtykke!.consentId));
    expect(record).toMatchObject({ locale: 'nn', action: 'reject_all', shown_hash: config.texts.nn!.shown });
    await context.close();
  });

  test('under a strict CSP (nonce, strict-dynamic, no inline style) the widget and released scripts run without a violation', async () => {
    const { page, context, errors } = await freshPage(environment.browser);
    const nonce = 'dGVzdC1ub25jZQ';
    const html = portalPage({ scriptAttributes: `nonce="${nonce}" async` }).replace(
      '<script type="text/plain" data-category="analytics">',
      `<script type="text/plain" data-category="analytics" nonce="${nonce}">`,
    );
    await routePage(page, '/portal', html, { 'Content-Security-Policy': strictCsp(nonce) });
    await page.goto(`${environment.server.url}/portal`);
    await page.locator(NOTICE).waitFor();
    await page.getByRole('button', { name: 'Velg selv', exact: true }).click();
    await page.getByRole('button', { name: 'Godta alle', exact: true }).last().click();
    await expect.poll(() => page.evaluate(() => (window as { inlineRan?: number }).inlineRan), EVENTUALLY).toBe(1);
    // Styles applied from the constructed stylesheet (a CSP would have left the notice unstyled).
    await page.evaluate(() => window.Samtykke!.open());
    const dialogPadding = await page.locator('samtykke-consent dialog').evaluate((element) => getComputedStyle(element).paddingTop);
    expect(dialogPadding).toBe('20px');
    expect(await cspViolations(page)).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  test('UTM parameters and click IDs travel with the first pageview only under ads; other query parameters never', async () => {
    const landing = '/portal?utm_source=newsletter&utm_campaign=spring&gclid=abc123&email=kari%40example.no';
    for (const [choice, expected] of [
      ['analytics', { utm_source: null, utm_campaign: null, ad_click: null }],
      ['all', { utm_source: 'newsletter', utm_campaign: 'spring', ad_click: 'gclid' }],
    ] as const) {
      const { page, context } = await freshPage(environment.browser);
      const sent: string[] = [];
      page.on('request', (request) => {
        if (isRequestTo('/api/events')(request.url())) sent.push(request.postData() ?? '');
      });
      await routePage(page, '/portal', portalPage());
      await page.goto(environment.server.url + landing);
      await page.locator(NOTICE).waitFor();
      const consentId = await page.evaluate(() => window.Samtykke!.consentId);
      if (choice === 'all') {
        await decide(page, 'Godta alle');
      } else {
        await page.getByRole('button', { name: 'Velg selv', exact: true }).click();
        await page.getByRole('switch', { name: 'Bruksanalyse' }).check();
        await decide(page, 'Lagre valgene');
      }
      await expect.poll(() => storedEvents(environment.server, consentId), EVENTUALLY).toHaveLength(choice === 'all' ? 2 : 1);
      const pageview = (await storedEvents(environment.server, consentId)).find((event) => event.type === 'pageview');
      expect(pageview).toMatchObject({ path: '/portal', ...expected });
      expect(sent.join()).not.toContain('email');
      if (choice === 'analytics') expect(sent.join()).not.toMatch(/utm_|gclid/);
      await context.close();
    }
  });

  test('when the collector is down the choice applies locally and is recorded on a later page', async () => {
    const { page, context, requests } = await freshPage(environment.browser);
    await routePage(page, '/portal', portalPage());
    await page.route(`${environment.server.url}/api/consent`, (route) => route.abort('connectionrefused'));
    await page.goto(`${environment.server.url}/portal`);
    await page.locator(NOTICE).waitFor();
    const consentId = await page.evaluate(() => window.Samtykke!.consentId);
    await page.getByRole('button', { name: 'Godta alle', exact: true }).click();
    await expect.poll(() => page.evaluate(() => (window as { inlineRan?: number }).inlineRan), EVENTUALLY).toBe(1);
    // The pending decision keeps the locale and the hash of what was shown, to send them as they were.
    const { config } = await widgetSiteConfig(environment.server.deps, SITE);
    const cookie = (await context.cookies()).find((entry) => entry.name === 'samtykke');
    expect(cookie?.value).toMatch(new RegExp(`\\.accept_all\\.banner\\.nb\\.${config.texts.nb!.shown}$`));
    expect(await consentRecords(environment.server, consentId)).toEqual([]);
    // Events wait for a recorded decision (the collector would refuse them), and so does the pixel.
    expect(requests.filter((url) => /\/api\/events|\/p\.gif/.test(url))).toEqual([]);

    await page.unroute(`${environment.server.url}/api/consent`);
    const recorded = page.waitForResponse((response) => isRequestTo('/api/consent')(response.url()) && response.status() === 201);
    await page.reload();
    await recorded;
    expect(await page.locator(NOTICE).isVisible()).toBe(false);
    expect(await consentRecords(environment.server, consentId)).toEqual([
      expect.objectContaining({ action: 'accept_all', source: 'banner', shown_hash: config.texts.nb!.shown }),
    ]);
    await expect.poll(() => storedEvents(environment.server, consentId), EVENTUALLY).toEqual(expect.arrayContaining([expect.objectContaining({ type: 'pageview' })]));
    await expect.poll(() => (context.cookies().then((all) => all.find((entry) => entry.name === 'samtykke')?.value)), EVENTUALLY).toMatch(/^[\w-]+\.1\.7\.[a-z0-9]+$/);
    await context.close();
  });

  test('a material version asks again, holds everything back, and the collector refuses events under the old decision', async () => {
    const { page, context } = await freshPage(environment.browser);
    await routePage(page, '/portal', portalPage());
    await page.goto(`${environment.server.url}/portal`);
    await page.locator(NOTICE).waitFor();
    const consentId = await page.evaluate(() => window.Samtykke!.consentId);
    await decide(page, 'Godta alle');
    await page.reload();
    await page.waitForLoadState('networkidle');
    expect(await page.locator(NOTICE).isVisible()).toBe(false);
    expect(await page.evaluate(() => (window as { inlineRan?: number }).inlineRan)).toBe(1);

    const published = await publishVersion(environment.server.deps, site(), { texts: DEMO_POLICY_TEXTS, functionalRequired: true, consentLifetimeMonths: 12 }, true);

    // An app or a stale tab still holding the old decision: its events are refused, nothing stored.
    const stale = await page.evaluate(
      async ([site, id]) => {
        const body = JSON.stringify({ site, consentId: id, events: [{ type: 'pageview', url: location.href }] });
        const response = await fetch('/api/events', { method: 'POST', body });
        return { status: response.status, body: await response.json() };
      },
      [SITE, consentId] as const,
    );
    expect(stale).toMatchObject({ status: 403, body: { error: { code: 'consent_stale' } } });

    await page.reload();
    await page.locator(NOTICE).waitFor();
    await page.waitForLoadState('networkidle');
    expect(await page.evaluate(() => window.Samtykke!.get())).toBeNull();
    expect(await page.evaluate(() => (window as { inlineRan?: number }).inlineRan)).toBeUndefined();
    await decide(page, 'Avvis alle');
    expect((await consentRecords(environment.server, consentId)).map((record) => [record.policy_version, record.action])).toEqual([
      [published.version - 1, 'accept_all'],
      [published.version, 'reject_all'],
    ]);
    await context.close();
  });

  test('a wording fix does not ask again: the earlier decision still counts and is not sent again', async () => {
    const { page, context, requests } = await freshPage(environment.browser);
    await routePage(page, '/portal', portalPage());
    await page.goto(`${environment.server.url}/portal`);
    await page.locator(NOTICE).waitFor();
    const consentId = await page.evaluate(() => window.Samtykke!.consentId);
    await decide(page, 'Godta alle');
    const before = (await widgetSiteConfig(environment.server.deps, SITE)).config;

    const published = await publishVersion(environment.server.deps, site(), { texts: DEMO_POLICY_TEXTS, functionalRequired: true, consentLifetimeMonths: 12 }, false);
    const after = (await widgetSiteConfig(environment.server.deps, SITE)).config;
    expect(after).toMatchObject({ policyVersion: published.version, askedSince: before.askedSince });

    const sentBefore = requests.length;
    await page.reload();
    await page.waitForLoadState('networkidle');
    expect(await page.locator(NOTICE).isVisible()).toBe(false);
    expect(await page.evaluate(() => window.Samtykke!.get())).toEqual({ functional: true, analytics: true, ads: true });
    await expect.poll(() => page.evaluate(() => (window as { inlineRan?: number }).inlineRan), EVENTUALLY).toBe(1);
    expect(requests.slice(sentBefore).filter((url) => url.endsWith('/api/consent'))).toEqual([]);
    expect(await consentRecords(environment.server, consentId)).toHaveLength(1);
    // The collector still takes its events: the decision was made under a version that asked the same.
    // On each of the two page views: the pageview and the held-back pixel (a pixel without a name counts as one).
    const pageviews = async () => (await storedEvents(environment.server, consentId)).filter((event) => event.type === 'pageview').length;
    await expect.poll(pageviews, EVENTUALLY).toBe(4);
    await context.close();
  });
});
