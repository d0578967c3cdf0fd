/**
 * The crawl of a cookie scan in real Chromium against a real fixture site carrying Samtykke's real widget: what
 * each of a page's three visits observes, what is never followed or fetched, and every page that cannot be visited
 * becoming a skipped page with a reason a person can act on.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { CrawlProgress, CrawlResult, PageVisit, ScanPlan, ScanVisit } from '../../server/domain/scan.ts';
import { crawl } from '../../server/scanner/crawl.ts';
import { startTestServer, type TestContext } from '../helpers/app.ts';
import { browserAvailable, CHROMIUM_PATH } from '../helpers/browser.ts';
import { FIXTURE_SITE_KEY, LINKED_PAGES, startScanFixture, startSilentServer, unusedPort, type ScanFixture } from '../helpers/scan-fixture-site.ts';

// Chromium keeps no cookie longer than 400 days, whatever its max-age asks (two years here).
const CHROMIUM_COOKIE_LIMIT_S = 400 * 86_400;

describe.skipIf(!browserAvailable)('the crawl of a cookie scan', () => {
  let samtykke: TestContext & { url: string };
  let fixture: ScanFixture;
  let siteCrawl: Promise<CrawlResult>;
  const progress: CrawlProgress[] = [];
  let crawledAt: number;
  let storedBefore: { consents: number; events: number };

  const plan = (changes: Partial<ScanPlan> = {}): ScanPlan => ({
    startUrls: [`${fixture.url}/`],
    allowedOrigins: [fixture.url],
    pageLimit: 20,
    timeLimitMs: 60_000,
    pageTimeoutMs: 5_000,
    browserPath: CHROMIUM_PATH,
    samtykkeOrigin: samtykke.url,
    ...changes,
  });

  async function stored(): Promise<{ consents: number; events: number }> {
    const rows = (table: 'consent_records' | 'events') =>
      samtykke.deps.db.selectFrom(table).select((eb) => eb.fn.countAll<string>().as('n')).executeTakeFirstOrThrow();
    const [consents, events] = await Promise.all([rows('consent_records'), rows('events')]);
    return { consents: Number(consents.n), events: Number(events.n) };
  }

  beforeAll(async () => {
    samtykke = await startTestServer('pglite');
    fixture = await startScanFixture(samtykke.url);
    // The collector would take decisions from the fixture's pages: only the crawl's own answers keep them out.
    const site = samtykke.demo.sites.find((candidate) => candidate.key === FIXTURE_SITE_KEY)!;
    await samtykke.deps.sites.update(site, { allowedOrigins: [...site.allowedOrigins, fixture.url] });
    storedBefore = await stored();
    crawledAt = Date.now() / 1000;
    // Awaited by the tests that read it, after the small crawls below have run beside it: it spends most of its
    // time waiting for pages to go quiet. A failure is theirs to report.
    siteCrawl = crawl(plan(), (line) => progress.push(line));
    siteCrawl.catch(() => undefined);
  });
  afterAll(async () => {
    await siteCrawl?.catch(() => undefined);
    await fixture?.close();
    await samtykke?.close();
  });

  describe('limits, failures and refusals', () => {
    test('an HTTP error status is recorded with the page, not taken for a failure', async () => {
      const missing = await crawl(plan({ startUrls: [`${fixture.url}/gone`] }), () => undefined);
      expect(missing.pages.map((found) => [found.url, found.status, found.visits.length])).toEqual([[`${fixture.url}/gone`, 404, 3]]);
      expect(missing.skipped).toEqual([]);
    });

    test('a page limit stops the crawl and lists what it left out', async () => {
      const limited = await crawl(plan({ pageLimit: 1 }), () => undefined);
      expect(limited.pages.map((found) => found.url)).toEqual([`${fixture.url}/`]);
      expect(limited.skipped).toEqual(LINKED_PAGES.map((path) => ({ url: `${fixture.url}${path}`, reason: 'page_limit' })));
    });

    test('a page that never finishes loading is a skipped page naming the time it was given', async () => {
      const silent = await startSilentServer();
      try {
        const slow = await crawl(plan({ startUrls: [`${silent.url}/`], allowedOrigins: [silent.url], pageTimeoutMs: 1_000 }), () => undefined);
        expect(slow.skipped).toEqual([{ url: `${silent.url}/`, reason: 'error', message: 'did not finish loading within 1 s' }]);
      } finally {
        await silent.close();
      }
    });

    test('a redirect loop, and a redirect off the site, are skipped pages saying so', async () => {
      const redirected = await crawl(plan({ startUrls: [`${fixture.url}/loop-a`, `${fixture.url}/away`] }), () => undefined);
      expect(redirected.pages).toEqual([]);
      expect(redirected.skipped).toEqual([
        { url: `${fixture.url}/loop-a`, reason: 'error', message: expect.stringMatching(/^redirects in a loop/) },
        { url: `${fixture.url}/away`, reason: 'error', message: `redirected outside the site's origins, to ${fixture.thirdPartyUrl}/landing` },
      ]);
    });

    test('an unreachable start URL is a skipped page saying the connection was refused', async () => {
      const origin = `http://127.0.0.1:${await unusedPort()}`;
      const unreachable = await crawl(plan({ startUrls: [`${origin}/`], allowedOrigins: [origin] }), () => undefined);
      expect(unreachable.pages).toEqual([]);
      expect(unreachable.skipped).toEqual([
        { url: `${origin}/`, reason: 'error', message: expect.stringMatching(new RegExp(`^could not connect to ${origin}/: connection refused`)) },
      ]);
    });

    test('a time limit already spent visits nothing and says so', async () => {
      const late = await crawl(plan({ timeLimitMs: 0 }), () => undefined);
      expect(late).toEqual({ pages: [], skipped: [{ url: `${fixture.url}/`, reason: 'time_limit' }], externalLinks: 0 });
    });

    test('an abort in the middle of a visit closes the browser and throws', async () => {
      const controller = new AbortController();
      const aborted = crawl(plan(), () => undefined, controller.signal);
      setTimeout(() => controller.abort(), 500);
      await expect(aborted).rejects.toThrow(/abort/i);
    });

    test('a start URL off the site’s origins is refused', async () => {
      await expect(crawl(plan({ startUrls: [`${fixture.thirdPartyUrl}/`] }), () => undefined)).rejects.toThrow(
        `The start URL ${fixture.thirdPartyUrl}/ is not on the site's origins (${fixture.url})`,
      );
    });

    test('a missing browser says where it looked and how to fix it', async () => {
      await expect(crawl(plan({ browserPath: '/nonexistent/chromium' }), () => undefined)).rejects.toThrow(
        'No Chromium at /nonexistent/chromium: install it (apt-get install chromium) or set SAMTYKKE_CHROMIUM_PATH',
      );
    });
  });

  describe('a site crawled from its start page', () => {
    let result: CrawlResult;
    beforeAll(async () => {
      result = await siteCrawl;
    });

    const page = (path: string) => {
      const found = result.pages.find((scanned) => scanned.url === `${fixture.url}${path}`);
      if (!found) throw new Error(`${path} was not scanned: ${JSON.stringify(result.skipped)}`);
      return found;
    };
    const visit = (path: string, kind: ScanVisit): PageVisit => page(path).visits.find((candidate) => candidate.visit === kind)!;
    const cookieNames = (path: string) => page(path).visits.map((scanned) => scanned.cookies.map((cookie) => cookie.name).sort());
    const widgetScript = () => `${samtykke.url}/sites/${FIXTURE_SITE_KEY}/widget.js`;

    test('visits the linked pages of the site breadth-first, skips the one robots.txt disallows, and never follows the third party', () => {
      const scanned = ['/', ...LINKED_PAGES.filter((path) => path !== '/robots-blocked')];
      expect(result.pages.map((found) => found.url)).toEqual(scanned.map((path) => `${fixture.url}${path}`));
      expect(result.pages.map((found) => found.finalUrl)).toEqual(scanned.map((path) => `${fixture.url}${path}`));
      expect(result.skipped).toEqual([{ url: `${fixture.url}/robots-blocked`, reason: 'robots' }]);
      // The third party, and the banner's link to Samtykke's cookie overview: a link a visitor can follow like any other.
      expect(result.externalLinks).toBe(2);
      expect(fixture.thirdPartyRequests).not.toContain('/elsewhere');
      const everyRequest = result.pages.flatMap((found) => found.visits.flatMap((scanned) => scanned.requests.map((request) => request.url)));
      expect(everyRequest.filter((url) => url.includes('/elsewhere'))).toEqual([]);
    });

    test('a page with the banner is visited before any choice, after Reject all and after Accept all; one without it once', () => {
      for (const found of result.pages.filter((scanned) => !scanned.url.endsWith('/no-banner'))) {
        expect(found.visits.map((scanned) => [scanned.visit, scanned.banner])).toEqual([
          ['before_choice', true],
          ['after_reject', true],
          ['after_accept', true],
        ]);
      }
      expect(page('/no-banner').visits.map((scanned) => [scanned.visit, scanned.banner])).toEqual([['before_choice', false]]);
      expect(progress.map((line) => [line.page.slice(fixture.url.length), line.visited, line.banner])).toEqual(
        result.pages.map((found, index) => [found.url.slice(fixture.url.length), index + 1, !found.url.endsWith('/no-banner')]),
      );
    });

    test('cookies: a script-set one with its script and expiry, an HttpOnly one with its response, the widget’s own after a choice', () => {
      expect(cookieNames('/')).toEqual([[], ['samtykke'], ['samtykke']]);
      expect(cookieNames('/undeclared-cookie')).toEqual([['_ga'], ['_ga', 'samtykke'], ['_ga', 'samtykke']]);
      expect(cookieNames('/httponly')).toEqual([['portal_session'], ['portal_session', 'samtykke'], ['portal_session', 'samtykke']]);
      expect(cookieNames('/pixel')).toEqual([[], ['samtykke'], ['samtykke']]);
      expect(cookieNames('/no-banner')).toEqual([[]]);

      const ga = visit('/undeclared-cookie', 'before_choice').cookies[0]!;
      expect(ga).toEqual({
        name: '_ga',
        domain: '127.0.0.1',
        path: '/',
        expires: expect.any(Number),
        askedExpires: expect.any(Number),
        httpOnly: false,
        secure: false,
        sameSite: 'Lax',
        setBy: `script ${fixture.url}/ga.js:1`,
      });
      // Chromium keeps it at most 400 days; the script asked for two years, which other browsers keep.
      expect(ga.expires! - crawledAt).toBeGreaterThan(CHROMIUM_COOKIE_LIMIT_S - 120);
      expect(ga.expires! - crawledAt).toBeLessThan(CHROMIUM_COOKIE_LIMIT_S + 120);
      expect(ga.askedExpires! - crawledAt).toBeGreaterThan(63_072_000 - 120);
      expect(ga.askedExpires! - crawledAt).toBeLessThan(63_072_000 + 120);

      expect(visit('/httponly', 'before_choice').cookies).toEqual([
        {
          name: 'portal_session',
          domain: '127.0.0.1',
          path: '/',
          expires: null,
          askedExpires: null,
          httpOnly: true,
          secure: false,
          sameSite: 'Lax',
          setBy: `Set-Cookie ${fixture.url}/httponly`,
        },
      ]);
      const consentCookie = visit('/', 'after_accept').cookies.find((cookie) => cookie.name === 'samtykke')!;
      expect(consentCookie.setBy).toMatch(new RegExp(`^script ${widgetScript().replace(/[.?]/g, '\\$&')}:\\d+$`));
    });

    test('storage: the held-back script’s key appears only after Accept all, with the script that stored it', () => {
      for (const found of result.pages) {
        for (const scanned of found.visits) {
          if (found.url.endsWith('/after-accept') && scanned.visit === 'after_accept') {
            expect(scanned.storage).toEqual([{ area: 'local', key: 'portal_analytics_queue', setBy: `script ${fixture.url}/analytics.js:1` }]);
          } else {
            expect(scanned.storage, `${found.url} ${scanned.visit}`).toEqual([]);
          }
        }
      }
    });

    test('requests: the third-party pixel before any choice, with its kind and initiator; the widget from Samtykke’s origin', () => {
      const before = visit('/pixel', 'before_choice').requests;
      expect(before).toContainEqual({ url: `${fixture.thirdPartyUrl}/pixel.gif`, kind: 'pixel', initiator: `${fixture.url}/pixel` });
      expect(before).toContainEqual({ url: widgetScript(), kind: 'script', initiator: `${fixture.url}/pixel` });
      // The page's own requests too (a first-party pixel is seen so), but never the page's document itself.
      const own = visit('/undeclared-cookie', 'before_choice').requests.filter((request) => !request.url.startsWith(`${samtykke.url}/`));
      expect(own).toEqual([{ url: `${fixture.url}/ga.js`, kind: 'script', initiator: `${fixture.url}/undeclared-cookie` }]);
      expect(fixture.thirdPartyRequests).toContain('/pixel.gif');
    });

    test('Samtykke’s collector is answered by the crawl itself: the decisions are observed, none is stored', async () => {
      for (const kind of ['after_reject', 'after_accept'] as const) {
        expect(visit('/', kind).requests).toContainEqual({ url: `${samtykke.url}/api/consent`, kind: 'fetch', initiator: widgetScript() });
      }
      expect(visit('/', 'before_choice').requests.map((request) => request.url)).not.toContain(`${samtykke.url}/api/consent`);
      expect(await stored()).toEqual(storedBefore);
      expect(samtykke.deps.eventWriter.pending).toBe(0);
    });
  });
});
