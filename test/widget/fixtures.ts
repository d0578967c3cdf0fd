/** Shared pieces of the widget's browser tests: one Chromium per test file, a fresh context per test, the database. */
import { chromium, type Browser, type BrowserContext, type Page } from 'playwright-core';
import { afterAll, beforeAll } from 'vitest';
import { CHROMIUM_PATH, DESKTOP_USER_AGENT } from '../helpers/browser.ts';
import { startTestServer } from '../helpers/app.ts';
import type { Engine } from '../helpers/database.ts';

/** How long expect.poll waits: events leave the page in batches about a second apart, then queue for the writer. */
export const EVENTUALLY = { timeout: 10_000 };

export type WidgetTestServer = Awaited<ReturnType<typeof startTestServer>>;

/** The widget, built once for the run (test/global-setup.ts), served by a real server on a fresh demo database. */
function startWidgetServer(engine: Engine): Promise<WidgetTestServer> {
  return startTestServer(engine);
}

function launchSharedBrowser(): Promise<Browser> {
  return chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
}

/** For a describe block: one server and one browser, started before its tests and closed after them. */
export function widgetEnvironment(engine: Engine): { readonly server: WidgetTestServer; readonly browser: Browser } {
  const environment = {} as { server: WidgetTestServer; browser: Browser };
  beforeAll(async () => {
    [environment.server, environment.browser] = await Promise.all([startWidgetServer(engine), launchSharedBrowser()]);
  });
  afterAll(async () => {
    await environment.browser?.close();
    await environment.server?.close();
  });
  return environment;
}

export function consentRecords(server: WidgetTestServer, consentId: string) {
  return server.deps.db.selectFrom('consent_records').selectAll().where('consent_id', '=', consentId).orderBy('seq').execute();
}

export function storedEvents(server: WidgetTestServer, consentId: string) {
  return server.deps.db.selectFrom('events').selectAll().where('consent_id', '=', consentId).orderBy('id').execute();
}

/** Clicks a button of the banner and waits until the collector has durably recorded the decision. */
export async function decide(page: Page, name: string): Promise<void> {
  const recorded = page.waitForResponse((response) => isRequestTo('/api/consent')(response.url()) && response.status() === 201);
  await page.getByRole('button', { name, exact: true }).click();
  await recorded;
}

export interface VisitOptions {
  readonly locale?: string;
  /** Sends Global Privacy Control, as Brave or Firefox with the setting on would. */
  readonly gpc?: boolean;
  /** Lets a test inject axe-core into a page whose CSP would refuse it. */
  readonly bypassCsp?: boolean;
}

/** A fresh context (no cookies, no storage) that records every request the page makes. */
export async function freshPage(
  browser: Browser,
  options: VisitOptions = {},
): Promise<{ context: BrowserContext; page: Page; requests: string[]; errors: Error[] }> {
  const context = await browser.newContext({
    userAgent: DESKTOP_USER_AGENT,
    locale: options.locale ?? 'nb-NO',
    bypassCSP: options.bypassCsp ?? false,
    // A browser with Global Privacy Control on sends the header with every request as well.
    ...(options.gpc ? { extraHTTPHeaders: { 'Sec-GPC': '1' } } : {}),
  });
  await context.addInitScript(() => {
    const violations: string[] = [];
    Object.assign(window, { cspViolations: violations });
    document.addEventListener('securitypolicyviolation', (event) => violations.push(`${event.violatedDirective} ${event.blockedURI}`));
  });
  if (options.gpc) {
    await context.addInitScript(() => Object.defineProperty(Navigator.prototype, 'globalPrivacyControl', { get: () => true }));
  }
  const page = await context.newPage();
  const requests: string[] = [];
  page.on('request', (request) => requests.push(request.url()));
  const errors: Error[] = [];
  page.on('pageerror', (error) => errors.push(error));
  return { context, page, requests, errors };
}

/** The first layer of the banner (Playwright's CSS locators reach into the open shadow root). */
export const NOTICE = 'samtykke-consent [role="dialog"]';
export const PREFERENCES = 'samtykke-consent dialog';

/** CSP violations the page reported since it loaded. */
export function cspViolations(page: Page): Promise<string[]> {
  return page.evaluate(() => (window as unknown as { cspViolations: string[] }).cspViolations);
}

/** Serves a hand-written page at the server's own origin (so the collector accepts it), everything else from the server. */
export async function routePage(page: Page, path: string, html: string, headers: Record<string, string> = {}): Promise<void> {
  await page.route((url) => url.pathname === path, (route) => route.fulfill({ status: 200, contentType: 'text/html; charset=utf-8', body: html, headers }));
}

export function isRequestTo(path: string): (url: string) => boolean {
  return (url) => new URL(url).pathname === path;
}
