/**
 * The crawl of a cookie scan: a headless Chromium goes breadth-first over a site's own pages and visits each three
 * times, each in a fresh profile (before any choice, after Reject all, after Accept all), and hands back what the
 * browser held and sent. Raw observations only: domain/scan-findings.ts makes findings of them.
 */
import { existsSync } from 'node:fs';
import { setTimeout as sleep } from 'node:timers/promises';
import { chromium, errors, type Browser, type BrowserContext, type Page, type Request, type Response } from 'playwright-core';
import type { EventsReceipt, StoredConsentReceipt } from '../contract.ts';
import { OriginMatcher } from '../domain/origins.ts';
import {
  SCAN_VISITS,
  type CrawlProgress,
  type CrawlResult,
  type ObservedCookie,
  type ObservedRequest,
  type ObservedStorage,
  type PageVisit,
  type RequestKind,
  type ScannedPage,
  type ScanPlan,
  type ScanVisit,
  type SkippedPage,
  type StorageArea,
} from '../domain/scan.ts';
import { robotsCheck } from './robots.ts';

/** No sandbox, as a service in a container has none to give; no GPU, no QUIC, and none of Chromium's own calls home. */
export const CHROMIUM_ARGS = [
  '--no-sandbox',
  '--disable-gpu',
  '--disable-quic',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
];

/** A browser that has not started by then will not: said at once instead of after Playwright's three minutes. */
const LAUNCH_TIMEOUT_MS = 30_000;
/** How long Samtykke's banner may take to appear once the load has settled (the script loads async). */
const BANNER_WAIT_MS = 2_000;
/** The network counts as quiet after this long with no request open: the measure of Playwright's networkidle. */
const QUIET_MS = 500;
const QUIET_POLL_MS = 50;
/**
 * How long a visit waits for the headers of its responses (for Set-Cookie): Chromium does not always send a
 * response's full headers (a worker script in an iframe, microsoft/playwright#39948), and Playwright then never answers.
 */
const HEADERS_WAIT_MS = 1_000;
/** Pages left unvisited are listed up to this many: enough to see what the limits left out, not thousands. */
const SKIPPED_LISTED = 100;

/**
 * Samtykke's banner as widget/banner.ts builds it: a `samtykke-consent` element whose open shadow root holds the
 * notice `.n` with its row of buttons `.r`: Choose, Accept all, Reject all, in that order. Change these with it.
 * Playwright's CSS selectors reach into open shadow roots.
 */
const NOTICE = 'samtykke-consent .n';
const NOTICE_BUTTONS = `${NOTICE} .r > button`;
const CHOICE_BUTTON: Record<Exclude<ScanVisit, 'before_choice'>, number> = { after_accept: 1, after_reject: 2 };

/**
 * Samtykke's own collector, answered by the crawl itself: a scan must not write consent evidence (a decision no
 * person made) or analytics (visits no person made) into the site's records. Its requests are observed all the same.
 */
const COLLECTOR_PATHS = new Set(['/api/consent', '/api/events', '/p.gif']);
const TRANSPARENT_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

/** The page-side name the init script reports cookie and storage writes through. */
const WRITE_BINDING = '__samtykkeScanWrite';
/** The init script's own stack frames carry this name, so the writer found is the page's script, not ours. */
const INIT_SCRIPT_NAME = 'samtykke-scan-writes.js';

/**
 * Notes, per cookie name and storage key, the script that wrote it first: the top stack frame outside this script
 * (`script https://…/a.js:12`). Runs in every frame before the page's own scripts. Plain JavaScript in a string:
 * a function handed over by tsx would carry esbuild's helpers, which the page does not have.
 */
