/** The PGlite data folder lock in this process: who it refuses, what it takes over, and that it is always released. */
import { execFile } from 'node:child_process';
import { existsSync, mkdtempSync, readFileSync, rmSync, utimesSync, writeFileSync } from 'node:fs';
import { hostname, tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createDb } from '../../server/db/create.ts';
import { DataDirInUseError, LOCK_FILE_NAME, lockDataDir, type LockHolder } from '../../server/db/data-dir-lock.ts';
import { deadPid } from './cli-process.ts';

const execFileAsync = promisify(execFile);

describe('the data folder lock', () => {
  let dataDir: string;
  let lockPath: string;
  beforeEach(() => {
    dataDir = mkdtempSync(path.join(tmpdir(), 'samtykke-lock-'));
    lockPath = path.join(dataDir, LOCK_FILE_NAME);
  });
  afterEach(() => rmSync(dataDir, { recursive: true, force: true }));

  const readHolder = () => JSON.parse(readFileSync(lockPath, 'utf8')) as LockHolder;
  const writeHolder = (holder: Partial<LockHolder>) =>
    writeFileSync(lockPath, JSON.stringify({ pid: process.pid, hostname: hostname(), startedAt: '2026-12-01T08:00:00.000Z', description: 'server/main.ts', ...holder }));
  const refusal = (): DataDirInUseError => {
    try {
      lockDataDir(dataDir, 'samtykke user add').release();
    } catch (error) {
      if (error instanceof DataDirInUseError) return error;
      throw error;
    }
    throw new Error('The lock was taken; a refusal was expected');
  };

  it('names its holder in the file, refuses a second holder in this process, and is gone once released', () => {
    const lock = lockDataDir(dataDir, 'samtykke org add');
    expect(readHolder()).toMatchObject({ pid: process.pid, hostname: hostname(), description: 'samtykke org add', startedAt: expect.stringMatching(/^\d{4}-\d\d-\d\dT/) });
    expect(refusal().message).toContain(`The data folder ${dataDir} is already open in this process (samtykke org add`);
    lock.release();
    expect(existsSync(lockPath)).toBe(false);
    lock.release();
    const again = lockDataDir(dataDir);
    // A second release of the first lock must not remove the lock taken since.
    lock.release();
    expect(existsSync(lockPath)).toBe(true);
    again.release();
  });

  it('refuses while a live process on this machine holds it, saying whom to stop and what to delete', () => {
    // The test runner that started this worker: alive, and not us.
    writeHolder({ pid: process.ppid, description: 'server listening on http://localhost:8080' });
    const error = refusal();
    expect(error.holder.pid).toBe(process.ppid);
    expect(error.message).toBe(
      [
        `The data folder ${dataDir} is in use by server listening on http://localhost:8080 (pid ${process.ppid} on this machine, since 2026-12-01T08:00:00.000Z).`,
        'Embedded PGlite lets only one process open a data folder at a time.',
        `Stop it first (Ctrl-C in its terminal, or kill ${process.ppid}), then run this again; or run Samtykke on PostgreSQL (DATABASE_URL) so the command line can work beside a running server.`,
        `If no Samtykke process is running, delete ${lockPath}.`,
      ].join('\n'),
    );
    // Refusing leaves the holder's file as it was.
    expect(readHolder().pid).toBe(process.ppid);
  });

  it('counts a process it may not signal (EPERM) as alive, and a holder on another machine as holding it', () => {
    writeHolder({ pid: 1 });
    expect(refusal().holder.pid).toBe(1);
    writeHolder({ pid: process.ppid, hostname: 'another-container' });
    expect(refusal().message).toContain(`(pid ${process.ppid} on the machine or container "another-container", which cannot be checked from here`);
  });

  it('takes over a lock whose process is gone, one naming our pid that we did not take, and an unreadable one', async () => {
    const stale: Array<() => void> = [
      () => writeHolder({ pid: 0 }),
      () => writeFileSync(lockPath, ''),
      () => writeFileSync(lockPath, '{"pid": "twelve"'),
      // A previous process that had our pid, as after a container restart.
      () => writeHolder({ pid: process.pid }),
    ];
    const pid = await deadPid();
    stale.push(() => writeHolder({ pid }));
    for (const leave of stale) {
      leave();
      // An unreadable file is given a moment in case its holder is writing it; an old one is not.
      utimesSync(lockPath, new Date(Date.now() - 60_000), new Date(Date.now() - 60_000));
      const lock = lockDataDir(dataDir, 'samtykke site list');
      expect(readHolder()).toMatchObject({ pid: process.pid, description: 'samtykke site list' });
      lock.release();
    }
  });

  it('is released when the process exits without releasing it', async () => {
    const script = `import { lockDataDir } from './server/db/data-dir-lock.ts'; lockDataDir(${JSON.stringify(dataDir)}); console.log('locked');`;
    const { stdout } = await execFileAsync(process.execPath, ['--import', 'tsx', '--input-type=module', '-e', script]);
    expect(stdout).toBe('locked\n');
    expect(existsSync(lockPath)).toBe(false);
  });

  it('is taken by createDb for a data folder, with the holder it is given, and released by destroy() even before any query', async () => {
    const config = { engine: 'pglite', dataDir } as const;
    const db = await createDb(config, 'server listening on http://localhost:8080');
    expect(readHolder()).toMatchObject({ pid: process.pid, description: 'server listening on http://localhost:8080' });
    await expect(createDb(config)).rejects.toBeInstanceOf(DataDirInUseError);
    await db.destroy();
    expect(existsSync(lockPath)).toBe(false);

    const reopened = await createDb(config);
    await reopened.destroy();
    expect(existsSync(lockPath)).toBe(false);
  });
});
