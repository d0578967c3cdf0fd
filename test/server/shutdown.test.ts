/** SIGTERM: the server stops taking requests, stores everything it accepted, and exits cleanly. */
import { spawn } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { SERVER_ENTRY } from '../../server/build.ts';
import { createDb } from '../../server/db/create.ts';
import type { DatabaseConfig } from '../../server/config.ts';
import { createTestDatabase, engines, type TestDatabase } from '../helpers/database.ts';
import { DESKTOP_USER_AGENT } from '../helpers/browser.ts';
import { consentRequest, newConsentId } from '../helpers/requests.ts';

const PORT_BASE = 18_600 + Math.floor(Math.random() * 300);

describe.each(engines)('graceful shutdown on %s', (engine) => {
  const cleanups: Array<() => Promise<void> | void> = [];
  afterEach(async () => {
    for (const cleanup of cleanups.splice(0).reverse()) await cleanup();
  });

  async function databaseFor(): Promise<{ env: Record<string, string>; config: DatabaseConfig }> {
    if (engine === 'pglite') {
      const dataDir = mkdtempSync(path.join(tmpdir(), 'samtykke-shutdown-'));
      cleanups.push(() => rmSync(dataDir, { recursive: true, force: true }));
      return { env: { SAMTYKKE_DATA_DIR: dataDir }, config: { engine: 'pglite', dataDir } };
    }
    const database: TestDatabase = await createTestDatabase('postgres');
    await database.db.destroy();
    cleanups.push(() => database.drop());
    const url = (database.config as { url: string }).url;
    return { env: { DATABASE_URL: url }, config: database.config };
  }

  it('stores every event it answered 202 before SIGTERM, then exits 0', async () => {
    const { env, config } = await databaseFor();
    const port = PORT_BASE + (engine === 'pglite' ? 0 : 1);
    const origin = `http://127.0.0.1:${port}`;
    const child = spawn(process.execPath, [SERVER_ENTRY], {
      env: { ...process.env, ...env, DATABASE_URL: env.DATABASE_URL ?? '', SAMTYKKE_DEMO_TRAFFIC: 'false', PORT: String(port), HOST: '127.0.0.1', SAMTYKKE_PUBLIC_URL: origin, SAMTYKKE_RATE_LIMIT: '0', SAMTYKKE_EVENT_FLUSH_MS: '2000' },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    child.stdout.on('data', (chunk) => (output += chunk));
    child.stderr.on('data', (chunk) => (output += chunk));
    const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)));
    cleanups.push(() => void child.kill('SIGKILL'));
    await expect.poll(() => output, { timeout: 90_000 }).toContain('Samtykke is listening');

    const send = (pathname: string, body: unknown) =>
      fetch(`${origin}${pathname}`, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'text/plain', origin, 'user-agent': DESKTOP_USER_AGENT } });
    const consentId = newConsentId();
    expect((await send('/api/consent', consentRequest({ consentId }))).status).toBe(201);

    const sendBatch = (wave: string, i: number) => {
      const events = Array.from({ length: 5 }, (_, n) => ({ type: 'custom', name: `${wave}_${i}_${n}`, url: `${origin}/p` }));
      return send('/api/events', { site: 'min-side', consentId, events }).then((response) => response.status, () => 0);
    };
    // A 2 s flush interval keeps the first wave in memory when SIGTERM arrives: only the drain can store it.
    const firstWave = await Promise.all(Array.from({ length: 100 }, (_, i) => sendBatch('before', i)));
    expect(firstWave.every((status) => status === 202)).toBe(true);
    child.kill('SIGTERM');
    // Requests that arrive during shutdown are either stored (202) or refused, never accepted and dropped.
    const secondWave = await Promise.all(Array.from({ length: 100 }, (_, i) => sendBatch('during', i)));
    const statuses = [...firstWave, ...secondWave];
    expect(await exited).toBe(0);
    expect(output).toContain('Stopped cleanly');

    const accepted = statuses.filter((status) => status === 202).length * 5;
    const db = await createDb(config);
    try {
      const { count } = await db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
      expect(Number(count)).toBe(accepted);
    } finally {
      await db.destroy();
    }
  });
});
