/**
 * Events are partitioned by UTC day, so retention drops whole days (a catalogue change, no row deletes, no long
 * locks) and a period's reads touch only its days. A day's partition is made when its first event is stored;
 * this process remembers which exist.
 */
import { sql } from 'kysely';
import type { Db } from '../db/create.ts';
import { inTransaction } from '../db/transaction.ts';

const DAY_MS = 86_400_000;
/** Serialises partition creation across processes: two creating the same day would collide in the catalogue. */
const PARTITION_LOCK = 7_240_001;
const NAME = /^events_d(\d{4})(\d{2})(\d{2})$/;

const known = new WeakMap<Db, Set<string>>();

/** 2026-12-01 for any time on that day (UTC). */
export function utcDay(time: Date | number): string {
  return new Date(Math.floor(new Date(time).getTime() / DAY_MS) * DAY_MS).toISOString().slice(0, 10);
}

const partitionName = (day: string) => `events_d${day.replaceAll('-', '')}`;

export async function ensureEventPartitions(db: Db, days: Iterable<string>): Promise<void> {
  const made = known.get(db) ?? new Set<string>();
  known.set(db, made);
  const missing = [...new Set(days)].filter((day) => !made.has(day)).sort();
  if (missing.length === 0) return;
  await inTransaction(db, async (trx) => {
    await sql`select pg_advisory_xact_lock(${PARTITION_LOCK})`.execute(trx);
    for (const day of missing) {
      const next = utcDay(Date.parse(`${day}T00:00:00Z`) + DAY_MS);
      await sql`create table if not exists ${sql.id(partitionName(day))} partition of events
        for values from (${sql.lit(`${day}T00:00:00Z`)}) to (${sql.lit(`${next}T00:00:00Z`)})`.execute(trx);
    }
  });
  for (const day of missing) made.add(day);
}

/** Forgets what this process knows, after another may have dropped partitions. */
export function forgetKnownPartitions(db: Db): void {
  known.delete(db);
}

export async function eventPartitionDays(db: Db): Promise<string[]> {
  const { rows } = await sql<{ name: string }>`select c.relname as name from pg_inherits i join pg_class c on c.oid = i.inhrelid
    where i.inhparent = 'events'::regclass`.execute(db);
  return rows
    .map((row) => NAME.exec(row.name))
    .filter((match) => match !== null)
    .map((match) => `${match[1]}-${match[2]}-${match[3]}`)
    .sort();
}

/**
 * Drops the partitions of days before `day`; returns how many events they held, per site. Each is detached
 * CONCURRENTLY first, so ingest into the other days never waits on the drop; a day detached by a run that died
 * before dropping it is dropped by the next.
 */
export async function dropEventPartitionsBefore(db: Db, day: string): Promise<Map<number, number>> {
  const dropped = new Map<number, number>();
  const { rows } = await sql<{ name: string; attached: boolean }>`select relname as name, relispartition as attached from pg_class
    where relkind = 'r' and relnamespace = current_schema()::regnamespace and relname like 'events\_d%'`.execute(db);
  const old = rows.filter((row) => {
    const match = NAME.exec(row.name);
    return match !== null && `${match[1]}-${match[2]}-${match[3]}` < day;
  });
  for (const { name, attached } of old.sort((a, b) => a.name.localeCompare(b.name))) {
    const table = sql.id(name);
    const { rows: counts } = await sql<{ site_id: number; n: number }>`select site_id, count(*)::int as n from ${table} group by site_id`.execute(db);
    for (const row of counts) dropped.set(row.site_id, (dropped.get(row.site_id) ?? 0) + row.n);
    if (attached) await sql`alter table events detach partition ${table} concurrently`.execute(db);
    await sql`drop table ${table}`.execute(db);
  }
  forgetKnownPartitions(db);
  return dropped;
}

/** Bytes on disk of the events (every partition, with their indexes). */
export async function eventsDiskBytes(db: Db): Promise<number> {
  const { rows } = await sql<{ bytes: number }>`select coalesce(sum(pg_total_relation_size(i.inhrelid)), 0)::bigint as bytes
    from pg_inherits i where i.inhparent = 'events'::regclass`.execute(db);
  return Number(rows[0]!.bytes);
}
