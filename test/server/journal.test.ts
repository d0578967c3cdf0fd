/**
 * The outage journal on a PostgreSQL cluster of the test's own, stopped and started by the test: decisions and
 * events acknowledged while it is down are synced to local files, then stored in the order they arrived with
 * their original times once it is back, also by a new process after `kill -9`. The journal file itself: a torn
 * last line, a restart part-way through storing, and the size limit.
 */
import { mkdtemp, readFile, rm, writeFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import { createApp } from '../../server/app.ts';
import { loadConfig } from '../../server/config.ts';
import type { JournaledConsentReceipt, StoredConsentReceipt } from '../../server/contract.ts';
import { createDb, type Db } from '../../server/db/create.ts';
import { migrateToLatest } from '../../server/db/migrate.ts';
import { seedDemo } from '../../server/demo/seed.ts';
import { Journal } from '../../server/journal/journal.ts';
import { verifySiteChain } from '../../server/queries/consent-records.ts';
import { record } from '../admin/fixtures.ts';
import { openConsentJournal } from '../../server/collector/consent-recorder.ts';
import { ConsentWriter } from '../../server/collector/consent-writer.ts';
import { createDeps, drainDeps, type AppDeps } from '../../server/services.ts';
import { TEST_ORIGIN } from '../helpers/app.ts';
import { privatePostgresAvailable, startPrivatePostgres, type PrivatePostgres } from '../helpers/private-postgres.ts';
import { DESKTOP_USER_AGENT } from '../helpers/browser.ts';
import { consentRequest, eventsRequest, newConsentId, post } from '../helpers/requests.ts';
import { startServerProcess } from '../helpers/server-process.ts';

async function storedDecisions(db: Db, consentIds: readonly string[]) {
  return db
    .selectFrom('consent_records')
    .select(['consent_id', 'seq', 'recorded_at'])
    .where('consent_id', 'in', consentIds)
    .orderBy('seq')
    .execute();
}

describe.skipIf(!privatePostgresAvailable)('the outage journal', () => {
  let postgres: PrivatePostgres;
  let db: Db;
  let folder: string;

  beforeAll(async () => {
    postgres = await startPrivatePostgres();
    folder = await mkdtemp(path.join(tmpdir(), 'samtykke-journal-'));
    db = await createDb({ engine: 'postgres', url: postgres.url });
    await migrateToLatest(db);
    await seedDemo(db, TEST_ORIGIN);
  });
  afterAll(async () => {
    await db?.destroy();
    await postgres?.destroy();
    await rm(folder, { recursive: true, force: true });
  });

  describe('in one process', () => {
    let deps: AppDeps;
    let app: ReturnType<typeof createApp>;
    beforeAll(async () => {
      const config = loadConfig({ SAMTYKKE_PUBLIC_URL: TEST_ORIGIN, SAMTYKKE_RATE_LIMIT: '0', SAMTYKKE_DATA_DIR: ':memory:', SAMTYKKE_JOURNAL_DIR: path.join(folder, 'one'), DATABASE_URL: postgres.url });
      deps = await createDeps(config, await createDb(config.database));
      app = createApp(deps);
    });
    afterAll(async () => {
      await drainDeps(deps);
      await deps.db.destroy();
    });

    it('journals what arrives while the database is down and stores it in arrival order, with its times, once it is back', async () => {
      const granted = newConsentId();
      expect((await post(app, '/api/consent', consentRequest({ consentId: granted }))).status).toBe(201);

      const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
      await postgres.stop();
      const journaledIds: string[] = [];
      const receipts: JournaledConsentReceipt[] = [];
      for (let i = 0; i < 30; i++) {
        const consentId = newConsentId();
        const answer = await post(app, '/api/consent', consentRequest({ consentId }));
        expect(answer.status).toBe(202);
        receipts.push((await answer.json()) as JournaledConsentReceipt);
        journaledIds.push(consentId);
      }
      expect(receipts.every((receipt) => receipt.journaled === true)).toBe(true);
      // Taken into memory; the write that fails moves it to the journal, and the events after it go there at once.
      const events = await post(app, '/api/events', eventsRequest(granted));
      expect(events.status).toBe(202);
      expect(await events.json()).toEqual({ accepted: 1 });
      await expect.poll(() => deps.journals.events!.pendingEntries, { timeout: 10_000 }).toBe(1);
      const more = await post(app, '/api/events', eventsRequest(granted));
      expect(await more.json()).toEqual({ accepted: 1, journaled: true });
      // Synced before the answer: on disk now, one line each.
      const onDisk = await readFile(path.join(folder, 'one', 'consent.ndjson'), 'utf8');
      expect(onDisk.trim().split('\n')).toHaveLength(30);
      expect(deps.journals.consent!.pendingEntries).toBe(30);

      await postgres.start();
      await expect.poll(async () => (await storedDecisions(db, journaledIds)).length, { timeout: 20_000, interval: 250 }).toBe(30);
      const stored = await storedDecisions(db, journaledIds);
      expect(stored.map((row) => row.consent_id)).toEqual(journaledIds);
      expect(stored.map((row) => new Date(row.recorded_at).toISOString())).toEqual(receipts.map((receipt) => receipt.recordedAt));
      await expect.poll(async () => (await db.selectFrom('events').select('id').where('consent_id', '=', granted).execute()).length, { timeout: 20_000 }).toBe(2);
      const site = await db.selectFrom('sites').select('id').where('key', '=', 'min-side').executeTakeFirstOrThrow();
      expect((await verifySiteChain(db, site.id)).problem).toBeNull();
      await expect.poll(() => deps.journals.consent!.pendingBytes).toBe(0);
      // Once the journal is stored, decisions go straight to the chain again.
      const after = await post(app, '/api/consent', consentRequest());
      expect(after.status).toBe(201);
      expect(((await after.json()) as StoredConsentReceipt).seq).toBeGreaterThan(stored.at(-1)!.seq);
      logged.mockRestore();
    });
  });

  it('loses nothing it acknowledged when the database stops under steady load in two workers, and recovers by itself', async () => {
    const env = { DATABASE_URL: postgres.url, SAMTYKKE_DATA_DIR: path.join(folder, 'load'), SAMTYKKE_WORKERS: '2', SAMTYKKE_RATE_LIMIT: '0', SAMTYKKE_DEMO: 'false' };
    const server = await startServerProcess(env);
    const headers = { 'user-agent': DESKTOP_USER_AGENT };
    const postJson = (route: string, body: unknown) => fetch(`${server.url}${route}`, { method: 'POST', body: JSON.stringify(body), headers, signal: AbortSignal.timeout(15_000) });
    // A connection the server drops, or an answer that does not come, is no answer: counted, so the test says so with the server's log.
    const statusOf = (route: string, body: unknown) => postJson(route, body).then((answer) => answer.status, () => 0);
    // Granted before the outage, through both workers; each worker knows those it recorded or read.
    const granted = Array.from({ length: 20 }, () => newConsentId());
    for (const consentId of granted) expect((await postJson('/api/consent', consentRequest({ consentId }))).status).toBe(201);
    for (const consentId of granted) expect((await postJson('/api/events', eventsRequest(consentId))).status).toBe(202);

    const started = Date.now();
    const over = () => Date.now() - started > 9_000;
    const outage = (async () => {
      await new Promise((resolve) => setTimeout(resolve, 2_000));
      await postgres.stop();
      await new Promise((resolve) => setTimeout(resolve, 4_000));
      await postgres.start();
    })();
    const [decisions, events] = await Promise.all([
      steadyLoad(4, over, async () => {
        const consentId = newConsentId();
        return { consentId, status: await statusOf('/api/consent', consentRequest({ consentId })) };
      }),
      steadyLoad(4, over, async (n) => {
        const sessionId = `load-${n}-${newConsentId()}`;
        return { sessionId, status: await statusOf('/api/events', eventsRequest(granted[n % granted.length]!, { sessionId })) };
      }),
    ]);
    await outage;
    const statuses = new Set([...decisions, ...events].map((answer) => answer.status));
    expect([...statuses].filter((status) => status === 0 || (status >= 500 && status !== 503)), server.output()).toEqual([]);
    const acknowledgedDecisions = decisions.filter((answer) => answer.status === 201 || answer.status === 202).map((answer) => answer.consentId);
    const acknowledgedEvents = events.filter((answer) => answer.status === 202).map((answer) => answer.sessionId);
    // Some were journaled: the outage was under the load, not beside it.
    expect(decisions.some((answer) => answer.status === 202)).toBe(true);

    await expect
      .poll(async () => (await storedDecisions(db, acknowledgedDecisions)).length, { timeout: 30_000, interval: 500 })
      .toBe(acknowledgedDecisions.length);
    await expect
      .poll(async () => (await db.selectFrom('events').select('session_id').where('session_id', 'in', acknowledgedEvents).execute()).length, { timeout: 30_000, interval: 500 })
      .toBe(acknowledgedEvents.length);
    // Back by itself: decisions are chained at once again.
    await expect.poll(async () => (await postJson('/api/consent', consentRequest())).status, { timeout: 15_000, interval: 500 }).toBe(201);
    expect(await server.stop()).toBe(0);
  });

  it('stores the journals of a worker slot the next start does not run (SAMTYKKE_WORKERS lowered) before it serves', async () => {
    const dataDir = path.join(folder, 'lowered');
    const site = await db.selectFrom('sites').select('id').where('key', '=', 'min-side').executeTakeFirstOrThrow();
    // What the second of two workers journaled during an outage, written through the same journal it uses.
    await postgres.stop();
    const downDb = await createDb({ engine: 'postgres', url: postgres.url });
    const journal = await openConsentJournal(path.join(dataDir, 'journal', 'consent-1.ndjson'), downDb, new ConsentWriter(downDb));
    const journaledIds = Array.from({ length: 12 }, () => newConsentId());
    const vanish = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    await journal.append(journaledIds.map((consentId, index) => ({ siteId: site.id, record: record(consentId, { analytics: true, ads: false }, { recordedAt: new Date(Date.now() - 60_000 + index) }) })));
    await journal.close();
    vanish.mockRestore();
    await downDb.destroy();
    await postgres.start();

    const server = await startServerProcess({ DATABASE_URL: postgres.url, SAMTYKKE_DATA_DIR: dataDir, SAMTYKKE_WORKERS: '1', SAMTYKKE_RATE_LIMIT: '0', SAMTYKKE_DEMO: 'false' });
    // Stored before it listened: the start waits for them.
    expect((await storedDecisions(db, journaledIds)).map((row) => row.consent_id)).toEqual(journaledIds);
    expect(server.output()).toMatch(/Stored the outage journals of worker slot 1, which this start does not run/);
    expect(await readFile(path.join(dataDir, 'journal', 'consent-1.ndjson'), 'utf8')).toBe('');
    expect((await verifySiteChain(db, site.id)).problem).toBeNull();
    expect(await server.stop()).toBe(0);
  });

  it('stores what a process killed with SIGKILL during the outage had journaled, when the next one starts', async () => {
    const dataDir = path.join(folder, 'killed');
    const env = { DATABASE_URL: postgres.url, SAMTYKKE_DATA_DIR: dataDir, SAMTYKKE_WORKERS: '1', SAMTYKKE_RATE_LIMIT: '0', SAMTYKKE_DEMO: 'false' };
    const first = await startServerProcess(env);
    const send = (consentId: string) =>
      fetch(`${first.url}/api/consent`, { method: 'POST', body: JSON.stringify(consentRequest({ consentId })) });
    expect((await send(newConsentId())).status).toBe(201);
    await postgres.stop();
    const journaledIds: string[] = [];
    for (let i = 0; i < 25; i++) {
      const consentId = newConsentId();
      expect((await send(consentId)).status).toBe(202);
      journaledIds.push(consentId);
    }
    process.kill(first.pid, 'SIGKILL');
    await expect.poll(() => isGone(first.pid), { timeout: 10_000 }).toBe(true);
    await postgres.start();

    const second = await startServerProcess(env);
    await expect.poll(async () => (await storedDecisions(db, journaledIds)).length, { timeout: 20_000, interval: 250 }).toBe(25);
    expect((await storedDecisions(db, journaledIds)).map((row) => row.consent_id)).toEqual(journaledIds);
    expect(second.output()).toMatch(/journal .* holds 25 not stored yet/);
    expect(await second.stop()).toBe(0);
  });
});

/** Sends requests one after another on each of `lanes` until `stopAt`, keeping what each was answered. */
async function steadyLoad<T>(lanes: number, stopAt: () => boolean, send: (n: number) => Promise<T>): Promise<T[]> {
  const answers: T[] = [];
  let next = 0;
  await Promise.all(
    Array.from({ length: lanes }, async () => {
      while (!stopAt()) answers.push(await send(next++));
    }),
  );
  return answers;
}

function isGone(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return false;
  } catch {
    return true;
  }
}

