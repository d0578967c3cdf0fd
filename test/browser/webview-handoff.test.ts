/**
 * The WebView hand-off in real Chromium: the app's injection (played with addInitScript, which runs before the
 * page's scripts as injectedJavaScriptBeforeContentLoaded does) makes the widget adopt the app's consent; forged and
 * expired tokens are refused; a change on the page reaches the app, and one in the app reaches the open page.
 */
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import type { Choices } from '../../server/domain/consent.ts';
import { signHandoff, type HandoffClaims } from '../../server/handoff/token.ts';
import { serverSecret } from '../../server/queries/secrets.ts';
import { createSamtykke } from '../../sdk/src/client.ts';
import { readLatestConsent, requestHandoff, type WebViewHandoff } from '../../sdk/src/handoff.ts';
import { browserAvailable } from '../helpers/browser.ts';
import { pageEngines } from '../helpers/database.ts';
import { consentRequest, newConsentId } from '../helpers/requests.ts';
import { EVENTUALLY, NOTICE, PREFERENCES, consentRecords, decide, freshPage, isRequestTo, storedEvents, widgetEnvironment } from '../widget/fixtures.ts';

const SITE = 'min-side';
const PAGE = '/demo/min-side';
const ANALYTICS_ONLY: Choices = { functional: true, analytics: true, ads: false };
const NOTHING: Choices = { functional: true, analytics: false, ads: false };

