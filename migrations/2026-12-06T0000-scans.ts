/** Cookie scans: each scan of a site with its results, and each site's schedule for scanning itself. */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('scans')
    .addColumn('site_id', 'integer', (c) => c.notNull().references('sites.id').onDelete('cascade'))
    .addColumn('id', 'serial', (c) => c.notNull())
    .addColumn('status', 'text', (c) => c.notNull().check(sql`status in ('queued', 'running', 'done', 'failed')`))
    .addColumn('trigger', 'text', (c) => c.notNull().check(sql`trigger in ('dashboard', 'schedule', 'cli')`))
    .addColumn('started_by', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('started_at', 'timestamptz')
    .addColumn('finished_at', 'timestamptz')
    .addColumn('start_urls', sql`text[]`, (c) => c.notNull())
    .addColumn('page_limit', 'integer', (c) => c.notNull())
    .addColumn('pages_scanned', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('current_page', 'text')
    // The process that runs it (host and pid), so a restart can tell a scan of a process that died from a live one.
    .addColumn('runner', 'text')
    // Written once, when the scan is done: pages as summarised, skipped pages, external links, the findings, and
    // what changed since the previous scan; the counts apart, so the history reads no results.
    .addColumn('result', 'jsonb')
    .addColumn('counts', 'jsonb')
    .addColumn('error', 'text')
    // Per site, the key includes the distribution column (server/db/distribution.ts).
    .addPrimaryKeyConstraint('scans_pkey', ['site_id', 'id'])
    .execute();
  // A scan that is queued or running is picked up again after a restart; there are few at a time.
  await db.schema.createIndex('scans_pending_idx').on('scans').column('created_at').where(sql.ref('status'), 'in', ['queued', 'running']).execute();

  await db.schema
    .alterTable('sites')
    .addColumn('scan_schedule', 'text', (c) => c.notNull().defaultTo('off').check(sql`scan_schedule in ('off', 'daily', 'weekly')`))
    .execute();
  await db.schema.alterTable('sites').addColumn('scan_urls', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`)).execute();
  await db.schema.alterTable('sites').addColumn('scan_page_limit', 'integer', (c) => c.notNull().defaultTo(20)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sites').dropColumn('scan_page_limit').execute();
  await db.schema.alterTable('sites').dropColumn('scan_urls').execute();
  await db.schema.alterTable('sites').dropColumn('scan_schedule').execute();
  await db.schema.dropTable('scans').execute();
}
