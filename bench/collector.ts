/**
 * The collector benchmark (issues 2 and 10): POST /api/events and POST /api/consent on the real server, on
 * PostgreSQL and on PGlite, loaded from a second process and read against a bare endpoint measured in the same
 * run, at the default connections and again at many (256). Every request carries its own number, so "lost" is
 * exact: requests answered 2xx whose rows are not in the database after the server drained on SIGTERM. With
 * --open-loop it instead finds the highest steady arrival rate held (bench/collector-open-loop.ts).
 */
import { appendConsentRecords, verifySiteChain, type UnchainedRecord } from '../server/queries/consent-records.ts';
import type { Db } from '../server/db/create.ts';
import { openLoopScenarioRun, OPEN_LOOP_HELP, OPEN_LOOP_OPTIONS } from './collector-open-loop.ts';
import { spawnChild } from './lib/child.ts';
import {
  chainFigures,
  ENGINE_NAMES,
  eventBodies,
  numberedConsentBody,
  publishedPolicyVersion,
  recordDecisionPool,
  RunIds,
  storedConsentNumbers,
  storedEventNumbers,
  requestHeaders,
  withDatabase,
} from './lib/collector-requests.ts';
import { createBenchDatabase, DEFAULT_DATABASE_URL, ENGINES, type Engine } from './lib/databases.ts';
import type { FloorReady } from './lib/floor-server.ts';
import { runLoad, type LoadPlan, type LoadResult } from './lib/load.ts';
import { progressLog, type Progress } from './lib/progress.ts';
import type { Figure, ScenarioReport } from './lib/report.ts';
import type { RequestSet } from './lib/request-set.ts';
import { BENCH_PUBLIC_URL, startSamtykke, type SamtykkeProcess } from './lib/samtykke.ts';
import { commitP99BoundMs, commitsBetween, commitsOf, scrapeAllWorkers, type Commits } from './lib/server-metrics.ts';
import { positiveInteger, UsageError, type BenchEnv, type OptionValues, type Scenario } from './lib/scenario.ts';

export interface CollectorSettings {
  readonly engines: readonly Engine[];
  readonly durationSeconds: number;
  readonly connections: number;
  /** Connections of the second, heavier run of events and consent (issue 10: 256); 0 or absent skips it. */
  readonly highConnections?: number;
  /** Consent records stored before the last consent run; 0 skips that run. */
  readonly prefill: number;
  /** Consent IDs holding an analytics grant; events are sent round-robin over them. */
  readonly decisionPool: number;
  /** Where the server children write V8 CPU profiles, when asked. */
  readonly profileDir?: string;
  /** SAMTYKKE_WORKERS for the server; unset keeps its default. */
  readonly workers?: number;
}

// 19 bound columns × 3,000 rows stays under PostgreSQL's 65,535 parameters per statement.
const PREFILL_BATCH = 3_000;

/** Targets of issues 2 and 10; they apply on PostgreSQL. */
const TARGETS = {
  eventRatioToFloor: 0.5,
  consentPerSecond: 10_000,
  consentPerSecondHigh: 20_000,
  consentP99MsHigh: 30,
} as const;
const QUOTED_REFERENCES = [
  'Reference, QUOTED from issue 2 and not measured here: the c15t backend stores about 550 consent records/s on this machine',
  'with an empty table, and about 14/s with 1 million records stored.',
];

function loadPlan(url: string, path: string, bodies: string[], publicUrl: string, durationSeconds: number, connections: number): LoadPlan {
  return { url, method: 'POST', path, headers: requestHeaders(publicUrl), bodies, connections, durationSeconds };
}

async function measureFloor(durationSeconds: number, connections: number, pool: number): Promise<LoadResult> {
  const floor = spawnChild(new URL('./lib/floor-server.ts', import.meta.url).pathname);
  try {
    const { url } = await floor.nextMessage<FloorReady>();
    const bodies = eventBodies(new RunIds(), 'floor-', BENCH_PUBLIC_URL, pool);
    return await runLoad(loadPlan(url, '/api/events', bodies, BENCH_PUBLIC_URL, durationSeconds, connections));
  } finally {
    await floor.stop();
  }
}

