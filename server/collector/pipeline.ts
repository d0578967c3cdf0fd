/**
 * What the collector checks before it stores anything, as one pipeline per kind of request:
 *
 *   decision: site → origin → rate → policy → shown content → record
 *   visit:    site → origin (browsers only) → rate → bots → consent → visit
 *
 * Each step takes what it needs and returns what it found or a Drop with its reason (drops.ts); the first drop
 * ends the pipeline. Nothing is stored before every step passed, and the raw client address goes no further
 * than the rate step, which turns it into a network pseudonym and a country.
 */
import { createHmac } from 'node:crypto';
import { decisionExpiresAt, type Decision } from '../domain/consent.ts';
import { NO_ATTRIBUTION, fileExtension, linkTarget, occurredAt, pagePath, readAttribution, referrerHost } from '../domain/events.ts';
import { isWebAddress, pageUrl } from '../domain/page-address.ts';
import { SIGNAL_SWITCHES, type PublishedSite } from '../domain/sites.ts';
import type { NewEvent } from '../db/schema.ts';
import type { UnchainedRecord } from '../queries/consent-records.ts';
import type { AppDeps } from '../services.ts';
import type { SiteDirectory } from '../sites/directory.ts';
import type { ConsentRequest, EventInput } from '../contract.ts';
import { classifyUserAgent, clientRateKey, pseudonymiseAddress, type UserAgentClasses } from './client.ts';
import type { CountryDatabase } from './countries.ts';
import type { DecisionCache } from './decision-cache.ts';
import { Drop } from './drops.ts';
import type { RateLimiter } from './rate-limiter.ts';
import { shownHashFor } from './shown.ts';
import type { SiteActivity } from './site-activity.ts';

/** Who sent the request, as the HTTP layer saw it (routes.ts). */
export interface Sender {
  /** The browser's Origin header; apps and servers send none. */
  readonly origin: string | undefined;
  /** Whether that origin is Samtykke's own (demo pages, the dashboard's preview), always allowed. */
  readonly ownOrigin: boolean;
  readonly address: string;
  readonly userAgent: string | undefined;
}

async function findSite(sites: SiteDirectory, key: string): Promise<PublishedSite | Drop> {
  const found = await sites.lookUp(key);
  return 'refused' in found ? new Drop(found.refused, found.message, 'site') : found;
}

/**
 * Browsers always send Origin on cross-origin POSTs; apps and servers send none and are not browser-bound.
 * A refusal is counted for the site's installation check, so a missing origin shows in the dashboard.
 */
function checkOrigin(deps: { readonly sites: SiteDirectory; readonly activity: SiteActivity }, site: PublishedSite, sender: Sender): Drop | null {
  const { origin } = sender;
  if (origin === undefined || sender.ownOrigin || deps.sites.allowsOrigin(site, origin)) return null;
  deps.activity.note(site.id, 'refused', origin);
  return new Drop(
    'origin',
    `Origin ${origin} may not send to site "${site.key}"; add it to the site's allowed origins (dashboard: Sites, or \`samtykke site origins ${site.key} --add ${origin}\`)`,
  );
}

/** What the collector keeps of a client's address: neither can be turned back into it. */
interface AdmittedClient {
  /** The network's pseudonym, kept as evidence. */
  readonly clientHash: string;
  /** For analytics; null for local addresses and those the country database does not place. */
  readonly country: string | null;
}

/**
 * The client's own allowance, then its network's higher ceiling; what passes on is the network pseudonym kept as
 * evidence and the country, never the address.
 */
function admitClient(
  deps: { readonly rateLimiter: RateLimiter; readonly networkRateLimiter: RateLimiter; readonly clientKey: string; readonly countries: CountryDatabase },
  site: PublishedSite,
  sender: Sender,
  consentId: string,
): AdmittedClient | Drop {
  const clientHash = pseudonymiseAddress(deps.clientKey, sender.address, site.id);
  const own = deps.rateLimiter.tryTake(clientRateKey(clientHash, sender.address, consentId));
  if (own !== null) return new Drop('rate', deps.rateLimiter.refusal(own).en, undefined, own);
  const network = deps.networkRateLimiter.tryTake(`${site.id}|${clientHash}`);
  if (network !== null) return new Drop('rate', deps.networkRateLimiter.refusal(network).en, undefined, network);
  return { clientHash, country: deps.countries.countryOf(sender.address) };
}

/** A decision must be made under a published policy version and keep what that version requires. */
function checkPolicy(site: PublishedSite, request: ConsentRequest): Drop | null {
  if (request.policyVersion > site.policy.version) {
    return new Drop('policy_version', `policyVersion ${request.policyVersion} is not published for site "${site.key}" (current: ${site.policy.version})`, 'policyVersion');
  }
  if (site.policy.version === request.policyVersion && site.policy.functionalRequired && !request.choices.functional) {
    return new Drop('functional_required', `Policy version ${request.policyVersion} makes functional required; it cannot be denied`, 'choices.functional');
  }
  return null;
}

