/**
 * The dashboard benchmark (issues 4, 9 and 12): one site with millions of events over 90 days and a million
 * consent records, served by the real server process. Figures: p50 and p99 of the overview calls an analyst makes
 * (30 days with and without a filter, 7 days, today, the goals panel and a 4-step funnel) on PostgreSQL and of the 30-day overview on PGlite, the time to
 * seed and to build the visits and rollups, the disk the events and the rollups take, the daily retention run,
 * the collector's event ingest against its floor in the same run, and the CSV export's rate and memory.
 */
import { readdir, readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import { createDb, type Db } from '../server/db/create.ts';
import { migrateToLatest } from '../server/db/migrate.ts';
import { seedDemo } from '../server/demo/seed.ts';
import type { NewGoal } from '../server/domain/goals.ts';
import { enforceRetention } from '../server/jobs/retention.ts';
import { ensureEventPartitions, eventsDiskBytes, utcDay } from '../server/queries/event-partitions.ts';
import { buildSketches } from '../server/queries/usage-sketches.ts';
import { createFunnel } from '../server/queries/funnels.ts';
import { createGoal } from '../server/queries/goals.ts';
import { createUser } from '../server/queries/users.ts';
import { buildVisits } from '../server/queries/visits.ts';
import { measureEventIngest } from './collector.ts';
import { createBenchDatabase, DEFAULT_DATABASE_URL, type BenchDatabase } from './lib/databases.ts';
import { progressLog, type Progress } from './lib/progress.ts';
import type { Figure, ScenarioReport } from './lib/report.ts';
import { BENCH_PUBLIC_URL, startSamtykke, type SamtykkeProcess } from './lib/samtykke.ts';
import { positiveInteger, type BenchEnv, type OptionValues, type Scenario } from './lib/scenario.ts';

const SITE = 'min-bedrift';
const EMAIL = 'bench@samtykke.bench.test';
const PASSWORD = 'benchmark password 1';
const INSERT_CHUNK = 500_000;
const EVENTS_PER_VISIT = 4;
const VISITS_PER_VISITOR = 3;
const NINETY_DAYS_S = 90 * 86_400;
const DAY_MS = 86_400_000;
/** Issue 9's targets, p50 and p99 in milliseconds, on PostgreSQL unless the key says PGlite. */
const TARGETS = { overview30: { p50: 100, p99: 300 }, filtered30: 500, overview7: 100, today: 100, large30: 300, pglite30: 500, ingestRatio: 0.3, goals30: 200, funnel30: 200 } as const;
/**
 * Goals that match the seeded traffic: a page, a pattern, an event, and an event with a property value (every
 * `download` carries plan=pro); the funnel's four steps are ordered within the seeded visits' four events.
 */
const GOALS: readonly NewGoal[] = [
  { name: 'Page 7', kind: 'pageview', path: '/page-7' },
  { name: 'Pages 1x', kind: 'pageview', path: '/page-1*' },
  { name: 'Any page', kind: 'pageview', path: '/page-*' },
  { name: 'Signup', kind: 'event', eventName: 'signup', property: null },
  { name: 'Pro download', kind: 'event', eventName: 'download', property: { key: 'plan', value: 'pro' } },
];
const FUNNEL_STEPS = ['Any page', 'Pages 1x', 'Page 7', 'Any page'] as const;
/** An events page's `path` and the referrer of a fifth of the visits, as seeded below. */
const FILTERED_CALLS = [
  { key: 'page', label: 'filtered by a page', query: '&f.page=%2Fpage-7' },
  { key: 'referrer', label: 'filtered by a referrer', query: '&f.referrer=google.com' },
] as const;

/**
 * Deterministic but spread-out synthetic traffic, written by the database itself (generate_series) so seeding
 * millions of rows takes seconds rather than the collector's real-time pace: visits of four events, 60 pages,
 * a tenth of them custom events with a property, referrers, campaigns, ad clicks, browsers, systems, devices,
 * countries.
 */
async function seedEvents(db: Db, siteId: number, total: number, progress: Progress): Promise<void> {
  for (let start = 1; start <= total; start += INSERT_CHUNK) {
    const end = Math.min(total, start + INSERT_CHUNK - 1);
    await sql`
      insert into events (site_id, occurred_at, consent_id, session_id, type, name, path, referrer_host,
        utm_source, utm_medium, utm_campaign, ad_click, browser, os, device, country, props)
      select ${siteId},
        now() - make_interval(secs => (v * 2654435761::bigint) % ${NINETY_DAYS_S}) + make_interval(secs => (g % ${EVENTS_PER_VISIT}) * 45),
        'visitor-' || (v / ${VISITS_PER_VISITOR}),
        'visit-' || v,
        case when g % 10 = 0 then 'custom' else 'pageview' end,
        case when g % 10 = 0 then (array['signup', 'download', 'invoice_opened'])[1 + g % 3] end,
        '/page-' || ((g * 7919) % 60),
        (array['google.com', 'bing.com', 'facebook.com', null, null])[1 + v % 5],
        case when v % 7 = 0 then 'google' end,
        case when v % 7 = 0 then 'cpc' end,
        case when v % 7 = 0 then 'campaign-' || (v % 12) end,
        case when v % 14 = 0 then 'gclid' end,
        (array['Chrome', 'Safari', 'Firefox', 'Edge'])[1 + v % 4],
        (array['Windows', 'macOS', 'iOS', 'Android'])[1 + (v / 4) % 4],
        (array['desktop', 'mobile', 'tablet'])[1 + v % 3],
        (array['NO', 'NO', 'NO', 'SE', 'DK', 'DE', 'GB', 'US', null])[1 + (v / 3) % 9],
        case when g % 10 = 0 then jsonb_build_object('plan', (array['free', 'pro', 'enterprise'])[1 + g % 3]) end
      from generate_series(${start}::bigint, ${end}::bigint) as g, lateral (select g / ${EVENTS_PER_VISIT} as v) as visit`.execute(db);
    progress(`events: ${end.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`);
  }
}

/**
 * Consent records with real SHA-256 hashes over their content, linked by sequence number. They are written by
 * the database for speed, so the links are not the server's chain (verify would flag them); the export reads
 * and writes exactly what it would for real evidence.
 */
async function seedConsentRecords(db: Db, siteId: number, total: number, progress: Progress): Promise<void> {
  for (let start = 1; start <= total; start += INSERT_CHUNK) {
    const end = Math.min(total, start + INSERT_CHUNK - 1);
    await sql`
      insert into consent_records (site_id, seq, consent_id, policy_version, functional, analytics, ads, action, source,
        locale, page_url, browser, os, device, account, recorded_at, client_hash, prev_hash, hash, country)
      select ${siteId}, g, 'visitor-' || g, 1, true, g % 3 <> 0, g % 2 = 0,
        case when g % 3 = 0 then 'reject_all' when g % 2 = 0 then 'accept_all' else 'custom' end,
        (array['banner', 'preferences', 'gpc'])[1 + g % 3], 'nb', 'https://portal.example/side-' || (g % 60),
        'Chrome', 'Windows', 'desktop', case when g % 5 = 0 then 'Kunde ' || (g % 100) || ' AS' end,
        now() - make_interval(secs => (g * 2654435761::bigint) % ${NINETY_DAYS_S}),
        md5(g::text), encode(sha256(((g - 1)::text)::bytea), 'hex'), encode(sha256((g::text)::bytea), 'hex'),
        (array['NO', 'NO', 'SE', 'DK', 'DE', null])[1 + (g / 5) % 6]
      from generate_series(${start}::bigint, ${end}::bigint) as g`.execute(db);
    progress(`consent records: ${end.toLocaleString('en-US')} of ${total.toLocaleString('en-US')}`);
  }
  await db.updateTable('consent_chain_heads').set({ seq: total }).where('site_id', '=', siteId).execute();
}

/** The server child's process id, found by the port it was told to listen on. */
async function serverPid(port: string): Promise<number> {
  for (const entry of await readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue;
    const environ = await readFile(`/proc/${entry}/environ`, 'utf8').catch(() => '');
    const cmdline = await readFile(`/proc/${entry}/cmdline`, 'utf8').catch(() => '');
    if (environ.split('\0').includes(`PORT=${port}`) && cmdline.includes('server/main.ts') && !cmdline.includes('tsx/dist/cli')) return Number(entry);
  }
  throw new Error(`Could not find the server process listening on port ${port} in /proc`);
}

async function residentMb(pid: number): Promise<number> {
  const status = await readFile(`/proc/${pid}/status`, 'utf8');
  const kb = Number(/VmRSS:\s+(\d+)/.exec(status)?.[1]);
  return Math.round(kb / 1024);
}

/** The value at a quantile of the measured calls (p99 of 20 calls is the slowest). */
function quantile(values: readonly number[], q: number): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.min(sorted.length - 1, Math.floor(sorted.length * q))]!;
}

