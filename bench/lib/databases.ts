/** A throwaway database per engine for one benchmark run: a fresh PostgreSQL database or a fresh PGlite data folder. */
import { randomBytes } from 'node:crypto';
import { mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { DatabaseConfig } from '../../server/config.ts';

export type Engine = 'postgres' | 'pglite';
export const ENGINES: readonly Engine[] = ['postgres', 'pglite'];

/** Used when DATABASE_URL is unset, as CI and the test suite expect it. */
export const DEFAULT_DATABASE_URL = 'postgres://postgres@127.0.0.1:5432/test';

export interface BenchDatabase {
  readonly engine: Engine;
  readonly config: DatabaseConfig;
  /** What the server process needs in its environment to open this database. */
  readonly env: Record<string, string>;
  /** For the printed notes: where the figures were measured. */
  readonly description: string;
  drop(): Promise<void>;
}

async function adminQuery(adminUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: adminUrl });
  try {
    await client.connect();
    await client.query(statement);
  } catch (error) {
    throw new Error(`PostgreSQL at ${new URL(adminUrl).host} refused "${statement}": ${(error as Error).message}`, { cause: error });
  } finally {
    await client.end();
  }
}

export async function createBenchDatabase(engine: Engine, adminUrl: string): Promise<BenchDatabase> {
  if (engine === 'pglite') {
    const dataDir = await mkdtemp(path.join(os.tmpdir(), 'samtykke-bench-'));
    return {
      engine,
      config: { engine, dataDir },
      // An inherited DATABASE_URL would send the server to PostgreSQL instead.
      env: { DATABASE_URL: '', SAMTYKKE_DATA_DIR: dataDir },
      description: `embedded PGlite in a fresh data folder ${dataDir}`,
      drop: () => rm(dataDir, { recursive: true, force: true }),
    };
  }
  const name = `samtykke_bench_${randomBytes(6).toString('hex')}`;
  await adminQuery(adminUrl, `create database ${name}`);
  const url = new URL(adminUrl);
  url.pathname = `/${name}`;
  // The files kept outside the database (the checkpoint key and log) go to a folder of this run too.
  const filesDir = await mkdtemp(path.join(os.tmpdir(), 'samtykke-bench-files-'));
  return {
    engine,
    config: { engine, url: url.toString() },
    env: { DATABASE_URL: url.toString(), SAMTYKKE_DATA_DIR: filesDir },
    description: `PostgreSQL database ${name} created for this run on ${url.host} (from ${adminUrl}), dropped afterwards`,
    drop: async () => {
      await adminQuery(adminUrl, `drop database if exists ${name} with (force)`);
      await rm(filesDir, { recursive: true, force: true });
    },
  };
}
