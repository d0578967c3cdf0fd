/**
 * The collector's steps, each of which passes a request on or refuses it with a reason a client can act on:
 * site → origin → rate → consent → enrich. Routes compose them; nothing is stored before every step passed.
 */
import { createHmac } from 'node:crypto';
import type { Context } from 'hono';
import { decisionExpiresAt, type Decision } from '../domain/consent.ts';
import { NO_ATTRIBUTION, occurredAt, pagePath, readAttribution, referrerHost } from '../domain/events.ts';
import type { PublishedSite } from '../domain/sites.ts';
import { ApiError } from '../errors.ts';
import type { NewEvent } from '../db/schema.ts';
import type { AppDeps } from '../services.ts';
import type { EventInput } from '../contract.ts';
import { isOwnOrigin, type UserAgentClasses } from './client.ts';

/**
 * Browsers always send Origin on cross-origin POSTs; apps and servers send none and are not browser-bound.
 * A refusal is counted for the site's installation check, so a missing origin shows in the dashboard.
 */
export function checkOrigin(deps: AppDeps, c: Context, site: PublishedSite): void {
  const origin = c.req.header('origin');
  if (origin === undefined || deps.sites.allowsOrigin(site, origin) || isOwnOrigin(c, origin, deps.config.publicUrl, deps.config.trustProxy)) return;
  deps.activity.note(site.id, 'refused', origin);
  throw new ApiError(
    403,
    'origin_not_allowed',
    `Origin ${origin} may not send to site "${site.key}"; add it to the site's allowed origins (dashboard: Sites, or \`samtykke site origins ${site.key} --add ${origin}\`)`,
  );
}

/** The decision that allows analytics for this consent ID now, or the reason there is none. */
export async function requireAnalyticsConsent(deps: AppDeps, site: PublishedSite, consentId: string, now: Date): Promise<Decision> {
  const decision = await deps.decisions.latest(site.id, consentId);
  if (!decision) {
    throw new ApiError(403, 'consent_required', 'No consent decision is recorded for this consent ID; nothing was stored');
  }
  if (decisionExpiresAt(decision.recordedAt, site.policy.consentLifetimeMonths) <= now) {
    throw new ApiError(403, 'consent_required', 'The consent decision has expired; ask again before sending events. Nothing was stored');
  }
  if (decision.policyVersion < site.policy.askedSince) {
    throw new ApiError(
      403,
      'consent_stale',
      `The decision was made under policy version ${decision.policyVersion}; version ${site.policy.askedSince} changed what is asked, so ask again before sending events. Nothing was stored`,
    );
  }
  if (!decision.choices.analytics) {
    throw new ApiError(403, 'consent_required', 'The latest decision does not grant analytics; nothing was stored');
  }
  return decision;
}

export interface Visit {
  readonly site: PublishedSite;
  readonly decision: Decision;
  readonly consentId: string;
  readonly sessionId: string | undefined;
  readonly userAgent: UserAgentClasses;
  readonly receivedAt: Date;
}

/**
 * A visit identifier when the client keeps none: one per consent ID and UTC day of the event, keyed so it cannot be
 * reversed. The event's day, not the day it arrived: yesterday's offline queue sent this morning is yesterday's visit.
 */
function derivedSessionId(deps: AppDeps, visit: Visit, day: string): string {
  return createHmac('sha256', deps.clientKey).update(`${visit.site.id}|${visit.consentId}|${day}`).digest('base64url').slice(0, 22);
}

export interface EventRows {
  readonly rows: NewEvent[];
  /** Events whose client time could not be believed and which are stored at the receive time instead. */
  readonly clamped: number;
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
      sessionId = derivedSessionId(deps, visit, day);
      derived.set(day, sessionId);
    }
    return sessionId;
  }
  let clamped = 0;
  const rows = events.map((event): NewEvent => {
    const time = occurredAt(event.time, sentAt, visit.receivedAt, deps.config.eventTimeWindowMs);
    if (time.clamped) clamped += 1;
    const page = new URL(event.url);
    const attribution = visit.decision.choices.ads ? readAttribution(page) : NO_ATTRIBUTION;
    return {
      site_id: visit.site.id,
      occurred_at: time.at,
      consent_id: visit.consentId,
      session_id: visit.sessionId ?? sessionOn(time.at.toISOString().slice(0, 10)),
      type: event.type,
      name: event.type === 'custom' ? (event.name ?? null) : null,
      path: pagePath(page),
      referrer_host: referrerHost(event.referrer, page),
      utm_source: attribution.utm.source,
      utm_medium: attribution.utm.medium,
      utm_campaign: attribution.utm.campaign,
      utm_term: attribution.utm.term,
      utm_content: attribution.utm.content,
      ad_click: attribution.adClick,
      browser: visit.userAgent.browser,
      os: visit.userAgent.os,
      device: visit.userAgent.device,
      props: event.props ? JSON.stringify(event.props) : null,
    };
  });
  return { rows, clamped };
}
