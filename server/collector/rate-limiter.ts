/** A token bucket per key (a client, a network, an account): bursts are fine, a sustained flood is refused with 429. */
import { ApiError } from '../errors.ts';
import type { Text } from '../i18n.ts';

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

  /** `perMinute` 0 turns limiting off; `sender` names who is limited in the 429's message. */
  constructor(
    private readonly perMinute: number,
    private readonly sender: Text = { en: 'this client', nb: 'denne klienten' },
  ) {
    this.perMs = perMinute / 60_000;
    this.burst = Math.max(10, Math.ceil(perMinute / 6));
  }

  /** Takes one token for the key or throws 429 with the seconds until the next one (the dashboard's sign-in). */
  take(key: string, now = Date.now()): void {
    const retryAfter = this.tryTake(key, now);
    if (retryAfter !== null) throw new ApiError(429, 'rate_limited', this.refusal(retryAfter), undefined, retryAfter);
  }

  /** Takes one token for the key; when there is none, the seconds until the next one. */
  tryTake(key: string, now = Date.now()): number | null {
    if (this.perMinute === 0) return null;
    if (++this.checks % SWEEP_EVERY === 0) this.sweep(now);
    const bucket = this.buckets.get(key) ?? { tokens: this.burst, updatedAt: now };
    bucket.tokens = Math.min(this.burst, bucket.tokens + (now - bucket.updatedAt) * this.perMs);
    bucket.updatedAt = now;
    this.buckets.set(key, bucket);
    if (bucket.tokens < 1) return Math.ceil((1 - bucket.tokens) / this.perMs / 1000);
    bucket.tokens -= 1;
    return null;
  }

  /** Why a request was refused, for the one who sent it. */
  refusal(retryAfter: number): Text {
    return { en: `Too many requests from ${this.sender.en}; try again in ${retryAfter} s`, nb: `For mange forespørsler fra ${this.sender.nb}; prøv igjen om ${retryAfter} s` };
  }

  /** Forgets buckets that have refilled completely: they hold nothing a fresh bucket would not. */
  private sweep(now: number): void {
    for (const [key, bucket] of this.buckets) {
      if (bucket.tokens + (now - bucket.updatedAt) * this.perMs >= this.burst) this.buckets.delete(key);
    }
  }
}
