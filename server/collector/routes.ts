/** The public collector: consent decisions, analytics events and the tracking pixel. */
import { Hono, type Context } from 'hono';
import type { z } from 'zod';
import type { ConsentReceipt, ConsentRequest, EventsReceipt } from '../contract.ts';
import type { PublishedSite } from '../domain/sites.ts';
import { checkUrlText, headerSafe, refuseUnstorableText } from '../edge-input.ts';
import { bodySizeLimit } from '../body-limit.ts';
import { ApiError } from '../errors.ts';
import type { AppDeps } from '../services.ts';
import { classifyUserAgent, clientAddress, clientRateKey, isOwnOrigin, pseudonymiseAddress } from './client.ts';
import { checkOrigin, requireAnalyticsConsent, toEventRows, type Visit } from './pipeline.ts';
import { shownHashFor } from './shown.ts';
import { consentRequestSchema, eventsRequestSchema, pixelQuerySchema } from './validation.ts';

// The smallest valid transparent GIF: 1×1, one transparent colour.
const TRANSPARENT_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

async function readBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S>> {
  let json: unknown;
  try {
    json = JSON.parse(await c.req.text());
  } catch {
    throw new ApiError(400, 'invalid_body', 'The body must be JSON (sent as application/json or text/plain)');
  }
  refuseUnstorableText(json);
  const parsed = schema.safeParse(json);
  if (!parsed.success) throw ApiError.fromZod(parsed.error);
  return parsed.data;
}

/** A decision must be made under a published policy version and keep what that version requires. */
function checkDecisionAgainstPolicy(site: PublishedSite, request: ConsentRequest): void {
  if (request.policyVersion > site.policy.version) {
    throw new ApiError(400, 'invalid_body', `policyVersion ${request.policyVersion} is not published for site "${site.key}" (current: ${site.policy.version})`, 'policyVersion');
  }
  if (site.policy.version === request.policyVersion && site.policy.functionalRequired && !request.choices.functional) {
    throw new ApiError(400, 'invalid_body', `Policy version ${request.policyVersion} makes functional required; it cannot be denied`, 'choices.functional');
  }
}

function pageUrlForEvidence(url: string | undefined): string | null {
  if (!url) return null;
  const page = new URL(url);
  page.search = '';
  page.hash = '';
  page.username = '';
  page.password = '';
  return page.toString();
}

