/**
 * Reading an event for analytics: the page path, the ad-attribution parameters that need `ads` consent, and when it
 * happened by the server's clock.
 */

export const UTM_FIELDS = ['source', 'medium', 'campaign', 'term', 'content'] as const;
export type UtmField = (typeof UTM_FIELDS)[number];
export type Utm = Record<UtmField, string | null>;

/** Query parameters ad platforms add to a landing URL when someone clicks an ad. */
export const CLICK_ID_PARAMS = ['gclid', 'gbraid', 'wbraid', 'dclid', 'fbclid', 'msclkid', 'ttclid', 'li_fat_id', 'twclid', 'epik', 'sccid'] as const;

export interface Attribution {
  readonly utm: Utm;
  /** Which click-ID parameter was present (never its value): the visit came from an ad. */
  readonly adClick: string | null;
}

export const NO_ATTRIBUTION: Attribution = {
  utm: { source: null, medium: null, campaign: null, term: null, content: null },
  adClick: null,
};

const MAX_PATH = 512;
const MAX_UTM = 200;

/** The page path, without query string or fragment: those often carry personal data. */
export function pagePath(url: URL): string {
  return url.pathname.slice(0, MAX_PATH);
}

/** The engagement signals: events of their own panels, never part of a visit's figures. */
export const SIGNAL_TYPES = ['engagement', 'outbound', 'download', 'notfound'] as const;
export type SignalType = (typeof SIGNAL_TYPES)[number];

/**
 * Links the widget reports as downloads, by the extension of their path: documents, spreadsheets, presentations,
 * text and archives, as a self-service portal offers them (invoices, exports, forms). A regular expression, since
 * the widget carries it as one, and short, since the widget is weighed in bytes.
 */
export const DOWNLOAD_PATH = /\.(pdf|zip|csv|xlsx?|docx?|pptx?|od[tsp]|txt)$/i;

/** Where a link or referrer points, without query string or fragment: those often carry personal data. */
export function linkTarget(url: URL): string {
  return url.origin + pagePath(url);
}

/** A file's extension, lower case (`pdf`), or null when its path has none. */
export function fileExtension(path: string): string | null {
  return /\.([a-z0-9]{1,10})$/i.exec(path)?.[1]?.toLowerCase() ?? null;
}

export function readAttribution(url: URL): Attribution {
  const params = new Map<string, string>();
  for (const [name, value] of url.searchParams) params.set(name.toLowerCase(), value);
  const utm = { ...NO_ATTRIBUTION.utm };
  for (const field of UTM_FIELDS) {
    const value = params.get(`utm_${field}`)?.trim();
    if (value) utm[field] = value.slice(0, MAX_UTM);
  }
  const adClick = CLICK_ID_PARAMS.find((param) => params.get(param)) ?? null;
  return { utm, adClick };
}

/** The referring host, or null for direct visits and for navigation within the same host. */
export function referrerHost(referrer: string | undefined, page: URL): string | null {
  if (!referrer || !URL.canParse(referrer)) return null;
  const host = new URL(referrer).hostname.replace(/^www\./, '');
  return host && host !== page.hostname.replace(/^www\./, '') ? host : null;
}

/**
 * 2000-01-01T00:00:00Z: no event of this product happened earlier, so a corrected time before it comes from a broken
 * clock. A literal, not Date.UTC(), so the widget's bundle (which imports this module) can leave it out.
 */
const EARLIEST_EVENT_TIME = 946_684_800_000;

export interface OccurredAt {
  readonly at: Date;
  /** The client's time could not be believed, so the receive time stands in for it. */
  readonly clamped: boolean;
}

/**
 * When an event happened, by the server's clock. A client's clock may be off by anything, but the same clock stamped
 * the batch's `sentAt`: receive time − sentAt is its error (plus the transit time, which is small), added to the
 * event's `time`. A corrected time in the future, older than `windowMs`, before 2000 or not finite is replaced by the
 * receive time and reported as clamped: the event itself is fine, only its time is not. Without a `time` the event
 * happened when it arrived, as a pixel hit does.
 */
export function occurredAt(time: number | undefined, sentAt: number | undefined, receivedAt: Date, windowMs: number): OccurredAt {
  if (time === undefined) return { at: receivedAt, clamped: false };
  const received = receivedAt.getTime();
  // JSON can carry 1e999: an infinite sentAt or time makes the sum NaN or infinite, which the first test refuses.
  const corrected = time + (sentAt === undefined ? 0 : received - sentAt);
  const believable = Number.isFinite(corrected) && corrected >= EARLIEST_EVENT_TIME && corrected >= received - windowMs && corrected <= received;
  return believable ? { at: new Date(corrected), clamped: false } : { at: receivedAt, clamped: true };
}