/**
 * The bare floor and the events load against a server that is already running, for another scenario that must
 * show its engine does not slow ingest down (the rows are not counted: `npm run bench -- collector` does that).
 */
export async function measureEventIngest(server: SamtykkeProcess, settings: CollectorSettings): Promise<{ floor: LoadResult; events: LoadResult }> {
  const floor = await measureFloor(settings.durationSeconds, settings.connections, settings.decisionPool);
  const ids = new RunIds();
  await recordDecisionPool(server, ids, await publishedPolicyVersion(server), settings.decisionPool);
  const bodies = eventBodies(ids, ids.phase('events'), server.publicUrl, settings.decisionPool);
  const events = await runLoad(loadPlan(server.url, '/api/events', bodies, server.publicUrl, settings.durationSeconds, settings.connections));
  return { floor, events };
}

/** Appends valid chained records through the same query the collector's writer uses, in large batches. */
async function prefillChain(db: Db, siteId: number, ids: RunIds, count: number, policyVersion: number): Promise<void> {
  const prefix = ids.phase('prefill');
  const recordedAt = new Date();
  for (let start = 0; start < count; start += PREFILL_BATCH) {
    const records = Array.from({ length: Math.min(PREFILL_BATCH, count - start) }, (_, offset): UnchainedRecord => ({
      consentId: `${prefix}${start + offset}`,
      policyVersion,
      functional: true,
      analytics: (start + offset) % 3 !== 0,
      ads: (start + offset) % 5 === 0,
      action: 'custom',
      source: 'banner',
      locale: 'nb',
      pageUrl: 'https://www.example.no/tjenester',
      browser: 'Chrome',
      os: 'Linux',
      device: 'desktop',
      account: null,
      recordedAt,
      clientHash: 'prefilled',
      shownHash: null,
      gpc: false,
      stale: false,
    }));
    await appendConsentRecords(db, siteId, records);
  }
}

interface PhaseOutcome {
  readonly load: LoadResult;
  /** Acknowledged requests whose rows are missing. */
  readonly lost: number;
  /** Stored rows whose request got no 2xx the load generator saw: in flight when the load stopped. */
  readonly storedUnacknowledged: number;
}

function outcome(load: LoadResult, stored: RequestSet): PhaseOutcome {
  const lost = load.acknowledged.countMissingFrom(stored);
  return { load, lost, storedUnacknowledged: stored.count - (load.acknowledged.count - lost) };
}

interface PhaseTargets {
  readonly perSecond?: Figure['target'];
  readonly p99Ms?: Figure['target'];
}

function reportPhase(
  report: ScenarioReport,
  key: string,
  label: string,
  unit: string,
  phase: PhaseOutcome,
  floor: LoadResult,
  connections: number,
  targets: PhaseTargets = {},
): void {
  const { load } = phase;
  const perSecond = (load.acknowledged.count - phase.lost) / load.durationSeconds;
  if (load.firstRefusal) report.notes.push(`${label}: the first refusal was ${load.firstRefusal.status} ${load.firstRefusal.body}`);
  report.figures.push(
    { key: `${key}.stored_per_s`, label: `${label}: ${unit}/s stored`, value: perSecond, unit: '/s', ratio: perSecond / floor.answeredPerSecond, target: targets.perSecond },
    { key: `${key}.latency_p50_ms`, label: `${label}: p50 latency`, value: load.latencyMs.p50, unit: 'ms', ratio: ratioOrUndefined(load.latencyMs.p50, floor.latencyMs.p50) },
    {
      key: `${key}.latency_p99_ms`,
      label: `${label}: p99 latency`,
      value: load.latencyMs.p99,
      unit: 'ms',
      ratio: ratioOrUndefined(load.latencyMs.p99, floor.latencyMs.p99),
      target: targets.p99Ms,
    },
    { key: `${key}.lost`, label: `${label}: ${unit} lost (2xx, not stored)`, value: phase.lost, unit: '', target: { kind: 'max', value: 0, of: 'value' } },
    {
      key: `${key}.stored_in_flight`,
      label: `${label}: stored, answer cut off by the load's end`,
      value: phase.storedUnacknowledged,
      unit: '',
      // At most one request per connection can be in flight; more would mean a refused request was stored.
      target: { kind: 'max', value: connections, of: 'value' },
    },
    { key: `${key}.status_429`, label: `${label}: 429 answers`, value: load.status.tooManyRequests, unit: '' },
    { key: `${key}.status_503`, label: `${label}: 503 answers`, value: load.status.unavailable, unit: '' },
    { key: `${key}.status_other`, label: `${label}: other non-2xx answers`, value: load.status.other, unit: '' },
    { key: `${key}.no_answer`, label: `${label}: errors and timeouts`, value: load.errors, unit: '' },
  );
}

