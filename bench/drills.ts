/**
 * `npm run bench -- drills` (issue 10): the failures a collector must live through, each under a steady load of
 * decisions and events, on a PostgreSQL cluster of the run's own (started, stopped and started again by the run,
 * never the shared server) and the real server in its own processes:
 *
 * - outage: PostgreSQL stopped for 60 s while the load goes on, then started again;
 * - kill -9: every server process killed at once mid-load, then a new start on the same database and data folder;
 * - SIGTERM: the server stopped mid-load, as a deploy does.
 *
 * Every request carries its own ID, so "lost" is exact: answered 2xx, not stored once the server stored what it
 * could. The test suite runs shorter forms of the same (test/server/journal.test.ts, workers.test.ts).
 */
import { execFileSync } from 'node:child_process';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { createDb, type Db } from '../server/db/create.ts';
import { migrateToLatest } from '../server/db/migrate.ts';
import { seedDemo } from '../server/demo/seed.ts';
import { verifySiteChain } from '../server/queries/consent-records.ts';
import { TEST_ORIGIN } from '../test/helpers/app.ts';
import { startPrivatePostgres, type PrivatePostgres } from '../test/helpers/private-postgres.ts';
import { consentRequest, eventsRequest, newConsentId } from '../test/helpers/requests.ts';
import { startServerProcess, type ServerProcess } from '../test/helpers/server-process.ts';
import { DESKTOP_USER_AGENT } from '../test/helpers/browser.ts';
import { progressLog, type Progress } from './lib/progress.ts';
import type { Figure, ScenarioReport } from './lib/report.ts';
import { positiveInteger, type OptionValues, type Scenario } from './lib/scenario.ts';

const SITE = 'min-side';
// An answer slower than this is counted as none: the client gave up, and may not know what happened.
const ANSWER_LIMIT_MS = 30_000;
// How long the server may take to store what it acknowledged once the database is back.
const CATCH_UP_LIMIT_MS = 120_000;

interface Settings {
  readonly rate: number;
  readonly outageSeconds: number;
  readonly workers: number;
}

/** One request of the load and how it was answered: a status, or 0 for no answer within ANSWER_LIMIT_MS. */
interface Sent {
  readonly id: string;
  readonly at: number;
  status: number;
}

interface Load {
  readonly decisions: Sent[];
  readonly events: Sent[];
  /** Stops sending and waits for every answer. */
  stop(): Promise<void>;
}

/**
 * Sends `rate` decisions and `rate` events a second, each on schedule whatever the answers before it (an open loop:
 * a stall piles requests up instead of slowing the load). Events are sent for consent IDs granted beforehand.
 */
function steadyLoad(server: () => ServerProcess, rate: number, granted: readonly string[]): Load {
  const decisions: Sent[] = [];
  const events: Sent[] = [];
  const pending = new Set<Promise<void>>();
  const send = (list: Sent[], route: string, id: string, body: unknown) => {
    const sent: Sent = { id, at: Date.now(), status: 0 };
    list.push(sent);
    const answered = fetch(`${server().url}${route}`, {
      method: 'POST',
      body: JSON.stringify(body),
      headers: { 'content-type': 'text/plain', 'user-agent': DESKTOP_USER_AGENT },
      signal: AbortSignal.timeout(ANSWER_LIMIT_MS),
    })
      .then(async (answer) => {
        await answer.arrayBuffer();
        sent.status = answer.status;
      })
      .catch(() => undefined)
      .finally(() => pending.delete(answered));
    pending.add(answered);
  };
  const started = Date.now();
  let due = 0;
  const timer = setInterval(() => {
    const now = Math.floor(((Date.now() - started) / 1000) * rate);
    for (; due < now; due++) {
      const consentId = newConsentId();
      send(decisions, '/api/consent', consentId, consentRequest({ consentId }));
      const sessionId = `drill-${due}-${newConsentId()}`;
      send(events, '/api/events', sessionId, eventsRequest(granted[due % granted.length]!, { sessionId }));
    }
  }, 5);
  return {
    decisions,
    events,
    stop: async () => {
      clearInterval(timer);
      while (pending.size > 0) await Promise.all(pending);
    },
  };
}

/** SIGTERM, and what the server printed when it did not exit 0, so a failed stop says why. */
async function stopServer(server: ServerProcess, progress: Progress, drill: string): Promise<number | null> {
  const exit = await server.stop();
  if (exit !== 0) progress(`${drill}: the server exited with ${exit}; its last output:\n${server.output().split('\n').slice(-40).join('\n')}`);
  return exit;
}