const WRITES_INIT_SCRIPT = `(() => {
  const report = window[${JSON.stringify(WRITE_BINDING)}];
  const reported = new Set();
  const writer = () => {
    const limit = Error.stackTraceLimit;
    Error.stackTraceLimit = 20;
    const stack = new Error().stack || '';
    Error.stackTraceLimit = limit;
    for (const line of stack.split('\\n').slice(1)) {
      if (line.includes(${JSON.stringify(INIT_SCRIPT_NAME)})) continue;
      const frame = /(https?:\\/\\/[^\\s()]+):(\\d+):\\d+\\)?$/.exec(line);
      if (frame) return 'script ' + frame[1] + ':' + frame[2];
    }
    return null;
  };
  const note = (area, name, asked) => {
    const first = !reported.has(area + ' ' + name);
    reported.add(area + ' ' + name);
    report(area, name, first ? writer() : null, asked);
  };
  // The expiry a cookie string asks for, in seconds since the epoch: Max-Age wins over Expires, as in browsers.
  const askedExpiry = (text) => {
    const maxAge = /;\\s*max-age=(-?\\d+)/i.exec(text);
    if (maxAge) return Date.now() / 1000 + Number(maxAge[1]);
    const expires = /;\\s*expires=([^;]+)/i.exec(text);
    const at = expires ? Date.parse(expires[1]) : NaN;
    return Number.isNaN(at) ? null : at / 1000;
  };
  const cookie = Object.getOwnPropertyDescriptor(Document.prototype, 'cookie');
  Object.defineProperty(Document.prototype, 'cookie', {
    configurable: true,
    enumerable: cookie.enumerable,
    get: cookie.get,
    set(value) {
      note('cookie', String(value).split(';')[0].split('=')[0].trim(), askedExpiry(String(value)));
      cookie.set.call(this, value);
    },
  });
  const setItem = Storage.prototype.setItem;
  Storage.prototype.setItem = function (key, value) {
    note(this === window.sessionStorage ? 'session' : 'local', String(key), null);
    return setItem.call(this, key, value);
  };
})();
//# sourceURL=${INIT_SCRIPT_NAME}`;

/** Chromium's resource types as the kinds the findings speak of; a document is an iframe unless it is the page. */
const REQUEST_KINDS: Readonly<Record<string, RequestKind>> = {
  script: 'script',
  image: 'pixel',
  ping: 'beacon',
  xhr: 'fetch',
  fetch: 'fetch',
  stylesheet: 'stylesheet',
  font: 'font',
  media: 'media',
};

/** Crawls the site from plan.startUrls; a page that fails becomes a skipped page, only a browser that will not start throws. */
export async function crawl(plan: ScanPlan, onProgress: (progress: CrawlProgress) => void, signal?: AbortSignal): Promise<CrawlResult> {
  const site = new OriginMatcher(plan.allowedOrigins);
  // The caller checks this too; a scan of someone else's site must not start from a mistake there.
  for (const url of plan.startUrls) {
    if (!URL.canParse(url) || !site.allows(new URL(url).origin)) {
      throw new Error(`The start URL ${url} is not on the site's origins (${plan.allowedOrigins.join(', ')}): a scan visits only the site's own pages`);
    }
  }
  signal?.throwIfAborted();
  const browser = await launchChromium(plan.browserPath);
  const abort = abortion(signal);
  try {
    signal?.throwIfAborted();
    const work = crawlSite(browser, plan, site, onProgress, signal);
    // On an abort the work is left behind: closing the browser fails what it awaits, except that a call begun as the
    // browser closes may never settle (newPage did not, with Playwright 1.65), so the crawl does not wait for it.
    work.catch(() => undefined);
    return await Promise.race([work, abort.rejected]);
  } finally {
    abort.release();
    await browser.close();
  }
}

/** Rejects with the signal's reason once it aborts; `release` stops listening when the crawl ends first. */
function abortion(signal: AbortSignal | undefined): { readonly rejected: Promise<never>; release(): void } {
  let release = () => {};
  const rejected = new Promise<never>((_, reject) => {
    const onAbort = () => reject(signal?.reason);
    signal?.addEventListener('abort', onAbort, { once: true });
    release = () => signal?.removeEventListener('abort', onAbort);
  });
  return { rejected, release };
}

async function launchChromium(executablePath: string): Promise<Browser> {
  if (!existsSync(executablePath)) {
    throw new Error(`No Chromium at ${executablePath}: install it (apt-get install chromium) or set SAMTYKKE_CHROMIUM_PATH to the browser's executable`);
  }
  try {
    return await chromium.launch({ executablePath, headless: true, args: CHROMIUM_ARGS, timeout: LAUNCH_TIMEOUT_MS });
  } catch (error) {
    const reason = error instanceof Error ? error.message.split('\n')[0] : String(error);
    throw new Error(`Chromium at ${executablePath} did not start (${reason}): check that it runs, or set SAMTYKKE_CHROMIUM_PATH to another browser`, { cause: error });
  }
}

/** The pages still to visit, breadth-first and each once, no more than the limits can still reach plus a list's worth. */
class Frontier {
  private readonly queue: string[] = [];
  private readonly seen = new Set<string>();

  get size(): number {
    return this.queue.length;
  }

