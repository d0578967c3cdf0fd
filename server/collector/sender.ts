/** What the pipeline knows of the HTTP request, and the outcome of a request whose storage failed. */
import type { Context } from 'hono';
import type { Config } from '../config.ts';
import { ApiError } from '../errors.ts';
import type { AppDeps } from '../services.ts';
import { clientAddress, isOwnOrigin } from './client.ts';
import { Drop } from './drops.ts';
import type { Sender } from './pipeline.ts';

export function senderOf(c: Context, config: Config): Sender {
  const origin = c.req.header('origin');
  return {
    origin,
    ownOrigin: origin !== undefined && isOwnOrigin(c, origin, config.publicUrl, config.trustProxy),
    address: clientAddress(c, config.trustProxy),
    userAgent: c.req.header('user-agent'),
  };
}

/**
 * Runs a request's steps; a database that does not answer (a lookup with nothing cached) and a writer that cannot
 * keep what it was given (shutting down, the journal full) end it as a drop like any other. Anything else is a
 * fault, thrown on to the app's error handler.
 */
export async function whileAvailable<T>(deps: AppDeps, steps: () => Promise<T | Drop>): Promise<T | Drop> {
  try {
    return await steps();
  } catch (error) {
    if (error instanceof ApiError) return Drop.fromRefusal(error);
    const unavailable = deps.outage.answerFor(error);
    if (unavailable) return Drop.fromRefusal(unavailable);
    throw error;
  }
}
