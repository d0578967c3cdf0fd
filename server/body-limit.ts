/** The size limit on request bodies, checked before anything reads them (and, in the admin API, before sign-in). */
import type { Context, MiddlewareHandler } from 'hono';
import { ApiError } from './errors.ts';

/**
 * Reads a body of undeclared length up to the limit and hands it to `c.req.text()` and `c.req.json()` through
 * Hono's body cache. (hono/body-limit wraps what it read in a new Request instead, and each of those kept about
 * 2 KB alive in Node 20: a stream of chunked requests grew the heap without end.)
 */
async function readWithin(c: Context, maxBytes: number, tooLarge: () => ApiError): Promise<void> {
  const body = c.req.raw.body;
  if (!body) return;
  const reader = body.getReader();
  const chunks: Uint8Array[] = [];
  let size = 0;
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    size += chunk.value.length;
    if (size > maxBytes) {
      await reader.cancel();
      throw tooLarge();
    }
    chunks.push(chunk.value);
  }
  // The cache holds promises of each form (request.js), whatever its declared type says.
  (c.req.bodyCache as { text?: Promise<string> }).text = Promise.resolve(Buffer.concat(chunks).toString('utf8'));
}

/**
 * Refuses bodies over the limit. A declared Content-Length is checked up front (Node's parser never reads past
 * it), which keeps @hono/node-server on its fast body path; only chunked bodies are counted as they stream in.
 */
export function bodySizeLimit(maxBytes: number): MiddlewareHandler {
  const tooLarge = () => new ApiError(413, 'body_too_large', `The body is larger than ${maxBytes} bytes`);
  return async (c, next) => {
    const declared = c.req.header('content-length');
    if (declared === undefined || c.req.header('transfer-encoding') !== undefined) await readWithin(c, maxBytes, tooLarge);
    else if (Number(declared) > maxBytes) throw tooLarge();
    await next();
  };
}