  /** A link beyond `room` is not kept (nor marked seen): it may be taken when a later page links it again. */
  add(url: string, room: number): void {
    if (this.seen.has(url) || this.queue.length >= room) return;
    this.seen.add(url);
    this.queue.push(url);
  }

  next(): string | undefined {
    return this.queue.shift();
  }

  /** Where a page ended after redirects (`/` → `/nb/`): links to it are the page already visited. */
  arrivedAt(url: string): void {
    this.seen.add(url);
  }

  /** What the limits left out, starting with `url`, listed up to SKIPPED_LISTED. */
  leftOut(url: string, reason: 'page_limit' | 'time_limit'): SkippedPage[] {
    return [url, ...this.queue].slice(0, SKIPPED_LISTED).map((left) => ({ url: left, reason }));
  }
}

async function crawlSite(
  browser: Browser,
  plan: ScanPlan,
  site: OriginMatcher,
  onProgress: (progress: CrawlProgress) => void,
  signal: AbortSignal | undefined,
): Promise<CrawlResult> {
  // A page begun is finished: the time limit may be passed by one page's visits, each bounded by pageTimeoutMs.
  const deadline = Date.now() + plan.timeLimitMs;
  const allowedByRobots = robotsCheck({ timeoutMs: plan.pageTimeoutMs, signal });
  const frontier = new Frontier();
  const pages: ScannedPage[] = [];
  const skipped: SkippedPage[] = [];
  const externalLinks = new Set<string>();
  // Failed pages count against the page limit too: the limit bounds the work, and a failure costs a page's time.
  let attempted = 0;
  const room = () => plan.pageLimit - attempted + SKIPPED_LISTED;
  for (const url of plan.startUrls) frontier.add(withoutFragment(url), room());

  for (let url = frontier.next(); url !== undefined; url = frontier.next()) {
    if (attempted >= plan.pageLimit) {
      skipped.push(...frontier.leftOut(url, 'page_limit'));
      break;
    }
    if (Date.now() >= deadline) {
      skipped.push(...frontier.leftOut(url, 'time_limit'));
      break;
    }
    if (!(await allowedByRobots(url))) {
      skipped.push({ url, reason: 'robots' });
      continue;
    }
    attempted += 1;
    let banner = false;
    try {
      const { page, links } = await scanPage(browser, url, plan, site);
      pages.push(page);
      frontier.arrivedAt(page.finalUrl);
      banner = page.visits[0]!.banner;
      for (const link of links) {
        if (site.allows(new URL(link).origin)) frontier.add(link, room());
        else externalLinks.add(link);
      }
    } catch (error) {
      signal?.throwIfAborted();
      skipped.push({ url, reason: 'error', message: problemWith(url, error, plan.pageTimeoutMs) });
    }
    onProgress({ page: url, visited: attempted, queued: frontier.size, banner });
  }
  return { pages, skipped, externalLinks: externalLinks.size };
}

/** The page's three visits, or only the first where there is no banner to answer. */
async function scanPage(browser: Browser, url: string, plan: ScanPlan, site: OriginMatcher): Promise<{ page: ScannedPage; links: string[] }> {
  // One after another: visits side by side were no faster on two cores, where Chromium's work is the limit.
  const first = await visitPage(browser, url, 'before_choice', plan, site);
  const visits: PageVisit[] = [first.visit];
  if (first.visit.banner) {
    for (const kind of SCAN_VISITS.slice(1)) visits.push((await visitPage(browser, url, kind, plan, site)).visit);
  }
  return { page: { url, finalUrl: first.finalUrl, status: first.status, visits }, links: first.links };
}

interface VisitOutcome {
  readonly visit: PageVisit;
  readonly finalUrl: string;
  readonly status: number | null;
  /** The page's links to follow or count, from the first visit only (the others show the same page). */
  readonly links: string[];
}

