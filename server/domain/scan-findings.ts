/**
 * What a scan reports, made from a crawl's observations and the site's inventory (pure: no I/O):
 *
 * - undeclared: found, and matched by no inventory item (name or name pattern, kind, domain), with a suggestion
 *   from the Open Cookie Database where one matches, and an inventory item proposed from it;
 * - violation: something not functional set, stored or requested before any choice or after reject all;
 * - declared but not seen: an active inventory item no visit produced;
 * - expiry mismatch: a cookie that lives longer than its item's declared retention.
 *
 * Each finding has a stable key, so two scans of a site can be compared: what is new, what is gone.
 */
import type { Category, Localized } from './consent.ts';
import { inventoryNameMatches, type InventoryItem, type InventoryKind, type Party } from './inventory.ts';
import { OriginMatcher } from './origins.ts';
import { SCAN_VISITS, summarisePage, type CookieSuggestion, type CrawlResult, type RequestKind, type ScanPageSummary, type ScanVisit, type SkippedPage } from './scan.ts';

/** What an undeclared finding would become in the inventory: the form's fields, prefilled. */
export type ProposedItem = Omit<InventoryItem, 'id' | 'retiredAt'>;

interface FindingBase {
  /** Stable across scans of a site: `undeclared:cookie:_ga`, `violation:before_choice:pixel:ads.example`. */
  readonly key: string;
  readonly kind: InventoryKind;
  readonly name: string;
  readonly domain: string | null;
  /** Pages where it was seen (their URLs as asked for), in crawl order. */
  readonly pages: readonly string[];
}

export interface UndeclaredFinding extends FindingBase {
  readonly type: 'undeclared';
  readonly party: Party;
  /** The visits it appeared in. */
  readonly seenIn: readonly ScanVisit[];
  readonly suggestion: CookieSuggestion | null;
  readonly proposed: ProposedItem;
}

export interface ViolationFinding extends FindingBase {
  readonly type: 'violation';
  readonly visit: Exclude<ScanVisit, 'after_accept'>;
  /** The declared item's category, or the suggestion's for an undeclared one; `unknown` for a third party nothing names. */
  readonly category: Exclude<Category, 'functional'> | 'unknown';
  /** The inventory item it matched, or null when undeclared. */
  readonly itemId: number | null;
  /** What caused it, where the browser could tell: the script that set it, or the request's initiator. */
  readonly causes: readonly string[];
}

export interface DeclaredNotSeenFinding extends FindingBase {
  readonly type: 'declared_not_seen';
  readonly itemId: number;
}

export interface ExpiryMismatchFinding extends FindingBase {
  readonly type: 'expiry_mismatch';
  readonly itemId: number;
  /** The item's retention as declared (English text). */
  readonly declared: string;
  readonly declaredSeconds: number;
  /** The longest lifetime seen, from the visit to the cookie's expiry. */
  readonly observedSeconds: number;
}

export type Finding = UndeclaredFinding | ViolationFinding | DeclaredNotSeenFinding | ExpiryMismatchFinding;
export type FindingType = Finding['type'];
export const FINDING_TYPES: readonly FindingType[] = ['violation', 'undeclared', 'expiry_mismatch', 'declared_not_seen'];

/** What a finished scan stored. */
export interface ScanResult {
  readonly pages: readonly ScanPageSummary[];
  readonly skipped: readonly SkippedPage[];
  readonly externalLinks: number;
  readonly findings: readonly Finding[];
  /** Against the site's previous finished scan (null for its first): keys of the findings that are new, and its findings now gone. */
  readonly added: readonly string[] | null;
  readonly resolved: readonly Finding[] | null;
  /** Why undeclared findings carry no suggestion: the Open Cookie Database could not be loaded (null when it was). */
  readonly suggestionsUnavailable: string | null;
}

/** A finished scan's findings by type, and how many are new or gone since the previous one (null for the first). */
export type ScanCounts = Readonly<Record<FindingType, number>> & { readonly added: number | null; readonly resolved: number | null };

/** The result of a crawl and its findings, compared with the previous scan's findings (null when there is none). */
export function scanResult(crawl: CrawlResult, findings: readonly Finding[], previous: readonly Finding[] | null, suggestionsUnavailable: string | null): ScanResult {
  const now = new Set(findings.map((finding) => finding.key));
  const before = previous && new Set(previous.map((finding) => finding.key));
  return {
    pages: crawl.pages.map(summarisePage),
    skipped: crawl.skipped,
    externalLinks: crawl.externalLinks,
    findings,
    added: before && findings.filter((finding) => !before.has(finding.key)).map((finding) => finding.key),
    resolved: previous && previous.filter((finding) => !now.has(finding.key)),
    suggestionsUnavailable,
  };
}

