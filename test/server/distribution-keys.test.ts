/**
 * The schema stays distributable: read from the catalogue of a freshly migrated database, every table is placed in
 * server/db/distribution.ts, and every key of a distributed table is one Citus can keep on a shard by itself.
 */
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DISTRIBUTION_COLUMN, TABLE_PLACEMENT, type Placement } from '../../server/db/distribution.ts';
import { createTestDatabase, engines, type TestDatabase } from '../helpers/database.ts';

interface Key {
  readonly table: string;
  readonly name: string;
  /** p primary key, u unique constraint, x exclusion constraint, i unique index, f foreign key. */
  readonly kind: 'p' | 'u' | 'x' | 'i' | 'f';
  readonly columns: string[];
  readonly referenced: string | null;
  readonly referencedColumns: string[];
  /** pg_constraint's action codes: a no action, r restrict, c cascade, n set null, d set default. */
  readonly onDelete: string | null;
  readonly onUpdate: string | null;
}

const KIND_NAMES: Record<Key['kind'], string> = {
  p: 'primary key',
  u: 'unique constraint',
  x: 'exclusion constraint',
  i: 'unique index',
  f: 'foreign key',
};

// Partitions are left out: they take their keys and their placement from the table they partition.
const TABLES = sql<{ name: string }>`
  select c.relname::text as name from pg_class c
  where c.relnamespace = current_schema()::regnamespace and c.relkind in ('r', 'p') and not c.relispartition
  order by 1`;

const SITE_COLUMNS = sql<{ table: string; type: string }>`
  select c.relname::text as table, format_type(a.atttypid, a.atttypmod) as type
  from pg_class c join pg_attribute a on a.attrelid = c.oid and a.attname = ${DISTRIBUTION_COLUMN} and not a.attisdropped
  where c.relnamespace = current_schema()::regnamespace and c.relkind in ('r', 'p') and not c.relispartition`;

/** Constraints with their columns in key order, and the unique indexes that back no constraint. */
const KEYS = sql<Key>`
  select t.relname::text as table, con.conname::text as name, con.contype::text as kind,
    array(select a.attname::text from unnest(con.conkey) with ordinality k(attnum, n)
      join pg_attribute a on a.attrelid = con.conrelid and a.attnum = k.attnum order by k.n) as columns,
    r.relname::text as referenced,
    array(select a.attname::text from unnest(coalesce(con.confkey, '{}')) with ordinality k(attnum, n)
      join pg_attribute a on a.attrelid = con.confrelid and a.attnum = k.attnum order by k.n) as "referencedColumns",
    nullif(con.confdeltype, ' ')::text as "onDelete", nullif(con.confupdtype, ' ')::text as "onUpdate"
  from pg_constraint con
  join pg_class t on t.oid = con.conrelid
  left join pg_class r on r.oid = con.confrelid
  where con.connamespace = current_schema()::regnamespace and con.contype in ('p', 'u', 'x', 'f') and not t.relispartition
  union all
  select t.relname::text, i.relname::text, 'i',
    array(select a.attname::text from unnest(x.indkey::int2[]) with ordinality k(attnum, n)
      join pg_attribute a on a.attrelid = x.indrelid and a.attnum = k.attnum order by k.n),
    null, '{}'::text[], null, null
  from pg_index x
  join pg_class i on i.oid = x.indexrelid
  join pg_class t on t.oid = x.indrelid
  where t.relnamespace = current_schema()::regnamespace and x.indisunique and not t.relispartition
    and not exists (select 1 from pg_constraint c where c.conindid = x.indexrelid and c.conrelid = x.indrelid and c.contype in ('p', 'u', 'x'))
  order by 1, 2`;

function placementOf(table: string | null): Placement | undefined {
  return table !== null && Object.hasOwn(TABLE_PLACEMENT, table) ? TABLE_PLACEMENT[table as keyof typeof TABLE_PLACEMENT] : undefined;
}

