/**
 * Analytics that stay fast as traffic grows: events partitioned by UTC day (retention drops whole days), one row
 * per visit kept up to date at ingest, additive daily rollups per dimension value, and a visitor sketch per day.
 * Existing events are moved into the partitions here, and folded into visits, rollups and sketches once every
 * migration has run (server/db/migrate.ts).
 */
import { sql, type Kysely } from 'kysely';
import type { Db } from '../server/db/create.ts';
import { ensureEventPartitions, utcDay } from '../server/queries/event-partitions.ts';

const DAY_MS = 86_400_000;
const EVENT_COLUMNS = `id, site_id, occurred_at, consent_id, session_id, type, name, path, referrer_host, utm_source, utm_medium,
  utm_campaign, utm_term, utm_content, ad_click, browser, os, device, props`;

export async function up(db: Kysely<any>): Promise<void> {
  await sql`alter table events rename to events_unpartitioned`.execute(db);
  await sql`alter table events_unpartitioned rename constraint events_pkey to events_unpartitioned_pkey`.execute(db);
  await sql`drop index events_site_time_idx`.execute(db);
  await sql`drop index events_consent_idx`.execute(db);

  // A sequence rather than an identity column: PostgreSQL 15 has none on partitioned tables.
  await sql`create sequence event_ids`.execute(db);
  await sql`create table events (
      id bigint not null default nextval('event_ids'),
      site_id integer not null references sites (id) on delete cascade,
      occurred_at timestamptz not null,
      consent_id text not null,
      session_id text not null,
      type text not null check (type in ('pageview', 'custom')),
      name text,
      path text not null,
      referrer_host text,
      utm_source text,
      utm_medium text,
      utm_campaign text,
      utm_term text,
      utm_content text,
      ad_click text,
      browser text,
      os text,
      device text not null,
      props jsonb,
      -- site_id first: the distribution column on a distributed PostgreSQL, and every read is per site and period.
      primary key (site_id, occurred_at, id)
    ) partition by range (occurred_at)`.execute(db);
  await sql`alter sequence event_ids owned by events.id`.execute(db);
  await sql`create index events_consent_idx on events (site_id, consent_id)`.execute(db);

  const { rows: stored } = await sql<{ day: string }>`select distinct (occurred_at at time zone 'UTC')::date::text as day from events_unpartitioned`.execute(db);
  const today = Date.now();
  await ensureEventPartitions(db as Db, [...stored.map((row) => row.day), utcDay(today), utcDay(today + DAY_MS), utcDay(today + 2 * DAY_MS)]);
  await sql`insert into events (${sql.raw(EVENT_COLUMNS)}) select ${sql.raw(EVENT_COLUMNS)} from events_unpartitioned`.execute(db);
  await sql`select setval('event_ids', coalesce((select max(id) from events_unpartitioned), 0) + 1, false)`.execute(db);
  await sql`drop table events_unpartitioned`.execute(db);

  await sql`create table visits (
      site_id integer not null references sites (id) on delete cascade,
      session_id text not null,
      visitor text not null,
      started timestamptz not null,
      ended timestamptz not null,
      events integer not null,
      pageviews integer not null,
      custom_events integer not null,
      entry_page text,
      entry_at timestamptz,
      exit_page text,
      exit_at timestamptz,
      referrer text,
      utm_source text,
      utm_medium text,
      utm_campaign text,
      ad_click boolean not null,
      browser text,
      os text,
      device text,
      pages jsonb not null,
      event_names jsonb not null,
      primary key (site_id, session_id)
    )`.execute(db);
  await sql`create index visits_started_idx on visits (site_id, started)`.execute(db);
  await sql`create index visits_visitor_idx on visits (site_id, visitor)`.execute(db);

  await sql`create table usage_daily (
      site_id integer not null references sites (id) on delete cascade,
      day date not null,
      dimension text not null,
      value text not null,
      visits bigint not null,
      pageviews bigint not null,
      events bigint not null,
      bounces bigint not null,
      duration_ms bigint not null,
      primary key (site_id, day, dimension, value)
    )`.execute(db);
  await sql`create table usage_sketches (
      site_id integer not null references sites (id) on delete cascade,
      day date not null,
      registers bytea not null,
      stale boolean not null,
      primary key (site_id, day)
    )`.execute(db);
  // The events already stored are folded into visits, rollups and sketches by server/db/migrate.ts once every
  // migration has run: the fold is today's code, which reads columns later migrations add.
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['usage_sketches', 'usage_daily', 'visits']) await sql`drop table ${sql.id(table)}`.execute(db);
  await sql`alter table events rename to events_partitioned`.execute(db);
  await sql`alter table events_partitioned rename constraint events_pkey to events_partitioned_pkey`.execute(db);
  await sql`alter index events_consent_idx rename to events_partitioned_consent_idx`.execute(db);
  await sql`create table events (like events_partitioned including defaults including constraints)`.execute(db);
  await sql`alter table events alter column id drop default, alter column id add generated always as identity`.execute(db);
  await sql`alter table events add primary key (id), add foreign key (site_id) references sites (id) on delete cascade`.execute(db);
  await sql`insert into events overriding system value select * from events_partitioned`.execute(db);
  await sql`select setval(pg_get_serial_sequence('events', 'id'), coalesce((select max(id) from events), 0) + 1, false)`.execute(db);
  await sql`drop table events_partitioned`.execute(db);
  await sql`create index events_site_time_idx on events (site_id, occurred_at)`.execute(db);
  await sql`create index events_consent_idx on events (site_id, consent_id)`.execute(db);
}
