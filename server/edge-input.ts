/**
 * Input the database could not store, refused at the edge with a 400 that says where, before any route, query
 * or writer sees it. PostgreSQL can store no NUL character, and its JSON no lone UTF-16 surrogate: one such string
 * used to fail a whole batch of events or decisions, and with it every valid one beside it. A URL's path and query
 * also may not hold control characters, which have no business in a site key or a filter and would break a
 * header they were echoed into. Numbers past an integer column's range name nothing and are refused the same way.
 */
import type { MiddlewareHandler } from 'hono';
import { ApiError } from './errors.ts';

/** The largest value of PostgreSQL's `integer`, the type of ids and versions: a larger number names nothing. */
export const LARGEST_INTEGER_COLUMN = 2_147_483_647;

const LONE_SURROGATE = /\p{Surrogate}/u;
const CONTROL = /[\u0000-\u001f\u007f]/;
/** What a URL must hold before its decoded text can be wrong: a percent escape or a raw control character. */
const NEEDS_CHECKING = /[%\u0000-\u001f\u007f]/;

/** Why a string cannot be stored, or null when it can. */
function unstorableText(value: string): string | null {
  if (value.includes('\u0000')) return 'holds a NUL character';
  if (LONE_SURROGATE.test(value)) return 'holds a lone UTF-16 surrogate (half of a character)';
  return null;
}

function unsafeUrlText(value: string): string | null {
  return unstorableText(value) ?? (CONTROL.test(value) ? 'holds a control character' : null);
}

/** The first string of a parsed JSON value (keys too) that cannot be stored, with the path that names it. */
function findUnstorable(value: unknown, path: string): { field: string; problem: string } | null {
  if (typeof value === 'string') {
    const problem = unstorableText(value);
    return problem ? { field: path, problem } : null;
  }
  if (typeof value !== 'object' || value === null) return null;
  for (const [key, child] of Object.entries(value)) {
    const field = path ? `${path}.${key}` : key;
    const keyProblem = unstorableText(key);
    if (keyProblem) return { field: path || '(body)', problem: `has a key that ${keyProblem}` };
    const found = findUnstorable(child, field);
    if (found) return found;
  }
  return null;
}

/**
 * JSON text can carry a NUL or a lone surrogate only as a \u escape (a raw control character is not JSON, and
 * text decoded from UTF-8 holds no lone surrogate), so a body without one needs no walk: nearly every body.
 */
const UNICODE_ESCAPE = '\\u';

/**
 * The first string of a parsed body (keys too) that cannot be stored, as a message and the field it is in. Given
 * the JSON text the body was parsed from, a text without a \u escape is passed without walking the value.
 */
export function unstorableTextIn(body: unknown, jsonText?: string): { message: string; field: string | undefined } | null {
  if (jsonText !== undefined && !jsonText.includes(UNICODE_ESCAPE)) return null;
  const found = findUnstorable(body, '');
  return found && { message: `${found.field || 'The body'}: ${found.problem}`, field: found.field || undefined };
}

/** Throws a 400 naming the first string of a parsed body that cannot be stored. */
export function refuseUnstorableText(body: unknown): void {
  const found = unstorableTextIn(body);
  if (found) throw new ApiError(400, 'invalid_body', found.message, found.field);
}

function decoded(component: string): string | null {
  try {
    return decodeURIComponent(component.replaceAll('+', ' '));
  } catch {
    return null;
  }
}

/**
 * What is wrong with a URL's path or query once percent-decoded (not valid text, or a control character), or
 * null: a URL inside a body is stored, and what it decodes to (a UTM value, say) with it.
 */
export function urlTextProblem(url: string): { part: 'path' | 'query'; message: string; key?: string } | null {
  if (!URL.canParse(url)) return { part: 'path', message: 'The URL cannot be read' };
  // Nothing to decode and no control character: the common case, answered without splitting the URL.
  if (!NEEDS_CHECKING.test(url)) return null;
  const { pathname, search } = new URL(url);
  for (const segment of pathname.split('/')) {
    const text = decoded(segment);
    const problem = text === null ? 'is not percent-encoded UTF-8' : unsafeUrlText(text);
    if (problem) return { part: 'path', message: `The path ${problem}` };
  }
  const query = search.slice(1);
  for (const pair of query ? query.split('&') : []) {
    const separator = pair.indexOf('=');
    const key = decoded(separator < 0 ? pair : pair.slice(0, separator));
    const value = separator < 0 ? '' : decoded(pair.slice(separator + 1));
    if (key === null || value === null) return { part: 'query', message: 'The query is not percent-encoded UTF-8' };
    const keyProblem = unsafeUrlText(key);
    if (keyProblem) return { part: 'query', message: `The name of a query parameter ${keyProblem}` };
    const valueProblem = unsafeUrlText(value);
    if (valueProblem) return { part: 'query', message: `Query parameter ${key} ${valueProblem}`, key };
  }
  return null;
}

/** Throws a 400 naming what is wrong with a request's own URL. */
export function checkUrlText(url: string): void {
  const problem = urlTextProblem(url);
  if (problem) throw new ApiError(400, problem.part === 'path' ? 'invalid_path' : 'invalid_query', problem.message, problem.key);
}

export const refuseUnsafeUrlText: MiddlewareHandler = async (c, next) => {
  checkUrlText(c.req.url);
  await next();
};

/** Text as a header value can carry it: printable ASCII, anything else escaped as \uXXXX. */
export function headerSafe(text: string): string {
  return text.replace(/[^\u0020-\u007e]/g, (character) => `\\u${character.charCodeAt(0).toString(16).padStart(4, '0')}`);
}