/**
 * How close a closed-loop consent run came to what its commits allow. Each connection waits for its own decision's
 * durable commit, so no connection gets more than one answer per commit time: records/s ≤ connections / commit
 * time. The commit time is the server's own (samtykke_commit_seconds, writer "consent": from the batch's statement
 * to its commit, waiting for the chain head's row lock included), averaged over the run and over every worker.
 */
function reportCommitBound(report: ScenarioReport, key: string, label: string, phase: PhaseOutcome, measured: ConsentLoad, connections: number): void {
  const { commits, workers } = measured;
  if (workers < measured.expectedWorkers) {
    report.notes.push(`${label}: no commit bound: /metrics answered from ${workers} of the server's ${measured.expectedWorkers} workers, each counting its own commits.`);
    return;
  }
  if (commits.commits === 0) return;
  const commitSeconds = commits.seconds / commits.commits;
  const bound = connections / commitSeconds;
  const stored = (phase.load.acknowledged.count - phase.lost) / phase.load.durationSeconds;
  const perCommit = commits.rows / commits.commits;
  const busy = commits.seconds / phase.load.durationSeconds;
  report.figures.push(
    { key: `${key}.commit_ms`, label: `${label}: commit time, mean`, value: commitSeconds * 1000, unit: 'ms' },
    { key: `${key}.commit_p99_bound_ms`, label: `${label}: commit time, p99 under`, value: commitP99BoundMs(commits), unit: 'ms' },
    { key: `${key}.records_per_commit`, label: `${label}: records per commit, mean (≤ ${connections})`, value: perCommit, unit: '' },
    { key: `${key}.commit_seconds_per_s`, label: `${label}: commit seconds per second, ${workers} worker${workers > 1 ? 's' : ''}`, value: busy, unit: '' },
    { key: `${key}.commit_bound_per_s`, label: `${label}: bound, ${connections} connections / commit time`, value: bound, unit: '/s' },
    { key: `${key}.share_of_commit_bound`, label: `${label}: stored / bound`, value: stored / bound, unit: '' },
  );
  report.notes.push(
    `${label}: ${stored.toFixed(0)} records/s is ${((stored / bound) * 100).toFixed(0)}% of the commit bound ${bound.toFixed(0)}/s ` +
      `= ${connections} connections / ${(commitSeconds * 1000).toFixed(2)} ms per commit: each connection waits for its own durable commit, ` +
      `so none gets more than one answer per commit time, and a commit carries at most one record per connection ` +
      `(it carried ${perCommit.toFixed(1)} on average; commits were running ${busy.toFixed(2)} s per second, summed over ${workers} server process${workers > 1 ? 'es' : ''}; ` +
      `the rest of each connection's cycle is HTTP, parsing and waiting for the batch before its own).`,
  );
}

/** A latency of 0 ms on the floor (below autocannon's resolution) has no meaningful ratio. */
function ratioOrUndefined(value: number, floor: number): number | undefined {
  return floor > 0 ? value / floor : undefined;
}

interface Floors {
  readonly base: LoadResult;
  readonly high: LoadResult | null;
}

