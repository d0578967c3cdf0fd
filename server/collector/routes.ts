/** The collector's JSON API: consent decisions and analytics events, each parse → pipeline → writer → receipt. */
import { Hono, type Context } from 'hono';
import type { z } from 'zod';
import type { ConsentReceipt, EventsReceipt } from '../contract.ts';
import { bodySizeLimit } from '../body-limit.ts';
import { unstorableTextIn } from '../edge-input.ts';
import type { AppDeps } from '../services.ts';
import { allowPageOrigins } from './cors.ts';
import { Drop, dropAsJson } from './drops.ts';
import { admitDecision, admitVisit, toEventRows, type Sender } from './pipeline.ts';
import { senderOf, whileAvailable } from './sender.ts';
import { consentRequestSchema, eventsRequestSchema } from './validation.ts';

async function parseBody<S extends z.ZodType>(c: Context, schema: S): Promise<z.output<S> | Drop> {
  const text = await c.req.text();
  let json: unknown;
  try {
    json = JSON.parse(text);
  } catch {
    return new Drop('invalid_body', 'The body must be JSON (sent as application/json or text/plain)');
  }
  const unstorable = unstorableTextIn(json, text);
  if (unstorable) return new Drop('invalid_body', unstorable.message, unstorable.field);
  const parsed = schema.safeParse(json);
  return parsed.success ? parsed.data : Drop.fromSchema(parsed.error, 'invalid_body');
}

/**
 * Whether a caller may send to the site a request names, before the pipeline looks at it: browsers may send to
 * any site (the pipeline checks their origin), an API key only to its own organisation's (server/api/).
 */
export type SiteGate = (siteKey: string) => Promise<Drop | null>;

const ANY_SITE: SiteGate = async () => null;

/** POST a decision: parse → gate → pipeline → recorder → receipt. */
export async function takeDecision(c: Context, deps: AppDeps, sender: Sender, gate: SiteGate = ANY_SITE): Promise<Response> {
  const outcome = await whileAvailable(deps, async () => {
    const request = await parseBody(c, consentRequestSchema);
    if (request instanceof Drop) return request;
    const refused = await gate(request.site);
    if (refused) return refused;
    const admitted = await admitDecision(deps, request, sender);
    if (admitted instanceof Drop) return admitted;
    const recorded = await deps.consentRecorder.record(admitted.site.id, admitted.record);
    return { request, admitted, recorded };
  });
  if (outcome instanceof Drop) return dropAsJson(c, deps.metrics, outcome);
  const { request, admitted: { site, record }, recorded } = outcome;
  deps.decisions.remember(site.id, request.consentId, { policyVersion: request.policyVersion, choices: request.choices, recordedAt: record.recordedAt });
  deps.activity.note(site.id, 'decision', sender.origin);
  const time = { recordedAt: record.recordedAt.toISOString(), stale: record.stale };
  if ('journaled' in recorded) return c.json({ journaled: true, ...time } satisfies ConsentReceipt, 202);
  const { id, seq, hash } = recorded.stored;
  return c.json({ id, seq, hash, ...time } satisfies ConsentReceipt, 201);
}

/** POST a batch of events: parse → gate → pipeline → writer → receipt. */
export async function takeEvents(c: Context, deps: AppDeps, sender: Sender, gate: SiteGate = ANY_SITE): Promise<Response> {
  let sent = 0;
  const outcome = await whileAvailable(deps, async () => {
    const request = await parseBody(c, eventsRequestSchema);
    if (request instanceof Drop) return request;
    sent = request.events.length;
    const refused = await gate(request.site);
    if (refused) return refused;
    const visit = await admitVisit(deps, { ...request, fromPage: true }, sender);
    if (visit instanceof Drop) return visit;
    const { rows, clamped, switchedOff } = toEventRows(deps, visit, request.events, request.sentAt);
    return { site: visit.site, rows, clamped, switchedOff, taken: await deps.eventWriter.take(rows) };
  });
  if (outcome instanceof Drop) return dropAsJson(c, deps.metrics, outcome, sent);
  deps.activity.note(outcome.site.id, 'event', sender.origin);
  const receipt: EventsReceipt = {
    accepted: outcome.rows.length,
    ...(outcome.clamped > 0 ? { clamped: outcome.clamped } : {}),
    ...(outcome.switchedOff > 0 ? { ignored: { count: outcome.switchedOff, reason: 'signal_off' } } : {}),
    ...(outcome.taken === 'journaled' ? { journaled: true } : {}),
  };
  return c.json(receipt, 202);
}

export function collectorRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  for (const path of ['/api/consent', '/api/events']) {
    app.use(path, bodySizeLimit(deps.config.bodyLimitBytes));
    app.use(path, allowPageOrigins(deps));
  }
  app.post('/api/consent', (c) => takeDecision(c, deps, senderOf(c, deps.config)));
  app.post('/api/events', (c) => takeEvents(c, deps, senderOf(c, deps.config)));
  return app;
}
