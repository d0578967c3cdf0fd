/**
 * While the database does not answer, requests that needed it are answered 503 with Retry-After (never 500), and
 * the outage is logged once when it starts and once when it ends, not with a stack trace per request. The end is
 * noticed by a probe every few seconds, so it is logged even when no request comes.
 */
import { sql } from 'kysely';
import { ApiError } from '../errors.ts';
import type { Db } from './create.ts';
import { databaseUnreachable } from './errors.ts';

const PROBE_MS = 2_000;

export class DatabaseOutage {
  private since: number | null = null;
  private probe: NodeJS.Timeout | null = null;

  constructor(private readonly db: Db) {}

  /** The answer to a request that failed because the database did not answer, or null for any other failure. */
  answerFor(error: unknown): ApiError | null {
    if (!databaseUnreachable(error)) return null;
    this.noticed(error as Error);
    return new ApiError(503, 'database_unavailable', 'The database does not answer right now; nothing was recorded, try again shortly', undefined, 5);
  }

  /** A request failed because the database did not answer. */
  noticed(error: Error): void {
    if (this.since !== null) return;
    this.since = Date.now();
    console.error(`The database does not answer (${error.message}); requests that need it are answered 503 until it does`);
    this.probe = setInterval(() => void this.check(), PROBE_MS);
    this.probe.unref();
  }

  private async check(): Promise<void> {
    try {
      await sql`select 1`.execute(this.db);
    } catch {
      return;
    }
    if (this.since === null) return;
    console.error(`The database answers again, after ${((Date.now() - this.since) / 1000).toFixed(0)} s`);
    this.since = null;
    this.stop();
  }

  stop(): void {
    if (this.probe) clearInterval(this.probe);
    this.probe = null;
  }
}
