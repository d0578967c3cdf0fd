/** zod at the admin API's edge: bodies, queries and path ids parsed into typed values or a 400 naming the field. */
import type { Context } from 'hono';
import { z } from 'zod';
import { LARGEST_INTEGER_COLUMN, refuseUnstorableText } from '../edge-input.ts';
import { ApiError } from '../errors.ts';
import { installAdminMessages } from './validation-messages.ts';

installAdminMessages();

/** An id or version in a query, as the integer columns hold them. */
export const queryInteger = z.coerce.number().int().positive().max(LARGEST_INTEGER_COLUMN);
/** A position in a list of bigint ids (records, audit entries): any integer JavaScript holds exactly. */
export const queryCursor = z.coerce.number().int().positive().max(Number.MAX_SAFE_INTEGER);

export async function parseBody<T extends z.ZodType>(c: Context, schema: T): Promise<z.output<T>> {
  let body: unknown;
  try {
    body = await c.req.json();
  } catch {
    throw new ApiError(400, 'invalid_body', { en: 'The request body must be JSON', nb: 'Forespørselen må ha en JSON-kropp' });
  }
  refuseUnstorableText(body);
  const result = schema.safeParse(body);
  if (!result.success) throw ApiError.fromZod(result.error, 'invalid_body');
  return result.data;
}

export function parseQuery<T extends z.ZodType>(c: Context, schema: T): z.output<T> {
  const result = schema.safeParse(c.req.query());
  if (!result.success) throw ApiError.fromZod(result.error, 'invalid_query');
  return result.data;
}

/** What a numeric path id looks like: the OpenAPI document describes path ids with it. */
export const PATH_ID_PATTERN = /^\d{1,9}$/;

/** A numeric path id; anything else is 404, as an unknown id would be. */
export function pathId(c: Context, name: string): number {
  const raw = c.req.param(name) ?? '';
  const id = PATH_ID_PATTERN.test(raw) ? Number(raw) : NaN;
  if (!Number.isSafeInteger(id)) throw new ApiError(404, 'not_found', { en: `No ${name} "${raw}"`, nb: `Ingen ${name} «${raw}»` });
  return id;
}