export function collectorRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  const limitBody = bodySizeLimit(deps.config.bodyLimitBytes);

  // CORS for the browser widget. The widget sends text/plain, which needs no preflight, and every answer names its
  // origin so the page can read it, a refusal included: the request is judged against its own site either way, and
  // the page's developer sees why it was refused. A preflight (for application/json) is granted only to an origin
  // some site allows.
  const allowedAnywhere = async (c: Context, origin: string) =>
    isOwnOrigin(c, origin, deps.config.publicUrl, deps.config.trustProxy) || (await deps.sites.allowsOriginOfAnySite(origin));
  // What a refused request says it was refused for (its error code) is its drop reason.
  for (const path of ['/api/consent', '/api/events']) {
    app.use(path, async (c, next) => {
      await next();
      if (c.error instanceof ApiError) deps.metrics.drop(c.error.code);
    });
  }
  app.use('/api/consent', limitBody);
  app.use('/api/events', limitBody);
  for (const path of ['/api/consent', '/api/events']) {
    app.use(path, async (c, next) => {
      const origin = c.req.header('origin');
      const preflight = c.req.method === 'OPTIONS';
      if (preflight && !(origin !== undefined && (await allowedAnywhere(c, origin)))) {
        throw new ApiError(403, 'origin_not_allowed', `Origin ${origin ?? '(none)'} is not allowed by any site`);
      }
      if (origin !== undefined) {
        c.header('Access-Control-Allow-Origin', origin);
        c.header('Vary', 'Origin');
      }
      if (!preflight) return next();
      c.header('Access-Control-Allow-Methods', 'POST');
      c.header('Access-Control-Allow-Headers', 'Content-Type');
      c.header('Access-Control-Max-Age', '86400');
      return c.body(null, 204);
    });
  }

  /**
   * The network pseudonym kept as evidence, after the client's own allowance and its network's higher ceiling;
   * the raw address goes no further than this.
   */
  function admitClient(c: Context, site: PublishedSite, consentId: string): string {
    const address = clientAddress(c, deps.config.trustProxy);
    deps.rateLimiter.take(clientRateKey(deps.clientKey, address, site.id, consentId));
    const networkHash = pseudonymiseAddress(deps.clientKey, address, site.id);
    deps.networkRateLimiter.take(`${site.id}|${networkHash}`);
    return networkHash;
  }

  app.post('/api/consent', async (c) => {
    const request = await readBody(c, consentRequestSchema);
    const site = await deps.sites.published(request.site);
    checkOrigin(deps, c, site);
    const clientHash = admitClient(c, site, request.consentId);
    checkDecisionAgainstPolicy(site, request);
    const shownHash = await shownHashFor(deps, site, request);
    // Still evidence of what that user saw, so it is kept; it grants nothing, and the widget asks again.
    const stale = request.policyVersion < site.policy.askedSince;
    const userAgent = classifyUserAgent(c.req.header('user-agent'));
    const recordedAt = new Date();
    const link = await deps.consentWriter.append(site.id, {
      consentId: request.consentId,
      policyVersion: request.policyVersion,
      ...request.choices,
      action: request.action,
      source: request.source,
      locale: request.locale,
      pageUrl: pageUrlForEvidence(request.url),
      browser: userAgent.browser,
      os: userAgent.os,
      device: userAgent.device,
      account: request.account ?? null,
      recordedAt,
      clientHash,
      shownHash,
      gpc: request.gpc ?? request.source === 'gpc',
      stale,
    });
    deps.decisions.remember(site.id, request.consentId, { policyVersion: request.policyVersion, choices: request.choices, recordedAt });
    deps.activity.note(site.id, 'decision', c.req.header('origin'));
    return c.json({ id: link.id, seq: link.seq, hash: link.hash, recordedAt: recordedAt.toISOString(), stale } satisfies ConsentReceipt, 201);
  });

  /** Everything before storing an event: site, origin, rate, bots and the consent that allows it. */
  async function admitVisit(
    c: Context,
    input: { site: string; consentId: string; sessionId?: string; browserOrigin: boolean },
  ): Promise<Visit | 'bot'> {
    const site = await deps.sites.published(input.site);
    if (input.browserOrigin) checkOrigin(deps, c, site);
    admitClient(c, site, input.consentId);
    const userAgent = classifyUserAgent(c.req.header('user-agent'));
    // Apps identify themselves with HTTP-library agents (okhttp, CFNetwork) that bot lists include.
    if (userAgent.bot && site.surface === 'web') return 'bot';
    const receivedAt = new Date();
    const decision = await requireAnalyticsConsent(deps, site, input.consentId, receivedAt);
    return { site, decision, consentId: input.consentId, sessionId: input.sessionId, userAgent, receivedAt };
  }

  app.post('/api/events', async (c) => {
    const request = await readBody(c, eventsRequestSchema);
    const visit = await admitVisit(c, { ...request, browserOrigin: true });
    if (visit === 'bot') {
      deps.metrics.drop('bot');
      return c.json({ accepted: 0, ignored: { count: request.events.length, reason: 'bot' } } satisfies EventsReceipt, 202);
    }
    const { rows, clamped } = toEventRows(deps, visit, request.events, request.sentAt);
    deps.eventWriter.enqueue(rows);
    deps.activity.note(visit.site.id, 'event', c.req.header('origin'));
    return c.json({ accepted: rows.length, ...(clamped > 0 ? { clamped } : {}) } satisfies EventsReceipt, 202);
  });

  app.get('/p.gif', async (c) => {
    c.header('Content-Type', 'image/gif');
    c.header('Cache-Control', 'no-store, no-cache, must-revalidate, max-age=0');
    c.header('Pragma', 'no-cache');
    c.header('Expires', '0');
    try {
      checkUrlText(c.req.url);
      const parsed = pixelQuerySchema.safeParse(c.req.query());
      if (!parsed.success) throw ApiError.fromZod(parsed.error, 'invalid_query');
      const query = parsed.data;
      const visit = await admitVisit(c, { site: query.site, consentId: query.cid, sessionId: query.sid, browserOrigin: false });
      if (visit !== 'bot') {
        const event = query.name
          ? { type: 'custom' as const, name: query.name, url: query.url, referrer: query.ref }
          : { type: 'pageview' as const, url: query.url, referrer: query.ref };
        // No time travels with a pixel: it is requested as the page shows it, so it happened when it arrived.
        deps.eventWriter.enqueue(toEventRows(deps, visit, [event]).rows);
        deps.activity.note(visit.site.id, 'event', c.req.header('origin'));
      } else {
        deps.metrics.drop('bot');
      }
      return c.body(TRANSPARENT_GIF, 200);
    } catch (error) {
      // An image tag cannot read a JSON error: the pixel always answers the image, with the status and reason in headers.
      const apiError = error instanceof ApiError ? error : (deps.outage.answerFor(error) ?? new ApiError(500, 'internal', 'internal error'));
      if (apiError.status === 500) console.error('Pixel request failed:', error);
      deps.metrics.drop(apiError.code);
      c.header('X-Samtykke-Error', headerSafe(`${apiError.code}: ${apiError.message}`).slice(0, 300));
      if (apiError.retryAfter !== undefined) c.header('Retry-After', String(apiError.retryAfter));
      return c.body(TRANSPARENT_GIF, apiError.status);
    }
  });

  return app;
}