/** One visit in a fresh profile, closed after it whatever happens, so a long crawl holds one page's memory at a time. */
async function visitPage(browser: Browser, url: string, kind: ScanVisit, plan: ScanPlan, site: OriginMatcher): Promise<VisitOutcome> {
  // Service workers are blocked: their requests would pass the collector's stand-in and go unobserved.
  const context = await browser.newContext({ serviceWorkers: 'block' });
  try {
    await answerCollector(context, new URL(plan.samtykkeOrigin).origin);
    const writers = await watchWriters(context);
    const page = await context.newPage();
    const network = new NetworkWatch(page);
    const initiators = await watchInitiators(context, page);
    page.on('response', (response) => writers.noteSetCookies(response));

    const status = await load(page, url, plan.pageTimeoutMs, site, network);
    const banner = await bannerShown(page);
    if (banner && kind !== 'before_choice') {
      await page.locator(NOTICE_BUTTONS).nth(CHOICE_BUTTON[kind]).click({ timeout: plan.pageTimeoutMs });
      // The widget releases held-back scripts and deletes what a denied category left, without a reload.
      await network.quiet(plan.pageTimeoutMs);
    }
    const finalUrl = requireOnSite(page.url(), site);
    await writers.settled();
    return {
      visit: {
        visit: kind,
        banner,
        cookies: await cookiesOf(context, writers),
        storage: await storageOf(page, writers),
        requests: network.requests(initiators),
      },
      finalUrl,
      status,
      links: kind === 'before_choice' ? await linksOf(page) : [],
    };
  } finally {
    await context.close();
  }
}

/** Loads the page within pageTimeoutMs (load event, then a quiet network); its HTTP status, an error status included. */
async function load(page: Page, url: string, timeoutMs: number, site: OriginMatcher, network: NetworkWatch): Promise<number | null> {
  const started = Date.now();
  const left = () => Math.max(1, started + timeoutMs - Date.now());
  // Checked as soon as the response is in, so a page off the site runs as little as possible in the scanner.
  const response = await page.goto(url, { waitUntil: 'commit', timeout: timeoutMs });
  requireOnSite(page.url(), site);
  await page.waitForLoadState('load', { timeout: left() });
  await network.quiet(left());
  return response?.status() ?? null;
}

async function bannerShown(page: Page): Promise<boolean> {
  try {
    await page.locator(NOTICE).waitFor({ state: 'visible', timeout: BANNER_WAIT_MS });
    return true;
  } catch (error) {
    if (error instanceof errors.TimeoutError) return false;
    throw error;
  }
}

async function answerCollector(context: BrowserContext, samtykkeOrigin: string): Promise<void> {
  await context.route(
    (url) => url.origin === samtykkeOrigin && COLLECTOR_PATHS.has(url.pathname),
    async (route) => {
      const request = route.request();
      const origin = await request.headerValue('origin');
      // The page reads the receipt (the widget keeps a decision pending until it has one): CORS as the collector's.
      const headers = { 'access-control-allow-origin': origin ?? '*', vary: 'Origin' };
      const path = new URL(request.url()).pathname;
      if (path === '/api/consent') {
        const receipt: StoredConsentReceipt = { id: 0, seq: 0, hash: '', recordedAt: new Date().toISOString(), stale: false };
        await route.fulfill({ status: 201, headers, json: receipt });
      } else if (path === '/api/events') {
        const receipt: EventsReceipt = { accepted: eventsIn(request) };
        await route.fulfill({ status: 202, headers, json: receipt });
      } else {
        await route.fulfill({ status: 200, headers, contentType: 'image/gif', body: TRANSPARENT_GIF });
      }
    },
  );
}

/** How many events a batch holds, as the collector would count them accepted. */
function eventsIn(request: Request): number {
  try {
    const events: unknown = (request.postDataJSON() as { events?: unknown } | null)?.events;
    return Array.isArray(events) ? events.length : 0;
  } catch {
    return 0;
  }
}

/** What wrote each cookie and storage key during a visit, the first writer kept, and the expiry each cookie asked for last. */
interface Writers {
  /** Notes `Set-Cookie <url>` for every cookie a response sets. */
  noteSetCookies(response: Response): void;
  /** Resolves once every response's headers have been read, or HEADERS_WAIT_MS has passed. */
  settled(): Promise<void>;
  of(area: 'cookie' | StorageArea, name: string): string | null;
  askedExpiry(name: string): number | null;
}

/** The expiry a Set-Cookie value asks for, in seconds since the epoch (Max-Age wins over Expires), or null. */
function askedExpiryOf(cookie: string): number | null {
  const maxAge = /;\s*max-age=(-?\d+)/i.exec(cookie);
  if (maxAge) return Date.now() / 1000 + Number(maxAge[1]);
  const at = Date.parse(/;\s*expires=([^;]+)/i.exec(cookie)?.[1] ?? '');
  return Number.isNaN(at) ? null : at / 1000;
}