interface Seeded {
  readonly siteId: number;
  readonly funnelId: number;
  readonly seedSeconds: number;
  readonly buildSeconds: number;
}

/** The demo, the bench user, the events (and records) by generate_series, then the visits, rollups and sketches. */
async function seed(db: Db, events: number, records: number, progress: Progress): Promise<Seeded> {
  await migrateToLatest(db);
  const demo = await seedDemo(db, BENCH_PUBLIC_URL);
  const siteId = demo.sites.find((site) => site.key === SITE)!.id;
  await createUser(db, { organisationId: demo.organisationId, email: EMAIL, name: 'Bench', roles: ['analyst', 'privacy_officer'], password: PASSWORD });
  const started = performance.now();
  await ensureEventPartitions(db, Array.from({ length: 92 }, (_, index) => utcDay(Date.now() - (90 - index) * DAY_MS)));
  await seedEvents(db, siteId, events, progress);
  if (records > 0) await seedConsentRecords(db, siteId, records, progress);
  const seeded = performance.now();
  progress('building visits, rollups and sketches from the seeded events');
  await buildVisits(db, siteId);
  await buildSketches(db, siteId);
  const goals = new Map<string, number>();
  for (const goal of GOALS) goals.set(goal.name, (await createGoal(db, siteId, goal)).id);
  const funnelId = (await createFunnel(db, siteId, { name: 'Bench funnel', steps: FUNNEL_STEPS.map((name) => goals.get(name)!) })).id;
  await sql`analyze`.execute(db);
  return { siteId, funnelId, seedSeconds: (seeded - started) / 1000, buildSeconds: (performance.now() - seeded) / 1000 };
}

