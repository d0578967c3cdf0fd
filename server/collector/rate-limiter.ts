/** A token bucket per client and site: bursts are fine, a sustained flood from one client is refused with 429. */
import { ApiError } from '../errors.ts';

interface Bucket {
  tokens: number;
  updatedAt: number;
}

const SWEEP_EVERY = 10_000;

export class RateLimiter {
  private readonly buckets = new Map<string, Bucket>();
  private readonly perMs: number;
  private readonly burst: number;
  private checks = 0;

  /** `perMinute` 0 turns limiting off. */
  constructor(private readonly perMinute: number) {
    this.perMs = perMinute / 60_000;
    this.burst = Math.max(10, Math.ceil(perMinute / 6));
  }

  /** Takes one token for the key or throws 429 with the seconds until the next one. */
  take(key: string, now = Date.now()): void {
    if (this.perMinute === 0) return;
    if (++this.checks % SWEEP_EVERY === 0) this.sweep(now);
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, updatedAt: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.updatedAt) * this.perMs);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) {
      const retryAfter = Math.ceil((1 - bucket.tokens) / this.perMs / 1000);
      throw new ApiError(429, 'rate_limited', `Too many requests from this client; try again in ${retryAfter} s`, undefined, retryAfter);
    }
    bucket.tokens -= 1;
  }

  /** Forgets buckets that have refilled completely: they hold nothing a fresh bucket would not. */
  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.updatedAt) * this.perMs >= this.burst) this.buckets.delete(key);
    }
  }
}
