/** Brings the schema to the newest migration; the same migrations serve PGlite and PostgreSQL. */
import { Migrator, sql, type Kysely } from 'kysely';
import { migrations } from '../../migrations/index.ts';
import { buildSketches } from '../queries/usage-sketches.ts';
import { buildVisits } from '../queries/visits.ts';
import type { Db } from './create.ts';

/** The migration that introduced visits, rollups and sketches: the events stored before it are folded after it. */
const USAGE_ROLLUPS = '2026-12-01T0200-usage-rollups';

export async function migrateToLatest(db: Kysely<any>): Promise<string[]> {
  const migrator = new Migrator({ db, provider: { getMigrations: async () => migrations } });
  const { error, results } = await migrator.migrateToLatest();
  const failed = results?.find((result) => result.status === 'Error');
  if (error || failed) {
    const cause = error instanceof Error ? error.message : String(error ?? 'unknown error');
    throw new Error(`Database migration ${failed?.migrationName ?? ''} failed: ${cause}`, { cause: error });
  }
  const applied = (results ?? []).filter((result) => result.status === 'Success').map((result) => result.migrationName);
  if (applied.includes(USAGE_ROLLUPS)) await foldEarlierEvents(db as Db);
  return applied;
}

/**
 * Folds the events stored before the usage rollups existed, with today's fold, once the schema it reads is
 * complete (a migration that called it would depend on columns added after it).
 */
async function foldEarlierEvents(db: Db): Promise<void> {
  const { rows: sites } = await sql<{ site_id: number }>`select distinct site_id from events`.execute(db);
  for (const { site_id: siteId } of sites) {
    await buildVisits(db, siteId);
    await buildSketches(db, siteId);
  }
}