interface ConsentLoad {
  readonly load: LoadResult;
  readonly commits: Commits;
  /** Server processes whose commits were counted, of those the server runs. */
  readonly workers: number;
  readonly expectedWorkers: number;
}

/** A consent load with the server's commit counters (every worker's) read before and after it. */
async function consentLoad(server: SamtykkeProcess, plan: LoadPlan): Promise<ConsentLoad> {
  const before = await scrapeAllWorkers(server.url, server.workers);
  const load = await runLoad(plan);
  const after = await scrapeAllWorkers(server.url, server.workers);
  const workers = Math.min(before.workers, after.workers);
  return { load, commits: commitsBetween(commitsOf(before.samples, 'consent'), commitsOf(after.samples, 'consent')), workers, expectedWorkers: server.workers };
}

interface RunAt {
  readonly connections: number;
  /** Appended to the figures' keys and labels: '' for the default connections, '_high' and ' at 256' for the heavy run. */
  readonly keySuffix: string;
  readonly labelSuffix: string;
  readonly high: boolean;
  readonly floor: LoadResult;
}

interface RunLoads {
  readonly at: RunAt;
  readonly eventsPrefix: string;
  readonly consentPrefix: string;
  readonly events: LoadResult;
  readonly consent: ConsentLoad;
}

function consentTargets(engine: Engine, high: boolean): PhaseTargets {
  if (engine !== 'postgres') return {};
  if (!high) return { perSecond: { kind: 'min', value: TARGETS.consentPerSecond, of: 'value' } };
  return { perSecond: { kind: 'min', value: TARGETS.consentPerSecondHigh, of: 'value' }, p99Ms: { kind: 'max', value: TARGETS.consentP99MsHigh, of: 'value' } };
}