async function watchWriters(context: BrowserContext): Promise<Writers> {
  const writers = new Map<string, string>();
  const asked = new Map<string, number | null>();
  const note = (area: string, name: string, by: string | null, expiry: number | null) => {
    if (by !== null && !writers.has(`${area} ${name}`)) writers.set(`${area} ${name}`, by);
    // The last write decides, as it does for the cookie itself.
    if (area === 'cookie') asked.set(name, expiry);
  };
  const headerReads: Promise<void>[] = [];
  await context.exposeBinding(WRITE_BINDING, (_source, area: unknown, name: unknown, by: unknown, expiry: unknown) => {
    if (typeof area === 'string' && typeof name === 'string') note(area, name, typeof by === 'string' ? by : null, typeof expiry === 'number' ? expiry : null);
  });
  await context.addInitScript({ content: WRITES_INIT_SCRIPT });
  return {
    noteSetCookies(response) {
      const read = response.headersArray().then(
        (headers) => {
          for (const { name, value } of headers) {
            if (name.toLowerCase() === 'set-cookie') note('cookie', value.split(';')[0]!.split('=')[0]!.trim(), `Set-Cookie ${response.url()}`, askedExpiryOf(value));
          }
        },
        // A response whose page has gone: its cookies, if any, are unattributed.
        () => undefined,
      );
      headerReads.push(read);
    },
    async settled() {
      await Promise.race([Promise.all(headerReads), sleep(HEADERS_WAIT_MS)]);
    },
    of: (area, name) => writers.get(`${area} ${name}`) ?? null,
    askedExpiry: (name) => asked.get(name) ?? null,
  };
}

/**
 * The requests of a visit, each URL once, and the open ones counted so a wait can tell when the page has gone quiet.
 * Playwright sees the requests of every frame, cross-origin iframes included.
 */
class NetworkWatch {
  private readonly seen = new Map<string, { kind: RequestKind; document: string | null }>();
  private open = 0;
  private lastChange = Date.now();

  constructor(private readonly page: Page) {
    page.on('request', (request) => {
      this.changed(1);
      if (!this.seen.has(request.url())) this.seen.set(request.url(), describeRequest(request));
    });
    page.on('requestfinished', () => this.changed(-1));
    page.on('requestfailed', () => this.changed(-1));
  }

  private changed(delta: number): void {
    this.open += delta;
    this.lastChange = Date.now();
  }

  /** Waits until no request has been open for QUIET_MS (counted from now), or maxMs has passed. */
  async quiet(maxMs: number): Promise<void> {
    const started = Date.now();
    while (Date.now() - started < maxMs && !this.page.isClosed()) {
      if (this.open <= 0 && Date.now() - Math.max(started, this.lastChange) >= QUIET_MS) return;
      await sleep(QUIET_POLL_MS);
    }
  }

  /**
   * The page's requests but its own document, with the script or document that caused each: those to other origins,
   * and the site's own, where a first-party pixel or beacon is seen.
   */
  requests(initiators: ReadonlyMap<string, string>): ObservedRequest[] {
    const made: ObservedRequest[] = [];
    for (const [url, { kind, document }] of this.seen) {
      if (!/^https?:/.test(url) || kind === 'document') continue;
      made.push({ url, kind, initiator: initiators.get(url) ?? document });
    }
    return made;
  }
}

function describeRequest(request: Request): { kind: RequestKind; document: string | null } {
  const type = request.resourceType();
  const frame = request.frame();
  const parent = frame.parentFrame();
  const kind = type === 'document' ? (parent ? 'iframe' : 'document') : (REQUEST_KINDS[type] ?? 'other');
  // A navigation is caused by the document around the frame; anything else by the document in it.
  const document = request.isNavigationRequest() ? parent?.url() : frame.url();
  return { kind, document: document || null };
}

/** A stack as the DevTools protocol gives it: frames, and the stack of the async call that led here. */
interface ProtocolStack {
  readonly callFrames: ReadonlyArray<{ readonly url: string }>;
  readonly parent?: ProtocolStack;
}

/**
 * The initiator Chromium names for each request URL (the script whose call sent it, or the document whose markup
 * did), which Playwright does not tell. The page's own target only: a cross-origin iframe's requests fall back to
 * the iframe's document.
 */
async function watchInitiators(context: BrowserContext, page: Page): Promise<ReadonlyMap<string, string>> {
  const initiators = new Map<string, string>();
  const session = await context.newCDPSession(page);
  session.on('Network.requestWillBeSent', ({ request, initiator }) => {
    const by = initiator.url || topOfStack(initiator.stack);
    if (by && !initiators.has(request.url)) initiators.set(request.url, by);
  });
  await session.send('Network.enable');
  return initiators;
}

