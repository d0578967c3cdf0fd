/**
 * The customer's own banner, policy versions with a lifecycle, and evidence of exactly what each user was shown.
 * Sites that existed before keep what their pages relied on: Consent Mode and the declaration embed stay on.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  // null: the default theme and labels.
  await db.schema.alterTable('sites').addColumn('banner', 'jsonb').execute();
  await db.schema.alterTable('sites').addColumn('consent_mode', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
  await db.schema.alterTable('sites').addColumn('declaration_embed', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
  await db.updateTable('sites').set({ consent_mode: true, declaration_embed: true }).execute();

  // A draft has no number until it is published; each published version is either material (asks everyone again)
  // or a wording fix. Versions published before this lifecycle existed each asked again: they count as material.
  await db.schema.alterTable('policy_versions').alterColumn('version', (c) => c.dropNotNull()).execute();
  await db.schema.alterTable('policy_versions').addColumn('material', 'boolean').execute();
  await db.schema.alterTable('policy_versions').addColumn('published_by', 'text').execute();
  await db.schema.alterTable('policy_versions').addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`)).execute();
  await db.updateTable('policy_versions').set({ material: true }).where('published_at', 'is not', null).execute();
  await sql`alter table policy_versions add constraint policy_versions_lifecycle check (
    (published_at is null and version is null and material is null) or
    (published_at is not null and version is not null and material is not null))`.execute(db);
  await sql`create unique index policy_versions_one_draft on policy_versions (site_id) where published_at is null`.execute(db);

  // Each distinct content a user was shown, once, under the SHA-256 of its exact text.
  await db.schema
    .createTable('shown_contents')
    .addColumn('hash', 'text', (c) => c.primaryKey())
    .addColumn('site_id', 'integer', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('policy_version', 'integer', (c) => c.notNull())
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('content', 'text', (c) => c.notNull())
    .addColumn('first_shown_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('shown_contents_site').on('shown_contents').columns(['site_id', 'policy_version']).execute();

  // Records from before keep null here, and their chain hash covers what it covered then.
  await db.schema.alterTable('consent_records').addColumn('shown_hash', 'text').execute();
  await db.schema.alterTable('consent_records').addColumn('gpc', 'boolean').execute();
  await db.schema.alterTable('consent_records').addColumn('stale', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('consent_records').dropColumn('stale').execute();
  await db.schema.alterTable('consent_records').dropColumn('gpc').execute();
  await db.schema.alterTable('consent_records').dropColumn('shown_hash').execute();
  await db.schema.dropTable('shown_contents').execute();
  await sql`drop index policy_versions_one_draft`.execute(db);
  await sql`alter table policy_versions drop constraint policy_versions_lifecycle`.execute(db);
  await db.deleteFrom('policy_versions').where('published_at', 'is', null).execute();
  await db.schema.alterTable('policy_versions').dropColumn('updated_at').execute();
  await db.schema.alterTable('policy_versions').dropColumn('published_by').execute();
  await db.schema.alterTable('policy_versions').dropColumn('material').execute();
  await db.schema.alterTable('policy_versions').alterColumn('version', (c) => c.setNotNull()).execute();
  await db.schema.alterTable('sites').dropColumn('declaration_embed').execute();
  await db.schema.alterTable('sites').dropColumn('consent_mode').execute();
  await db.schema.alterTable('sites').dropColumn('banner').execute();
}