async function measureEngine(engine: Engine, settings: CollectorSettings, env: BenchEnv, floors: Floors, report: ScenarioReport, progress: Progress): Promise<void> {
  const name = ENGINE_NAMES[engine];
  const onPostgres = engine === 'postgres';
  const database = await createBenchDatabase(engine, env.databaseUrl ?? DEFAULT_DATABASE_URL);
  report.notes.push(`${name}: ${database.description}`);
  const serverOptions = { profileDir: settings.profileDir, workers: settings.workers };
  const ids = new RunIds();
  const runs: RunAt[] = [{ connections: settings.connections, keySuffix: '', labelSuffix: '', high: false, floor: floors.base }];
  if (floors.high && settings.highConnections) {
    runs.push({ connections: settings.highConnections, keySuffix: '_high', labelSuffix: ` at ${settings.highConnections}`, high: true, floor: floors.high });
  }
  try {
    // One server start for every connection count: a start costs more than a load on PGlite, and the drain at the end
    // is what makes every acknowledged request countable.
    let server = await startSamtykke(database, serverOptions);
    let policyVersion: number;
    const loads: RunLoads[] = [];
    try {
      policyVersion = await publishedPolicyVersion(server);
      progress(`${name}: server up; recording ${settings.decisionPool} decisions that grant analytics`);
      await recordDecisionPool(server, ids, policyVersion, settings.decisionPool);
      for (const at of runs) {
        const eventsPrefix = ids.phase(`events${at.keySuffix}`);
        const consentPrefix = ids.phase(`consent${at.keySuffix}`);
        progress(`${name}: loading POST /api/events, ${settings.durationSeconds} s at ${at.connections} connections`);
        const bodies = eventBodies(ids, eventsPrefix, server.publicUrl, settings.decisionPool);
        const events = await runLoad(loadPlan(server.url, '/api/events', bodies, server.publicUrl, settings.durationSeconds, at.connections));
        progress(`${name}: loading POST /api/consent, ${settings.durationSeconds} s at ${at.connections} connections`);
        const consentBody = numberedConsentBody(consentPrefix, policyVersion, server.publicUrl);
        const consent = await consentLoad(server, loadPlan(server.url, '/api/consent', [consentBody], server.publicUrl, settings.durationSeconds, at.connections));
        loads.push({ at, eventsPrefix, consentPrefix, events, consent });
      }
    } finally {
      await server.stop();
    }

    progress(`${name}: server drained; counting stored rows and verifying the chain`);
    await withDatabase(database, async (db, siteId) => {
      for (const { at, eventsPrefix, consentPrefix, events, consent } of loads) {
        const eventsOutcome = outcome(events, await storedEventNumbers(db, siteId, eventsPrefix));
        const eventTarget = onPostgres ? ({ kind: 'min', value: TARGETS.eventRatioToFloor, of: 'ratio' } as const) : undefined;
        reportPhase(report, `${engine}.events${at.keySuffix}`, `${name} events${at.labelSuffix}`, 'events', eventsOutcome, at.floor, at.connections, { perSecond: eventTarget });
        const consentKey = `${engine}.consent${at.keySuffix}`;
        const consentLabel = `${name} consent${at.labelSuffix}`;
        const consentOutcome = outcome(consent.load, await storedConsentNumbers(db, siteId, consentPrefix));
        reportPhase(report, consentKey, consentLabel, 'records', consentOutcome, at.floor, at.connections, consentTargets(engine, at.high));
        reportCommitBound(report, consentKey, consentLabel, consentOutcome, consent, at.connections);
      }
      const runsLabel = runs.map((at) => at.connections).join(' and ');
      report.figures.push(...chainFigures(`${engine}.consent`, `${name} consent, after the runs at ${runsLabel}`, await verifySiteChain(db, siteId), report.notes));
    });
    if (settings.prefill === 0) return;

    await withDatabase(database, async (db, siteId) => {
      progress(`${name}: storing ${settings.prefill.toLocaleString('en-US')} chained consent records before the next run`);
      const started = Date.now();
      await prefillChain(db, siteId, ids, settings.prefill, policyVersion);
      report.notes.push(`${name}: prefilled ${settings.prefill.toLocaleString('en-US')} chained records in ${((Date.now() - started) / 1000).toFixed(1)} s`);
    });
    progress(`${name}: consent again with the chain prefilled`);
    server = await startSamtykke(database, serverOptions);
    const prefix = ids.phase('consent-prefilled');
    let prefilled: ConsentLoad;
    try {
      const consentBody = numberedConsentBody(prefix, policyVersion, server.publicUrl);
      prefilled = await consentLoad(server, loadPlan(server.url, '/api/consent', [consentBody], server.publicUrl, settings.durationSeconds, settings.connections));
    } finally {
      await server.stop();
    }
    await withDatabase(database, async (db, siteId) => {
      const key = `${engine}.consent_prefilled`;
      const label = `${name} consent, ${settings.prefill.toLocaleString('en-US')} prefilled`;
      const prefilledOutcome = outcome(prefilled.load, await storedConsentNumbers(db, siteId, prefix));
      reportPhase(report, key, label, 'records', prefilledOutcome, floors.base, settings.connections, consentTargets(engine, false));
      reportCommitBound(report, key, label, prefilledOutcome, prefilled, settings.connections);
      report.figures.push(...chainFigures(key, label, await verifySiteChain(db, siteId), report.notes));
    });
  } finally {
    await database.drop();
  }
}

function floorFigures(key: string, label: string, floor: LoadResult): Figure[] {
  return [
    { key: `${key}.answered_per_s`, label: `${label}: requests/s (bare hono 204)`, value: floor.answeredPerSecond, unit: '/s', ratio: 1 },
    { key: `${key}.latency_p50_ms`, label: `${label}: p50 latency`, value: floor.latencyMs.p50, unit: 'ms' },
    { key: `${key}.latency_p99_ms`, label: `${label}: p99 latency`, value: floor.latencyMs.p99, unit: 'ms' },
  ];
}

