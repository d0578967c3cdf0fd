/**
 * Counts a collecting API key's requests per site, route and minute, and writes each finished minute as one audit
 * entry. A collecting key is used once per decision or batch of events, as often as pages are viewed: one audit
 * row per request would make the log mostly this. Reading keys are logged per request (api/audit.ts).
 */
import type { Db } from '../db/create.ts';
import type { ApiKey } from '../domain/api-keys.ts';
import { recordApiKeyUse } from '../queries/api-keys.ts';

const MINUTE_MS = 60_000;
// Keys are few, but a bound keeps a flood of distinct sites or routes from growing the map without end.
const MAX_COUNTS = 10_000;

interface Count {
  readonly apiKeyId: number;
  readonly organisationId: number;
  readonly siteId: number | null;
  readonly route: string;
  readonly minute: number;
  requests: number;
  /** Requests answered with an error (refused, invalid, rate-limited). */
  refused: number;
  lastAt: number;
}

export class ApiKeyUse {
  private counts = new Map<string, Count>();
  private flushing: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly db: Db,
    flushEveryMs = 15_000,
  ) {
    this.timer = setInterval(() => void this.flush().catch(() => {}), flushEveryMs);
    this.timer.unref();
  }

  note(key: ApiKey, siteId: number | null, route: string, status: number, now = Date.now()): void {
    const minute = now - (now % MINUTE_MS);
    const id = `${key.id}|${siteId ?? ''}|${route}|${minute}`;
    let count = this.counts.get(id);
    if (!count) {
      if (this.counts.size >= MAX_COUNTS) return;
      count = { apiKeyId: key.id, organisationId: key.organisationId, siteId, route, minute, requests: 0, refused: 0, lastAt: now };
      this.counts.set(id, count);
    }
    count.requests += 1;
    if (status >= 400) count.refused += 1;
    count.lastAt = now;
  }

  /** Writes every minute that has ended by `until` (all of them with Infinity); a failed write keeps its counts for the next try. */
  flush(until = Date.now()): Promise<void> {
    const run = this.flushing.then(() => this.store(until));
    // The chain only orders flushes; each caller hears its own flush's failure.
    this.flushing = run.catch(() => {});
    return run;
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush(Infinity);
  }

  private async store(until: number): Promise<void> {
    const ended = [...this.counts].filter(([, count]) => count.minute + MINUTE_MS <= until);
    for (const [id, count] of ended) {
      await this.write(count);
      // Only once stored: a failure leaves this and the later minutes for the next flush.
      this.counts.delete(id);
    }
  }

  private async write(count: Count): Promise<void> {
    try {
      await recordApiKeyUse(
        this.db,
        {
          organisationId: count.organisationId,
          userId: null,
          userEmail: null,
          apiKeyId: count.apiKeyId,
          action: 'api_key.collect',
          siteId: count.siteId,
          target: count.route,
          detail: { minute: new Date(count.minute).toISOString(), requests: count.requests, refused: count.refused },
        },
        new Date(count.lastAt),
      );
    } catch (error) {
      console.error(`Storing API key ${count.apiKeyId}'s use in the audit log failed; kept for the next try: ${(error as Error).message}`);
      throw error;
    }
  }
}
