/**
 * Visitor sketches per site and day (see domain/hyperloglog.ts): grown at ingest, merged at read time, rebuilt
 * from the visits when one may hold a visitor who left its day (an erasure, a late event that moved a visit to
 * an earlier day). Writers of a site's usage hold its lock, so a rebuild never races an ingest.
 */
import { sql } from 'kysely';
import type { Db } from '../db/create.ts';
import { inTransaction } from '../db/transaction.ts';
import { addVisitor, emptySketch, estimate, mergeInto, type Sketch } from '../domain/hyperloglog.ts';
import type { VisitChange } from './visits.ts';

/** Namespace of the per-site advisory locks every writer of a site's visits, rollups and sketches takes. */
const USAGE_LOCK = 7_240_002;

/** Takes the sites' usage locks until the transaction ends, in id order so that two writers cannot deadlock. */
export async function lockSiteUsage(db: Db, siteIds: Iterable<number>): Promise<void> {
  const ids = [...new Set(siteIds)].sort((a, b) => a - b);
  if (ids.length) await sql`select pg_advisory_xact_lock(${USAGE_LOCK}, id) from unnest(${ids}::int[]) as id order by id`.execute(db);
}

const siteDay = (siteId: number, day: string) => `${siteId}|${day}`;

/** Stores sketches; `rebuilt` ones lose their stale mark, grown ones keep theirs. */
async function writeSketches(db: Db, sketches: ReadonlyMap<string, Sketch>, rebuilt: boolean): Promise<void> {
  if (sketches.size === 0) return;
  const keys = [...sketches.keys()].sort();
  await sql`insert into usage_sketches (site_id, day, registers, stale)
    select k.site_id, k.day, k.registers, false from unnest(${keys.map((key) => Number(key.split('|')[0]))}::int[],
      ${keys.map((key) => key.split('|')[1]!)}::date[], ${keys.map((key) => Buffer.from(sketches.get(key)!))}::bytea[]) as k(site_id, day, registers)
    on conflict (site_id, day) do update set registers = excluded.registers${rebuilt ? sql`, stale = false` : sql``}`.execute(db);
}

/** Marks days whose sketch may count a visitor who is no longer there. */
export async function markSketchesStale(db: Db, siteId: number, days: readonly string[]): Promise<void> {
  if (days.length) await sql`update usage_sketches set stale = true where site_id = ${siteId} and day = any(${[...days]}::date[])`.execute(db);
}

/** Adds the visitors of new (or moved) visits to their days' sketches. */
export async function addVisitorsToSketches(db: Db, changes: readonly VisitChange[]): Promise<void> {
  if (changes.length === 0) return;
  const visitors = new Map<string, string[]>();
  for (const change of changes) {
    const key = siteDay(change.siteId, change.day);
    visitors.set(key, [...(visitors.get(key) ?? []), change.visitor]);
  }
  const keys = [...visitors.keys()];
  const { rows } = await sql<{ site_id: number; day: string; registers: Uint8Array }>`
    select site_id, day::text as day, registers from usage_sketches
    where (site_id, day) in (select * from unnest(${keys.map((key) => Number(key.split('|')[0]))}::int[], ${keys.map((key) => key.split('|')[1]!)}::date[]))`.execute(db);
  const stored = new Map(rows.map((row) => [siteDay(row.site_id, row.day), row.registers]));
  const grown = new Map<string, Sketch>();
  for (const [key, added] of visitors) {
    const sketch = emptySketch();
    const before = stored.get(key);
    if (before) mergeInto(sketch, before);
    let grew = !before;
    for (const visitor of added) grew = addVisitor(sketch, visitor) || grew;
    if (grew) grown.set(key, sketch);
  }
  await writeSketches(db, grown, false);
  const staleDays = new Map<number, Set<string>>();
  for (const change of changes) {
    if (change.oldDay === null || (change.oldDay === change.day && change.oldVisitor === change.visitor)) continue;
    staleDays.set(change.siteId, (staleDays.get(change.siteId) ?? new Set()).add(change.oldDay));
  }
  for (const [siteId, days] of staleDays) await markSketchesStale(db, siteId, [...days]);
}

