/**
 * Engagement signals: the events table takes engaged time and scroll depth, outbound link clicks, downloads and
 * 404 pages, each with its bounded fields; each site switches each signal on (off by default: with all four on the
 * widget is over its byte budget), and the widget it is served carries only the code of what it uses.
 */
import { sql, type Kysely, type RawBuilder } from 'kysely';

const SIGNAL_TYPES = sql`('engagement', 'outbound', 'download', 'notfound')`;
const SITE_SWITCHES = ['engagement', 'outbound_links', 'file_downloads', 'not_found_pages'] as const;

/**
 * The check on events.type, under whatever name it has: the table was created again when it was partitioned, beside
 * the old one, so PostgreSQL named its check `events_type_check1` there.
 */
async function replaceTypeCheck(db: Kysely<any>, types: RawBuilder<unknown>): Promise<void> {
  const { rows } = await sql<{ name: string }>`select conname as name from pg_constraint
    where conrelid = 'events'::regclass and contype = 'c' and pg_get_constraintdef(oid) like '%type%'`.execute(db);
  for (const { name } of rows) await sql`alter table events drop constraint ${sql.id(name)}`.execute(db);
  await sql`alter table events add constraint events_type_check check (type in ${types})`.execute(db);
}

export async function up(db: Kysely<any>): Promise<void> {
  for (const column of SITE_SWITCHES) await db.schema.alterTable('sites').addColumn(column, 'boolean', (c) => c.notNull().defaultTo(false)).execute();

  // On the partitioned table: PostgreSQL applies each change to every day's partition.
  await replaceTypeCheck(db, sql`('pageview', 'custom', 'engagement', 'outbound', 'download', 'notfound')`);
  await sql`alter table events
    add column target text,
    add column engaged_ms integer check (engaged_ms between 0 and 86400000),
    add column scroll smallint check (scroll between 0 and 100)`.execute(db);
  // The panels read one signal of one site over a period; the signals are a small part of all events.
  await sql`create index events_signal_idx on events (site_id, type, occurred_at) where type in ${SIGNAL_TYPES}`.execute(db);
}

export async function down(db: Kysely<any>): Promise<void> {
  await sql`drop index events_signal_idx`.execute(db);
  await sql`delete from events where type in ${SIGNAL_TYPES}`.execute(db);
  await sql`alter table events drop column scroll, drop column engaged_ms, drop column target`.execute(db);
  await replaceTypeCheck(db, sql`('pageview', 'custom')`);
  for (const column of SITE_SWITCHES) await db.schema.alterTable('sites').dropColumn(column).execute();
}
