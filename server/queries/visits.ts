/**
 * Visits and the daily usage rollups, kept up to date as events are stored, so the analytics never fold raw
 * events again. The rules, in SQL once each and shared by ingest, erasure and rebuilds:
 *
 * - a visit is the events of one session; it belongs to the day and hour (UTC) of its first event, with all its
 *   events, also those after midnight or after a period's end (as Plausible attributes sessions);
 * - its properties, text compared by code point whatever the database's collation: visitor = the smallest
 *   consent ID, entry page = the earliest pageview (then the smallest path), exit page = the latest (then the
 *   largest path), referrer, campaign, browser, system, device and country = the smallest value any of its events
 *   carries, an ad click when any event carries one; a bounce has at most one event;
 * - its contribution to `usage_daily`: one visit, its pageviews, custom events, bounce and duration to the `total`
 *   row, its `hour` and each visit dimension's value; one visit and that page's pageviews to each `page` row, and
 *   one visit and that name's events to each `event` row;
 * - its trail: its events in order, as text goals and funnels search (trails.ts).
 *
 * Ingest merges a batch into the visits it continues and adds to the rollups the difference between each
 * visit's new and old contributions, in one statement; visitor sketches are updated beside it (usage-sketches.ts).
 */
import { sql, type RawBuilder } from 'kysely';
import type { Db } from '../db/create.ts';
import { inTransaction } from '../db/transaction.ts';
import { mergedTrails, TRAILS } from './trails.ts';
import { lockSiteUsage } from './usage-sketches.ts';

/** Columns of `visits`, in the order the fold produces them. */
const VISIT_COLUMNS = sql.raw(`site_id, session_id, visitor, started, ended, events, pageviews, custom_events, entry_page, entry_at,
  exit_page, exit_at, referrer, utm_source, utm_medium, utm_campaign, ad_click, browser, os, device, country, pages, event_names, trail`);

/** The event types a visit is made of: the engagement signals are read by their own panels (engagement.ts). */
const VISIT_EVENT_TYPES = sql.raw(`('pageview', 'custom')`);

/**
 * Events of `source` folded into one row per visit, in the columns of `visits`; `source` has the events' columns.
 * Engagement signals are left out, so a visit's pageviews, bounce and duration are what they were without them.
 */
export function foldVisits(source: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`with e as (select * from (${source}) as source where type in ${VISIT_EVENT_TYPES}),
    visit as (
      select site_id, session_id,
        min(consent_id collate "C") as visitor, min(occurred_at) as started, max(occurred_at) as ended,
        count(*)::int as events,
        (count(*) filter (where type = 'pageview'))::int as pageviews,
        (count(*) filter (where type = 'custom'))::int as custom_events,
        (array_agg(path order by occurred_at, path collate "C") filter (where type = 'pageview'))[1] as entry_page,
        min(occurred_at) filter (where type = 'pageview') as entry_at,
        (array_agg(path order by occurred_at desc, path collate "C" desc) filter (where type = 'pageview'))[1] as exit_page,
        max(occurred_at) filter (where type = 'pageview') as exit_at,
        min(referrer_host collate "C") as referrer, min(utm_source collate "C") as utm_source, min(utm_medium collate "C") as utm_medium,
        min(utm_campaign collate "C") as utm_campaign, bool_or(ad_click is not null) as ad_click,
        min(browser collate "C") as browser, min(os collate "C") as os, min(device collate "C") as device,
        min(country collate "C") as country
      from e group by site_id, session_id
    ),
    counted as (
      select site_id, session_id, type, case when type = 'pageview' then path else name end as item, count(*) as n
      from e group by 1, 2, 3, 4
    ),
    lists as (
      select site_id, session_id,
        coalesce(jsonb_object_agg(item, n) filter (where type = 'pageview'), '{}') as pages,
        coalesce(jsonb_object_agg(item, n) filter (where type = 'custom'), '{}') as event_names
      from counted group by site_id, session_id
    ),
    trails as (${TRAILS})
    select visit.*, lists.pages, lists.event_names, trails.trail
    from visit join lists on lists.site_id = visit.site_id and lists.session_id = visit.session_id
      join trails on trails.site_id = visit.site_id and trails.session_id = visit.session_id`;
}

