/**
 * A cookie scan: what a crawl of a site's own pages observed in a real browser (each page visited three times, in
 * fresh profiles: before any choice, after reject all, after accept all), and what it asks of the crawl. The crawl
 * runs in a process of its own (server/scanner) and hands these back as JSON; the findings are made from them by
 * domain/scan-findings.ts.
 */
import type { Category, Localized } from './consent.ts';
import { OriginMatcher } from './origins.ts';

/** How often a site is scanned by itself. */
export const SCAN_SCHEDULES = ['off', 'daily', 'weekly'] as const;
export type ScanScheduleKind = (typeof SCAN_SCHEDULES)[number];

/** Why a scan ran. */
export const SCAN_TRIGGERS = ['dashboard', 'schedule', 'cli'] as const;
export type ScanTrigger = (typeof SCAN_TRIGGERS)[number];
export type ScanStatus = 'queued' | 'running' | 'done' | 'failed';

/** Pages a scan may visit: at least one, and few enough that a scan ends in reasonable time. */
export const SCAN_PAGE_LIMIT = { default: 20, max: 1_000 } as const;

/**
 * The origins a scan of a site may visit: the site's own, and Samtykke's (the site's declaration page is served
 * there, and so are the demo's pages), as the collector always accepts Samtykke's own pages.
 */
export function scanOrigins(allowedOrigins: readonly string[], samtykkeOrigin: string): string[] {
  return [...new Set([...allowedOrigins, samtykkeOrigin])];
}

/**
 * Where a scan starts when no URL is given: the root of each of the site's exact origins (a wildcard names no page
 * to start from).
 */
export function defaultStartUrls(allowedOrigins: readonly string[]): string[] {
  return allowedOrigins.filter((origin) => !origin.includes('*')).map((origin) => `${origin}/`);
}

/** Why a start URL cannot be scanned for a site (in English and Bokmål), or null when it can. */
export function startUrlProblem(url: string, allowedOrigins: readonly string[], samtykkeOrigin: string): Localized | null {
  if (!URL.canParse(url) || !/^https?:$/.test(new URL(url).protocol)) {
    return { en: `"${url}" is not an http(s) address of a page`, nb: `«${url}» er ikke en http(s)-adresse til en side` };
  }
  const { origin } = new URL(url);
  if (!new OriginMatcher(scanOrigins(allowedOrigins, samtykkeOrigin)).allows(origin)) {
    const own = allowedOrigins.join(', ');
    return {
      en: `${url} is not on the site's allowed origins (${own || 'none'}) or Samtykke's own pages: a scan visits only the site's own pages; add the origin to the site first`,
      nb: `${url} er ikke på nettstedets tillatte opprinnelser (${own || 'ingen'}) eller Samtykkes egne sider: en skanning besøker bare nettstedets egne sider; legg til opprinnelsen først`,
    };
  }
  return null;
}

/** Why a page limit cannot be used, or null. */
export function pageLimitProblem(pages: number): Localized | null {
  if (Number.isInteger(pages) && pages >= 1 && pages <= SCAN_PAGE_LIMIT.max) return null;
  return {
    en: `The page limit must be a whole number from 1 to ${SCAN_PAGE_LIMIT.max}, got ${pages}`,
    nb: `Sidegrensen må være et helt tall fra 1 til ${SCAN_PAGE_LIMIT.max}, fikk ${pages}`,
  };
}

/** A scan as asked for, checked against the site: where it starts and how many pages it may visit. */
export type ScanRequest =
  | { readonly ok: true; readonly startUrls: readonly string[]; readonly pageLimit: number }
  | { readonly ok: false; readonly field: 'urls' | 'pages'; readonly problem: Localized };

/**
 * The start URLs asked for, else the site's schedule's, else the roots of the site's own exact origins; each must be
 * on the origins a scan may visit (scanOrigins). The page limit asked for, else the schedule's.
 */
