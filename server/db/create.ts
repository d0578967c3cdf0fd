/** createDb(config): one Kysely<Database> on embedded PGlite or on a PostgreSQL server, chosen by configuration. */
import { mkdirSync } from 'node:fs';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config.ts';
import { describeThisProcess, lockDataDir } from './data-dir-lock.ts';
import { PgliteDialect } from './pglite-dialect.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

// Counts and bigint ids stay far below 2^53; as numbers they read the same on both engines.
const INT8_OID = 20;
pg.types.setTypeParser(INT8_OID, (value) => Number(value));
export const PGLITE_PARSERS = { [pgliteTypes.INT8]: (value: string) => Number(value) };

/**
 * Opens the configured database. A PGlite data folder is locked for as long as the database is open (until
 * `db.destroy()` or the process exits): a second process gets DataDirInUseError naming `holder`, who holds it
 * ("server listening on http://localhost:8080", "samtykke user add"; by default how this process was started).
 */
export async function createDb(config: DatabaseConfig, holder: string = describeThisProcess()): Promise<Db> {
  if (config.engine === 'postgres') {
    const pool = new pg.Pool({ connectionString: config.url, max: 10 });
    // A client that loses its server emits 'error'; without a listener that would crash the process. The pool
    // listens on idle clients only, so each client gets its own too: one held by a transaction between two
    // statements (the consent writer's locked path, retention) would otherwise take the process down in an outage,
    // where its next statement fails like any other instead.
    pool.on('error', (error) => console.error(`PostgreSQL connection lost: ${error.message}`));
    pool.on('connect', (client) => client.on('error', () => {}));
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  if (!config.dataDir) return pgliteDb(await PGlite.create({ parsers: PGLITE_PARSERS }));
  mkdirSync(config.dataDir, { recursive: true });
  const lock = lockDataDir(config.dataDir, holder);
  try {
    const db = pgliteDb(await PGlite.create(config.dataDir, { parsers: PGLITE_PARSERS }), () => lock.release());
    // Kysely sets its driver up on the first query, and destroy() skips a driver never set up; doing it now means
    // destroy() always closes PGlite and releases the lock, even for a database no one queried.
    await db.connection().execute(async () => {});
    return db;
  } catch (error) {
    lock.release();
    throw error;
  }
}

/** Kysely over an open PGlite (tests clone one migrated template instead of migrating each database). */
export function pgliteDb(pglite: PGlite, afterClose?: () => void): Db {
  return new Kysely<Database>({ dialect: new PgliteDialect(pglite, afterClose) });
}