async function signIn(server: SamtykkeProcess): Promise<(path: string) => Promise<Response>> {
  const login = await fetch(`${server.url}/api/admin/session/login`, {
    method: 'POST',
    headers: { 'content-type': 'application/json' },
    body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
  });
  if (!login.ok) throw new Error(`Login answered ${login.status}: ${await login.text()}`);
  const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
  return (path: string) => fetch(`${server.url}${path}`, { headers: { cookie } });
}

/** p50 and p99 of `runs` calls after one warm-up call that fills the server's and the database's caches. */
async function latency(get: (path: string) => Promise<Response>, path: string, runs: number, progress: Progress): Promise<{ p50: number; p99: number }> {
  const latencies: number[] = [];
  for (let attempt = 0; attempt <= runs; attempt++) {
    const started = performance.now();
    const response = await get(path);
    if (!response.ok) throw new Error(`${path} answered ${response.status}: ${await response.text()}`);
    await response.arrayBuffer();
    if (attempt > 0) latencies.push(performance.now() - started);
  }
  const result = { p50: Math.round(quantile(latencies, 0.5)), p99: Math.round(quantile(latencies, 0.99)) };
  progress(`${path}: p50 ${result.p50} ms, p99 ${result.p99} ms over ${runs} calls`);
  return result;
}