interface Counted {
  readonly sent: number;
  readonly acknowledged: number;
  /** 202 journaled (decisions) or 202 accepted (events). */
  readonly accepted202: number;
  readonly refused503: number;
  /** 5xx other than 503, and other non-2xx answers. */
  readonly otherErrors: number;
  readonly noAnswer: number;
  readonly lost: number;
}

async function storedIds(db: Db, kind: 'decisions' | 'events', ids: readonly string[]): Promise<Set<string>> {
  const found = new Set<string>();
  for (let from = 0; from < ids.length; from += 5_000) {
    const chunk = ids.slice(from, from + 5_000);
    const rows =
      kind === 'decisions'
        ? await db.selectFrom('consent_records').select('consent_id as id').where('consent_id', 'in', chunk).execute()
        : await db.selectFrom('events').select('session_id as id').where('session_id', 'in', chunk).execute();
    for (const row of rows) found.add(row.id);
  }
  return found;
}

const acknowledgedIds = (sent: readonly Sent[]) => sent.filter((request) => request.status >= 200 && request.status < 300).map((request) => request.id);

/** Waits until every acknowledged request is stored, or the limit passes; then counts. */
async function countLoad(db: Db, kind: 'decisions' | 'events', sent: readonly Sent[], waitMs: number): Promise<Counted> {
  const acknowledged = acknowledgedIds(sent);
  const deadline = Date.now() + waitMs;
  let stored = await storedIds(db, kind, acknowledged);
  while (stored.size < acknowledged.length && Date.now() < deadline) {
    await new Promise((resolve) => setTimeout(resolve, 1_000));
    stored = await storedIds(db, kind, acknowledged);
  }
  return {
    sent: sent.length,
    acknowledged: acknowledged.length,
    accepted202: sent.filter((request) => request.status === 202).length,
    refused503: sent.filter((request) => request.status === 503).length,
    otherErrors: sent.filter((request) => request.status !== 0 && request.status !== 503 && (request.status < 200 || request.status >= 300)).length,
    noAnswer: sent.filter((request) => request.status === 0).length,
    lost: acknowledged.length - stored.size,
  };
}

function countFigures(key: string, label: string, counted: Counted, lostTarget: boolean, what202: string): Figure[] {
  return [
    { key: `${key}.sent`, label: `${label}: sent`, value: counted.sent, unit: '' },
    { key: `${key}.acknowledged`, label: `${label}: answered 2xx`, value: counted.acknowledged, unit: '' },
    { key: `${key}.status_202`, label: `${label}: of those, ${what202}`, value: counted.accepted202, unit: '' },
    { key: `${key}.status_503`, label: `${label}: refused 503 with Retry-After`, value: counted.refused503, unit: '' },
    { key: `${key}.errors`, label: `${label}: other errors (5xx but 503, 4xx)`, value: counted.otherErrors, unit: '', target: { kind: 'max', value: 0, of: 'value' } },
    { key: `${key}.no_answer`, label: `${label}: no answer within ${ANSWER_LIMIT_MS / 1000} s`, value: counted.noAnswer, unit: '' },
    {
      key: `${key}.lost`,
      label: `${label}: lost (2xx, not stored)`,
      value: counted.lost,
      unit: '',
      ...(lostTarget ? { target: { kind: 'max', value: 0, of: 'value' } as const } : {}),
    },
  ];
}

interface Rig {
  readonly postgres: PrivatePostgres;
  readonly db: Db;
  readonly siteId: number;
  readonly dataDir: string;
  readonly env: Record<string, string>;
  /** Consent IDs granting analytics, recorded before any drill, for the events. */
  readonly granted: readonly string[];
  close(): Promise<void>;
}