/** Adds the counts of two `{ key: count }` objects. */
const mergedCounts = (old: string, added: string) =>
  sql.raw(`(select coalesce(jsonb_object_agg(key, total), '{}') from (
      select key, sum(value::bigint) as total from (select * from jsonb_each_text(${old}) union all select * from jsonb_each_text(${added})) c group by key
    ) t)`);

/** `on conflict` of a folded batch with the visit it continues: the same rules as the fold, over both. */
const MERGE_VISIT = sql`
  visitor = least(visits.visitor collate "C", excluded.visitor),
  started = least(visits.started, excluded.started),
  ended = greatest(visits.ended, excluded.ended),
  events = visits.events + excluded.events,
  pageviews = visits.pageviews + excluded.pageviews,
  custom_events = visits.custom_events + excluded.custom_events,
  entry_page = case when visits.entry_at is null or (excluded.entry_at, excluded.entry_page collate "C") < (visits.entry_at, visits.entry_page collate "C")
    then coalesce(excluded.entry_page, visits.entry_page) else visits.entry_page end,
  entry_at = least(visits.entry_at, excluded.entry_at),
  exit_page = case when visits.exit_at is null or (excluded.exit_at, excluded.exit_page collate "C") > (visits.exit_at, visits.exit_page collate "C")
    then coalesce(excluded.exit_page, visits.exit_page) else visits.exit_page end,
  exit_at = greatest(visits.exit_at, excluded.exit_at),
  referrer = least(visits.referrer collate "C", excluded.referrer),
  utm_source = least(visits.utm_source collate "C", excluded.utm_source),
  utm_medium = least(visits.utm_medium collate "C", excluded.utm_medium),
  utm_campaign = least(visits.utm_campaign collate "C", excluded.utm_campaign),
  ad_click = visits.ad_click or excluded.ad_click,
  browser = least(visits.browser collate "C", excluded.browser),
  os = least(visits.os collate "C", excluded.os),
  device = least(visits.device collate "C", excluded.device),
  country = least(visits.country collate "C", excluded.country),
  pages = ${mergedCounts('visits.pages', 'excluded.pages')},
  event_names = ${mergedCounts('visits.event_names', 'excluded.event_names')},
  trail = ${mergedTrails('visits.trail', 'excluded.trail')}`;

/** The day a visit belongs to, as the rollups key it. */
export const VISIT_DAY = (alias: string) => sql.raw(`(${alias}.started at time zone 'UTC')::date`);

/**
 * Each visit of `visits` (a relation with the visits table's columns) contributes `sign` times its figures to its
 * day's rows. A visit without a referrer counts as direct traffic under the value ''.
 */
function contributions(visits: RawBuilder<unknown>, sign: 1 | -1): RawBuilder<unknown> {
  const v = (column: string) => sql.raw(`r.${column}`);
  const day = VISIT_DAY('r');
  return sql`
    select ${v('site_id')} as site_id, ${day} as day, d.dimension, d.value,
      ${sign}::bigint as visits, ${sign} * ${v('pageviews')}::bigint as pageviews, ${sign} * ${v('custom_events')}::bigint as events,
      case when ${v('events')} <= 1 then ${sign} else 0 end::bigint as bounces,
      ${sign} * round(extract(epoch from ${v('ended')} - ${v('started')}) * 1000)::bigint as duration_ms
    from ${visits} as r cross join lateral (values
      ('total', ''), ('hour', to_char(${v('started')} at time zone 'UTC', 'HH24')),
      ('entryPage', ${v('entry_page')}), ('exitPage', ${v('exit_page')}), ('referrer', coalesce(${v('referrer')}, '')),
      ('utmSource', ${v('utm_source')}), ('utmMedium', ${v('utm_medium')}), ('utmCampaign', ${v('utm_campaign')}),
      ('adCampaign', case when ${v('ad_click')} then coalesce(${v('utm_campaign')}, '(none)') end),
      ('browser', ${v('browser')}), ('os', ${v('os')}), ('device', ${v('device')}), ('country', ${v('country')})
    ) as d(dimension, value)
    where d.value is not null
    union all
    select ${v('site_id')}, ${day}, 'page', p.key, ${sign}, ${sign} * p.value::bigint, 0, 0, 0
    from ${visits} as r cross join lateral jsonb_each_text(${v('pages')}) as p
    union all
    select ${v('site_id')}, ${day}, 'event', n.key, ${sign}, 0, ${sign} * n.value::bigint, 0, 0
    from ${visits} as r cross join lateral jsonb_each_text(${v('event_names')}) as n`;
}