function latencyFigures(key: string, label: string, measured: { p50: number; p99: number }, p50Target: number, p99Target?: number): Figure[] {
  return [
    { key: `${key}.p50_ms`, label: `${label}, p50`, value: measured.p50, unit: 'ms', target: { kind: 'max', value: p50Target, of: 'value' } },
    { key: `${key}.p99_ms`, label: `${label}, p99`, value: measured.p99, unit: 'ms', ...(p99Target ? { target: { kind: 'max', value: p99Target, of: 'value' } as const } : {}) },
  ];
}

async function diskFigures(db: Db, engine: string): Promise<Figure[]> {
  const size = async (table: string) => Number((await sql<{ bytes: number }>`select pg_total_relation_size(${table}::regclass)::bigint as bytes`.execute(db)).rows[0]!.bytes);
  const mb = (bytes: number) => Math.round(bytes / 1e6);
  const rollups = (await size('visits')) + (await size('usage_daily')) + (await size('usage_sketches'));
  return [
    { key: `${engine}.disk.events_mb`, label: `${engine}: events on disk (partitions and indexes)`, value: mb(await eventsDiskBytes(db)), unit: 'MB' },
    { key: `${engine}.disk.visits_mb`, label: `${engine}: visits table`, value: mb(await size('visits')), unit: 'MB' },
    { key: `${engine}.disk.rollups_mb`, label: `${engine}: visits, daily rollups and sketches together`, value: mb(rollups), unit: 'MB' },
  ];
}

/** One day past retention, as the daily job meets it: the oldest of the 90 seeded days is dropped. */
async function retentionFigure(db: Db, engine: string): Promise<Figure> {
  await db.updateTable('organisations').set({ event_retention_days: 89 }).execute();
  const started = performance.now();
  const results = await enforceRetention(db, new Date());
  const seconds = (performance.now() - started) / 1000;
  const deleted = results.reduce((sum, result) => sum + result.eventsDeleted, 0);
  return { key: `${engine}.retention.seconds`, label: `${engine}: daily retention run (${deleted.toLocaleString('en-US')} events of the oldest days)`, value: Number(seconds.toFixed(2)), unit: 's' };
}

async function measureExport(server: SamtykkeProcess, get: (path: string) => Promise<Response>, siteId: number, records: number, progress: Progress): Promise<Figure[]> {
  const pid = await serverPid(new URL(server.url).port);
  const before = await residentMb(pid);
  let peak = before;
  const sampler = setInterval(() => void residentMb(pid).then((mb) => (peak = Math.max(peak, mb))), 50);
  const started = performance.now();
  const response = await get(`/api/admin/records/export.csv?site=${siteId}`);
  if (!response.ok || !response.body) throw new Error(`Export answered ${response.status}`);
  let lines = 0;
  let bytes = 0;
  const reader = response.body.getReader();
  for (let chunk = await reader.read(); !chunk.done; chunk = await reader.read()) {
    bytes += chunk.value.length;
    for (const byte of chunk.value) if (byte === 10) lines += 1;
  }
  const seconds = (performance.now() - started) / 1000;
  clearInterval(sampler);
  peak = Math.max(peak, await residentMb(pid));
  const exported = lines - 1;
  progress(`export: ${exported.toLocaleString('en-US')} records, ${(bytes / 1e6).toFixed(0)} MB in ${seconds.toFixed(1)} s`);
  if (exported !== records) throw new Error(`The export held ${exported} records, not ${records}`);
  return [
    { key: 'postgres.export.records_per_s', label: 'CSV export rate', value: Math.round(exported / seconds), unit: 'records/s' },
    { key: 'postgres.export.seconds', label: `CSV export of ${exported.toLocaleString('en-US')} records`, value: Number(seconds.toFixed(1)), unit: 's' },
    { key: 'postgres.export.rss_before_mb', label: 'server memory before the export', value: before, unit: 'MB' },
    { key: 'postgres.export.rss_peak_mb', label: 'server peak memory during the export', value: peak, unit: 'MB' },
  ];
}

interface DashboardSettings {
  readonly events: number;
  readonly records: number;
  readonly pgliteEvents: number;
  readonly runs: number;
  readonly ingestSeconds: number;
}