/** The sketches of `days` (sorted) rebuilt from their visits, in one transaction under the site's lock. */
async function rebuildSketches(db: Db, siteId: number, days: readonly string[]): Promise<void> {
  await inTransaction(db, async (trx) => {
    await lockSiteUsage(trx, [siteId]);
    const sketches = new Map<string, Sketch>(days.map((day) => [siteDay(siteId, day), emptySketch()]));
    const { rows } = await sql<{ day: string; visitor: string }>`select (started at time zone 'UTC')::date::text as day, visitor from visits
      where site_id = ${siteId} and started >= ${`${days[0]}T00:00:00Z`}::timestamptz and started < ${`${days.at(-1)}T00:00:00Z`}::timestamptz + interval '1 day'
        and (started at time zone 'UTC')::date = any(${[...days]}::date[])`.execute(trx);
    for (const row of rows) addVisitor(sketches.get(siteDay(siteId, row.day))!, row.visitor);
    await writeSketches(trx, sketches, true);
  });
}

/** Builds every day's sketch of a site from its visits (after a bulk load). */
export async function buildSketches(db: Db, siteId: number): Promise<void> {
  const { rows } = await sql<{ day: string }>`select distinct (started at time zone 'UTC')::date::text as day from visits where site_id = ${siteId} order by 1`.execute(db);
  for (let start = 0; start < rows.length; start += 31) await rebuildSketches(db, siteId, rows.slice(start, start + 31).map((row) => row.day));
}

/** Sketches a process keeps between reads, each with the row version (xmin) it was read at. */
const SKETCH_CACHE_LIMIT = 2_048;
const cached = new WeakMap<Db, Map<string, { version: string; registers: Uint8Array }>>();

/**
 * The days' sketches, read only where the row changed since this process last read it: a 30-day overview
 * otherwise moves half a megabyte of registers per call, which on PGlite alone costs more than its target.
 */
async function daySketches(db: Db, siteId: number, fromDay: string, toDay: string): Promise<Array<{ day: string; registers: Uint8Array }>> {
  const cache = cached.get(db) ?? new Map<string, { version: string; registers: Uint8Array }>();
  cached.set(db, cache);
  const versions = () =>
    sql<{ day: string; version: string; stale: boolean }>`select day::text as day, xmin::text as version, stale from usage_sketches
      where site_id = ${siteId} and day >= ${fromDay}::date and day < ${toDay}::date order by day`.execute(db);
  let { rows } = await versions();
  const stale = rows.filter((row) => row.stale).map((row) => row.day);
  if (stale.length) {
    await rebuildSketches(db, siteId, stale);
    ({ rows } = await versions());
  }
  const found = new Map<string, Uint8Array>();
  const changed: string[] = [];
  for (const row of rows) {
    const entry = cache.get(siteDay(siteId, row.day));
    if (entry?.version === row.version) found.set(row.day, entry.registers);
    else changed.push(row.day);
  }
  if (changed.length) {
    const { rows: read } = await sql<{ day: string; version: string; registers: Uint8Array }>`
      select day::text as day, xmin::text as version, registers from usage_sketches where site_id = ${siteId} and day = any(${changed}::date[])`.execute(db);
    for (const row of read) {
      found.set(row.day, row.registers);
      const key = siteDay(siteId, row.day);
      cache.delete(key);
      cache.set(key, { version: row.version, registers: row.registers });
    }
    // Oldest-read first: a Map iterates in insertion order.
    for (const key of cache.keys()) {
      if (cache.size <= SKETCH_CACHE_LIMIT) break;
      cache.delete(key);
    }
  }
  return [...found].map(([day, registers]) => ({ day, registers }));
}

/** Estimated distinct visitors over the days in [fromDay, toDay), overall and per day. */
export async function sketchedVisitors(db: Db, siteId: number, fromDay: string, toDay: string): Promise<{ total: number; perDay: Map<string, number> }> {
  const all = emptySketch();
  const perDay = new Map<string, number>();
  for (const row of await daySketches(db, siteId, fromDay, toDay)) {
    mergeInto(all, row.registers);
    perDay.set(row.day, estimate(row.registers));
  }
  return { total: estimate(all), perDay };
}