/** Adds contributions to `usage_daily`, in key order so that concurrent writers lock rows in the same order. */
function addToRollups(deltas: RawBuilder<unknown>): RawBuilder<unknown> {
  return sql`insert into usage_daily (site_id, day, dimension, value, visits, pageviews, events, bounces, duration_ms)
    select site_id, day, dimension, value, sum(visits), sum(pageviews), sum(events), sum(bounces), sum(duration_ms)
    from (${deltas}) as deltas
    group by 1, 2, 3, 4
    having sum(visits) <> 0 or sum(pageviews) <> 0 or sum(events) <> 0 or sum(bounces) <> 0 or sum(duration_ms) <> 0
    order by 1, 2, 3, 4
    on conflict (site_id, day, dimension, value) do update set
      visits = usage_daily.visits + excluded.visits, pageviews = usage_daily.pageviews + excluded.pageviews,
      events = usage_daily.events + excluded.events, bounces = usage_daily.bounces + excluded.bounces,
      duration_ms = usage_daily.duration_ms + excluded.duration_ms`;
}

/** A visit whose day or visitor changed: its visitor is added to the new day's sketch; the old day's is stale. */
export interface VisitChange {
  readonly siteId: number;
  readonly day: string;
  readonly visitor: string;
  readonly oldDay: string | null;
  readonly oldVisitor: string | null;
}

/**
 * Stores `events` (a statement yielding rows with the events table's columns, e.g. an unnest of a batch) and
 * merges them into their visits and the rollups, in one statement. Callers hold the sites' write locks.
 */
export async function storeAndMergeEvents(db: Db, events: RawBuilder<unknown>, columns: RawBuilder<unknown>): Promise<VisitChange[]> {
  const { rows } = await sql<VisitChange>`
    with batch as (${events}),
    stored as (insert into events (${columns}) select * from batch),
    folded as (${foldVisits(sql`select * from batch`)}),
    old as (select v.* from visits v join folded f on f.site_id = v.site_id and f.session_id = v.session_id),
    merged as (
      insert into visits (${VISIT_COLUMNS}) select * from folded order by site_id, session_id
      on conflict (site_id, session_id) do update set ${MERGE_VISIT}
      returning *
    ),
    rolled as (${addToRollups(sql`${contributions(sql`merged`, 1)} union all ${contributions(sql`old`, -1)}`)})
    select m.site_id as "siteId", ${VISIT_DAY('m')}::text as day, m.visitor,
      ${VISIT_DAY('o')}::text as "oldDay", o.visitor as "oldVisitor"
    from merged m left join old o on o.site_id = m.site_id and o.session_id = m.session_id
    where o.session_id is null or ${VISIT_DAY('o')} <> ${VISIT_DAY('m')} or o.visitor <> m.visitor`.execute(db);
  return rows;
}

/**
 * Folds the visits of a site's sessions again from the events they still have (after an erasure): their old
 * contributions leave the rollups, the new ones enter. Returns the days whose visitor sketches may now be wrong.
 */
export async function refoldVisits(db: Db, siteId: number, sessionIds: readonly string[]): Promise<string[]> {
  if (sessionIds.length === 0) return [];
  const { rows: removed } = await sql<{ day: string }>`
    with old as (delete from visits where site_id = ${siteId} and session_id = any(${[...sessionIds]}::text[]) returning *),
    rolled as (${addToRollups(contributions(sql`old`, -1))})
    select distinct ${VISIT_DAY('old')}::text as day from old`.execute(db);
  await sql`
    with folded as (${foldVisits(sql`select * from events where site_id = ${siteId} and session_id = any(${[...sessionIds]}::text[])`)}),
    added as (insert into visits (${VISIT_COLUMNS}) select * from folded returning *)
    ${addToRollups(contributions(sql`added`, 1))}`.execute(db);
  return removed.map((row) => row.day);
}