export function scanCounts(result: ScanResult): ScanCounts {
  const counts = Object.fromEntries(FINDING_TYPES.map((type) => [type, result.findings.filter((finding) => finding.type === type).length])) as Record<FindingType, number>;
  return { ...counts, added: result.added?.length ?? null, resolved: result.resolved?.length ?? null };
}

/** What the findings are made from. */
export interface FindingsInput {
  readonly crawl: CrawlResult;
  /** The site's active inventory items. */
  readonly inventory: readonly InventoryItem[];
  /** The site's own origins (patterns as sites allow them): requests to them are its own, not a third party's. */
  readonly siteOrigins: readonly string[];
  /** Samtykke's own origin: its widget, texts and consent endpoint are the consent mechanism itself. */
  readonly samtykkeOrigin: string;
  /** The Open Cookie Database's suggestion for a name (scanner/cookie-database.ts), or none. */
  readonly suggest: (name: string, host: string | null) => CookieSuggestion | null;
  /** When the crawl ran (ms since the epoch): cookie lifetimes are counted from it. */
  readonly scannedAt: number;
}

/** One thing seen in one visit of one page. */
interface Sighting {
  readonly kind: InventoryKind;
  readonly name: string;
  /** The cookie's domain without its leading dot, or the request's host; null for storage. */
  readonly host: string | null;
  readonly party: Party;
  readonly page: string;
  readonly visit: ScanVisit;
  readonly cause: string | null;
  /** A cookie's expiry (seconds since the epoch), null for a session cookie or anything else. */
  readonly expires: number | null;
  /** Grouping of requests by their path, so a pixel with a query per page is one thing. */
  readonly group: string;
  /** A request's URL, whose path and query an item's name may match. */
  readonly url?: URL;
  /** Samtykke's own analytics endpoint: declared by the platform, never undeclared, still checked for consent. */
  readonly platformCategory?: Category;
}

const DAY_SECONDS = 86_400;
// A cookie may outlive its declared retention by this much before it is reported: clocks and rounding ("12 months").
const EXPIRY_TOLERANCE = 1.05;

/** Paths of Samtykke's origin that are the consent mechanism itself: the widget, its texts, the decision. */
const CONSENT_MECHANISM = /^\/(sites\/[^/]+\/(widget\.js|texts\.json|declaration\.js|cookies)|api\/consent)$/;
const SAMTYKKE_ANALYTICS = '/api/events';

/**
 * Any request to a third party tells it the visitor's address and page: one that is not a script, a pixel or an
 * iframe (a fetch, a font, a stylesheet) is a web beacon in the terms' sense.
 */
function inventoryKindOf(kind: RequestKind): InventoryKind {
  if (kind === 'script' || kind === 'iframe') return kind;
  if (kind === 'pixel') return 'pixel';
  return 'web_beacon';
}

function cookieIsFirstParty(cookieHost: string, pageHost: string): boolean {
  return pageHost === cookieHost || pageHost.endsWith(`.${cookieHost}`) || cookieHost.endsWith(`.${pageHost}`);
}

function sightingsOf(input: FindingsInput): Sighting[] {
  const own = new OriginMatcher(input.siteOrigins);
  const sightings: Sighting[] = [];
  for (const page of input.crawl.pages) {
    const pageHost = new URL(page.finalUrl).hostname;
    for (const visit of page.visits) {
      const seen = { page: page.url, visit: visit.visit };
      for (const cookie of visit.cookies) {
        const host = cookie.domain.replace(/^\./, '');
        const party: Party = cookieIsFirstParty(host, pageHost) ? 'first' : 'third';
        // What the site asked for, where seen: the browser caps it (Chromium at 400 days), other browsers keep it.
        const expires = cookie.askedExpires ?? cookie.expires;
        sightings.push({ ...seen, kind: 'cookie', name: cookie.name, host, party, cause: cookie.setBy, expires, group: `${cookie.name}@${host}` });
      }
      for (const stored of visit.storage) {
        const kind: InventoryKind = stored.area === 'local' ? 'local_storage' : 'session_storage';
        sightings.push({ ...seen, kind, name: stored.key, host: null, party: 'first', cause: stored.setBy, expires: null, group: stored.key });
      }
      for (const request of visit.requests) {
        const url = new URL(request.url);
        const base = { ...seen, kind: inventoryKindOf(request.kind), host: url.host, cause: request.initiator, expires: null, group: `${url.host}${url.pathname}`, url };
        const name = url.pathname.split('/').filter(Boolean).at(-1) ?? url.host;
        if (url.origin === input.samtykkeOrigin) {
          if (CONSENT_MECHANISM.test(url.pathname)) continue;
          if (url.pathname === SAMTYKKE_ANALYTICS) {
            sightings.push({ ...base, name, party: 'first', platformCategory: 'analytics' });
            continue;
          }
        }
        sightings.push({ ...base, name, party: own.allows(url.origin) ? 'first' : 'third' });
      }
    }
  }
  return sightings;
}