async function startRig(settings: Settings, progress: Progress): Promise<Rig> {
  progress('starting a PostgreSQL cluster of this run (initdb, pg_ctl)');
  const postgres = await startPrivatePostgres();
  const db = await createDb({ engine: 'postgres', url: postgres.url });
  await migrateToLatest(db);
  const demo = await seedDemo(db, TEST_ORIGIN);
  const siteId = demo.sites.find((site) => site.key === SITE)!.id;
  const dataDir = await mkdtemp(path.join(os.tmpdir(), 'samtykke-drills-'));
  const env = { DATABASE_URL: postgres.url, SAMTYKKE_DATA_DIR: dataDir, SAMTYKKE_WORKERS: String(settings.workers), SAMTYKKE_RATE_LIMIT: '0', SAMTYKKE_DEMO: 'false' };
  const server = await startServerProcess(env);
  const granted = Array.from({ length: 50 }, () => newConsentId());
  for (const consentId of granted) {
    const answer = await fetch(`${server.url}/api/consent`, { method: 'POST', body: JSON.stringify(consentRequest({ consentId })) });
    if (answer.status !== 201) throw new Error(`Recording a grant before the drills answered ${answer.status}: ${await answer.text()}`);
  }
  if ((await server.stop()) !== 0) throw new Error(`The server did not stop cleanly before the drills:\n${server.output()}`);
  return {
    postgres,
    db,
    siteId,
    dataDir,
    env,
    granted,
    close: async () => {
      await db.destroy();
      await postgres.destroy();
      await rm(dataDir, { recursive: true, force: true });
    },
  };
}

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/** How long after `from` a decision is answered 201 (chained at once, not journaled) again. */
async function secondsUntilDirect(server: ServerProcess, from: number): Promise<number> {
  for (;;) {
    const answer = await fetch(`${server.url}/api/consent`, { method: 'POST', body: JSON.stringify(consentRequest()) }).catch(() => null);
    if (answer?.status === 201) return (Date.now() - from) / 1000;
    if (Date.now() - from > CATCH_UP_LIMIT_MS) return Number.POSITIVE_INFINITY;
    await sleep(250);
  }
}

async function chainFigures(rig: Rig, key: string, label: string): Promise<Figure[]> {
  const report = await verifySiteChain(rig.db, rig.siteId);
  return [
    { key: `${key}.chain_records`, label: `${label}: chain records verified`, value: report.checked, unit: '' },
    { key: `${key}.chain_breaks`, label: `${label}: chain breaks`, value: report.problem ? 1 : 0, unit: '', target: { kind: 'max', value: 0, of: 'value' } },
  ];
}

async function outageDrill(rig: Rig, settings: Settings, progress: Progress): Promise<Figure[]> {
  const server = await startServerProcess(rig.env);
  const load = steadyLoad(() => server, settings.rate, rig.granted);
  await sleep(5_000);
  progress(`outage: stopping PostgreSQL for ${settings.outageSeconds} s under ${settings.rate} decisions and ${settings.rate} events a second`);
  await rig.postgres.stop();
  await sleep(settings.outageSeconds * 1_000);
  await rig.postgres.start();
  const back = Date.now();
  progress('outage: PostgreSQL is back; the load goes on for 20 s');
  const direct = secondsUntilDirect(server, back);
  await sleep(20_000);
  await load.stop();
  const decisions = await countLoad(rig.db, 'decisions', load.decisions, CATCH_UP_LIMIT_MS);
  const events = await countLoad(rig.db, 'events', load.events, CATCH_UP_LIMIT_MS);
  const caughtUp = (Date.now() - back) / 1000;
  const exit = await stopServer(server, progress, 'outage');
  progress(`outage: ${decisions.lost} decisions and ${events.lost} events lost; the server exited with ${exit}`);
  return [
    ...countFigures('outage.decisions', `outage ${settings.outageSeconds} s, decisions`, decisions, true, 'journaled (202)'),
    ...countFigures('outage.events', `outage ${settings.outageSeconds} s, events`, events, true, 'accepted (202)'),
    { key: 'outage.direct_after_s', label: 'outage: PostgreSQL back → decisions chained at once again', value: await direct, unit: 's' },
    { key: 'outage.stored_after_s', label: 'outage: PostgreSQL back → every acknowledged request stored (≤, counted after the load)', value: caughtUp, unit: 's' },
    { key: 'outage.exit_code', label: 'outage: exit code of SIGTERM afterwards', value: exit ?? -1, unit: '', target: { kind: 'max', value: 0, of: 'value' } },
    ...(await chainFigures(rig, 'outage', 'outage')),
  ];
}

/** The server's processes: the primary and the workers it forked (and theirs). */
function processTree(pid: number): number[] {
  const parents = execFileSync('ps', ['-e', '-o', 'pid=,ppid='], { encoding: 'utf8' })
    .trim()
    .split('\n')
    .map((line) => line.trim().split(/\s+/).map(Number) as [number, number]);
  const below = (parent: number): number[] => parents.filter(([, ppid]) => ppid === parent).flatMap(([child]) => [child, ...below(child)]);
  return [pid, ...below(pid)];
}