function topOfStack(stack: ProtocolStack | undefined): string | undefined {
  for (let trace = stack; trace; trace = trace.parent) {
    const frame = trace.callFrames.find((candidate) => candidate.url);
    if (frame) return frame.url;
  }
  return undefined;
}

async function cookiesOf(context: BrowserContext, writers: Writers): Promise<ObservedCookie[]> {
  return (await context.cookies()).map((cookie) => ({
    name: cookie.name,
    domain: cookie.domain,
    path: cookie.path,
    expires: cookie.expires === -1 ? null : cookie.expires,
    askedExpires: writers.askedExpiry(cookie.name),
    httpOnly: cookie.httpOnly,
    secure: cookie.secure,
    sameSite: cookie.sameSite,
    setBy: writers.of('cookie', cookie.name),
  }));
}

async function storageOf(page: Page, writers: Writers): Promise<ObservedStorage[]> {
  const keys = await page.evaluate(() => ({ local: Object.keys(localStorage), session: Object.keys(sessionStorage) }));
  return (['local', 'session'] as const).flatMap((area) => keys[area].map((key) => ({ area, key, setBy: writers.of(area, key) })));
}

/** The page's links as absolute http(s) URLs without their fragment, each once. */
async function linksOf(page: Page): Promise<string[]> {
  // Playwright's CSS reaches into open shadow roots, so a widget's links (the banner's own) count too, as a visitor
  // can follow them. An SVG <a> has no string href; those are left out.
  const hrefs = await page.locator('a[href]').evaluateAll((anchors) => anchors.map((anchor) => (anchor as HTMLAnchorElement).href));
  const links = new Set<string>();
  for (const href of hrefs) {
    if (typeof href === 'string' && /^https?:/i.test(href) && URL.canParse(href)) links.add(withoutFragment(href));
  }
  return [...links];
}

function withoutFragment(url: string): string {
  const parsed = new URL(url);
  parsed.hash = '';
  return parsed.href;
}

/** A page that cannot be scanned, said so a person can act on it. */
class PageProblem extends Error {}

/** The URL, if it is on the site's origins: a redirect elsewhere would have the scan observe another site. */
function requireOnSite(url: string, site: OriginMatcher): string {
  if (!/^https?:/.test(url) || !site.allows(new URL(url).origin)) throw new PageProblem(`redirected outside the site's origins, to ${url}`);
  return url;
}

/** Chromium's network errors in words a person can act on. */
const NETWORK_PROBLEMS: Readonly<Record<string, (url: string) => string>> = {
  ERR_CONNECTION_REFUSED: (url) => `could not connect to ${url}: connection refused (is the server running, on this address and port?)`,
  ERR_NAME_NOT_RESOLVED: (url) => `could not connect to ${url}: the host name does not resolve (check the address and its DNS)`,
  ERR_ADDRESS_UNREACHABLE: (url) => `could not connect to ${url}: the address cannot be reached from this server`,
  ERR_CONNECTION_TIMED_OUT: (url) => `could not connect to ${url}: no answer (a firewall may drop this server's connections)`,
  ERR_CONNECTION_RESET: (url) => `${url}: the server closed the connection without answering`,
  ERR_CONNECTION_CLOSED: (url) => `${url}: the server closed the connection without answering`,
  ERR_EMPTY_RESPONSE: (url) => `${url}: the server closed the connection without answering`,
  ERR_TOO_MANY_REDIRECTS: () => 'redirects in a loop (check the redirects configured for this address)',
};

function problemWith(url: string, error: unknown, timeoutMs: number): string {
  if (error instanceof PageProblem) return error.message;
  if (error instanceof errors.TimeoutError) return `did not finish loading within ${Number((timeoutMs / 1000).toFixed(1))} s`;
  const message = error instanceof Error ? error.message : String(error);
  if (message.includes('Download is starting')) return 'is a file to download, not a page';
  const code = /net::(ERR_[A-Z_]+)/.exec(message)?.[1];
  if (code?.startsWith('ERR_CERT_')) return `the certificate of ${new URL(url).host} is not valid (${code}): the site's visitors see a warning too`;
  const known = code && NETWORK_PROBLEMS[code];
  return known ? known(url) : `could not load ${url}: ${code ?? message.split('\n')[0]}`;
}
