/** createDb(config): one Kysely<Database> on embedded PGlite or on a PostgreSQL server, chosen by configuration. */
import { mkdirSync } from 'node:fs';
import { PGlite, types as pgliteTypes } from '@electric-sql/pglite';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { DatabaseConfig } from '../config.ts';
import { PgliteDialect } from './pglite-dialect.ts';
import type { Database } from './schema.ts';

export type Db = Kysely<Database>;

// Counts and bigint ids stay far below 2^53; as numbers they read the same on both engines.
const INT8_OID = 20;
pg.types.setTypeParser(INT8_OID, (value) => Number(value));
export const PGLITE_PARSERS = { [pgliteTypes.INT8]: (value: string) => Number(value) };

export async function createDb(config: DatabaseConfig): Promise<Db> {
  if (config.engine === 'postgres') {
    const pool = new pg.Pool({ connectionString: config.url, max: 10 });
    // An idle client that loses its server emits 'error'; without a listener that would crash the process.
    pool.on('error', (error) => console.error(`PostgreSQL connection lost: ${error.message}`));
    return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  }
  if (config.dataDir) mkdirSync(config.dataDir, { recursive: true });
  return pgliteDb(await PGlite.create(config.dataDir ?? undefined, { parsers: PGLITE_PARSERS }));
}

/** Kysely over an open PGlite (tests clone one migrated template instead of migrating each database). */
export function pgliteDb(pglite: PGlite): Db {
  return new Kysely<Database>({ dialect: new PgliteDialect(pglite) });
}
