/**
 * Consent-gated usage analytics: a pageview on load and on History API navigations, custom events, and the
 * engagement signals a site has switched on, batched and sent by beacon. Events wait in memory until the decision
 * granting analytics is recorded (the collector refuses them before that) and are dropped when analytics is denied.
 * Each carries the time it happened and each batch the time it left, so the collector stores real times, corrected
 * for this browser's clock, however long they waited.
 */
import { CLICK_ID_PARAMS, DOWNLOAD_PATH } from '../server/domain/events.ts';
import type { EventInput, EventProps, EventsRequest } from '../server/contract.ts';
import { FLUSH_DELAY_MS, IDLE_MS, NOT_FOUND_ATTRIBUTE } from './constants.ts';
import { beacon } from './transport.ts';

// Build-time flags (widget/build.ts): a site's pages get the code of the signals it has switched on, no more.
declare const ENGAGEMENT: boolean;
declare const OUTBOUND_LINKS: boolean;
declare const FILE_DOWNLOADS: boolean;
declare const NOT_FOUND_PAGES: boolean;

const BATCH_LIMIT = 100;
const ATTRIBUTION_PARAM = new RegExp(`^(utm_\\w+|${CLICK_ID_PARAMS.join('|')})$`, 'i');

/** The page URL to send: never the query string, except ad-attribution parameters of the landing URL with `ads`. */
export function pageUrl(page: Pick<URL, 'origin' | 'pathname'>, landing?: URL | null): string {
  const url = new URL(page.pathname, page.origin);
  for (const [name, value] of landing?.searchParams ?? []) {
    if (ATTRIBUTION_PARAM.test(name)) url.searchParams.append(name, value);
  }
  return url.href;
}

export interface TrackerState {
  /** Analytics is granted (true), denied (false), or not decided yet (null). */
  readonly analytics: boolean | null;
  readonly ads: boolean;
  /** The decision granting analytics is stored by the collector, so events will be accepted. */
  readonly recorded: boolean;
}

export interface Tracker {
  track(name: string, props?: EventProps): void;
  update(state: TrackerState): void;
}

type Send = (event: Omit<EventInput, 'time'>) => void;

// The signals live at module level, not in createTracker: esbuild drops what a switched-off flag leaves unused there.
// The page in view: milliseconds engaged since its last report, the most of it seen (%), and its last use (0 while hidden).
let engaged = 0;
let seen = 0;
let used = 0;

/** A sign of use: the time since the previous one was engaged, up to IDLE_MS (longer without input is idle). */
function use(): void {
  const now = Date.now();
  if (used) engaged += Math.min(now - used, IDLE_MS);
  used = now;
  seen = Math.max(seen, Math.min(100, ((scrollY + innerHeight) * 100) / document.documentElement.scrollHeight) | 0);
}

/** The engagement of the page at `path`, which was left (hidden, closed or navigated from); `next` is the next page's first use. */
function report(send: Send, path: string, next: number): void {
  use();
  if (engaged && path) send({ type: 'engagement', url: location.origin + path, engagedMs: engaged, scroll: seen });
  engaged = seen = 0;
  used = next;
}

const notFound = (send: Send): void => send({ type: 'notfound', url: pageUrl(location), referrer: document.referrer || undefined });

/** A click on a link to a file or another host, recorded as it happens and sent later: the navigation never waits. */
function linkClick(send: Send, event: Event): void {
  const link = (event.target as Element).closest?.('a[href]') as HTMLAnchorElement | null;
  // Other schemes (mailto:, tel:) are neither; the collector takes http(s) links only.
  if (!/^http/.test(link?.protocol as string)) return;
  const type = FILE_DOWNLOADS && DOWNLOAD_PATH.test(link!.pathname) ? 'download' : OUTBOUND_LINKS && link!.host !== location.host && 'outbound';
  if (type) send({ type, url: pageUrl(location), link: pageUrl(link!) });
}

/** `consentId` is read when a batch leaves: an app's hand-off can give the page another ID (main.ts). */
export function createTracker(eventsUrl: string, site: string, consentId: () => string): Tracker {
  const landing = new URL(location.href);
  let state: TrackerState = { analytics: null, ads: false, recorded: false };
  let queue: EventInput[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastPath = '';
  let attributionSent = false;

  function flush(): void {
    clearTimeout(timer);
    if (!state.analytics || !state.recorded) return;
    while (queue.length) beacon(eventsUrl, { site, consentId: consentId(), sentAt: Date.now(), events: queue.splice(0, BATCH_LIMIT) } satisfies EventsRequest);
  }

  function enqueue(event: Omit<EventInput, 'time'>): void {
    if (state.analytics === false) return;
    queue.push({ ...event, time: Date.now() });
    clearTimeout(timer);
    timer = setTimeout(flush, FLUSH_DELAY_MS);
  }

  function url(): string {
    // Attribution travels once, with the first pageview sent under `ads`; it is never sent without.
    const withAttribution = state.ads && !attributionSent;
    attributionSent ||= withAttribution;
    return pageUrl(location, withAttribution ? landing : null);
  }

  function pageview(): void {
    if (!state.analytics || location.pathname === lastPath) return;
    const first = !lastPath;
    if (ENGAGEMENT && !first) report(enqueue, lastPath, Date.now());
    lastPath = location.pathname;
    // JSON leaves out what is undefined: the referrer goes with the first pageview only.
    enqueue({ type: 'pageview', url: url(), referrer: (first && document.referrer) || undefined });
    if (NOT_FOUND_PAGES && first && document.documentElement.hasAttribute(NOT_FOUND_ATTRIBUTE)) notFound(enqueue);
  }

  function leave(): void {
    if (ENGAGEMENT) report(enqueue, lastPath, 0);
    flush();
  }

  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method];
    history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
      original.apply(this, args);
      pageview();
    };
  }
  addEventListener('popstate', pageview);
  addEventListener('pagehide', leave);
  document.addEventListener('visibilitychange', () => (document.hidden ? leave() : ENGAGEMENT && (used = Date.now())));
  if (ENGAGEMENT) {
    if (!document.hidden) used = Date.now();
    for (const type of ['scroll', 'keydown', 'pointerdown', 'pointermove']) addEventListener(type, use, true);
  }
  if (OUTBOUND_LINKS || FILE_DOWNLOADS) addEventListener('click', (event) => linkClick(enqueue, event), true);

  return {
    track(name, props) {
      if (NOT_FOUND_PAGES && name === '404') notFound(enqueue);
      else enqueue({ type: 'custom', name, url: url(), props });
    },
    update(next) {
      state = next;
      if (state.analytics === false) queue = [];
      pageview();
      if (queue.length) flush();
    },
  };
}