export async function runCollectorBenchmark(settings: CollectorSettings, env: BenchEnv): Promise<ScenarioReport> {
  const highConnections = settings.highConnections ?? 0;
  const report: ScenarioReport = {
    settings: {
      engines: settings.engines,
      duration_s: settings.durationSeconds,
      connections: settings.connections,
      high_connections: highConnections,
      prefill: settings.prefill,
      decision_pool: settings.decisionPool,
      workers: settings.workers ?? 'default',
      events_per_request: 1,
    },
    figures: [],
    notes: [],
  };
  const progress = progressLog('collector');
  progress(`floor: a bare @hono/node-server endpoint answering 204, ${settings.durationSeconds} s at ${settings.connections} connections`);
  const base = await measureFloor(settings.durationSeconds, settings.connections, settings.decisionPool);
  report.figures.push(...floorFigures('floor', 'floor', base));
  let high: LoadResult | null = null;
  if (highConnections > 0) {
    progress(`floor: ${settings.durationSeconds} s at ${highConnections} connections`);
    high = await measureFloor(settings.durationSeconds, highConnections, settings.decisionPool);
    report.figures.push(...floorFigures('floor_high', `floor at ${highConnections}`, high));
  }
  for (const engine of settings.engines) await measureEngine(engine, settings, env, { base, high }, report, progress);
  report.notes.push(
    'The server runs with SAMTYKKE_RATE_LIMIT=0: all load comes from one address, and the per-client limit would measure the limiter.',
    'Load: autocannon in its own process; one pageview per events request; a new consent ID per consent request.',
    ...(highConnections > 0
      ? [`Runs "at ${highConnections}" follow the default runs on the same server start and are read against the floor at the same connections.`]
      : []),
    'The machine may be shared: read the figures as ratios to the floor measured in the same run, not as absolutes.',
    ...QUOTED_REFERENCES,
  );
  return report;
}

function engineList(raw: string | boolean | undefined): Engine[] {
  if (raw === undefined) return [...ENGINES];
  const names = String(raw).split(',').map((name) => name.trim());
  const unknown = names.filter((name) => !(ENGINES as readonly string[]).includes(name));
  if (unknown.length > 0 || names.length === 0) {
    throw new UsageError(`--engines takes a comma-separated list of ${ENGINES.join(', ')}; got "${String(raw)}"`);
  }
  return names as Engine[];
}

export const collectorScenario: Scenario = {
  summary: 'POST /api/events and POST /api/consent on PostgreSQL and PGlite, against a bare hono endpoint',
  help: [
    '--engines postgres,pglite   which databases (default both; PostgreSQL from DATABASE_URL or the local default)',
    '--duration S                seconds of load per measurement (default 20)',
    '--connections C             concurrent connections (default 50)',
    '--high-connections C        connections of the second run of events and consent (default 256; 0 skips it)',
    '--prefill N                 consent records stored before the last consent run (default 1000000; 0 skips it)',
    '--pool N                    consent IDs granting analytics that events are sent for (default 1000)',
    '--profile DIR               write a V8 CPU profile of each server process into DIR',
    '--workers N                 SAMTYKKE_WORKERS for the server (default: the server\'s own, the core count on PostgreSQL)',
    ...OPEN_LOOP_HELP,
  ],
  options: {
    engines: { type: 'string' },
    duration: { type: 'string' },
    connections: { type: 'string' },
    'high-connections': { type: 'string' },
    prefill: { type: 'string' },
    pool: { type: 'string' },
    profile: { type: 'string' },
    workers: { type: 'string' },
    ...OPEN_LOOP_OPTIONS,
  },
  run: (values: OptionValues, env: BenchEnv) => {
    const engines = engineList(values.engines);
    const decisionPool = positiveInteger(values, 'pool', 1_000);
    const workers = values.workers === undefined ? undefined : positiveInteger(values, 'workers', 1);
    if (values['open-loop']) return openLoopScenarioRun(values, env, engines, decisionPool, workers);
    return runCollectorBenchmark(
      {
        engines,
        durationSeconds: positiveInteger(values, 'duration', 20),
        connections: positiveInteger(values, 'connections', 50),
        highConnections: positiveInteger(values, 'high-connections', 256, 0),
        prefill: positiveInteger(values, 'prefill', 1_000_000, 0),
        decisionPool,
        profileDir: typeof values.profile === 'string' ? values.profile : undefined,
        workers,
      },
      env,
    );
  },
};
