/** Reading a page URL for analytics: the path, and the ad-attribution parameters that need `ads` consent. */

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
