/**
 * The dashboard benchmark (issue 4), on PostgreSQL: one site with millions of events over 90 days and a million
 * consent records, served by the real server process. Figures: the median latency of the 30-day overview call
 * (every panel, totals, comparison, chart), and the CSV export rate and the server's peak memory for the export.
 */
import { readdir, readFile } from 'node:fs/promises';
import { sql } from 'kysely';
import { createDb, type Db } from '../server/db/create.ts';
import { migrateToLatest } from '../server/db/migrate.ts';
import { seedDemo } from '../server/demo/seed.ts';
import { createUser } from '../server/queries/users.ts';
import { createBenchDatabase, DEFAULT_DATABASE_URL } from './lib/databases.ts';
import { progressLog, type Progress } from './lib/progress.ts';
import type { Figure, ScenarioReport } from './lib/report.ts';
import { BENCH_PUBLIC_URL, startSamtykke } from './lib/samtykke.ts';
import { positiveInteger, type BenchEnv, type OptionValues, type Scenario } from './lib/scenario.ts';

const SITE = 'min-bedrift';
const EMAIL = 'bench@samtykke.bench.test';
const PASSWORD = 'benchmark password 1';
const INSERT_CHUNK = 500_000;
const EVENTS_PER_VISIT = 4;
const VISITS_PER_VISITOR = 3;
const NINETY_DAYS_S = 90 * 86_400;

/**
 * Deterministic but spread-out synthetic traffic, written by the database itself (generate_series) so seeding
 * millions of rows takes seconds rather than the collector's real-time pace: visits of four events, 60 pages,
 * a tenth of them custom events with a property, referrers, campaigns, ad clicks, browsers, systems, devices.
 */
async function seedEvents(db: Db, siteId: number, total: number, progress: Progress): Promise<void> {
  for (let start = 1; start <= total; start += INSERT_CHUNK) {
    const end = Math.min(total, start + INSERT_CHUNK - 1);
    await sql`
      insert into events (site_id, occurred_at, consent_id, session_id, type, name, path, referrer_host,
        utm_source, utm_medium, utm_campaign, ad_click, browser, os, device, props)
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
        locale, page_url, browser, os, device, account, recorded_at, client_hash, prev_hash, hash)
      select ${siteId}, g, 'visitor-' || g, 1, true, g % 3 <> 0, g % 2 = 0,
        case when g % 3 = 0 then 'reject_all' when g % 2 = 0 then 'accept_all' else 'custom' end,
        (array['banner', 'preferences', 'gpc'])[1 + g % 3], 'nb', 'https://portal.example/side-' || (g % 60),
        'Chrome', 'Windows', 'desktop', case when g % 5 = 0 then 'Kunde ' || (g % 100) || ' AS' end,
        now() - make_interval(secs => (g * 2654435761::bigint) % ${NINETY_DAYS_S}),
        md5(g::text), encode(sha256(((g - 1)::text)::bytea), 'hex'), encode(sha256((g::text)::bytea), 'hex')
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

function median(values: readonly number[]): number {
  const sorted = [...values].sort((a, b) => a - b);
  return sorted[Math.floor(sorted.length / 2)]!;
}

async function run(values: OptionValues, env: BenchEnv): Promise<ScenarioReport> {
  const events = positiveInteger(values, 'events', 5_000_000);
  const records = positiveInteger(values, 'records', 1_000_000);
  const runs = positiveInteger(values, 'runs', 7);
  const progress = progressLog('dashboard');
  const database = await createBenchDatabase('postgres', env.databaseUrl ?? DEFAULT_DATABASE_URL);
  try {
    const db = await createDb(database.config);
    let siteId: number;
    try {
      await migrateToLatest(db);
      const demo = await seedDemo(db, BENCH_PUBLIC_URL);
      siteId = demo.sites.find((site) => site.key === SITE)!.id;
      await createUser(db, { organisationId: demo.organisationId, email: EMAIL, name: 'Bench', roles: ['analyst', 'privacy_officer'], password: PASSWORD });
      await seedEvents(db, siteId, events, progress);
      await seedConsentRecords(db, siteId, records, progress);
      await sql`analyze`.execute(db);
    } finally {
      await db.destroy();
    }

    const server = await startSamtykke(database);
    try {
      const pid = await serverPid(new URL(server.url).port);
      const login = await fetch(`${server.url}/api/admin/session/login`, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ email: EMAIL, password: PASSWORD }),
      });
      if (!login.ok) throw new Error(`Login answered ${login.status}: ${await login.text()}`);
      const cookie = login.headers.get('set-cookie')!.split(';')[0]!;
      const get = (path: string) => fetch(`${server.url}${path}`, { headers: { cookie } });

      const latencies: number[] = [];
      // The first call warms the server's and the database's caches; it is not counted.
      for (let attempt = 0; attempt <= runs; attempt++) {
        const started = performance.now();
        const response = await get(`/api/admin/sites/${siteId}/usage/overview?period=30d`);
        if (!response.ok) throw new Error(`Overview answered ${response.status}: ${await response.text()}`);
        await response.arrayBuffer();
        if (attempt > 0) latencies.push(performance.now() - started);
        progress(`overview call ${attempt}: ${Math.round(performance.now() - started)} ms${attempt === 0 ? ' (warm-up)' : ''}`);
      }

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

      const figures: Figure[] = [
        { key: 'postgres.overview.median_ms', label: `30-day overview, median of ${runs}`, value: Math.round(median(latencies)), unit: 'ms' },
        { key: 'postgres.overview.max_ms', label: '30-day overview, slowest', value: Math.round(Math.max(...latencies)), unit: 'ms' },
        { key: 'postgres.export.records_per_s', label: 'CSV export rate', value: Math.round(exported / seconds), unit: 'records/s' },
        { key: 'postgres.export.seconds', label: `CSV export of ${exported.toLocaleString('en-US')} records`, value: Number(seconds.toFixed(1)), unit: 's' },
        { key: 'postgres.export.rss_before_mb', label: 'server memory before the export', value: before, unit: 'MB' },
        { key: 'postgres.export.rss_peak_mb', label: 'server peak memory during the export', value: peak, unit: 'MB' },
      ];
      return {
        settings: { events, records, runs, engine: 'postgres' },
        figures,
        notes: [
          database.description,
          `${events.toLocaleString('en-US')} events over 90 days on one site (${(events / EVENTS_PER_VISIT).toLocaleString('en-US')} visits); the 30-day window holds about a third.`,
          'Memory is the server process resident set (VmRSS), sampled every 50 ms while the CSV streamed.',
        ],
      };
    } finally {
      await server.stop();
    }
  } finally {
    await database.drop();
  }
}

export const dashboardScenario: Scenario = {
  summary: 'dashboard API on PostgreSQL: 30-day overview latency and CSV export rate and memory',
  help: ['--events N   events seeded over 90 days (default 5000000)', '--records N  consent records to export (default 1000000)', '--runs N     overview calls measured (default 7)'],
  options: { events: { type: 'string' }, records: { type: 'string' }, runs: { type: 'string' } },
  run,
};
