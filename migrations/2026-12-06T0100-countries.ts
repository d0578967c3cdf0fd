/**
 * Countries: the client's country (ISO 3166-1 alpha-2, looked up from its address at ingest) on each event, visit
 * and consent record. On consent records it is analytics beside the evidence: the chain's hash does not cover it.
 * Earlier rows have none: their addresses were never kept, so there is nothing to place.
 */
import { sql, type Kysely } from 'kysely';

const TABLES = ['events', 'visits', 'consent_records'];

export async function up(db: Kysely<any>): Promise<void> {
  for (const table of TABLES) await sql`alter table ${sql.table(table)} add column country text`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`delete from usage_daily where dimension = 'country'`.execute(db);
  for (const table of TABLES) await sql`alter table ${sql.table(table)} drop column country`.execute(db);
}