async function killDrill(rig: Rig, settings: Settings, progress: Progress): Promise<Figure[]> {
  let server = await startServerProcess(rig.env);
  const load = steadyLoad(() => server, settings.rate, rig.granted);
  await sleep(10_000);
  const killed = processTree(server.pid);
  progress(`kill -9: killing ${killed.length} server processes at once under load`);
  for (const pid of killed) process.kill(pid, 'SIGKILL');
  await load.stop();
  server = await startServerProcess(rig.env);
  const decisions = await countLoad(rig.db, 'decisions', load.decisions, 30_000);
  const events = await countLoad(rig.db, 'events', load.events, 5_000);
  const exit = await stopServer(server, progress, 'kill -9');
  progress(`kill -9: ${decisions.lost} decisions and ${events.lost} events lost`);
  return [
    ...countFigures('kill9.decisions', 'kill -9, decisions', decisions, true, 'journaled (202)'),
    // Events wait in memory for up to SAMTYKKE_EVENT_FLUSH_MS before they are stored: kill -9 loses those.
    ...countFigures('kill9.events', 'kill -9, events', events, false, 'accepted (202)'),
    { key: 'kill9.exit_code', label: 'kill -9: exit code of the next start on SIGTERM', value: exit ?? -1, unit: '', target: { kind: 'max', value: 0, of: 'value' } },
    ...(await chainFigures(rig, 'kill9', 'kill -9')),
  ];
}

async function sigtermDrill(rig: Rig, settings: Settings, progress: Progress): Promise<Figure[]> {
  const server = await startServerProcess(rig.env);
  const load = steadyLoad(() => server, settings.rate, rig.granted);
  await sleep(10_000);
  progress('SIGTERM: stopping the server under load');
  const exit = await stopServer(server, progress, 'SIGTERM');
  await load.stop();
  const decisions = await countLoad(rig.db, 'decisions', load.decisions, 0);
  const events = await countLoad(rig.db, 'events', load.events, 0);
  progress(`SIGTERM: exit ${exit}; ${decisions.lost} decisions and ${events.lost} events lost`);
  return [
    ...countFigures('sigterm.decisions', 'SIGTERM, decisions', decisions, true, 'journaled (202)'),
    ...countFigures('sigterm.events', 'SIGTERM, events', events, true, 'accepted (202)'),
    { key: 'sigterm.exit_code', label: 'SIGTERM: exit code', value: exit ?? -1, unit: '', target: { kind: 'max', value: 0, of: 'value' } },
    ...(await chainFigures(rig, 'sigterm', 'SIGTERM')),
  ];
}

async function run(values: OptionValues): Promise<ScenarioReport> {
  const settings: Settings = {
    rate: positiveInteger(values, 'rate', 100),
    outageSeconds: positiveInteger(values, 'outage', 60),
    workers: positiveInteger(values, 'workers', os.availableParallelism()),
  };
  const progress = progressLog('drills');
  const rig = await startRig(settings, progress);
  try {
    const figures = [...(await outageDrill(rig, settings, progress)), ...(await killDrill(rig, settings, progress)), ...(await sigtermDrill(rig, settings, progress))];
    return {
      settings: { rate_per_s: settings.rate, outage_s: settings.outageSeconds, workers: settings.workers },
      figures,
      notes: [
        `Load: ${settings.rate} decisions and ${settings.rate} events (one pageview each) a second, each sent on schedule whatever came before (open loop); an answer later than ${ANSWER_LIMIT_MS / 1000} s counts as none.`,
        `PostgreSQL: a cluster of this run's own (initdb, pg_ctl as user postgres, on its own port); the server runs ${settings.workers} worker process${settings.workers > 1 ? 'es' : ''} on it with SAMTYKKE_RATE_LIMIT=0.`,
        'Lost: answered 2xx and not stored once the server stored what it could. Decisions are answered after a durable commit (201) or a synced journal line (202); events 202 are in memory for up to SAMTYKKE_EVENT_FLUSH_MS, so kill -9 may lose those, and has no target for them.',
      ],
    };
  } finally {
    await rig.close();
  }
}

export const drillsScenario: Scenario = {
  summary: 'outage, kill -9 and SIGTERM under steady load: nothing acknowledged lost (a PostgreSQL cluster of its own)',
  help: [
    '--outage S    seconds PostgreSQL is stopped (default 60)',
    '--rate N      decisions and events a second, each (default 100)',
    '--workers N   SAMTYKKE_WORKERS (default: the number of cores)',
  ],
  options: { outage: { type: 'string' }, rate: { type: 'string' }, workers: { type: 'string' } },
  run: (values) => run(values),
};
