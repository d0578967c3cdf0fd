/** One POST to the collector, and what its answer means for what was sent: done, wait and send again, or refused. */

export type Outcome =
  | { readonly kind: 'done'; readonly body: unknown }
  /** Send the same again after `afterMs` (the server's Retry-After), or after the client's own backoff when null. */
  | { readonly kind: 'retry'; readonly afterMs: number | null; readonly reason: string }
  /** The server will never take this as it is: 4xx other than 429. */
  | { readonly kind: 'refused'; readonly status: number; readonly code: string | undefined; readonly message: string; readonly field: string | undefined }
  /** Called off by the client (a withdrawal, close()). */
  | { readonly kind: 'aborted' };

export interface TransportOptions {
  readonly endpoint: string;
  readonly fetch: typeof fetch;
  readonly timeoutMs: number;
}

/** Retry-After is seconds or an HTTP date; anything else is no advice. */
export function retryAfterMs(header: string | null, now: number = Date.now()): number | null {
  if (header === null) return null;
  const trimmed = header.trim();
  if (/^\d+$/.test(trimmed)) return Number(trimmed) * 1000;
  const date = Date.parse(trimmed);
  return Number.isNaN(date) ? null : Math.max(0, date - now);
}

async function errorOf(response: Response): Promise<{ code?: string; message?: string; field?: string }> {
  try {
    const body = (await response.json()) as { error?: { code?: string; message?: string; field?: string } };
    return body.error ?? {};
  } catch {
    return {};
  }
}

/**
 * POSTs JSON. A network failure, a timeout, 5xx and 429 are worth sending again (503 and 429 say when, in
 * Retry-After); any other 4xx is a refusal. `signal` calls the request off.
 */
export async function postJson(options: TransportOptions, path: string, body: unknown, signal: AbortSignal): Promise<Outcome> {
  const timeout = new AbortController();
  const timer = setTimeout(() => timeout.abort(), options.timeoutMs);
  const abortOnSignal = () => timeout.abort();
  signal.addEventListener('abort', abortOnSignal);
  try {
    const response = await options.fetch(`${options.endpoint}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
      signal: timeout.signal,
    });
    if (response.ok) return { kind: 'done', body: await response.json().catch(() => null) };
    const error = await errorOf(response);
    if (response.status === 429 || response.status >= 500) {
      return { kind: 'retry', afterMs: retryAfterMs(response.headers.get('retry-after')), reason: `${response.status} ${error.code ?? ''}`.trim() };
    }
    return { kind: 'refused', status: response.status, code: error.code, message: error.message ?? `HTTP ${response.status}`, field: error.field };
  } catch (error) {
    if (signal.aborted) return { kind: 'aborted' };
    return { kind: 'retry', afterMs: null, reason: timeout.signal.aborted ? 'timed out' : `no answer (${(error as Error).message})` };
  } finally {
    clearTimeout(timer);
    signal.removeEventListener('abort', abortOnSignal);
  }
}