function describeKey(key: Key): string {
  const own = `${key.table}: ${KIND_NAMES[key.kind]} ${key.name} (${key.columns.join(', ')})`;
  return key.referenced ? `${own} → ${key.referenced} (${key.referencedColumns.join(', ')})` : own;
}

/** Why Citus could not keep this foreign key, or null when it can. */
function foreignKeyProblem(key: Key): string | null {
  const from = placementOf(key.table);
  const to = placementOf(key.referenced);
  if (from === undefined || to === undefined) return null;
  if (from === 'reference') return to === 'distributed' ? 'points from a reference table into a distributed one' : null;
  const position = key.columns.indexOf(DISTRIBUTION_COLUMN);
  if (to === 'distributed' && (position < 0 || key.referencedColumns[position] !== DISTRIBUTION_COLUMN)) {
    return `does not pair ${DISTRIBUTION_COLUMN} with ${DISTRIBUTION_COLUMN}`;
  }
  if (position >= 0 && (key.onDelete === 'n' || key.onDelete === 'd')) return `sets ${DISTRIBUTION_COLUMN} to null or its default on delete`;
  if (position >= 0 && key.onUpdate !== null && ['c', 'n', 'd'].includes(key.onUpdate)) return `changes ${DISTRIBUTION_COLUMN} on update`;
  return null;
}

describe.each(engines)('distribution keys on %s', (engine) => {
  // The catalogue is only read, so one freshly migrated database serves every case.
  let database: TestDatabase;
  beforeAll(async () => {
    database = await createTestDatabase(engine);
  });
  afterAll(() => database.drop());

  it('places every table as distributed or reference, and names no table that does not exist', async () => {
    const tables = (await TABLES.execute(database.db)).rows.map((row) => row.name);
    const unplaced = tables.filter((table) => placementOf(table) === undefined);
    const unknown = Object.keys(TABLE_PLACEMENT).filter((table) => !tables.includes(table));
    expect(unplaced, 'tables to add to TABLE_PLACEMENT in server/db/distribution.ts').toEqual([]);
    expect(unknown, 'TABLE_PLACEMENT names tables the migrations do not create').toEqual([]);
  });

  it(`gives every distributed table a ${DISTRIBUTION_COLUMN} of one type, so they can be co-located`, async () => {
    const columns = new Map((await SITE_COLUMNS.execute(database.db)).rows.map((row) => [row.table, row.type]));
    const distributed = Object.keys(TABLE_PLACEMENT).filter((table) => placementOf(table) === 'distributed');
    // Citus co-locates tables whose distribution columns share a type; sites.id is the integer they all refer to.
    const types = Object.fromEntries(distributed.map((table) => [table, columns.get(table) ?? `no ${DISTRIBUTION_COLUMN}`]));
    expect(types).toEqual(Object.fromEntries(distributed.map((table) => [table, 'integer'])));
  });

  it(`includes ${DISTRIBUTION_COLUMN} in every primary key, unique constraint and unique index of a distributed table`, async () => {
    const keys = (await KEYS.execute(database.db)).rows;
    // Guards the query itself: an empty list would pass for the wrong reason.
    expect(keys.some((key) => key.name === 'consent_records_site_seq_key' && key.columns.join() === 'site_id,seq')).toBe(true);
    const lacking = keys
      .filter((key) => key.kind !== 'f' && placementOf(key.table) === 'distributed' && !key.columns.includes(DISTRIBUTION_COLUMN))
      .map((key) => `${describeKey(key)} lacks ${DISTRIBUTION_COLUMN}`);
    expect(lacking).toEqual([]);
  });

  it(`keeps foreign keys to reference tables, or between distributed tables on ${DISTRIBUTION_COLUMN}`, async () => {
    const keys = (await KEYS.execute(database.db)).rows.filter((key) => key.kind === 'f');
    // Guards the query itself, as above.
    expect(keys.some((key) => key.table === 'consent_records' && key.referenced === 'sites')).toBe(true);
    const problems = keys.flatMap((key) => {
      const problem = foreignKeyProblem(key);
      return problem ? [`${describeKey(key)} ${problem}`] : [];
    });
    expect(problems).toEqual([]);
  });
});