async function withDb<T>(database: BenchDatabase, use: (db: Db) => Promise<T>): Promise<T> {
  const db = await createDb(database.config);
  try {
    return await use(db);
  } finally {
    await db.destroy();
  }
}

async function measurePostgres(settings: DashboardSettings, env: BenchEnv, report: ScenarioReport, progress: Progress): Promise<void> {
  const database = await createBenchDatabase('postgres', env.databaseUrl ?? DEFAULT_DATABASE_URL);
  report.notes.push(database.description);
  try {
    const seeded = await withDb(database, (db) => seed(db, settings.events, settings.records, progress));
    const large = settings.events >= 50_000_000;
    report.figures.push(
      { key: 'postgres.seed.seconds', label: `PostgreSQL: seeding ${settings.events.toLocaleString('en-US')} events and ${settings.records.toLocaleString('en-US')} records`, value: Number(seeded.seedSeconds.toFixed(1)), unit: 's' },
      { key: 'postgres.build.seconds', label: 'PostgreSQL: building visits, rollups and sketches from them', value: Number(seeded.buildSeconds.toFixed(1)), unit: 's' },
    );
    const server = await startSamtykke(database);
    try {
      const get = await signIn(server);
      const overview = (query: string) => `/api/admin/sites/${seeded.siteId}/usage/overview?${query}`;
      const label = `${settings.events.toLocaleString('en-US')} events`;
      const unfiltered = await latency(get, overview('period=30d'), settings.runs, progress);
      report.figures.push(...(large ? latencyFigures('postgres.overview_30d_large', `30-day overview, ${label}`, unfiltered, TARGETS.large30) : latencyFigures('postgres.overview_30d', `30-day overview, ${label}`, unfiltered, TARGETS.overview30.p50, TARGETS.overview30.p99)));
      for (const call of FILTERED_CALLS) {
        report.figures.push(...latencyFigures(`postgres.overview_30d_${call.key}`, `30-day overview ${call.label}`, await latency(get, overview(`period=30d${call.query}`), settings.runs, progress), TARGETS.filtered30));
      }
      const sites = `/api/admin/sites/${seeded.siteId}`;
      report.figures.push(...latencyFigures('postgres.goals_30d', '30-day goals panel (5 goals, one with a property)', await latency(get, `${sites}/goals/conversions?period=30d`, settings.runs, progress), TARGETS.goals30));
      report.figures.push(...latencyFigures('postgres.funnel_30d', '30-day funnel of 4 steps', await latency(get, `${sites}/funnels/${seeded.funnelId}/figures?period=30d`, settings.runs, progress), TARGETS.funnel30));
      report.figures.push(...latencyFigures('postgres.overview_7d', '7-day overview', await latency(get, overview('period=7d'), settings.runs, progress), TARGETS.overview7));
      report.figures.push(...latencyFigures('postgres.overview_today', '"today" overview', await latency(get, overview('period=today'), settings.runs, progress), TARGETS.today));

      // Before the ingest load, whose decision pool would add records to the export.
      if (settings.records > 0) report.figures.push(...(await measureExport(server, get, seeded.siteId, settings.records, progress)));
      progress(`collector: events for ${settings.ingestSeconds} s against this server, and the bare floor`);
      const ingest = await measureEventIngest(server, { engines: ['postgres'], durationSeconds: settings.ingestSeconds, connections: 50, prefill: 0, decisionPool: 1_000 });
      const stored = ingest.events.acknowledged.count / ingest.events.durationSeconds;
      report.figures.push(
        { key: 'floor.answered_per_s', label: 'floor: requests/s (bare hono 204)', value: Math.round(ingest.floor.answeredPerSecond), unit: '/s', ratio: 1 },
        { key: 'postgres.ingest.events_per_s', label: 'collector: events/s accepted, rollups kept at ingest', value: Math.round(stored), unit: '/s', ratio: stored / ingest.floor.answeredPerSecond, target: { kind: 'min', value: TARGETS.ingestRatio, of: 'ratio' } },
      );
    } finally {
      await server.stop();
    }
    report.figures.push(...(await withDb(database, async (db) => [...(await diskFigures(db, 'postgres')), await retentionFigure(db, 'postgres')])));
  } finally {
    await database.drop();
  }
}