export function resolveScanRequest(
  site: { readonly allowedOrigins: readonly string[]; readonly scanUrls: readonly string[]; readonly scanPageLimit: number },
  samtykkeOrigin: string,
  asked: { readonly urls?: readonly string[]; readonly pages?: number },
): ScanRequest {
  const pageLimit = asked.pages ?? site.scanPageLimit;
  const pageProblem = pageLimitProblem(pageLimit);
  if (pageProblem) return { ok: false, field: 'pages', problem: pageProblem };
  const startUrls = asked.urls?.length ? asked.urls : site.scanUrls.length > 0 ? site.scanUrls : defaultStartUrls(site.allowedOrigins);
  if (startUrls.length === 0) {
    return {
      ok: false,
      field: 'urls',
      problem: {
        en: 'Give the page to start from: the site has no exact allowed origin to start at (only wildcards, or none)',
        nb: 'Oppgi siden skanningen skal starte på: nettstedet har ingen eksakt tillatt opprinnelse å starte fra (bare jokertegn, eller ingen)',
      },
    };
  }
  for (const url of startUrls) {
    const problem = startUrlProblem(url, site.allowedOrigins, samtykkeOrigin);
    if (problem) return { ok: false, field: 'urls', problem };
  }
  return { ok: true, startUrls, pageLimit };
}

/** The three visits of each page, in the order they run. */
export const SCAN_VISITS = ['before_choice', 'after_reject', 'after_accept'] as const;
export type ScanVisit = (typeof SCAN_VISITS)[number];

/** What a crawl is asked to do. */
export interface ScanPlan {
  /** Where the crawl starts: pages of the site's own origins. */
  readonly startUrls: readonly string[];
  /**
   * The site's own origins (exact origins, or `https://*.kunde.no` patterns as sites allow them): links are followed,
   * and pages fetched, only on these. What the pages themselves load may come from anywhere; that is what is observed.
   */
  readonly allowedOrigins: readonly string[];
  /** Pages visited at most (each three times). */
  readonly pageLimit: number;
  /** The whole crawl's time; past it, pages not yet visited are reported as skipped. */
  readonly timeLimitMs: number;
  /** One page's load, before it counts as never finishing. */
  readonly pageTimeoutMs: number;
  /** The Chromium (or Chrome) executable. */
  readonly browserPath: string;
  /** Samtykke's own origin (its public URL): its widget is recognised, and its own requests classified. */
  readonly samtykkeOrigin: string;
}

/** A cookie as the browser holds it after a visit, HttpOnly ones included (read through the DevTools protocol). */
export interface ObservedCookie {
  readonly name: string;
  /** As the browser keeps it: `portal.kunde.no`, or `.kunde.no` for a domain cookie. */
  readonly domain: string;
  readonly path: string;
  /** Seconds since the epoch, as the browser keeps it; null for a session cookie. */
  readonly expires: number | null;
  /**
   * The expiry its setter asked for (Max-Age or Expires of the last write the crawl saw), seconds since the epoch;
   * null for a session cookie or when unseen. Browsers cap it (Chromium at 400 days): other browsers keep it longer.
   */
  readonly askedExpires: number | null;
  readonly httpOnly: boolean;
  readonly secure: boolean;
  readonly sameSite: 'Strict' | 'Lax' | 'None' | null;
  /**
   * What set it, where the browser can tell: `script https://…/a.js:12` for `document.cookie` (the top of the
   * setting call's stack), `Set-Cookie https://…/login` for a response header; null when unknown.
   */
  readonly setBy: string | null;
}

export type StorageArea = 'local' | 'session';

export interface ObservedStorage {
  readonly area: StorageArea;
  readonly key: string;
  /** The script whose call stored it (`script https://…/a.js:3`), or null when unknown. */
  readonly setBy: string | null;
}

/** How a request was made, as the browser's resource type and the page's own calls tell it. */
export const REQUEST_KINDS = ['script', 'pixel', 'beacon', 'iframe', 'fetch', 'stylesheet', 'font', 'media', 'document', 'other'] as const;
export type RequestKind = (typeof REQUEST_KINDS)[number];

