/**
 * Counts, per site, which origins sent decisions and events and which were refused, for the installation check.
 * Counting is a map increment on the request path; the counts reach the database in one statement every few
 * seconds (and before the check reads them), so the collector pays no extra round trip for it.
 */
import type { Db } from '../db/create.ts';
import type { ActivityKind } from '../db/schema.ts';
import { addSiteActivity, type ActivityCount } from '../queries/site-activity.ts';

const HOUR_MS = 3_600_000;
// An Origin header is the sender's to choose: long ones are cut, and a flood of distinct ones stops being counted.
const MAX_ORIGIN_LENGTH = 200;
const MAX_KEYS_PER_FLUSH = 10_000;

interface Count {
  siteId: number;
  kind: ActivityKind;
  origin: string;
  hour: number;
  count: number;
  lastAt: number;
}

export class SiteActivity {
  private counts = new Map<string, Count>();
  private flushing: Promise<void> = Promise.resolve();
  private readonly timer: NodeJS.Timeout;

  constructor(
    private readonly db: Db,
    flushEveryMs = 10_000,
  ) {
    this.timer = setInterval(() => void this.flush().catch(() => {}), flushEveryMs);
    this.timer.unref();
  }

  note(siteId: number, kind: ActivityKind, originHeader: string | undefined, now = Date.now()): void {
    const origin = (originHeader ?? '').slice(0, MAX_ORIGIN_LENGTH);
    const hour = now - (now % HOUR_MS);
    const key = `${siteId}|${kind}|${hour}|${origin}`;
    const existing = this.counts.get(key);
    if (existing) {
      existing.count += 1;
      existing.lastAt = now;
    } else if (this.counts.size < MAX_KEYS_PER_FLUSH) {
      this.counts.set(key, { siteId, kind, origin, hour, count: 1, lastAt: now });
    }
  }

  /** Stores what was counted so far; on failure the counts are kept for the next try, and the error is logged. */
  flush(): Promise<void> {
    const run = this.flushing.then(() => this.store());
    // The chain only orders flushes; each caller hears its own flush's failure.
    this.flushing = run.catch(() => {});
    return run;
  }

  private async store(): Promise<void> {
    if (this.counts.size === 0) return;
    const taken = this.counts;
    this.counts = new Map();
    try {
      await addSiteActivity(this.db, [...taken.values()].map(toActivityCount));
    } catch (error) {
      console.error(`Storing the installation check's counts failed; kept for the next try: ${(error as Error).message}`);
      for (const [key, count] of taken) this.merge(key, count);
      throw error;
    }
  }

  async close(): Promise<void> {
    clearInterval(this.timer);
    await this.flush();
  }

  private merge(key: string, count: Count): void {
    const existing = this.counts.get(key);
    if (!existing) this.counts.set(key, count);
    else {
      existing.count += count.count;
      existing.lastAt = Math.max(existing.lastAt, count.lastAt);
    }
  }
}

function toActivityCount(count: Count): ActivityCount {
  return { siteId: count.siteId, kind: count.kind, origin: count.origin, hour: new Date(count.hour), count: count.count, lastAt: new Date(count.lastAt) };
}