function hostMatches(itemDomain: string, host: string): boolean {
  const bare = itemDomain.toLowerCase();
  const hostname = host.replace(/:\d+$/, '');
  return host === bare || hostname === bare || hostname.endsWith(`.${bare}`);
}

const REQUEST_ITEM_KINDS: readonly InventoryKind[] = ['pixel', 'web_beacon', 'script', 'iframe'];

/** The inventory item that declares a sighting, or null. */
function declaringItem(items: readonly InventoryItem[], sighting: Sighting): InventoryItem | null {
  if (sighting.kind === 'cookie' || sighting.kind === 'local_storage' || sighting.kind === 'session_storage') {
    return (
      items.find(
        (item) =>
          item.kind === sighting.kind &&
          inventoryNameMatches(item, sighting.name) &&
          (item.domain === null ? sighting.party === 'first' : sighting.host !== null && hostMatches(item.domain, sighting.host)),
      ) ?? null
    );
  }
  const onHost = items.filter((item) => REQUEST_ITEM_KINDS.includes(item.kind) && item.domain !== null && hostMatches(item.domain, sighting.host!));
  const { url } = sighting;
  // Most specific first: a beacon named by a query value (`…/p.gif?name=ad-conversion`), then by its file or path.
  const byQuery = onHost.filter((item) => [...url!.searchParams.values()].some((value) => inventoryNameMatches(item, value)));
  const byPath = onHost.filter((item) => inventoryNameMatches(item, sighting.name) || inventoryNameMatches(item, url!.pathname));
  const sameKind = (candidates: InventoryItem[]) => candidates.find((item) => item.kind === sighting.kind) ?? candidates[0];
  const named = sameKind(byQuery) ?? sameKind(byPath);
  if (named) return named;
  // A third party's host is declared as a whole when nothing names the request; the site's own requests (its
  // scripts, styles and images) are matched only by name, or every asset would count as the declared pixel.
  return sighting.party === 'third' ? (sameKind(onHost) ?? null) : null;
}

/** Seconds a retention text declares: "13 months", "2 years", "24 hours", "Session" (0); null when it names no time. */
export function declaredSeconds(retention: Localized): number | null {
  const text = retention.en.trim().toLowerCase();
  if (/^(session|until the session ends|end of session)$/.test(text) || /^økte(n|a)$/.test(retention.nb.trim().toLowerCase())) return 0;
  const match = /(\d+(?:[.,]\d+)?)\s*(second|minute|hour|day|week|month|year)s?\b/.exec(text);
  if (!match) return null;
  const unit = { second: 1, minute: 60, hour: 3_600, day: DAY_SECONDS, week: 7 * DAY_SECONDS, month: 30.44 * DAY_SECONDS, year: 365.25 * DAY_SECONDS }[match[2] as 'second'];
  return Math.round(Number(match[1]!.replace(',', '.')) * unit);
}

