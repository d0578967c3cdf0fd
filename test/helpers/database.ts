/** A fresh, migrated database per test, on PGlite always and on PostgreSQL when DATABASE_URL is set. */
import { randomBytes } from 'node:crypto';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import pg from 'pg';
import type { DatabaseConfig } from '../../server/config.ts';
import { PGlite } from '@electric-sql/pglite';
import { createDb, PGLITE_PARSERS, pgliteDb, type Db } from '../../server/db/create.ts';
import { migrateToLatest } from '../../server/db/migrate.ts';

export type Engine = 'pglite' | 'postgres';

/** The engines every database test runs on. */
export const engines: Engine[] = process.env.DATABASE_URL ? ['pglite', 'postgres'] : ['pglite'];
/**
 * For browser tests of the pages (markup, contrast, layout, what the widget sends, the dashboard's flows): the
 * browser's part is the same on any database, and what the server does with it is tested on every engine in
 * test/server and test/admin. The widget's consent flows and onboarding still run on every engine.
 */
export const pageEngines: Engine[] = ['pglite'];

export interface TestDatabase {
  readonly db: Db;
  readonly config: DatabaseConfig;
  /** Closes the connection and removes the database. */
  drop(): Promise<void>;
}

async function adminQuery(statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: process.env.DATABASE_URL });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/**
 * Where test/global-setup.ts leaves the migrated templates for every test file of the run: a PGlite dump in a file,
 * and on PostgreSQL a migrated database that others are created from. Migrating once per file instead took
 * seconds per file on each engine.
 */
const PGLITE_DUMP_FILE = 'SAMTYKKE_TEST_PGLITE_DUMP';
const POSTGRES_TEMPLATE = 'SAMTYKKE_TEST_POSTGRES_TEMPLATE';

/** Migrates the templates once for the run; returns what removes them. */
export async function prepareMigratedTemplates(): Promise<() => Promise<void>> {
  const folder = mkdtempSync(path.join(tmpdir(), 'samtykke-test-templates-'));
  const dumpFile = path.join(folder, 'migrated-pglite.tar');
  writeFileSync(dumpFile, Buffer.from(await (await migratedPgliteTemplate()).arrayBuffer()));
  process.env[PGLITE_DUMP_FILE] = dumpFile;
  let template: TestDatabase | null = null;
  if (process.env.DATABASE_URL) {
    template = await createEmptyTestDatabase('postgres');
    await migrateToLatest(template.db);
    // A template copies only while nobody is connected to it.
    await template.db.destroy();
    process.env[POSTGRES_TEMPLATE] = databaseName(template.config);
  }
  return async () => {
    rmSync(folder, { recursive: true, force: true });
    await template?.drop();
  };
}

// Each test starts from the dump, about three times faster than migrating anew (and a fifth faster than PGlite's
// clone(), which dumps its source every time). Read once per test file.
let pgliteTemplate: Promise<Blob | File> | null = null;

/** A dump of a migrated PGlite database: load it to start from the newest schema. */
export function migratedPgliteDump(): Promise<Blob | File> {
  const dumpFile = process.env[PGLITE_DUMP_FILE];
  // Without the global set-up (a file run on its own by another runner), the file migrates its own.
  pgliteTemplate ??= dumpFile ? readFile(dumpFile).then((dump) => new Blob([dump])) : migratedPgliteTemplate();
  return pgliteTemplate;
}

async function migratedPgliteTemplate(): Promise<Blob | File> {
  const template = await PGlite.create({ parsers: PGLITE_PARSERS });
  await migrateToLatest(pgliteDb(template));
  const dump = await template.dumpDataDir('none');
  await template.close();
  return dump;
}

export async function createTestDatabase(engine: Engine): Promise<TestDatabase> {
  if (engine === 'pglite') {
    const db = pgliteDb(await PGlite.create({ loadDataDir: await migratedPgliteDump(), parsers: PGLITE_PARSERS }));
    return { db, config: { engine: 'pglite', dataDir: null }, drop: () => db.destroy() };
  }
  const template = process.env[POSTGRES_TEMPLATE];
  if (template) return await createPostgresDatabase(template);
  const database = await createEmptyTestDatabase(engine);
  await migrateToLatest(database.db);
  return database;
}

function databaseName(config: DatabaseConfig): string {
  return new URL((config as { url: string }).url).pathname.slice(1);
}

/** A database with no schema at all, for tests of the migrations themselves. */
export async function createEmptyTestDatabase(engine: Engine): Promise<TestDatabase> {
  if (engine === 'pglite') {
    const db = pgliteDb(await PGlite.create({ parsers: PGLITE_PARSERS }));
    return { db, config: { engine: 'pglite', dataDir: null }, drop: () => db.destroy() };
  }
  return await createPostgresDatabase(null);
}

/** A new database on the PostgreSQL server of DATABASE_URL: empty, or a copy of `template`. */
async function createPostgresDatabase(template: string | null): Promise<TestDatabase> {
  const name = `samtykke_test_${randomBytes(6).toString('hex')}`;
  await adminQuery(`create database ${name}${template ? ` template ${template}` : ''}`);
  const url = new URL(process.env.DATABASE_URL!);
  url.pathname = `/${name}`;
  const config: DatabaseConfig = { engine: 'postgres', url: url.toString() };
  const db = await createDb(config);
  return {
    db,
    config,
    drop: async () => {
      await db.destroy();
      await adminQuery(`drop database if exists ${name} with (force)`);
    },
  };
}
