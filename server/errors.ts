/** ApiError with a closed set of codes, and the one JSON envelope every error is answered with. */
import type { Context } from 'hono';
import type { ContentfulStatusCode } from 'hono/utils/http-status';
import type { ZodError } from 'zod';

export type ErrorCode =
  | 'invalid_body'
  | 'invalid_query'
  | 'body_too_large'
  | 'unknown_site'
  | 'origin_not_allowed'
  | 'consent_required'
  | 'rate_limited'
  | 'overloaded'
  | 'database_unavailable'
  | 'not_found'
  | 'unauthenticated'
  | 'forbidden'
  | 'csrf_failed'
  | 'conflict'
  | 'internal';

export interface ErrorBody {
  readonly error: { readonly code: ErrorCode; readonly message: string; readonly field?: string };
}

export class ApiError extends Error {
  constructor(
    readonly status: ContentfulStatusCode,
    readonly code: ErrorCode,
    message: string,
    readonly field?: string,
    /** Seconds a client should wait before trying again (503 and 429). */
    readonly retryAfter?: number,
  ) {
    super(message);
    this.name = 'ApiError';
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
    error: { code: error.code, message: error.message, ...(error.field ? { field: error.field } : {}) },
  };
  return c.json(body, error.status);
}