async function measurePglite(settings: DashboardSettings, env: BenchEnv, report: ScenarioReport, progress: Progress): Promise<void> {
  const database = await createBenchDatabase('pglite', env.databaseUrl ?? DEFAULT_DATABASE_URL);
  report.notes.push(`PGlite: ${database.description}`);
  try {
    const seeded = await withDb(database, (db) => seed(db, settings.pgliteEvents, 0, progress));
    report.figures.push(
      { key: 'pglite.seed.seconds', label: `PGlite: seeding ${settings.pgliteEvents.toLocaleString('en-US')} events`, value: Number(seeded.seedSeconds.toFixed(1)), unit: 's' },
      { key: 'pglite.build.seconds', label: 'PGlite: building visits, rollups and sketches from them', value: Number(seeded.buildSeconds.toFixed(1)), unit: 's' },
    );
    const server = await startSamtykke(database);
    try {
      const get = await signIn(server);
      const measured = await latency(get, `/api/admin/sites/${seeded.siteId}/usage/overview?period=30d`, settings.runs, progress);
      report.figures.push(...latencyFigures('pglite.overview_30d', `PGlite: 30-day overview, ${settings.pgliteEvents.toLocaleString('en-US')} events`, measured, TARGETS.pglite30));
    } finally {
      await server.stop();
    }
    report.figures.push(...(await withDb(database, async (db) => [...(await diskFigures(db, 'pglite')), await retentionFigure(db, 'pglite')])));
  } finally {
    await database.drop();
  }
}

async function run(values: OptionValues, env: BenchEnv): Promise<ScenarioReport> {
  const settings: DashboardSettings = {
    events: positiveInteger(values, 'events', 5_000_000),
    records: positiveInteger(values, 'records', 1_000_000, 0),
    pgliteEvents: positiveInteger(values, 'pglite-events', 1_000_000, 0),
    runs: positiveInteger(values, 'runs', 20),
    ingestSeconds: positiveInteger(values, 'ingest-duration', 10),
  };
  const progress = progressLog('dashboard');
  const report: ScenarioReport = {
    settings: { events: settings.events, records: settings.records, pglite_events: settings.pgliteEvents, runs: settings.runs, ingest_duration_s: settings.ingestSeconds },
    figures: [],
    notes: [
      `${settings.events.toLocaleString('en-US')} events over 90 days on one site (${(settings.events / EVENTS_PER_VISIT).toLocaleString('en-US')} visits of ${EVENTS_PER_VISIT} events, ${VISITS_PER_VISITOR} visits a visitor); the 30-day window holds a third.`,
      'Each latency is over the given number of calls after one warm-up call; the filters keep about 6 % (a page) and 20 % (a referrer) of the visits.',
      'Visitors over more than one day are HyperLogLog estimates (standard error 0.8 %); every other figure is exact.',
      'Memory is the server process resident set (VmRSS), sampled every 50 ms while the CSV streamed.',
    ],
  };
  await measurePostgres(settings, env, report, progress);
  if (settings.pgliteEvents > 0) await measurePglite(settings, env, report, progress);
  return report;
}

export const dashboardScenario: Scenario = {
  summary: 'dashboard API: overview latencies on PostgreSQL and PGlite, ingest beside them, retention, CSV export',
  help: [
    '--events N          events seeded on PostgreSQL over 90 days (default 5000000; 50000000 for the large target)',
    '--records N         consent records to export (default 1000000; 0 skips the export)',
    '--pglite-events N   events seeded on PGlite (default 1000000; 0 skips PGlite)',
    '--runs N            calls measured per figure after a warm-up (default 20)',
    '--ingest-duration S seconds of event load for the ingest figure (default 10)',
  ],
  options: { events: { type: 'string' }, records: { type: 'string' }, 'pglite-events': { type: 'string' }, runs: { type: 'string' }, 'ingest-duration': { type: 'string' } },
  run,
};
