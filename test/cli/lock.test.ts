/** The command line beside a running server on embedded PGlite: refused while the server holds the folder, fine after. */
import { existsSync, readFileSync, writeFileSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';
import { afterEach, describe, expect, it } from 'vitest';
import { LOCK_FILE_NAME } from '../../server/db/data-dir-lock.ts';
import { listOrganisations } from '../../server/queries/organisation.ts';
import { listUsers } from '../../server/queries/users.ts';
import { startServerProcess, type ServerProcess } from '../helpers/server-process.ts';
import { createCliDatabase, deadPid, type CliDatabase } from './cli-process.ts';
import { seededCliDatabase } from './fixtures.ts';

describe('samtykke on a PGlite data folder a server holds', () => {
  let database: CliDatabase;
  let server: ServerProcess | null = null;
  afterEach(async () => {
    await server?.stop();
    server = null;
    await database.drop();
  });

  it('refuses to add a user while the server runs, naming its pid, and adds it once the server stopped', async () => {
    database = await seededCliDatabase('pglite', { withSite: false });
    const lockPath = path.join(database.dataDir!, LOCK_FILE_NAME);
    const addUser = () => database.run('user', 'add', '--org', 'Kunde AS', '--email', 'sjef@kunde.no', '--role', 'admin');

    server = await startServerProcess({ ...database.env, SAMTYKKE_DEMO: 'false' });
    expect(JSON.parse(readFileSync(lockPath, 'utf8'))).toMatchObject({ pid: server.pid, hostname: hostname() });
    const refused = await addUser();
    expect(refused.code).toBe(1);
    expect(refused.stdout).toBe('');
    expect(refused.stderr).toContain(`is in use by server listening on ${server.url} (pid ${server.pid} on this machine, since `);
    expect(refused.stderr).toContain(`Stop it first (Ctrl-C in its terminal, or kill ${server.pid}), then run this again`);
    expect(refused.stderr).toContain(`If no Samtykke process is running, delete ${lockPath}.`);
    expect(refused.stderr).not.toMatch(/^\s+at /m);

    expect(await server.stop()).toBe(0);
    server = null;
    expect(existsSync(lockPath)).toBe(false);
    expect(await addUser()).toMatchObject({ code: 0, stdout: expect.stringContaining('Created sjef@kunde.no (admin) in Kunde AS') });
    await database.inspect(async (db) => {
      // Exactly one: the refused run created nothing, in the server's copy or its own.
      expect((await listUsers(db, 1)).map((user) => user.email)).toEqual(['sjef@kunde.no']);
    });
    expect(existsSync(lockPath)).toBe(false);
  });

  it('takes over a lock left by a process that no longer runs', async () => {
    database = await createCliDatabase('pglite');
    const lockPath = path.join(database.dataDir!, LOCK_FILE_NAME);
    // As a server killed with SIGKILL leaves it.
    const holder = { pid: await deadPid(), hostname: hostname(), startedAt: '2026-12-01T08:00:00.000Z', description: 'server/main.ts' };
    writeFileSync(lockPath, JSON.stringify(holder));

    expect(await database.run('org', 'add', 'Kunde AS')).toMatchObject({ code: 0, stdout: expect.stringContaining('Created organisation 1 (Kunde AS)') });
    expect(existsSync(lockPath)).toBe(false);
    await database.inspect(async (db) => expect((await listOrganisations(db)).map((organisation) => organisation.name)).toEqual(['Kunde AS']));
  });
});
