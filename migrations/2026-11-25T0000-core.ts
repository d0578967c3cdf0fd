/** Core tables: tenants, sites, policy versions, inventory, the consent evidence chain and analytics events. */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('organisations')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('name', 'text', (c) => c.notNull())
    // Retention periods the daily job enforces; consent evidence is kept long enough to prove consent.
    .addColumn('event_retention_days', 'integer', (c) => c.notNull().defaultTo(395))
    .addColumn('consent_retention_days', 'integer', (c) => c.notNull().defaultTo(1825))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();

  await db.schema
    .createTable('sites')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('key', 'text', (c) => c.notNull().unique())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('surface', 'text', (c) => c.notNull().check(sql`surface in ('web', 'app')`))
    .addColumn('allowed_origins', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('sites_organisation_idx').on('sites').column('organisation_id').execute();

  await db.schema
    .createTable('policy_versions')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('site_id', 'integer', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('version', 'integer', (c) => c.notNull().check(sql`version > 0`))
    .addColumn('texts', 'jsonb', (c) => c.notNull())
    .addColumn('functional_required', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('consent_lifetime_months', 'integer', (c) => c.notNull().defaultTo(12).check(sql`consent_lifetime_months between 1 and 24`))
    .addColumn('published_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('policy_versions_site_version_key', ['site_id', 'version'])
    .execute();

  await db.schema
    .createTable('inventory_items')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('site_id', 'integer', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('kind', 'text', (c) =>
      c.notNull().check(sql`kind in ('cookie', 'local_storage', 'session_storage', 'pixel', 'web_beacon', 'script', 'iframe')`),
    )
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('name_is_pattern', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('party', 'text', (c) => c.notNull().check(sql`party in ('first', 'third')`))
    .addColumn('domain', 'text')
    .addColumn('category', 'text', (c) => c.notNull().check(sql`category in ('functional', 'analytics', 'ads')`))
    .addColumn('purpose', 'jsonb', (c) => c.notNull())
    .addColumn('retention', 'jsonb', (c) => c.notNull())
    .addColumn('blocking', 'jsonb', (c) => c.notNull())
    .addColumn('retired_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('inventory_items_site_idx').on('inventory_items').column('site_id').execute();

  // The newest link of each site's consent chain; locking this row serialises writers so the chain never forks.
  await db.schema
    .createTable('consent_chain_heads')
    .addColumn('site_id', 'integer', (c) => c.primaryKey().references('sites.id').onDelete('cascade'))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .execute();

  await db.schema
    .createTable('consent_records')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('site_id', 'integer', (c) => c.notNull().references('sites.id'))
    .addColumn('seq', 'bigint', (c) => c.notNull())
    .addColumn('consent_id', 'text', (c) => c.notNull())
    .addColumn('policy_version', 'integer', (c) => c.notNull())
    .addColumn('functional', 'boolean', (c) => c.notNull())
    .addColumn('analytics', 'boolean', (c) => c.notNull())
    .addColumn('ads', 'boolean', (c) => c.notNull())
    .addColumn('action', 'text', (c) => c.notNull().check(sql`action in ('accept_all', 'reject_all', 'custom', 'withdraw')`))
    .addColumn('source', 'text', (c) => c.notNull().check(sql`source in ('banner', 'preferences', 'gpc', 'api', 'app')`))
    .addColumn('locale', 'text', (c) => c.notNull())
    .addColumn('page_url', 'text')
    .addColumn('browser', 'text')
    .addColumn('os', 'text')
    .addColumn('device', 'text', (c) => c.notNull())
    .addColumn('account', 'text')
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull())
    .addColumn('client_hash', 'text', (c) => c.notNull())
    .addColumn('prev_hash', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addUniqueConstraint('consent_records_site_seq_key', ['site_id', 'seq'])
    .execute();
  // Latest decision of a consent ID: the collector's consent check and the dashboard's history view.
  await db.schema
    .createIndex('consent_records_consent_idx')
    .on('consent_records')
    .columns(['site_id', 'consent_id', 'seq desc'])
    .execute();
  await db.schema.createIndex('consent_records_time_idx').on('consent_records').columns(['site_id', 'recorded_at']).execute();

  await db.schema
    .createTable('events')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('site_id', 'integer', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull())
    .addColumn('consent_id', 'text', (c) => c.notNull())
    .addColumn('session_id', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull().check(sql`type in ('pageview', 'custom')`))
    .addColumn('name', 'text')
    .addColumn('path', 'text', (c) => c.notNull())
    .addColumn('referrer_host', 'text')
    .addColumn('utm_source', 'text')
    .addColumn('utm_medium', 'text')
    .addColumn('utm_campaign', 'text')
    .addColumn('utm_term', 'text')
    .addColumn('utm_content', 'text')
    .addColumn('ad_click', 'text')
    .addColumn('browser', 'text')
    .addColumn('os', 'text')
    .addColumn('device', 'text', (c) => c.notNull())
    .addColumn('props', 'jsonb')
    .execute();
  await db.schema.createIndex('events_site_time_idx').on('events').columns(['site_id', 'occurred_at']).execute();
  await db.schema.createIndex('events_consent_idx').on('events').columns(['site_id', 'consent_id']).execute();

  // Secrets the server makes for itself on first start (the address-pseudonymisation key).
  await db.schema
    .createTable('server_secrets')
    .addColumn('name', 'text', (c) => c.primaryKey())
    .addColumn('value', 'text', (c) => c.notNull())
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['server_secrets', 'events', 'consent_records', 'consent_chain_heads', 'inventory_items', 'policy_versions', 'sites', 'organisations']) {
    await db.schema.dropTable(table).execute();
  }
}