/** A lifetime in words, as a proposed item's retention: "13 months", "2 år". */
function lifetimeText(seconds: number | null): Localized {
  if (seconds === null || seconds <= 0) return { nb: 'Økten', nn: 'Økta', en: 'Session' };
  const units: Array<[number, Localized<[string, string]>]> = [
    [365.25 * DAY_SECONDS, { nb: ['år', 'år'], nn: ['år', 'år'], en: ['year', 'years'] }],
    [30.44 * DAY_SECONDS, { nb: ['måned', 'måneder'], nn: ['månad', 'månader'], en: ['month', 'months'] }],
    [DAY_SECONDS, { nb: ['dag', 'dager'], nn: ['dag', 'dagar'], en: ['day', 'days'] }],
    [3_600, { nb: ['time', 'timer'], nn: ['time', 'timar'], en: ['hour', 'hours'] }],
    [60, { nb: ['minutt', 'minutter'], nn: ['minutt', 'minutt'], en: ['minute', 'minutes'] }],
  ];
  // The largest unit that measures it in whole numbers (within 2 %), else months or what is left: 18 months stays
  // 18 months and 13 months is not "1 year".
  const whole = (unit: number) => seconds >= unit && Math.abs(seconds / unit - Math.round(seconds / unit)) <= 0.02 * (seconds / unit);
  const [size, words] = units.find(([unit]) => whole(unit)) ?? units.find(([unit], index) => index > 0 && seconds >= unit) ?? units.at(-1)!;
  const count = Math.max(1, Math.round(seconds / size));
  const say = (pair: [string, string]) => `${count} ${count === 1 ? pair[0] : pair[1]}`;
  return { nb: say(words.nb), nn: say(words.nn!), en: say(words.en) };
}

const NOTHING_STORED: Localized = { nb: 'Lagrer ingenting i nettleseren', nn: 'Lagrar ingenting i nettlesaren', en: 'Stores nothing in the browser' };
const UNTIL_DELETED: Localized = { nb: 'Til den slettes', nn: 'Til han vert sletta', en: 'Until deleted' };

const BLOCKING: Readonly<Record<Category, Localized>> = {
  functional: {
    nb: 'Kan blokkeres i nettleserens innstillinger, men da kan deler av tjenesten slutte å virke.',
    nn: 'Kan blokkerast i innstillingane til nettlesaren, men då kan delar av tenesta slutte å verke.',
    en: 'Can be blocked in your browser settings, but parts of the service may then stop working.',
  },
  analytics: {
    nb: 'Brukes bare når du tillater bruksanalyse under «Innstillinger for informasjonskapsler», der du også kan trekke samtykket.',
    nn: 'Blir berre brukt når du tillèt bruksanalyse under «Innstillingar for informasjonskapslar», der du òg kan trekkje samtykket.',
    en: 'Used only when you allow usage analytics under "Cookie settings", where you can also withdraw.',
  },
  ads: {
    nb: 'Brukes bare når du tillater annonsemåling under «Innstillinger for informasjonskapsler», der du også kan trekke samtykket.',
    nn: 'Blir berre brukt når du tillèt annonsemåling under «Innstillingar for informasjonskapslar», der du òg kan trekkje samtykket.',
    en: 'Used only when you allow ad measurement under "Cookie settings", where you can also withdraw.',
  },
};

/**
 * The inventory item an undeclared thing would become: from the suggestion where the database knows the name, else
 * a guess to confirm. An unknown third party is guessed as ad measurement and an unknown first-party item as usage
 * analytics, never as functional: a careless save must not declare something that is never blocked.
 */
function proposedItem(sightings: readonly Sighting[], suggestion: CookieSuggestion | null, scannedAt: number): ProposedItem {
  const first = sightings[0]!;
  const longest = sightings.reduce<number | null>((most, { expires }) => (expires === null ? most : Math.max(most ?? 0, expires - scannedAt / 1000)), null);
  const retention =
    first.kind === 'cookie' ? lifetimeText(longest) : first.kind === 'local_storage' ? UNTIL_DELETED : first.kind === 'session_storage' ? lifetimeText(null) : NOTHING_STORED;
  const category = suggestion?.category ?? (first.party === 'third' ? 'ads' : 'analytics');
  const where = first.host ?? new URL(first.page).host;
  const purpose: Localized = suggestion
    ? { nb: suggestion.purpose, en: suggestion.purpose }
    : {
        nb: `Ukjent formål: funnet av en skanning på ${first.page}. Beskriv hva det brukes til.`,
        en: `Unknown purpose: found by a scan on ${first.page}. Describe what it is for.`,
      };
  return {
    kind: first.kind,
    name: suggestion?.prefix ? `${suggestion.name}*` : first.name,
    namePattern: suggestion?.prefix ?? false,
    provider: suggestion?.provider || where,
    party: first.party,
    domain: first.party === 'third' ? first.host : null,
    category,
    purpose,
    retention,
    blocking: BLOCKING[category],
  };
}

function groupBy<T>(values: readonly T[], key: (value: T) => string): Map<string, T[]> {
  const groups = new Map<string, T[]>();
  for (const value of values) {
    const name = key(value);
    const group = groups.get(name);
    if (group) group.push(value);
    else groups.set(name, [value]);
  }
  return groups;
}

const unique = <T>(values: Iterable<T>): T[] => [...new Set(values)];