/**
 * Builds the visits and rollups of a site from its events, for events written without the collector (a
 * migration, a benchmark's bulk load), one day at a time so that memory stays bounded: a visit across midnight
 * is folded in two parts, merged by the same rule as ingest. The site must have no visits yet.
 */
export async function buildVisits(db: Db, siteId: number): Promise<void> {
  const { rows } = await sql<{ day: string }>`select distinct (occurred_at at time zone 'UTC')::date::text as day from events where site_id = ${siteId} order by 1`.execute(db);
  const onDay = (column: string, day: string) =>
    sql`${sql.ref(column)} >= ${`${day}T00:00:00Z`}::timestamptz and ${sql.ref(column)} < ${`${day}T00:00:00Z`}::timestamptz + interval '1 day'`;
  for (const { day } of rows) {
    await sql`insert into visits (${VISIT_COLUMNS})
      ${foldVisits(sql`select * from events where site_id = ${siteId} and ${onDay('occurred_at', day)}`)}
      on conflict (site_id, session_id) do update set ${MERGE_VISIT}`.execute(db);
  }
  for (const { day } of rows) await addToRollups(contributions(sql`(select * from visits where site_id = ${siteId} and ${onDay('started', day)})`, 1)).execute(db);
}

/** Visits deleted per transaction by retention: each holds the sites' usage locks, which ingest waits on, briefly. */
const RETENTION_CHUNK = 20_000;

/**
 * Retention: removes the sites' visits that started before `day` (a UTC date), the rollups and sketches of those
 * days, and the events such a visit had on or after `day`, so that what stays is exactly the later visits.
 * Returns how many of those later events went. Visits go in chunks, each in a short transaction of its own, so a
 * busy site's ingest waits a moment at a time rather than for the whole day's deletion.
 */
export async function deleteVisitsBefore(db: Db, siteIds: readonly number[], day: string): Promise<number> {
  if (siteIds.length === 0) return 0;
  const cutoff = new Date(`${day}T00:00:00Z`);
  const sites = [...siteIds];
  // Past retention whatever the visits' deletion has reached, so they go first.
  await inTransaction(db, async (trx) => {
    await lockSiteUsage(trx, sites);
    await sql`delete from usage_daily where site_id = any(${sites}::int[]) and day < ${day}::date`.execute(trx);
    await sql`delete from usage_sketches where site_id = any(${sites}::int[]) and day < ${day}::date`.execute(trx);
  });
  let eventsDeleted = 0;
  for (let removed = RETENTION_CHUNK; removed === RETENTION_CHUNK; ) {
    removed = await inTransaction(db, async (trx) => {
      await lockSiteUsage(trx, sites);
      const { rows } = await sql<{ site_id: number; session_id: string; ended: Date }>`
        delete from visits where (site_id, session_id) in (
          select site_id, session_id from visits where site_id = any(${sites}::int[]) and started < ${cutoff} limit ${RETENTION_CHUNK}
        ) returning site_id, session_id, ended`.execute(trx);
      const spanning = rows.filter((row) => row.ended >= cutoff);
      if (spanning.length) eventsDeleted += await deleteEventsFrom(trx, spanning, cutoff);
      return rows.length;
    });
  }
  return eventsDeleted;
}

/**
 * The events on or after `cutoff` of visits that started before it. Bounded by literal times, so only the days
 * those visits reach are read (partition pruning, then the key's time range) rather than every later day.
 */
async function deleteEventsFrom(db: Db, visits: ReadonlyArray<{ site_id: number; session_id: string; ended: Date }>, cutoff: Date): Promise<number> {
  const lastEnded = new Date(Math.max(...visits.map((visit) => visit.ended.getTime())));
  const result = await sql`
    delete from events e using unnest(${visits.map((visit) => visit.site_id)}::int[], ${visits.map((visit) => visit.session_id)}::text[]) as v(site_id, session_id)
    where e.site_id = v.site_id and e.session_id = v.session_id and e.occurred_at >= ${cutoff} and e.occurred_at <= ${lastEnded}`.execute(db);
  return Number(result.numAffectedRows ?? 0);
}
