/** Onboarding: archiving sites, the one-time setup link of a fresh install, and what each site's origins sent or were refused. */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // An archived site keeps its evidence and analytics; the collector refuses it.
  await db.schema.alterTable('sites').addColumn('archived_at', 'timestamptz').execute();

  // Only a hash of the printed setup token is stored; any unused one is valid until an organisation exists.
  await db.schema
    .createTable('setup_tokens')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  // The installation check: per site, origin ('' when none was sent), kind and hour, how many and when last.
  await db.schema
    .createTable('site_origin_activity')
    .addColumn('site_id', 'integer', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('origin', 'text', (c) => c.notNull())
    .addColumn('kind', 'text', (c) => c.notNull().check(sql`kind in ('decision', 'event', 'refused')`))
    .addColumn('hour', 'timestamptz', (c) => c.notNull())
    .addColumn('count', 'bigint', (c) => c.notNull())
    .addColumn('last_at', 'timestamptz', (c) => c.notNull())
    .addPrimaryKeyConstraint('site_origin_activity_pkey', ['site_id', 'kind', 'hour', 'origin'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('site_origin_activity').execute();
  await db.schema.dropTable('setup_tokens').execute();
  await db.schema.alterTable('sites').dropColumn('archived_at').execute();
}