/** Apps identify themselves with HTTP-library agents (okhttp, CFNetwork) that bot lists include. */
function dropBots(site: PublishedSite, userAgent: UserAgentClasses): Drop | null {
  return userAgent.bot && site.surface === 'web' ? new Drop('bot', 'Requests from bots are not recorded') : null;
}

/** The decision that allows analytics for this consent ID now, or the reason there is none. */
async function requireAnalyticsConsent(decisions: DecisionCache, site: PublishedSite, consentId: string, now: Date): Promise<Decision | Drop> {
  const decision = await decisions.latest(site.id, consentId);
  if (!decision) return new Drop('consent_missing', 'No consent decision is recorded for this consent ID; nothing was stored');
  if (decisionExpiresAt(decision.recordedAt, site.policy.consentLifetimeMonths) <= now) {
    return new Drop('consent_expired', 'The consent decision has expired; ask again before sending events. Nothing was stored');
  }
  if (decision.policyVersion < site.policy.askedSince) {
    return new Drop(
      'consent_stale',
      `The decision was made under policy version ${decision.policyVersion}; version ${site.policy.askedSince} changed what is asked, so ask again before sending events. Nothing was stored`,
    );
  }
  if (!decision.choices.analytics) return new Drop('analytics_denied', 'The latest decision does not grant analytics; nothing was stored');
  return decision;
}

/**
 * The schema takes an app's screen addresses on any site, as it cannot know the site's surface; a web site refuses
 * them here, naming the field as the schema would.
 */
function checkPageAddresses(site: PublishedSite, addresses: ReadonlyArray<readonly [field: string, address: string | undefined]>): Drop | null {
  for (const [field, address] of addresses) {
    if (address && pageUrl(address, site.surface) === null) {
      return new Drop('invalid_body', `${field}: must be an absolute http(s) URL (site "${site.key}" is a web site; app:// URLs and screen names are for app sites)`, field);
    }
  }
  return null;
}

function pageUrlForEvidence(site: PublishedSite, url: string | undefined): string | null {
  if (!url) return null;
  const page = pageUrl(url, site.surface)!;
  page.search = '';
  page.hash = '';
  page.username = '';
  page.password = '';
  return page.toString();
}

export interface AdmittedDecision {
  readonly site: PublishedSite;
  readonly record: UnchainedRecord;
}

export async function admitDecision(deps: AppDeps, request: ConsentRequest, sender: Sender): Promise<AdmittedDecision | Drop> {
  const site = await findSite(deps.sites, request.site);
  if (site instanceof Drop) return site;
  const misplaced = checkPageAddresses(site, [['url', request.url]]);
  if (misplaced) return misplaced;
  const refused = checkOrigin(deps, site, sender);
  if (refused) return refused;
  const client = admitClient(deps, site, sender, request.consentId);
  if (client instanceof Drop) return client;
  const outsidePolicy = checkPolicy(site, request);
  if (outsidePolicy) return outsidePolicy;
  const shownHash = await shownHashFor(deps, site, request);
  if (shownHash instanceof Drop) return shownHash;
  const userAgent = classifyUserAgent(sender.userAgent);
  const record: UnchainedRecord = {
    consentId: request.consentId,
    policyVersion: request.policyVersion,
    ...request.choices,
    action: request.action,
    source: request.source,
    locale: request.locale,
    pageUrl: pageUrlForEvidence(site, request.url),
    browser: userAgent.browser,
    os: userAgent.os,
    device: userAgent.device,
    account: request.account ?? null,
    recordedAt: new Date(),
    clientHash: client.clientHash,
    shownHash,
    gpc: request.gpc ?? request.source === 'gpc',
    // Still evidence of what that user saw, so it is kept; it grants nothing, and the widget asks again.
    stale: request.policyVersion < site.policy.askedSince,
    country: client.country,
  };
  return { site, record };
}

export interface Visit {
  readonly site: PublishedSite;
  readonly decision: Decision;
  readonly consentId: string;
  readonly sessionId: string | undefined;
  readonly userAgent: UserAgentClasses;
  readonly country: string | null;
  readonly receivedAt: Date;
}

export interface VisitRequest {
  readonly site: string;
  readonly consentId: string;
  readonly sessionId?: string;
  /** Sent by a browser page, so its Origin is checked; the pixel is an image any page may show. */
  readonly fromPage: boolean;
  /** The events' page addresses, checked against the site's surface (the pixel's are http(s) by its schema). */
  readonly events?: ReadonlyArray<Pick<EventInput, 'url' | 'referrer'>>;
}

