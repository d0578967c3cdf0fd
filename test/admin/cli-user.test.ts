import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, describe, expect, it } from 'vitest';
import { createDb } from '../../server/db/create.ts';
import { migrateToLatest } from '../../server/db/migrate.ts';
import { verifyPassword } from '../../server/domain/password.ts';
import { createOrganisation } from '../../server/queries/organisation.ts';

const run = promisify(execFile);

describe('samtykke user add', () => {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'samtykke-cli-'));
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  it('creates the first admin from the command line with the password from the environment', async () => {
    const config = { engine: 'pglite', dataDir } as const;
    const setup = await createDb(config);
    await migrateToLatest(setup);
    await createOrganisation(setup, 'Kunde AS');
    await setup.destroy();

    const env = { ...process.env, DATABASE_URL: '', SAMTYKKE_DATA_DIR: dataDir, SAMTYKKE_USER_PASSWORD: 'a long enough password' };
    const cli = (...args: string[]) => run('npx', ['tsx', 'server/cli/main.ts', 'user', ...args], { env }).catch((error: { code: number; stderr: string }) => error);
    const created = await cli('add', '--org', 'Kunde AS', '--email', 'Sjef@Kunde.no', '--role', 'admin,privacy_officer');
    expect(created).toMatchObject({ stdout: expect.stringContaining('Created sjef@kunde.no (admin, privacy_officer) in Kunde AS') });
    expect(await cli('add', '--org', 'Kunde AS', '--email', 'x@kunde.no', '--role', 'owner')).toMatchObject({ code: 2, stderr: expect.stringContaining('Unknown role owner') });

    const db = await createDb(config);
    const user = await db.selectFrom('users').selectAll().executeTakeFirstOrThrow();
    expect(user).toMatchObject({ email: 'sjef@kunde.no', roles: ['admin', 'privacy_officer'] });
    expect(await verifyPassword('a long enough password', user.password_hash)).toBe(true);
    await db.destroy();
  });
});
