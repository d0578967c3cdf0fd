/**
 * `npm run bench -- collector --open-loop` (issue 10): the highest steady arrival rate the collector holds for a
 * whole hold (default 60 s) with p99 under 30 ms, for decisions (POST /api/consent) and events (POST /api/events).
 * Each step is a full hold at one rate: start from a guess, double while it holds, then bisect between the last
 * rate held and the first missed. Each step's p99 is also shown per window, with what the server and PostgreSQL
 * did in that window (commit time, GC pauses, event-loop delay, the chain-head row's dead tuples and vacuums,
 * checkpoints, WAL, wait events), so a p99 that climbs over the hold can be traced to its cause.
 */
import { mkdtemp, readFile, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { verifySiteChain } from '../server/queries/consent-records.ts';
import {
  chainFigures,
  ENGINE_NAMES,
  eventBodies,
  numberedConsentBody,
  publishedPolicyVersion,
  recordDecisionPool,
  requestHeaders,
  RunIds,
  storedConsentNumbers,
  storedEventNumbers,
  withDatabase,
} from './lib/collector-requests.ts';
import { createBenchDatabase, DEFAULT_DATABASE_URL, type BenchDatabase, type Engine } from './lib/databases.ts';
import { runOpenLoop, type OpenLoopResult } from './lib/open-loop.ts';
import { PostgresStats, type PostgresCounters, type WaitCounts } from './lib/postgres-stats.ts';
import { progressLog, type Progress } from './lib/progress.ts';
import type { ReportTable, ScenarioReport } from './lib/report.ts';
import { sampleAt, sampleEvery, type Sampling, type Timed } from './lib/sampler.ts';
import { startSamtykke, type SamtykkeProcess } from './lib/samtykke.ts';
import { positiveInteger, positiveNumber, UsageError, type BenchEnv, type OptionValues } from './lib/scenario.ts';
import type { ProbeSecond } from './lib/server-probe.ts';
import { commitsBetween, commitsOf, eventQueueDepth, scrapeAllWorkers, scrapeMetrics, type Commits, type MetricSamples } from './lib/server-metrics.ts';

export type OpenLoopKind = 'decisions' | 'events';
const KINDS: readonly OpenLoopKind[] = ['decisions', 'events'];

export interface OpenLoopSettings {
  readonly engines: readonly Engine[];
  /** Which searches to run (default both). */
  readonly kinds?: readonly OpenLoopKind[];
  readonly holdSeconds: number;
  readonly windowSeconds: number;
  /** The first rate tried, per kind. */
  readonly startRates: Readonly<Record<OpenLoopKind, number>>;
  /** The search never tries more than this. */
  readonly maxRate: number;
  /** Steps of bisection after the first rate missed. */
  readonly bisectSteps: number;
  readonly maxSockets: number;
  readonly decisionPool: number;
  /** SAMTYKKE_WORKERS for the server; unset keeps its default. */
  readonly workers?: number;
  /** Rest between steps, after the event queue emptied, so one step's tail is not the next one's start (default 2 s). */
  readonly settleMs?: number;
}

/** Issue 10's targets, on PostgreSQL: held for the whole hold with p99 under the limit. */
const TARGETS: Readonly<Record<OpenLoopKind, number>> = { decisions: 5_000, events: 10_000 };
const P99_LIMIT_MS = 30;
const DRAIN_SECONDS = 15;
const SETTLE_MS = 2_000;
const ROUTES: Readonly<Record<OpenLoopKind, { path: string; writer: 'consent' | 'events' }>> = {
  decisions: { path: '/api/consent', writer: 'consent' },
  events: { path: '/api/events', writer: 'events' },
};

/**
 * Double from `start` while each rate holds (up to `maxRate`), then bisect between the last rate held and the first
 * missed for `bisectSteps` steps. Returns the highest rate held, 0 when none was.
 */
export async function findHeldRate(start: number, maxRate: number, bisectSteps: number, holds: (rate: number) => Promise<boolean>): Promise<number> {
  let held = 0;
  let missed: number | null = null;
  for (let rate = Math.min(start, maxRate); ; rate = Math.min(rate * 2, maxRate)) {
    if (await holds(rate)) {
      held = rate;
      if (rate >= maxRate) return held;
    } else {
      missed = rate;
      break;
    }
  }
  for (let step = 0; step < bisectSteps; step++) {
    const rate = roundRate((held + missed) / 2);
    if (rate <= held || rate >= missed) break;
    if (await holds(rate)) held = rate;
    else missed = rate;
  }
  return held;
}

function roundRate(rate: number): number {
  return rate >= 100 ? Math.round(rate / 10) * 10 : Math.round(rate);
}

interface ServerSample {
  readonly metrics: MetricSamples;
}

interface DatabaseSample {
  readonly counters: PostgresCounters;
}

interface WindowDiagnostics {
  readonly commits: Commits;
  readonly counters: { readonly before: PostgresCounters; readonly after: PostgresCounters } | null;
  /** Mean busy backends per wait, over the window's samples. */
  readonly waits: ReadonlyMap<string, number> | null;
  readonly probe: readonly ProbeSecond[];
}

interface Step {
  readonly kind: OpenLoopKind;
  readonly index: number;
  readonly prefix: string;
  readonly result: OpenLoopResult;
  readonly holds: boolean;
  readonly why: string;
  readonly windows: readonly WindowDiagnostics[];
}

function judge(result: OpenLoopResult): { holds: boolean; why: string } {
  const refused = result.status.tooManyRequests + result.status.unavailable + result.status.other;
  if (result.errors > 0) return { holds: false, why: `${result.errors} unanswered` };
  if (refused > 0) return { holds: false, why: `${refused} refused` };
  if (result.latencyMs.p99 >= P99_LIMIT_MS) return { holds: false, why: `p99 ${result.latencyMs.p99.toFixed(1)} ms` };
  return { holds: true, why: 'held' };
}

/** Samplers that run beside one step: the server's metrics twice a window (at most each second), on PostgreSQL its counters and waits. */
function startSampling(server: SamtykkeProcess, stats: PostgresStats | null, windowSeconds: number) {
  const everyMs = Math.min(1_000, windowSeconds * 500);
  return {
    server: sampleEvery<ServerSample>(everyMs, async () => ({ metrics: await scrapeMetrics(server.url, server.workers) })),
    counters: stats ? sampleEvery<DatabaseSample>(everyMs, async () => ({ counters: await stats.counters() })) : null,
    waits: stats ? sampleEvery<WaitCounts>(200, () => stats.waits()) : null,
  };
}

async function stopSampling(sampling: ReturnType<typeof startSampling>) {
  const stop = <T>(sampler: Sampling<T> | null) => (sampler ? sampler.stop() : Promise.resolve(null));
  return { server: await sampling.server.stop(), counters: await stop(sampling.counters), waits: await stop(sampling.waits) };
}

async function readProbe(probeLog: string): Promise<ProbeSecond[]> {
  const text = await readFile(probeLog, 'utf8').catch(() => '');
  return text
    .split('\n')
    .filter((line) => line !== '')
    .map((line) => JSON.parse(line) as ProbeSecond);
}

function windowDiagnostics(
  result: OpenLoopResult,
  writer: 'consent' | 'events',
  samples: Awaited<ReturnType<typeof stopSampling>>,
  probe: readonly ProbeSecond[],
  windowSeconds: number,
): WindowDiagnostics[] {
  return result.windows.map((window) => {
    const from = result.startedAtEpochMs + window.startSeconds * 1000;
    const to = Math.min(from + windowSeconds * 1000, result.startedAtEpochMs + result.durationSeconds * 1000);
    const metricsAt = (t: number) => commitsOf(sampleAt(samples.server, t)?.metrics ?? new Map(), writer);
    const countersAt = (t: number) => (samples.counters ? sampleAt(samples.counters, t)?.counters : undefined);
    const before = countersAt(from);
    const after = countersAt(to);
    return {
      commits: commitsBetween(metricsAt(from), metricsAt(to)),
      counters: before && after ? { before, after } : null,
      waits: samples.waits ? meanWaits(samples.waits.filter((sample) => sample.t >= from && sample.t < to)) : null,
      // A probe line covers the second before its time.
      probe: probe.filter((second) => second.t > from && second.t <= to + 500),
    };
  });
}

function meanWaits(samples: readonly Timed<WaitCounts>[]): Map<string, number> {
  const sums = new Map<string, number>();
  for (const sample of samples) for (const [wait, count] of Object.entries(sample.value)) sums.set(wait, (sums.get(wait) ?? 0) + count);
  return new Map([...sums].map(([wait, sum]) => [wait, sum / Math.max(1, samples.length)] as const).sort((a, b) => b[1] - a[1]));
}

async function settle(server: SamtykkeProcess, restMs: number): Promise<void> {
  const deadline = Date.now() + 120_000;
  while (eventQueueDepth(await scrapeMetrics(server.url, server.workers)) > 0 && Date.now() < deadline) await new Promise((resolve) => setTimeout(resolve, 250));
  await new Promise((resolve) => setTimeout(resolve, restMs));
}

interface EngineRun {
  readonly engine: Engine;
  readonly server: SamtykkeProcess;
  readonly ids: RunIds;
  readonly policyVersion: number;
  readonly stats: PostgresStats | null;
  readonly probeLog: string;
  readonly progress: Progress;
}

async function runStep(run: EngineRun, kind: OpenLoopKind, index: number, rate: number, settings: OpenLoopSettings): Promise<Step> {
  const { server, ids } = run;
  const prefix = ids.phase(`open-${kind}-${index}`);
  const bodies =
    kind === 'events'
      ? eventBodies(ids, prefix, server.publicUrl, settings.decisionPool)
      : [numberedConsentBody(prefix, run.policyVersion, server.publicUrl)];
  run.progress(`${ENGINE_NAMES[run.engine]} ${kind}: step ${index + 1}, ${rate.toLocaleString('en-US')}/s for ${settings.holdSeconds} s`);
  const sampling = startSampling(server, run.stats, settings.windowSeconds);
  let result: OpenLoopResult;
  try {
    result = await runOpenLoop({
      url: server.url,
      path: ROUTES[kind].path,
      headers: requestHeaders(server.publicUrl),
      bodies,
      ratePerSecond: rate,
      durationSeconds: settings.holdSeconds,
      windowSeconds: settings.windowSeconds,
      maxSockets: settings.maxSockets,
      drainSeconds: DRAIN_SECONDS,
    });
  } catch (error) {
    await stopSampling(sampling).catch(() => {});
    throw error;
  }
  const samples = await stopSampling(sampling);
  const windows = windowDiagnostics(result, ROUTES[kind].writer, samples, await readProbe(run.probeLog), settings.windowSeconds);
  const { holds, why } = judge(result);
  run.progress(
    `${ENGINE_NAMES[run.engine]} ${kind}: ${why}; achieved ${result.achievedPerSecond.toFixed(0)}/s, p50 ${result.latencyMs.p50.toFixed(1)} ms, p99 ${result.latencyMs.p99.toFixed(1)} ms`,
  );
  await settle(server, settings.settleMs ?? SETTLE_MS);
  return { kind, index, prefix, result, holds, why, windows };
}

const fixed = (value: number, digits = 1) => (Number.isFinite(value) ? Number(value.toFixed(digits)) : '');

function stepsTable(key: string, title: string, steps: readonly Step[]): ReportTable {
  return {
    key,
    title,
    columns: ['step', 'rate/s', 'achieved/s', 'p50 ms', 'p99 ms', 'max ms', 'unanswered', 'refused', 'send lag p99 ms', 'sockets', 'p99 < 30', 'p99 per window, ms (first → last)'],
    rows: steps.map((step) => {
      const { result } = step;
      return [
        step.index + 1,
        result.ratePerSecond,
        Math.round(result.achievedPerSecond),
        fixed(result.latencyMs.p50),
        fixed(result.latencyMs.p99),
        fixed(result.latencyMs.max, 0),
        result.errors,
        result.status.tooManyRequests + result.status.unavailable + result.status.other,
        fixed(result.sendLagMs.p99),
        result.socketsOpened,
        step.holds ? 'held' : `MISSED (${step.why})`,
        result.windows.map((window) => window.latencyMs.p99.toFixed(1)).join(' '),
      ];
    }),
  };
}

function windowsTable(key: string, title: string, step: Step): ReportTable {
  const columns = ['from s', 'p99 ms', 'max ms', 'commits', 'rows/commit', 'commit ms', 'GC ms', 'GC max ms', 'loop delay max ms', 'heap MiB'];
  const postgres = step.windows.some((window) => window.counters !== null);
  if (postgres) columns.push('head updates', 'HOT %', 'head dead tuples', 'head vacuums', 'head bytes', 'checkpoints', 'WAL MB', 'busy backends: waits');
  return {
    key,
    title,
    columns,
    rows: step.windows.map((diagnostics, index) => {
      const window = step.result.windows[index]!;
      const { commits, probe, counters } = diagnostics;
      const row: Array<string | number> = [
        window.startSeconds,
        fixed(window.latencyMs.p99),
        fixed(window.latencyMs.max, 0),
        commits.commits,
        fixed(commits.commits > 0 ? commits.rows / commits.commits : NaN),
        fixed(commits.commits > 0 ? (commits.seconds / commits.commits) * 1000 : NaN, 2),
        fixed(probe.reduce((sum, second) => sum + second.gcMs, 0)),
        fixed(Math.max(0, ...probe.map((second) => second.gcMaxMs))),
        fixed(Math.max(0, ...probe.map((second) => second.loopDelayMaxMs))),
        fixed(probe[probe.length - 1]?.heapUsedMiB ?? NaN, 0),
      ];
      if (postgres) {
        const delta = (pick: (c: PostgresCounters) => number) => (counters ? pick(counters.after) - pick(counters.before) : NaN);
        const updates = delta((c) => c.headsUpdates);
        row.push(
          updates,
          fixed(updates > 0 ? (delta((c) => c.headsHotUpdates) / updates) * 100 : NaN, 0),
          counters?.after.headsDeadTuples ?? '',
          delta((c) => c.headsVacuums),
          counters?.after.headsBytes ?? '',
          delta((c) => c.checkpoints),
          fixed(delta((c) => c.walBytes) / 2 ** 20),
          [...(diagnostics.waits ?? [])]
            .slice(0, 3)
            .map(([wait, mean]) => `${wait} ${mean.toFixed(1)}`)
            .join(', '),
        );
      }
      return row;
    }),
  };
}

async function searchKind(run: EngineRun, kind: OpenLoopKind, settings: OpenLoopSettings, report: ScenarioReport): Promise<Step[]> {
  const steps: Step[] = [];
  const held = await findHeldRate(settings.startRates[kind], settings.maxRate, settings.bisectSteps, async (rate) => {
    const step = await runStep(run, kind, steps.length, rate, settings);
    steps.push(step);
    return step.holds;
  });
  const name = ENGINE_NAMES[run.engine];
  const key = `${run.engine}.open_loop.${kind}`;
  const label = `${name} open loop, ${kind}`;
  const onPostgres = run.engine === 'postgres';
  const heldStep = steps.find((step) => step.holds && step.result.ratePerSecond === held);
  report.figures.push({
    key: `${key}.held_per_s`,
    label: `${label}: highest rate held ${settings.holdSeconds} s at p99 < ${P99_LIMIT_MS} ms`,
    value: held,
    unit: '/s',
    target: onPostgres ? { kind: 'min', value: TARGETS[kind], of: 'value' } : undefined,
  });
  if (heldStep) {
    const { result } = heldStep;
    const first = result.windows[0]!.latencyMs.p99;
    const last = result.windows[result.windows.length - 1]!.latencyMs.p99;
    report.figures.push(
      { key: `${key}.held_achieved_per_s`, label: `${label}: achieved at that rate`, value: result.achievedPerSecond, unit: '/s' },
      { key: `${key}.held_p50_ms`, label: `${label}: p50 at that rate`, value: result.latencyMs.p50, unit: 'ms' },
      { key: `${key}.held_p99_ms`, label: `${label}: p99 at that rate`, value: result.latencyMs.p99, unit: 'ms', target: { kind: 'max', value: P99_LIMIT_MS, of: 'value' } },
      { key: `${key}.held_first_window_p99_ms`, label: `${label}: p99 of the first ${settings.windowSeconds} s`, value: first, unit: 'ms' },
      { key: `${key}.held_last_window_p99_ms`, label: `${label}: p99 of the last ${settings.windowSeconds} s`, value: last, unit: 'ms' },
      { key: `${key}.held_p99_last_over_first`, label: `${label}: last / first window p99 (1 = flat)`, value: first > 0 ? last / first : NaN, unit: '' },
    );
  }
  const lowestMissed = steps.filter((step) => !step.holds).sort((a, b) => a.result.ratePerSecond - b.result.ratePerSecond)[0];
  report.tables!.push(stepsTable(`${key}.steps`, `${label}: each step held ${settings.holdSeconds} s (latency from the time each request was due)`, steps));
  // Every step's windows go to BENCH_JSON; the highest rate held and the lowest missed are printed.
  for (const step of steps) {
    const what = step === heldStep ? ', the highest rate held' : step === lowestMissed ? ', the lowest rate missed' : '';
    const title = `${label}: step ${step.index + 1} (${step.result.ratePerSecond.toLocaleString('en-US')}/s${what}) per ${settings.windowSeconds} s window`;
    report.tables!.push({ ...windowsTable(`${key}.step${step.index + 1}.windows`, title, step), printed: step === heldStep || step === lowestMissed });
  }
  return steps;
}

/** After the server drained: each step's acknowledged requests against what is stored, and the chain verified. */
async function countSteps(database: BenchDatabase, engine: Engine, steps: readonly Step[], report: ScenarioReport): Promise<void> {
  await withDatabase(database, async (db, siteId) => {
    for (const kind of KINDS) {
      const ofKind = steps.filter((step) => step.kind === kind);
      if (ofKind.length === 0) continue;
      let lost = 0;
      let unacknowledged = 0;
      let unanswered = 0;
      for (const step of ofKind) {
        const stored = kind === 'events' ? await storedEventNumbers(db, siteId, step.prefix) : await storedConsentNumbers(db, siteId, step.prefix);
        const missing = step.result.acknowledged.countMissingFrom(stored);
        lost += missing;
        unacknowledged += stored.count - (step.result.acknowledged.count - missing);
        unanswered += step.result.errors;
      }
      const key = `${engine}.open_loop.${kind}`;
      const label = `${ENGINE_NAMES[engine]} open loop, ${kind}`;
      report.figures.push(
        { key: `${key}.lost`, label: `${label}: lost over all steps (2xx, not stored)`, value: lost, unit: '', target: { kind: 'max', value: 0, of: 'value' } },
        // Unanswered requests may have been stored; no stored row may lack a request that was sent.
        {
          key: `${key}.stored_unacknowledged`,
          label: `${label}: stored without a 2xx seen (of ${unanswered} unanswered)`,
          value: unacknowledged,
          unit: '',
          target: { kind: 'max', value: unanswered, of: 'value' },
        },
      );
      if (kind === 'decisions') {
        report.figures.push(...chainFigures(key, `${label}, after every step`, await verifySiteChain(db, siteId), report.notes));
      }
    }
  });
}

async function measureEngine(engine: Engine, settings: OpenLoopSettings, env: BenchEnv, report: ScenarioReport, progress: Progress): Promise<void> {
  const name = ENGINE_NAMES[engine];
  const database = await createBenchDatabase(engine, env.databaseUrl ?? DEFAULT_DATABASE_URL);
  report.notes.push(`${name}: ${database.description}`);
  const probeDir = await mkdtemp(path.join(os.tmpdir(), 'samtykke-bench-probe-'));
  const probeLog = path.join(probeDir, 'probe.ndjson');
  const steps: Step[] = [];
  try {
    const server = await startSamtykke(database, { probeLog, workers: settings.workers });
    const stats = database.config.engine === 'postgres' ? await PostgresStats.open(database.config.url) : null;
    try {
      const ids = new RunIds();
      const policyVersion = await publishedPolicyVersion(server);
      const { workers } = await scrapeAllWorkers(server.url, server.workers);
      report.notes.push(
        `${name}: the server runs ${server.workers} worker process${server.workers > 1 ? 'es' : ''}; /metrics answered from ${workers} of them` +
          (workers < server.workers ? ' (commit figures cover only those: each worker counts its own)' : ''),
      );
      progress(`${name}: server up; recording ${settings.decisionPool} decisions that grant analytics`);
      await recordDecisionPool(server, ids, policyVersion, settings.decisionPool);
      const run: EngineRun = { engine, server, ids, policyVersion, stats, probeLog, progress };
      for (const kind of settings.kinds ?? KINDS) steps.push(...(await searchKind(run, kind, settings, report)));
    } finally {
      await stats?.close();
      await server.stop();
    }
    progress(`${name}: server drained; counting stored rows and verifying the chain`);
    await countSteps(database, engine, steps, report);
  } finally {
    await database.drop();
    await rm(probeDir, { recursive: true, force: true });
  }
}

export async function runOpenLoopBenchmark(settings: OpenLoopSettings, env: BenchEnv): Promise<ScenarioReport> {
  const report: ScenarioReport = {
    settings: {
      mode: 'open-loop',
      engines: settings.engines,
      kinds: settings.kinds ?? KINDS,
      hold_s: settings.holdSeconds,
      window_s: settings.windowSeconds,
      decision_rate_start: settings.startRates.decisions,
      event_rate_start: settings.startRates.events,
      max_rate: settings.maxRate,
      bisect_steps: settings.bisectSteps,
      max_sockets: settings.maxSockets,
      decision_pool: settings.decisionPool,
      workers: settings.workers ?? 'default',
    },
    figures: [],
    tables: [],
    notes: [],
  };
  const progress = progressLog('collector open loop');
  for (const engine of settings.engines) await measureEngine(engine, settings, env, report, progress);
  report.notes.push(
    'Open loop: requests are written on a fixed schedule over up to max_sockets keep-alive sockets, whatever the server answers; each',
    "latency runs from the time the request was due, so a stall counts against every request due during it (no coordinated omission),",
    "and the generator's own lateness (send lag) is part of it. A step holds when every request got a 2xx and p99 < 30 ms.",
    'Windows: commits, rows/commit and commit ms from the server\'s /metrics (the kind\'s writer); GC and event-loop delay from',
    'bench/lib/server-probe.ts loaded into the server; head * from pg_stat_user_tables for consent_chain_heads; checkpoints and WAL',
    'are counted for the whole PostgreSQL server (other databases on it included); waits: mean busy backends of this database by wait event.',
    'The server runs with SAMTYKKE_RATE_LIMIT=0. The machine may be shared: other load shows as latency here.',
  );
  return report;
}

export const OPEN_LOOP_HELP: readonly string[] = [
  '--open-loop                 instead: the highest steady rate held with p99 < 30 ms, for decisions and for events',
  '  --hold S                  seconds each rate is held (default 60)',
  '  --window S                p99 is also shown per window of S seconds (default 10)',
  '  --decision-rate N         the first decision rate tried, per second (default 1000)',
  '  --event-rate N            the first event rate tried, per second (default 2000)',
  '  --max-rate N              the highest rate tried (default 100000)',
  '  --bisect N                bisection steps after the first missed rate (default 3)',
  '  --sockets N               sockets the generator may open (default 1000)',
  '  --only decisions|events   run one of the two searches',
];

export const OPEN_LOOP_OPTIONS = {
  'open-loop': { type: 'boolean' },
  hold: { type: 'string' },
  window: { type: 'string' },
  'decision-rate': { type: 'string' },
  'event-rate': { type: 'string' },
  'max-rate': { type: 'string' },
  bisect: { type: 'string' },
  sockets: { type: 'string' },
  only: { type: 'string' },
} as const;

function kindsOf(raw: string | boolean | undefined): readonly OpenLoopKind[] {
  if (raw === undefined) return KINDS;
  if (raw === 'decisions' || raw === 'events') return [raw];
  throw new UsageError(`--only takes decisions or events; got "${String(raw)}"`);
}

export function openLoopScenarioRun(
  values: OptionValues,
  env: BenchEnv,
  engines: readonly Engine[],
  decisionPool: number,
  workers: number | undefined,
): Promise<ScenarioReport> {
  return runOpenLoopBenchmark(
    {
      engines,
      kinds: kindsOf(values.only),
      holdSeconds: positiveNumber(values, 'hold', 60),
      windowSeconds: positiveNumber(values, 'window', 10),
      startRates: { decisions: positiveInteger(values, 'decision-rate', 1_000), events: positiveInteger(values, 'event-rate', 2_000) },
      maxRate: positiveInteger(values, 'max-rate', 100_000),
      bisectSteps: positiveInteger(values, 'bisect', 3, 0),
      maxSockets: positiveInteger(values, 'sockets', 1_000),
      decisionPool,
      workers,
    },
    env,
  );
}