describe.skipIf(!browserAvailable).each(pageEngines)('WebView hand-off (%s)', (engine) => {
  const environment = widgetEnvironment(engine);
  const app = () => ({ endpoint: environment.server.url, site: SITE });

  /** The app records a decision as it does (no Origin, source app), under its consent ID. */
  async function appDecides(consentId: string, choices: Choices): Promise<void> {
    const response = await fetch(`${environment.server.url}/api/consent`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(consentRequest({ site: SITE, consentId, choices, action: 'custom', source: 'app', url: undefined })),
    });
    expect(response.status).toBe(201);
  }

  /** A WebView the app opens with `script` injected before the page's own scripts. */
  async function openWebView(script: string | null) {
    const visit = await freshPage(environment.browser);
    if (script) await visit.context.addInitScript(script);
    const warnings: string[] = [];
    visit.page.on('console', (message) => {
      if (message.type() === 'warning') warnings.push(message.text());
    });
    const events: string[] = [];
    visit.page.on('request', (request) => {
      if (isRequestTo('/api/events')(request.url())) events.push(request.postData() ?? '');
    });
    await visit.page.goto(`${environment.server.url}${PAGE}`);
    return { ...visit, warnings, events };
  }

  const state = (page: Page) =>
    page.evaluate(() => ({
      consentId: window.Samtykke!.consentId,
      choices: window.Samtykke!.get(),
      analyticsRuns: (window as { portalAnalytics?: { runs: number } }).portalAnalytics?.runs ?? 0,
    }));

  /** The banner stays away: waits out the page's requests, then checks it never appeared. */
  async function expectNoBanner(page: Page): Promise<void> {
    await page.waitForLoadState('networkidle');
    expect(await page.locator(NOTICE).isVisible()).toBe(false);
  }

  test('a valid hand-off: no banner, the app\'s consent ID and choices in force, nothing recorded again', async () => {
    const consentId = newConsentId();
    await appDecides(consentId, ANALYTICS_ONLY);
    const handoff = await requestHandoff({ ...app(), consentId });
    const { page, context, requests, errors } = await openWebView(handoff.beforeContentLoaded);

    await expect.poll(() => state(page), EVENTUALLY).toEqual({ consentId, choices: ANALYTICS_ONLY, analyticsRuns: 1 });
    await expectNoBanner(page);
    // Analytics granted: the page's pageview is stored under the app's consent ID; ads denied: no ad beacon.
    await expect.poll(async () => (await storedEvents(environment.server, consentId)).map((event) => event.type), EVENTUALLY).toContain('pageview');
    expect(requests.filter((url) => /ad-beacon\.js|\/p\.gif/.test(url))).toEqual([]);
    // The page kept the decision: the next page in the WebView needs no token (it expires in minutes).
    expect((await context.cookies()).find((cookie) => cookie.name === 'samtykke')?.value).toMatch(new RegExp(`^${consentId}\\.`));
    // Adopted, not recorded again: the app's decision is the only record.
    expect((await consentRecords(environment.server, consentId)).map((record) => record.source)).toEqual(['app']);
    expect(errors).toEqual([]);
    await context.close();
  });

  test('a hand-off denying analytics applies it: the held-back script stays held, no events are sent', async () => {
    const consentId = newConsentId();
    await appDecides(consentId, NOTHING);
    const { page, context, events, errors } = await openWebView((await requestHandoff({ ...app(), consentId })).beforeContentLoaded);
    await expect.poll(() => state(page), EVENTUALLY).toEqual({ consentId, choices: NOTHING, analyticsRuns: 0 });
    await expectNoBanner(page);
    expect(events).toEqual([]);
    expect(errors).toEqual([]);
    await context.close();
  });

  test('a forged or an expired token is refused: the banner shows and the app\'s ID is not taken', async () => {
    const consentId = newConsentId();
    await appDecides(consentId, NOTHING);
    const { token } = await requestHandoff({ ...app(), consentId });
    const [payload, signature] = token.split('.') as [string, string];
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as HandoffClaims;
    // A script granting itself everything in the app's name.
    const forged = `${Buffer.from(JSON.stringify({ ...claims, choices: { functional: true, analytics: true, ads: true } })).toString('base64url')}.${signature}`;
    const expired = signHandoff(await serverSecret(environment.server.deps.db, 'handoff_key'), { ...claims, expiresAt: Date.now() - 1000 });

    for (const [bad, reason] of [[forged, 403], [expired, 403]] as const) {
      const { page, context, warnings, errors } = await openWebView(`window.SamtykkeHandoff=${JSON.stringify(bad)};true;`);
      await page.locator(NOTICE).waitFor();
      const shown = await state(page);
      expect(shown.choices).toBeNull();
      expect(shown.consentId).not.toBe(consentId);
      expect(shown.analyticsRuns).toBe(0);
      expect(warnings).toContainEqual(expect.stringMatching(new RegExp(`handoff refused ${reason}`)));
      expect(errors).toEqual([]);
      await context.close();
    }
  });

  test('a change on the page is recorded under the app\'s consent ID, and the app reads it', async () => {
    const consentId = newConsentId();
    await appDecides(consentId, ANALYTICS_ONLY);
    const { page, context, errors } = await openWebView((await requestHandoff({ ...app(), consentId })).beforeContentLoaded);
    await expect.poll(() => state(page), EVENTUALLY).toMatchObject({ consentId, choices: ANALYTICS_ONLY });

    await page.evaluate(() => window.Samtykke!.open());
    await page.locator(PREFERENCES).waitFor();
    await page.getByRole('switch', { name: 'Bruksanalyse' }).uncheck();
    await decide(page, 'Lagre valgene');

    expect((await consentRecords(environment.server, consentId)).map((record) => [record.source, record.analytics])).toEqual([
      ['app', true],
      ['preferences', false],
    ]);
    const latest = await readLatestConsent({ ...app(), consentId });
    expect(latest).toMatchObject({ consentId, choices: NOTHING, current: true });
    // The app's client, which has recorded analytics granted since, takes the page's next change when asked.
    const client = await createSamtykke({ ...app(), policyVersion: 1, randomId: () => consentId });
    await client.decide(ANALYTICS_ONLY);
    await client.flush();
    expect(client.pending().decisions).toBe(0);
    await page.evaluate(() => window.Samtykke!.open());
    await page.locator(PREFERENCES).waitFor();
    await page.getByRole('switch', { name: 'Bruksanalyse' }).uncheck();
    await decide(page, 'Lagre valgene');
    const heard: Array<Choices | null> = [];
    client.onChange((choices) => heard.push(choices));
    expect(await client.refresh()).toEqual(NOTHING);
    expect(heard).toEqual([NOTHING]);
    expect(client.allows('analytics')).toBe(false);
    await client.close();

    // The WebView loads the next page with the token it injected at first: the page's change stands.
    await page.reload();
    await expectNoBanner(page);
    expect(await state(page)).toMatchObject({ consentId, choices: NOTHING });
    expect(errors).toEqual([]);
    await context.close();
  });

  test('a change in the app reaches a page already open', async () => {
    const consentId = newConsentId();
    await appDecides(consentId, NOTHING);
    const first: WebViewHandoff = await requestHandoff({ ...app(), consentId });
    const { page, context, errors } = await openWebView(first.beforeContentLoaded);
    await expect.poll(() => state(page), EVENTUALLY).toEqual({ consentId, choices: NOTHING, analyticsRuns: 0 });
    const changes: unknown[] = [];
    await page.exposeFunction('reportChange', (choices: unknown) => changes.push(choices));
    await page.evaluate(() => window.Samtykke!.on('change', (choices) => (window as unknown as { reportChange(value: unknown): void }).reportChange(choices)));

    await appDecides(consentId, ANALYTICS_ONLY);
    const update = await requestHandoff({ ...app(), consentId });
    await page.evaluate(update.update);

    // The held-back analytics script runs without a reload, and the page's listeners hear of it.
    await expect.poll(() => state(page), EVENTUALLY).toEqual({ consentId, choices: ANALYTICS_ONLY, analyticsRuns: 1 });
    await expect.poll(() => changes, EVENTUALLY).toEqual([ANALYTICS_ONLY]);
    await expect.poll(async () => (await storedEvents(environment.server, consentId)).map((event) => event.type), EVENTUALLY).toContain('pageview');
    expect(errors).toEqual([]);
    await context.close();
  });
});