export async function admitVisit(deps: AppDeps, request: VisitRequest, sender: Sender): Promise<Visit | Drop> {
  const site = await findSite(deps.sites, request.site);
  if (site instanceof Drop) return site;
  const misplaced = checkPageAddresses(site, (request.events ?? []).flatMap((event, index) => [[`events.${index}.url`, event.url], [`events.${index}.referrer`, event.referrer]] as const));
  if (misplaced) return misplaced;
  const refused = request.fromPage ? checkOrigin(deps, site, sender) : null;
  if (refused) return refused;
  const client = admitClient(deps, site, sender, request.consentId);
  if (client instanceof Drop) return client;
  const userAgent = classifyUserAgent(sender.userAgent);
  const bot = dropBots(site, userAgent);
  if (bot) return bot;
  const receivedAt = new Date();
  const decision = await requireAnalyticsConsent(deps.decisions, site, request.consentId, receivedAt);
  if (decision instanceof Drop) return decision;
  return { site, decision, consentId: request.consentId, sessionId: request.sessionId, userAgent, country: client.country, receivedAt };
}

/**
 * A visit identifier when the client keeps none: one per consent ID and UTC day of the event, keyed so it cannot be
 * reversed. The event's day, not the day it arrived: yesterday's offline queue sent this morning is yesterday's visit.
 */
function derivedSessionId(clientKey: string, visit: Visit, day: string): string {
  return createHmac('sha256', clientKey).update(`${visit.site.id}|${visit.consentId}|${day}`).digest('base64url').slice(0, 22);
}

/**
 * What an engagement signal adds to its row: the link clicked, or for a 404 the page that linked to it (on an app,
 * maybe a screen of its own, kept as its path like the page).
 */
function engagementColumns(event: EventInput, surface: PublishedSite['surface']): Pick<NewEvent, 'target' | 'engaged_ms' | 'scroll'> {
  const linked = event.link ?? (event.type === 'notfound' && event.referrer ? event.referrer : undefined);
  const target = linked === undefined ? null : isWebAddress(linked) ? linkTarget(new URL(linked)) : pagePath(pageUrl(linked, surface)!);
  return { target, engaged_ms: event.engagedMs ?? null, scroll: event.scroll ?? null };
}

export interface EventRows {
  readonly rows: NewEvent[];
  /** Events whose client time could not be believed and which are stored at the receive time instead. */
  readonly clamped: number;
  /** Signals the site has switched off (domain/sites.ts SIGNAL_SWITCHES): taken, not stored. */
  readonly switchedOff: number;
}

function switchedOn(site: PublishedSite, event: EventInput): boolean {
  return !(event.type in SIGNAL_SWITCHES) || site.features[SIGNAL_SWITCHES[event.type as keyof typeof SIGNAL_SWITCHES]];
}

/**
 * Turns accepted events into rows, each at the time it happened by the client's clock corrected by the batch's
 * `sentAt` (domain/events.ts); UTM parameters and click IDs survive only where the decision grants ads.
 */
export function toEventRows(deps: AppDeps, visit: Visit, events: readonly EventInput[], sentAt?: number): EventRows {
  // One keyed hash per day the batch covers, not one per event.
  const derived = new Map<string, string>();
  function sessionOn(day: string): string {
    let sessionId = derived.get(day);
    if (sessionId === undefined) {
      sessionId = derivedSessionId(deps.clientKey, visit, day);
      derived.set(day, sessionId);
    }
    return sessionId;
  }
  let clamped = 0;
  const kept = events.filter((event) => switchedOn(visit.site, event));
  const rows = kept.map((event): NewEvent => {
    const time = occurredAt(event.time, sentAt, visit.receivedAt, deps.config.eventTimeWindowMs);
    if (time.clamped) clamped += 1;
    // Checked against the site's surface when the visit was admitted.
    const page = pageUrl(event.url, visit.site.surface)!;
    const attribution = visit.decision.choices.ads ? readAttribution(page) : NO_ATTRIBUTION;
    return {
      site_id: visit.site.id,
      occurred_at: time.at,
      consent_id: visit.consentId,
      session_id: visit.sessionId ?? sessionOn(time.at.toISOString().slice(0, 10)),
      type: event.type,
      name: event.type === 'custom' ? (event.name ?? null) : event.type === 'download' ? fileExtension(new URL(event.link!).pathname) : null,
      path: pagePath(page),
      // An app's own screens are no other host; a web page that opened the app (a deep link) is.
      referrer_host: referrerHost(isWebAddress(event.referrer) ? event.referrer : undefined, page),
      utm_source: attribution.utm.source,
      utm_medium: attribution.utm.medium,
      utm_campaign: attribution.utm.campaign,
      utm_term: attribution.utm.term,
      utm_content: attribution.utm.content,
      ad_click: attribution.adClick,
      browser: visit.userAgent.browser,
      os: visit.userAgent.os,
      device: visit.userAgent.device,
      country: visit.country,
      props: event.props ? JSON.stringify(event.props) : null,
      ...engagementColumns(event, visit.site.surface),
    };
  });
  return { rows, clamped, switchedOff: events.length - kept.length };
}
