/**
 * The real `samtykke` command in a child process (compiled, as `npm run samtykke` runs it), on a database of its own:
 * a fresh PGlite data folder, or a fresh PostgreSQL database when the engine is postgres.
 */
import { execFile } from 'node:child_process';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { CLI_ENTRY } from '../../server/build.ts';
import type { DatabaseConfig } from '../../server/config.ts';
import { createDb, type Db } from '../../server/db/create.ts';
import { createTestDatabase, type Engine } from '../helpers/database.ts';

const execFileAsync = promisify(execFile);

export const CLI_PUBLIC_URL = 'https://consent.kunde.test';
export const CLI_PASSWORD = 'a long enough password';

export interface CliResult {
  readonly code: number;
  readonly stdout: string;
  readonly stderr: string;
}

/** Runs `samtykke ...args` with `env` on top of this process's environment; never rejects on a non-zero exit. */
export async function runCli(env: Record<string, string>, ...args: string[]): Promise<CliResult> {
  try {
    const { stdout, stderr } = await execFileAsync(process.execPath, ['--enable-source-maps', CLI_ENTRY, ...args], {
      env: { ...process.env, SAMTYKKE_PUBLIC_URL: CLI_PUBLIC_URL, SAMTYKKE_USER_PASSWORD: CLI_PASSWORD, ...env },
    });
    return { code: 0, stdout, stderr };
  } catch (error) {
    const failed = error as { code?: unknown; stdout?: string; stderr?: string };
    if (typeof failed.code !== 'number') throw error;
    return { code: failed.code, stdout: failed.stdout ?? '', stderr: failed.stderr ?? '' };
  }
}

/** The pid of a process that has exited: no process has it (the OS hands pids out in turn, so not again soon). */
export async function deadPid(): Promise<number> {
  const child = execFile(process.execPath, ['-e', '']);
  await new Promise((resolve) => child.once('exit', resolve));
  return child.pid!;
}

export interface CliDatabase {
  readonly engine: Engine;
  /** What the CLI is started with to use this database. */
  readonly env: Record<string, string>;
  readonly config: DatabaseConfig;
  /** The PGlite data folder; null on PostgreSQL. */
  readonly dataDir: string | null;
  run(...args: string[]): Promise<CliResult>;
  /** Opens the database in this process for a look; on PGlite only between CLI runs, since one process holds it. */
  inspect<T>(look: (db: Db) => Promise<T>): Promise<T>;
  drop(): Promise<void>;
}

export async function createCliDatabase(engine: Engine): Promise<CliDatabase> {
  let env: Record<string, string>;
  let config: DatabaseConfig;
  let drop: () => Promise<void>;
  let dataDir: string | null = null;
  if (engine === 'pglite') {
    const folder = mkdtempSync(path.join(tmpdir(), 'samtykke-cli-'));
    dataDir = folder;
    env = { DATABASE_URL: '', SAMTYKKE_DATA_DIR: folder };
    config = { engine, dataDir: folder };
    drop = async () => rmSync(folder, { recursive: true, force: true });
  } else {
    const database = await createTestDatabase('postgres');
    await database.db.destroy();
    config = database.config;
    // The files kept outside the database (checkpoint key and log) go to a folder of this test, not the working tree.
    const folder = mkdtempSync(path.join(tmpdir(), 'samtykke-cli-files-'));
    env = { DATABASE_URL: (config as { url: string }).url, SAMTYKKE_DATA_DIR: folder };
    drop = async () => {
      await database.drop();
      rmSync(folder, { recursive: true, force: true });
    };
  }
  return {
    engine,
    env,
    config,
    dataDir,
    run: (...args) => runCli(env, ...args),
    inspect: async (look) => {
      const db = await createDb(config);
      try {
        return await look(db);
      } finally {
        await db.destroy();
      }
    },
    drop,
  };
}
