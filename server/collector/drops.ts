/**
 * Every reason the collector stores nothing for a request, in one closed list, and the one place where a reason
 * becomes an HTTP answer: a JSON error for the API, a status and headers on the image for the pixel. Each drop is
 * counted by its reason (samtykke_collector_drops_total).
 */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import { headerSafe } from '../edge-input.ts';
import type { EventsReceipt } from '../contract.ts';
import { ApiError, errorResponse, type ErrorCode } from '../errors.ts';
import type { ZodError } from 'zod';
import type { Text } from '../i18n.ts';
import type { Metrics } from '../metrics/metrics.ts';

export type DropReason =
  | 'invalid_body'
  | 'invalid_query'
  | 'invalid_path'
  | 'unknown_site'
  | 'site_archived'
  | 'site_unpublished'
  | 'origin'
  | 'rate'
  | 'bot'
  | 'consent_missing'
  | 'consent_expired'
  | 'consent_stale'
  | 'analytics_denied'
  | 'policy_version'
  | 'functional_required'
  | 'shown_unknown'
  | 'overloaded'
  | 'database_unavailable';

/** How each reason is answered: the status, and the error code clients already know it by. */
const ANSWERS: Record<DropReason, { readonly status: ContentfulStatusCode; readonly code: ErrorCode } | 'accepted'> = {
  invalid_body: { status: 400, code: 'invalid_body' },
  invalid_query: { status: 400, code: 'invalid_query' },
  invalid_path: { status: 400, code: 'invalid_path' },
  unknown_site: { status: 404, code: 'unknown_site' },
  site_archived: { status: 410, code: 'site_archived' },
  site_unpublished: { status: 409, code: 'conflict' },
  origin: { status: 403, code: 'origin_not_allowed' },
  rate: { status: 429, code: 'rate_limited' },
  // A bot is told nothing it could learn to avoid: its events are taken and ignored.
  bot: 'accepted',
  consent_missing: { status: 403, code: 'consent_required' },
  consent_expired: { status: 403, code: 'consent_required' },
  consent_stale: { status: 403, code: 'consent_stale' },
  analytics_denied: { status: 403, code: 'consent_required' },
  policy_version: { status: 400, code: 'invalid_body' },
  functional_required: { status: 400, code: 'invalid_body' },
  shown_unknown: { status: 400, code: 'invalid_body' },
  overloaded: { status: 503, code: 'overloaded' },
  database_unavailable: { status: 503, code: 'database_unavailable' },
};

/** A request the collector stores nothing for, and why. */
export class Drop {
  constructor(
    readonly reason: DropReason,
    /** For whoever reads the answer; in each locale where the dashboard may show it. */
    readonly message: string | Text,
    /** The field of the request the reason is about. */
    readonly field?: string,
    /** Seconds before trying again is worth it (rate, overloaded, database_unavailable). */
    readonly retryAfter?: number,
  ) {}

  /** The drop a writer's refusal stands for: it could not keep what it was given. */
  static fromRefusal(error: ApiError): Drop {
    const reason: DropReason = error.code === 'overloaded' || error.code === 'database_unavailable' ? error.code : 'invalid_body';
    return new Drop(reason, error.text ?? error.message, error.field, error.retryAfter);
  }

  /** An input that failed its schema, named as the API names any such field. */
  static fromSchema(error: ZodError, reason: 'invalid_body' | 'invalid_query'): Drop {
    const named = ApiError.fromZod(error, reason);
    return new Drop(reason, named.message, named.field);
  }
}

/** Whether this drop is answered as taken (a bot's events) rather than refused. */
function answeredAsAccepted(drop: Drop): boolean {
  return ANSWERS[drop.reason] === 'accepted';
}

function asError(drop: Drop): ApiError {
  const answer = ANSWERS[drop.reason];
  if (answer === 'accepted') throw new Error(`A ${drop.reason} drop is answered as accepted, not as an error`);
  return new ApiError(answer.status, answer.code, drop.message, drop.field, drop.retryAfter);
}

/**
 * The API's answer: the JSON error envelope, with Retry-After where trying again helps; events taken and ignored
 * (a bot's) are answered as a receipt that says so.
 */
export function dropAsJson(c: Context, metrics: Metrics, drop: Drop, events = 0): Response {
  metrics.drop(drop.reason);
  if (answeredAsAccepted(drop)) return c.json({ accepted: 0, ignored: { count: events, reason: 'bot' } } satisfies EventsReceipt, 202);
  return errorResponse(c, asError(drop));
}

/** The pixel's answer: an image tag reads no JSON, so the image comes with the status and the reason in headers. */
export function dropAsImage(c: Context, metrics: Metrics, drop: Drop, image: Uint8Array<ArrayBuffer>): Response {
  metrics.drop(drop.reason);
  if (answeredAsAccepted(drop)) return c.body(image, 200);
  const error = asError(drop);
  c.header('X-Samtykke-Error', headerSafe(`${error.code}: ${error.message}`).slice(0, 300));
  if (error.retryAfter !== undefined) c.header('Retry-After', String(error.retryAfter));
  return c.body(image, error.status);
}
