/**
 * The client package against the real server in its own process: events queued while the server is stopped,
 * kept through an app restart (file storage), and sent with their own times once it is started again on the same
 * port; a withdrawal made while offline sends the decision and none of the queued events.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import os from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createDb } from '../../server/db/create.ts';
import { createSamtykke, type Samtykke, type SamtykkeOptions } from '../../sdk/src/index.ts';
import { fileStorage } from '../../sdk/src/file-storage.ts';
import { SamtykkeError } from '../../sdk/src/errors.ts';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts';

const ALL = { functional: true, analytics: true, ads: true };
const NONE = { functional: true, analytics: false, ads: false };

async function until(done: () => boolean, what: string, ms = 30_000): Promise<void> {
  const deadline = Date.now() + ms;
  while (!done()) {
    if (Date.now() > deadline) throw new Error(`Timed out waiting for ${what}`);
    await new Promise((resolve) => setTimeout(resolve, 25));
  }
}

describe('the client package with the server stopped and started again', () => {
  let folder: string;
  let server: ServerProcess;
  const env = (): Record<string, string> => ({ SAMTYKKE_DATA_DIR: path.join(folder, 'data'), SAMTYKKE_RATE_LIMIT: '0', SAMTYKKE_WORKERS: '1' });
  const errors: SamtykkeError[] = [];

  beforeAll(async () => {
    folder = mkdtempSync(path.join(os.tmpdir(), 'samtykke-sdk-offline-'));
    server = await startServerProcess(env());
  });
  afterAll(async () => {
    await server.stop();
    rmSync(folder, { recursive: true, force: true });
  });

  function options(storageFile: string): SamtykkeOptions {
    return {
      endpoint: server.url,
      site: 'app',
      policyVersion: 1,
      functionalRequired: true,
      storage: fileStorage(path.join(folder, storageFile)),
      batchDelayMs: 20,
      retry: { minMs: 50, maxMs: 400 },
      onError: (error) => errors.push(error),
    };
  }

  it('queues events while the server is down, keeps them through a restart of the app, and sends them with their own times', async () => {
    const app: Samtykke = await createSamtykke(options('app.json'));
    const leaving: Samtykke = await createSamtykke(options('leaving.json'));
    expect(app.choices()).toBeNull();
    expect(() => app.screen('oversikt')).toThrow(expect.objectContaining({ code: 'consent_required' }));

    const seen: unknown[] = [];
    app.onChange((choices) => seen.push(choices));
    await app.decide(ALL, { screen: 'app://min-side/samtykke' });
    expect(seen).toEqual([ALL]);
    await leaving.decide(ALL);
    await app.screen('app://min-side/oversikt');
    await until(() => app.pending().decisions + app.pending().events + leaving.pending().decisions === 0, 'the first decisions and event');

    await server.stop();
    const offlineFrom = Date.now();
    await app.screen('abonnement');
    await app.track('invoice_downloaded', { props: { format: 'pdf' } });
    await app.screen('Min side/Faktura', { referrer: 'https://www.google.com/' });
    await leaving.screen('abonnement');
    await leaving.track('cancelled');
    // The user withdraws while offline: the queued events go at once, the decision waits for the server.
    await leaving.decide(NONE);
    expect(leaving.pending()).toEqual({ decisions: 1, events: 0 });
    await new Promise((resolve) => setTimeout(resolve, 300));
    expect(app.pending()).toEqual({ decisions: 0, events: 3 });
    const offlineUntil = Date.now();

    // The app is closed and opened again: the same consent ID, choices and queue come back from storage.
    const { consentId } = app;
    await app.close();
    const reopened = await createSamtykke(options('app.json'));
    expect(reopened.consentId).toBe(consentId);
    expect(reopened.choices()).toEqual(ALL);
    expect(reopened.pending()).toEqual({ decisions: 0, events: 3 });

    server = await startServerProcess(env(), { port: server.port });
    await until(() => reopened.pending().events === 0 && leaving.pending().decisions === 0, 'the queue after the server is back');
    await reopened.close();
    await leaving.close();
    expect(errors).toEqual([]);

    // PGlite lives inside the server process: its data folder is read once the server has stopped.
    await server.stop();
    const db = await createDb({ engine: 'pglite', dataDir: path.join(folder, 'data') });
    try {
      const events = await db.selectFrom('events').select(['type', 'name', 'path', 'referrer_host', 'props', 'occurred_at']).where('consent_id', '=', consentId).orderBy('occurred_at').execute();
      expect(events.map(({ type, name, path, referrer_host }) => [type, name, path, referrer_host])).toEqual([
        ['pageview', null, '/oversikt', null],
        ['pageview', null, '/abonnement', null],
        ['custom', 'invoice_downloaded', '/abonnement', null],
        ['pageview', null, '/Min%20side/Faktura', 'google.com'],
      ]);
      // Stored when they happened on the device, not when the server got them after it came back.
      for (const event of events.slice(1)) {
        expect(event.occurred_at.getTime()).toBeGreaterThanOrEqual(offlineFrom - 1_000);
        expect(event.occurred_at.getTime()).toBeLessThanOrEqual(offlineUntil + 1_000);
      }
      const leftEvents = await db.selectFrom('events').select('path').where('consent_id', '=', leaving.consentId).execute();
      expect(leftEvents).toEqual([]);
      const decisions = await db.selectFrom('consent_records').select(['consent_id', 'action', 'analytics', 'page_url']).where('consent_id', 'in', [consentId, leaving.consentId]).orderBy('id').execute();
      expect(decisions).toEqual([
        { consent_id: consentId, action: 'accept_all', analytics: true, page_url: 'app://min-side/samtykke' },
        { consent_id: leaving.consentId, action: 'accept_all', analytics: true, page_url: null },
        { consent_id: leaving.consentId, action: 'withdraw', analytics: false, page_url: null },
      ]);
    } finally {
      await db.destroy();
    }
  });
});
