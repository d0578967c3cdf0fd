/** ApiError with a closed set of codes, and the one JSON envelope every error is answered with. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';
import { localeFromHeader, type Text } from './i18n.ts';

export type ErrorCode =
  | 'invalid_body'
  | 'invalid_query'
  | 'invalid_path'
  | 'body_too_large'
  | 'unknown_site'
  | 'site_archived'
  | 'origin_not_allowed'
  | 'consent_required'
  | 'consent_stale'
  | 'rate_limited'
  | 'overloaded'
  | 'database_unavailable'
  | 'not_found'
  | 'unauthenticated'
  | 'forbidden'
  | 'csrf_failed'
  | 'conflict'
  | 'setup_token_invalid'
  | 'already_set_up'
  | 'internal';

export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string; readonly field?: string };
}

export class ApiError extends Error {
  /** The message in every locale, for errors a person reads in the dashboard; `message` holds the English. */
  readonly text: Text | undefined;

  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string | Text,
    readonly field?: string,
    /** Seconds a client should wait before trying again (503 and 429). */
    readonly retryAfter?: number,
  ) {
    super(typeof message === 'string' ? message : message.en);
    this.name = 'ApiError';
    this.text = typeof message === 'string' ? undefined : message;
  }

  static fromZod(error: ZodError, code: 'invalid_body' | 'invalid_query' = 'invalid_body'): ApiError {
    const issue = error.issues[0];
    const field = issue?.path.length ? issue.path.join('.') : undefined;
    const message = issue ? (field ? `${field}: ${issue.message}` : issue.message) : 'invalid input';
    return new ApiError(400, code, message, field);
  }
}

export function errorResponse(c: Context, error: ApiError): Response {
  if (error.retryAfter !== undefined) c.header('Retry-After', String(error.retryAfter));
  const body: ErrorBody = {
    error: {
      code: error.code,
      message: error.text ? error.text[localeFromHeader(c.req.header('accept-language'))] : error.message,
      ...(error.field ? { field: error.field } : {}),
    },
  };
  return c.json(body, error.status);
}
