/**
 * Keys a distributed PostgreSQL can keep: on a table split by site_id every primary key must include site_id, so
 * each shard checks uniqueness alone. The id and the hash stay first, so lookups and keyset pages by them use the
 * index exactly as before; both were unique already, so no stored row conflicts.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table consent_records drop constraint consent_records_pkey,
    add constraint consent_records_pkey primary key (id, site_id)`.execute(db);
  // The hashed content names its site's key, so the same hash never belonged to two sites.
  await sql`alter table shown_contents drop constraint shown_contents_pkey,
    add constraint shown_contents_pkey primary key (hash, site_id)`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`alter table shown_contents drop constraint shown_contents_pkey,
    add constraint shown_contents_pkey primary key (hash)`.execute(db);
  await sql`alter table consent_records drop constraint consent_records_pkey,
    add constraint consent_records_pkey primary key (id)`.execute(db);
}