describe('a journal file', () => {
  let folder: string;
  beforeAll(async () => {
    folder = await mkdtemp(path.join(tmpdir(), 'samtykke-journal-file-'));
  });
  afterAll(async () => {
    await rm(folder, { recursive: true, force: true });
  });

  const options = (file: string, store: (entries: number[]) => Promise<void>, limitBytes: number | null = null) => ({
    file,
    limitBytes,
    label: 'numbers',
    batchSize: 2,
    retryMs: 20,
    encode: (entry: number) => ({ n: entry }),
    decode: (json: unknown) => (json as { n: number }).n,
    store,
  });

  it('ignores a torn last line, resumes after what was stored, and stores each entry once', async () => {
    const file = path.join(folder, 'resume.ndjson');
    // 1 and 2 were stored before the process died; 5 was being written when it did.
    await writeFile(file, '{"n":1}\n{"n":2}\n{"n":3}\n{"n":4}\n{"n":5');
    await writeFile(`${file}.stored`, '16\n');
    const stored: number[] = [];
    const journal = await Journal.open(options(file, async (entries) => void stored.push(...entries)));
    await expect.poll(() => stored).toEqual([3, 4]);
    await journal.append([6]);
    await expect.poll(() => stored).toEqual([3, 4, 6]);
    await expect.poll(() => journal.pendingBytes).toBe(0);
    await journal.close();
    expect(await readFile(file, 'utf8')).toBe('');
  });

  it('is one holder\'s at a time: a second opener waits until the first has closed it, then stores what it left', async () => {
    const file = path.join(folder, 'held.ndjson');
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const first = await Journal.open(options(file, async () => {
      throw new Error('connect ECONNREFUSED');
    }));
    await first.append([1, 2]);
    const stored: number[] = [];
    let opened = false;
    const second = Journal.open(options(file, async (entries) => void stored.push(...entries))).then((journal) => {
      opened = true;
      return journal;
    });
    await new Promise((resolve) => setTimeout(resolve, 500));
    expect(opened).toBe(false);
    expect(logged.mock.calls.some(([line]) => /is held by .* \(pid \d+\), which is still storing it; waiting/.test(String(line)))).toBe(true);
    await first.close();
    const journal = await second;
    await expect.poll(() => stored).toEqual([1, 2]);
    await journal.close();
    logged.mockRestore();
  });

  it('keeps entries while storing fails, tries again, and refuses with 503 past its size', async () => {
    const file = path.join(folder, 'limit.ndjson');
    let down = true;
    let failures = 0;
    const stored: number[] = [];
    const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
    const journal = await Journal.open(
      options(
        file,
        async (entries) => {
          if (down) {
            failures += 1;
            throw new Error('connect ECONNREFUSED');
          }
          stored.push(...entries);
        },
        30,
      ),
    );
    await journal.append([1, 2, 3]);
    await expect(journal.append([4])).rejects.toMatchObject({ status: 503, code: 'database_unavailable', retryAfter: 30 });
    expect(journal.holding).toBe(true);
    await expect.poll(() => failures, { timeout: 5_000 }).toBeGreaterThanOrEqual(3);
    down = false;
    await expect.poll(() => stored).toEqual([1, 2, 3]);
    await journal.append([4]);
    await expect.poll(() => stored).toEqual([1, 2, 3, 4]);
    // One line while it waited, however many tries it took.
    expect(logged.mock.calls.filter(([line]) => String(line).includes('wait for the database'))).toHaveLength(1);
    logged.mockRestore();
    await journal.close();
  });
});