/**
 * A request a page made (its own document excepted): to third parties, to Samtykke's collector, and to the site
 * itself, where a first-party pixel or beacon the inventory declares is seen.
 */
export interface ObservedRequest {
  readonly url: string;
  readonly kind: RequestKind;
  /** The script or document that caused it (the browser's initiator), or null when unknown. */
  readonly initiator: string | null;
}

/** One of a page's three visits. */
export interface PageVisit {
  readonly visit: ScanVisit;
  /** Whether Samtykke's banner appeared (before any choice) and could be answered (the other two visits). */
  readonly banner: boolean;
  readonly cookies: readonly ObservedCookie[];
  readonly storage: readonly ObservedStorage[];
  readonly requests: readonly ObservedRequest[];
}

export interface ScannedPage {
  /** The URL the crawl asked for. */
  readonly url: string;
  /** Where it ended after redirects (on the site's own origins). */
  readonly finalUrl: string;
  readonly status: number | null;
  /**
   * The visits made: three on a page with Samtykke's banner, only `before_choice` on one without it (nothing can be
   * chosen there; `banner` is false).
   */
  readonly visits: readonly PageVisit[];
}

/** A page the crawl did not visit, and why. */
export interface SkippedPage {
  readonly url: string;
  readonly reason: 'robots' | 'page_limit' | 'time_limit' | 'error';
  /** For `error`: what went wrong, in words a person can act on (unreachable, never finished loading, a redirect loop). */
  readonly message?: string;
}

export interface CrawlResult {
  readonly pages: readonly ScannedPage[];
  readonly skipped: readonly SkippedPage[];
  /** Links to other sites found on the pages: counted, never followed. */
  readonly externalLinks: number;
}

/** What the crawl process tells while it works: one line per page visited. */
export interface CrawlProgress {
  readonly page: string;
  readonly visited: number;
  readonly queued: number;
  readonly banner: boolean;
}

/** A suggestion from the Open Cookie Database for something found but not declared: for a person to confirm. */
export interface CookieSuggestion {
  /** The database's name for it: the whole name, or with `prefix` what the name starts with (`_ga_`). */
  readonly name: string;
  /** The database's platform, e.g. "Google Analytics". */
  readonly platform: string;
  readonly category: Category;
  /** The database's own category word (Analytics, Marketing, Functional, Security, …). */
  readonly databaseCategory: string;
  readonly provider: string;
  readonly purpose: string;
  /** Free text as the database gives it ("2 years", "session"). */
  readonly retention: string;
  readonly privacyLink: string;
  /** The entry matched the name as a prefix (`_ga_` for `_ga_XYZ`). */
  readonly prefix: boolean;
}

/** One scanned page as the results show it: per visit, the names of what it held, each once. */
export interface ScanPageSummary {
  readonly url: string;
  readonly finalUrl: string;
  readonly status: number | null;
  readonly banner: boolean;
  readonly visits: ReadonlyArray<{
    readonly visit: ScanVisit;
    readonly cookies: readonly string[];
    readonly storage: readonly string[];
    /** Requests to other origins than the page's as `kind host` (`pixel ads.example`), each once. */
    readonly requests: readonly string[];
  }>;
}

export function summarisePage(page: ScannedPage): ScanPageSummary {
  return {
    url: page.url,
    finalUrl: page.finalUrl,
    status: page.status,
    banner: page.visits.some((visit) => visit.banner),
    visits: page.visits.map((visit) => ({
      visit: visit.visit,
      cookies: [...new Set(visit.cookies.map((cookie) => cookie.name))],
      storage: [...new Set(visit.storage.map((stored) => `${stored.area}Storage ${stored.key}`))],
      requests: [
        ...new Set(
          visit.requests
            .filter((request) => new URL(request.url).origin !== new URL(page.finalUrl).origin)
            .map((request) => `${request.kind} ${new URL(request.url).host}`),
        ),
      ],
    })),
  };
}
