/**
 * One consent across an app and the web pages it opens in a WebView:
 *
 *   POST /api/handoff          {site, consentId} → {token, expiresAt}   the app asks, and injects the token
 *   POST /api/handoff/verify   {site, token}     → HandedOffConsent     the page's widget adopts what it names
 *   POST /api/consent/latest   {site, consentId} → LatestConsent        the app reads a change made on the page
 *
 * Every answer is the decision the server has stored for the consent ID, never choices a caller sent: the app
 * records its decisions with POST /api/consent as before, and the page's changes go there too, under the same ID.
 * The consent ID is the bearer secret of a choice, so it travels in bodies, never in a URL a log would keep.
 */
import { Hono, type Context } from 'hono';
import { z } from 'zod';
import type { HandedOffConsent, HandoffToken, LatestConsent } from '../contract.ts';
import { bodySizeLimit } from '../body-limit.ts';
import { allowPageOrigins } from '../collector/cors.ts';
import { isOwnOrigin } from '../collector/client.ts';
import { decisionExpiresAt, type Decision } from '../domain/consent.ts';
import type { PublishedSite } from '../domain/sites.ts';
import { SITE_KEY_PATTERN } from '../domain/sites.ts';
import { unstorableTextIn } from '../edge-input.ts';
import { ApiError } from '../errors.ts';
import { serverSecret } from '../queries/secrets.ts';
import type { AppDeps } from '../services.ts';
import { HANDOFF_LIFETIME_MS, readHandoff, signHandoff } from './token.ts';

const siteKey = z.string().regex(SITE_KEY_PATTERN, 'must be a site key such as "min-side"');
const consentId = z.string().regex(/^[A-Za-z0-9_-]{16,64}$/, 'must be 16 to 64 characters of A-Z, a-z, 0-9, _ or -');

export const handoffRequestSchema = z.strictObject({ site: siteKey, consentId });
export const handoffVerifyRequestSchema = z.strictObject({ site: siteKey, token: z.string().min(1).max(2048) });
export const latestConsentRequestSchema = handoffRequestSchema;

/** JSON sent as application/json or text/plain (the widget's, which needs no CORS preflight). */
async function parseBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  const text = await c.req.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    throw new ApiError(400, 'invalid_body', 'The body must be JSON (sent as application/json or text/plain)');
  }
  const unstorable = unstorableTextIn(json, text);
  if (unstorable) throw new ApiError(400, 'invalid_body', unstorable.message, unstorable.field);
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw ApiError.fromZod(parsed.error);
  return parsed.data;
}

/** Apps send no Origin; a browser page may ask only for a site that allows it, as on the collector. */
function checkOrigin(c: Context, deps: AppDeps, site: PublishedSite): void {
  const origin = c.req.header('origin');
  if (origin === undefined || isOwnOrigin(c, origin, deps.config.publicUrl, deps.config.trustProxy) || deps.sites.allowsOrigin(site, origin)) return;
  throw new ApiError(403, 'origin_not_allowed', `Origin ${origin} may not ask for site "${site.key}"; add it to the site's allowed origins`, 'site');
}

/** Whether a decision still grants what it says: the widget and the collector judge it the same way. */
function isCurrent(site: PublishedSite, decision: Decision, now: Date): boolean {
  return decisionExpiresAt(decision.recordedAt, site.policy.consentLifetimeMonths) > now && decision.policyVersion >= site.policy.askedSince;
}

async function latestDecision(deps: AppDeps, site: PublishedSite, id: string): Promise<Decision> {
  const decision = await deps.decisions.latest(site.id, id);
  if (!decision) {
    throw new ApiError(404, 'consent_required', `No decision is recorded for this consent ID on site "${site.key}"; record one with POST /api/consent first`, 'consentId');
  }
  return decision;
}

function lapsed(site: PublishedSite): ApiError {
  return new ApiError(
    409,
    'consent_stale',
    `The latest decision for this consent ID on site "${site.key}" has lapsed (its lifetime passed, or policy version ${site.policy.askedSince} asks again); ask the user again before handing it off`,
    'consentId',
  );
}

const asLatest = (id: string, decision: Decision, current: boolean): LatestConsent => ({
  consentId: id,
  policyVersion: decision.policyVersion,
  choices: decision.choices,
  decidedAt: decision.recordedAt.toISOString(),
  current,
});

export function handoffRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  // Made once and kept in the database, so every process and every restart signs and checks with the same key.
  let key: Promise<string> | undefined;
  const signingKey = (): Promise<string> => {
    key ??= serverSecret(deps.db, 'handoff_key').catch((error: unknown) => {
      key = undefined;
      throw error;
    });
    return key;
  };

  for (const path of ['/api/handoff', '/api/handoff/verify', '/api/consent/latest']) {
    app.use(path, bodySizeLimit(deps.config.bodyLimitBytes));
    app.use(path, allowPageOrigins(deps));
  }

  app.post('/api/handoff', async (c) => {
    const request = await parseBody(c, handoffRequestSchema);
    const site = await deps.sites.published(request.site);
    checkOrigin(c, deps, site);
    const decision = await latestDecision(deps, site, request.consentId);
    const now = new Date();
    if (!isCurrent(site, decision, now)) throw lapsed(site);
    const expiresAt = now.getTime() + HANDOFF_LIFETIME_MS;
    const token = signHandoff(await signingKey(), {
      site: site.key,
      consentId: request.consentId,
      policyVersion: decision.policyVersion,
      choices: decision.choices,
      decidedAt: decision.recordedAt.getTime(),
      expiresAt,
    });
    return c.json({ token, expiresAt: new Date(expiresAt).toISOString() } satisfies HandoffToken, 201);
  });

  app.post('/api/handoff/verify', async (c) => {
    const request = await parseBody(c, handoffVerifyRequestSchema);
    const claims = readHandoff(await signingKey(), request.token, Date.now());
    if ('refused' in claims) throw new ApiError(claims.refused === 'malformed' ? 400 : 403, claims.refused === 'malformed' ? 'invalid_body' : 'forbidden', claims.message, 'token');
    if (claims.site !== request.site) {
      throw new ApiError(403, 'forbidden', `The hand-off token was issued for site "${claims.site}", not "${request.site}"; the app must ask for one for the site of the page it opens`, 'token');
    }
    const site = await deps.sites.published(request.site);
    checkOrigin(c, deps, site);
    // The latest, not the token's: a page the WebView loads again with the same token keeps a change made since,
    // and a decision erased since (a subject's request) is handed to nobody.
    const decision = await latestDecision(deps, site, claims.consentId);
    if (!isCurrent(site, decision, new Date())) throw lapsed(site);
    const handed: HandedOffConsent = { id: claims.consentId, policyVersion: decision.policyVersion, choices: decision.choices, at: decision.recordedAt.getTime() };
    return c.json(handed);
  });

  app.post('/api/consent/latest', async (c) => {
    const request = await parseBody(c, latestConsentRequestSchema);
    const site = await deps.sites.published(request.site);
    checkOrigin(c, deps, site);
    const decision = await latestDecision(deps, site, request.consentId);
    return c.json(asLatest(request.consentId, decision, isCurrent(site, decision, new Date())) satisfies LatestConsent);
  });

  return app;
}
