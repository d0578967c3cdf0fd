/** The visitor sketch: its estimates stay within the 2 % the analytics promise, and merging is a union. */
import { describe, expect, it } from 'vitest';
import { addVisitor, emptySketch, estimate, mergeInto } from '../../server/domain/hyperloglog.ts';

/** Consent IDs as the widget makes them: 20 characters of base62, deterministic here. */
function consentIds(count: number, seed: number): string[] {
  const alphabet = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789';
  let state = seed;
  return Array.from({ length: count }, () => {
    let id = '';
    for (let position = 0; position < 20; position++) {
      state = (Math.imul(state, 1_103_515_245) + 12_345) >>> 0;
      id += alphabet[state % alphabet.length];
    }
    return id;
  });
}

describe('visitor sketches', () => {
  it('counts nothing as zero, and small numbers to within one visitor (two sharing a register)', () => {
    expect(estimate(emptySketch())).toBe(0);
    for (const count of [1, 2, 10, 37, 150]) {
      const sketch = emptySketch();
      for (const id of consentIds(count, count)) addVisitor(sketch, id);
      expect(Math.abs(estimate(sketch) - count), `${count} visitors`).toBeLessThanOrEqual(1);
    }
  });

  it('stays within 2 % from hundreds to hundreds of thousands of visitors, in ids of either form', () => {
    for (const count of [800, 5_000, 20_000, 45_000, 90_000, 300_000]) {
      for (const ids of [consentIds(count, 7 + count), Array.from({ length: count }, (_, index) => `visitor-${index}`)]) {
        const sketch = emptySketch();
        for (const id of ids) addVisitor(sketch, id);
        const error = Math.abs(estimate(sketch) - count) / count;
        expect(error, `${count} visitors like ${ids[0]}`).toBeLessThanOrEqual(0.02);
      }
    }
  });

  it('merges days into the union of their visitors, a returning visitor counted once', () => {
    const ids = consentIds(30_000, 3);
    const monday = emptySketch();
    const tuesday = emptySketch();
    for (const id of ids.slice(0, 20_000)) addVisitor(monday, id);
    for (const id of ids.slice(10_000)) addVisitor(tuesday, id);
    expect(addVisitor(monday, ids[0]!)).toBe(false);
    const both = emptySketch();
    expect(mergeInto(both, monday)).toBe(true);
    mergeInto(both, tuesday);
    expect(mergeInto(both, monday)).toBe(false);
    expect(Math.abs(estimate(both) - 30_000) / 30_000).toBeLessThanOrEqual(0.02);
  });
});
