/** The cache behind the site directory: one load per burst, failures forgotten, and a bounded number of keys. */
import { describe, expect, it } from 'vitest';
import { ExpiringCache } from '../../server/expiring-cache.ts';

describe('ExpiringCache', () => {
  it('loads a key once for a burst of requests and again after it expires', async () => {
    const cache = new ExpiringCache<string, number>(20, 10);
    let loads = 0;
    const load = async () => ++loads;
    expect(await Promise.all([cache.get('a', load), cache.get('a', load), cache.get('a', load)])).toEqual([1, 1, 1]);
    await new Promise((resolve) => setTimeout(resolve, 30));
    expect(await cache.get('a', load)).toBe(2);
  });

  it('forgets a failed load, so the next request tries again', async () => {
    const cache = new ExpiringCache<string, number>(60_000, 10);
    await expect(cache.get('a', () => Promise.reject(new Error('database down')))).rejects.toThrow('database down');
    expect(await cache.get('a', async () => 7)).toBe(7);
  });

  it('keeps at most its bound of keys when asked for a stream of distinct ones, evicting the oldest', async () => {
    const cache = new ExpiringCache<string, null>(60_000, 100);
    for (let i = 0; i < 5_000; i++) await cache.get(`random-${i}`, async () => null);
    expect(cache.size).toBe(100);
    let reloaded = false;
    await cache.get('random-4999', async () => ((reloaded = true), null));
    expect(reloaded).toBe(false);
    await cache.get('random-0', async () => ((reloaded = true), null));
    expect(reloaded).toBe(true);
  });
});