/** Every finding of a crawl, in a stable order: undeclared, violations, expiry mismatches, declared but not seen. */
export function scanFindings(input: FindingsInput): Finding[] {
  const items = input.inventory.filter((item) => item.retiredAt === null);
  const matched = sightingsOf(input).map((sighting) => ({ sighting, item: sighting.platformCategory ? null : declaringItem(items, sighting) }));
  const findings: Finding[] = [];

  // Requests to the site's own other origins are its own resources unless an item declares them.
  const undeclared = matched.filter(({ sighting, item }) => item === null && !sighting.platformCategory && !(sighting.party === 'first' && REQUEST_ITEM_KINDS.includes(sighting.kind)));
  const suggestions = new Map<string, CookieSuggestion | null>();
  const suggestionFor = (sighting: Sighting): CookieSuggestion | null => {
    if (REQUEST_ITEM_KINDS.includes(sighting.kind)) return null;
    const key = `${sighting.name}@${sighting.host ?? ''}`;
    if (!suggestions.has(key)) suggestions.set(key, input.suggest(sighting.name, sighting.host));
    return suggestions.get(key)!;
  };
  for (const [group, seen] of groupBy(undeclared.map(({ sighting }) => sighting), (sighting) => `${sighting.kind}:${sighting.group}`)) {
    const first = seen[0]!;
    const suggestion = suggestionFor(first);
    findings.push({
      type: 'undeclared',
      key: `undeclared:${group}`,
      kind: first.kind,
      name: first.name,
      domain: first.host,
      pages: unique(seen.map((sighting) => sighting.page)),
      party: first.party,
      seenIn: SCAN_VISITS.filter((visit) => seen.some((sighting) => sighting.visit === visit)),
      suggestion,
      proposed: proposedItem(seen, suggestion, input.scannedAt),
    });
  }

  const violating = matched.flatMap(({ sighting, item }) => {
    if (sighting.visit === 'after_accept') return [];
    const category: Category | 'unknown' | null = sighting.platformCategory
      ? sighting.platformCategory
      : item
        ? item.category
        : sighting.party === 'third' && REQUEST_ITEM_KINDS.includes(sighting.kind)
          ? 'unknown'
          : (suggestionFor(sighting)?.category ?? null);
    if (category === null || category === 'functional') return [];
    return [{ sighting, item, category, visit: sighting.visit }];
  });
  for (const [group, seen] of groupBy(violating, ({ sighting, visit }) => `${visit}:${sighting.kind}:${sighting.group}`)) {
    const { sighting, item, category, visit } = seen[0]!;
    findings.push({
      type: 'violation',
      key: `violation:${group}`,
      kind: sighting.kind,
      name: sighting.name,
      domain: sighting.host,
      pages: unique(seen.map(({ sighting: each }) => each.page)),
      visit,
      category,
      itemId: item?.id ?? null,
      causes: unique(seen.flatMap(({ sighting: each }) => (each.cause ? [each.cause] : []))),
    });
  }

  const cookiesByItem = groupBy(
    matched.filter((match): match is { sighting: Sighting; item: InventoryItem } => match.item !== null && match.sighting.kind === 'cookie'),
    ({ item, sighting }) => `${item.id}:${sighting.name}`,
  );
  for (const [group, seen] of cookiesByItem) {
    const { item, sighting } = seen[0]!;
    const declared = declaredSeconds(item.retention);
    if (declared === null) continue;
    const observed = Math.max(...seen.map(({ sighting: each }) => (each.expires === null ? 0 : Math.round(each.expires - input.scannedAt / 1000))));
    if (observed <= declared * EXPIRY_TOLERANCE + (declared === 0 ? 0 : DAY_SECONDS)) continue;
    findings.push({
      type: 'expiry_mismatch',
      key: `expiry_mismatch:${group}`,
      kind: 'cookie',
      name: sighting.name,
      domain: sighting.host,
      pages: unique(seen.map(({ sighting: each }) => each.page)),
      itemId: item.id,
      declared: item.retention.en,
      declaredSeconds: declared,
      observedSeconds: observed,
    });
  }

  const seenItems = new Set(matched.flatMap(({ item }) => (item ? [item.id] : [])));
  for (const item of items) {
    if (seenItems.has(item.id)) continue;
    findings.push({ type: 'declared_not_seen', key: `declared_not_seen:${item.id}`, kind: item.kind, name: item.name, domain: item.domain, pages: [], itemId: item.id });
  }
  return findings;
}
