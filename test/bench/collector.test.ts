/** The collector benchmark end to end in a tiny configuration, so `npm run bench` cannot rot unnoticed. Figures are not judged here. */
import { describe, expect, it } from 'vitest';
import { findHeldRate, runOpenLoopBenchmark } from '../../bench/collector-open-loop.ts';
import { runCollectorBenchmark } from '../../bench/collector.ts';
import { formatTable, targetMet, type ScenarioReport } from '../../bench/lib/report.ts';

function figureOf(report: ScenarioReport) {
  return (key: string) => {
    const found = report.figures.find((candidate) => candidate.key === key);
    if (!found) throw new Error(`The report has no figure ${key}; it has ${report.figures.map((f) => f.key).join(', ')}`);
    return found;
  };
}

describe('collector benchmark harness', () => {
  it('loads the real server on PGlite at two connection counts, counts what it stored, and verifies the chain', async () => {
    const prefill = 500;
    const report = await runCollectorBenchmark(
      { engines: ['pglite'], durationSeconds: 1, connections: 4, highConnections: 8, prefill, decisionPool: 20 },
      { databaseUrl: undefined },
    );
    const figure = figureOf(report);

    expect(figure('floor.answered_per_s').value).toBeGreaterThan(0);
    expect(figure('floor_high.answered_per_s').value).toBeGreaterThan(0);
    for (const phase of ['pglite.events', 'pglite.consent', 'pglite.events_high', 'pglite.consent_high', 'pglite.consent_prefilled']) {
      expect(figure(`${phase}.stored_per_s`).value).toBeGreaterThan(0);
      expect(figure(`${phase}.stored_per_s`).ratio).toBeGreaterThan(0);
      expect(figure(`${phase}.latency_p99_ms`).value).toBeGreaterThan(0);
      expect(figure(`${phase}.latency_p50_ms`).value).toBeGreaterThanOrEqual(0);
      expect(figure(`${phase}.lost`).value).toBe(0);
      expect(figure(`${phase}.status_other`).value).toBe(0);
      expect(figure(`${phase}.no_answer`).value).toBe(0);
    }
    for (const phase of ['pglite.consent', 'pglite.consent_prefilled']) expect(figure(`${phase}.chain_breaks`).value).toBe(0);
    for (const phase of ['pglite.consent', 'pglite.consent_high', 'pglite.consent_prefilled']) {
      // The commit bound comes from the server's own /metrics: it committed, and no run beats its bound.
      expect(figure(`${phase}.commit_ms`).value).toBeGreaterThan(0);
      expect(figure(`${phase}.records_per_commit`).value).toBeGreaterThanOrEqual(1);
      expect(figure(`${phase}.share_of_commit_bound`).value).toBeGreaterThan(0);
      expect(figure(`${phase}.share_of_commit_bound`).value).toBeLessThanOrEqual(1);
    }
    expect(figure('pglite.consent_high.records_per_commit').value).toBeLessThanOrEqual(8);
    // The decision pool, the runs at both connection counts, the prefill and the last run all sit in one verified chain.
    expect(figure('pglite.consent.chain_records_verified').value).toBeGreaterThan(20);
    expect(figure('pglite.consent_prefilled.chain_records_verified').value).toBeGreaterThan(
      figure('pglite.consent.chain_records_verified').value + prefill,
    );
    expect(report.figures.filter((candidate) => targetMet(candidate) === false)).toEqual([]);
    expect(report.notes.join('\n')).toMatch(/QUOTED/);
    expect(report.notes.join('\n')).toMatch(/commit bound/);
  });

  it('holds a steady arrival rate on PGlite for decisions and for events, with latency per window, nothing lost', async () => {
    const rate = 40;
    const report = await runOpenLoopBenchmark(
      {
        engines: ['pglite'],
        holdSeconds: 1,
        windowSeconds: 0.5,
        startRates: { decisions: rate, events: rate },
        // One step each: the search's own path is tested below without a server.
        maxRate: rate,
        bisectSteps: 0,
        maxSockets: 16,
        decisionPool: 10,
        settleMs: 0,
      },
      { databaseUrl: undefined },
    );
    const figure = figureOf(report);

    for (const kind of ['decisions', 'events']) {
      const key = `pglite.open_loop.${kind}`;
      expect(figure(`${key}.lost`).value).toBe(0);
      expect(targetMet(figure(`${key}.stored_unacknowledged`))).toBe(true);
      // Held or not on a busy machine, the one step is shown with its windows: every request was sent and answered.
      expect([0, rate]).toContain(figure(`${key}.held_per_s`).value);
      const steps = report.tables!.find((table) => table.key === `${key}.steps`)!;
      expect(steps.rows).toHaveLength(1);
      const [, offered, achieved, , , , unanswered, refused] = steps.rows[0]!;
      expect(offered).toBe(rate);
      expect(achieved).toBeGreaterThan(0);
      expect(unanswered).toBe(0);
      expect(refused).toBe(0);
      const windows = report.tables!.find((table) => table.key === `${key}.step1.windows`)!;
      expect(windows.rows).toHaveLength(2);
      // The server's writer committed in the step, read from its /metrics.
      expect(windows.rows.reduce((sum, row) => sum + Number(row[3]), 0)).toBeGreaterThan(0);
    }
    expect(figure('pglite.open_loop.decisions.chain_breaks').value).toBe(0);
    expect(figure('pglite.open_loop.decisions.chain_records_verified').value).toBeGreaterThanOrEqual(rate + 10);
    expect(formatTable('collector', report)).toMatch(/p99 per window/);
  });

  it('searches by doubling while a rate holds, then bisecting between the last held and the first missed', async () => {
    const tried: number[] = [];
    const held = await findHeldRate(1_000, 100_000, 3, async (rate) => {
      tried.push(rate);
      return rate <= 5_300;
    });
    expect(tried).toEqual([1_000, 2_000, 4_000, 8_000, 6_000, 5_000, 5_500]);
    expect(held).toBe(5_000);
    expect(await findHeldRate(100, 150, 3, async () => true)).toBe(150);
    expect(await findHeldRate(100, 1_000, 1, async () => false)).toBe(0);
  });
});
