/** The collector benchmark end to end in a tiny configuration, so `npm run bench` cannot rot unnoticed. Figures are not judged here. */
import { describe, expect, it } from 'vitest';
import { runCollectorBenchmark } from '../../bench/collector.ts';
import { targetMet } from '../../bench/lib/report.ts';

describe('collector benchmark harness', () => {
  it('loads the real server on PGlite, counts what it stored, and verifies the chain', async () => {
    const prefill = 500;
    const report = await runCollectorBenchmark(
      { engines: ['pglite'], durationSeconds: 1, connections: 4, prefill, decisionPool: 20 },
      { databaseUrl: undefined },
    );
    const figure = (key: string) => {
      const found = report.figures.find((candidate) => candidate.key === key);
      if (!found) throw new Error(`The report has no figure ${key}; it has ${report.figures.map((f) => f.key).join(', ')}`);
      return found;
    };

    expect(figure('floor.answered_per_s').value).toBeGreaterThan(0);
    for (const phase of ['pglite.events', 'pglite.consent', 'pglite.consent_prefilled']) {
      expect(figure(`${phase}.stored_per_s`).value).toBeGreaterThan(0);
      expect(figure(`${phase}.stored_per_s`).ratio).toBeGreaterThan(0);
      expect(figure(`${phase}.latency_p99_ms`).value).toBeGreaterThan(0);
      expect(figure(`${phase}.latency_p50_ms`).value).toBeGreaterThanOrEqual(0);
      expect(figure(`${phase}.lost`).value).toBe(0);
      expect(figure(`${phase}.status_other`).value).toBe(0);
      expect(figure(`${phase}.no_answer`).value).toBe(0);
    }
    expect(figure('pglite.consent.chain_breaks').value).toBe(0);
    expect(figure('pglite.consent_prefilled.chain_breaks').value).toBe(0);
    // The decision pool, the first consent run, the prefill and the second run all sit in one verified chain.
    expect(figure('pglite.consent_prefilled.chain_records_verified').value).toBeGreaterThan(
      figure('pglite.consent.chain_records_verified').value + prefill,
    );
    expect(report.figures.filter((candidate) => targetMet(candidate) === false)).toEqual([]);
    expect(report.notes.join('\n')).toMatch(/QUOTED/);
  });
});
