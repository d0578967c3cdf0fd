/**
 * Consent-gated usage analytics: a pageview on load and on History API navigations, custom events, batched and
 * sent by beacon. Events wait in memory until the decision granting analytics is recorded (the collector refuses
 * them before that) and are dropped when analytics is denied. Each carries the time it happened and each batch the
 * time it left, so the collector stores real times, corrected for this browser's clock, however long they waited.
 */
import { CLICK_ID_PARAMS } from '../server/domain/events.ts';
import type { EventInput, EventProps, EventsRequest } from '../server/contract.ts';
import { FLUSH_DELAY_MS } from './constants.ts';
import { beacon } from './transport.ts';

const BATCH_LIMIT = 100;
const ATTRIBUTION_PARAM = new RegExp(`^(utm_\\w+|${CLICK_ID_PARAMS.join('|')})$`, 'i');

/** The page URL to send: never the query string, except ad-attribution parameters of the landing URL with `ads`. */
export function pageUrl(page: Pick<URL, 'origin' | 'pathname'>, landing: URL | null): string {
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

export function createTracker(eventsUrl: string, site: string, consentId: string): Tracker {
  const landing = new URL(location.href);
  let state: TrackerState = { analytics: null, ads: false, recorded: false };
  let queue: EventInput[] = [];
  let timer: ReturnType<typeof setTimeout> | undefined;
  let lastPath = '';
  let attributionSent = false;

  function flush(): void {
    clearTimeout(timer);
    if (!state.analytics || !state.recorded) return;
    while (queue.length) beacon(eventsUrl, { site, consentId, sentAt: Date.now(), events: queue.splice(0, BATCH_LIMIT) } satisfies EventsRequest);
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
    lastPath = location.pathname;
    // JSON leaves out what is undefined: the referrer goes with the first pageview only.
    enqueue({ type: 'pageview', url: url(), referrer: (first && document.referrer) || undefined });
  }

  for (const method of ['pushState', 'replaceState'] as const) {
    const original = history[method];
    history[method] = function (this: History, ...args: Parameters<History['pushState']>) {
      original.apply(this, args);
      pageview();
    };
  }
  addEventListener('popstate', pageview);
  addEventListener('pagehide', flush);
  document.addEventListener('visibilitychange', () => document.visibilityState === 'hidden' && flush());

  return {
    track(name, props) {
      enqueue({ type: 'custom', name, url: url(), props });
    },
    update(next) {
      state = next;
      if (state.analytics === false) queue = [];
      pageview();
      if (queue.length) flush();
    },
  };
}
