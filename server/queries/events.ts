/** Analytics events: the batched store the collector's writer uses, which keeps the visits and rollups with them. */
import { sql } from 'kysely';
import type { Db } from '../db/create.ts';
import type { NewEvent } from '../db/schema.ts';
import { ensureEventPartitions, forgetKnownPartitions, utcDay } from './event-partitions.ts';
import { addVisitorsToSketches, lockSiteUsage } from './usage-sketches.ts';
import { storeAndMergeEvents } from './visits.ts';

/** PostgreSQL's answer to a row no partition takes: another process dropped a day this one still knew. */
const NO_PARTITION = '23514';

/**
 * Stores a batch in one transaction: the events (one array per column, whatever the number of rows), their
 * visits and rollups, and the visitor sketches of their days. A failure stores none of it.
 */
export async function insertEvents(db: Db, rows: readonly NewEvent[]): Promise<void> {
  if (rows.length === 0) return;
  await ensureEventPartitions(db, rows.map((row) => utcDay(new Date(row.occurred_at))));
  try {
    await storeBatch(db, rows);
  } catch (error) {
    if ((error as { code?: string }).code !== NO_PARTITION) throw error;
    forgetKnownPartitions(db);
    await ensureEventPartitions(db, rows.map((row) => utcDay(new Date(row.occurred_at))));
    await storeBatch(db, rows);
  }
}

/** What a batch stores of each event: the events table's column, its PostgreSQL type, and the value of a row. */
const BATCH_COLUMNS: ReadonlyArray<readonly [column: string, type: string, pick: (row: NewEvent) => unknown]> = [
  ['site_id', 'int', (row) => row.site_id],
  ['occurred_at', 'timestamptz', (row) => new Date(row.occurred_at).toISOString()],
  ['consent_id', 'text', (row) => row.consent_id],
  ['session_id', 'text', (row) => row.session_id],
  ['type', 'text', (row) => row.type],
  ['name', 'text', (row) => row.name ?? null],
  ['path', 'text', (row) => row.path],
  ['referrer_host', 'text', (row) => row.referrer_host ?? null],
  ['utm_source', 'text', (row) => row.utm_source ?? null],
  ['utm_medium', 'text', (row) => row.utm_medium ?? null],
  ['utm_campaign', 'text', (row) => row.utm_campaign ?? null],
  ['utm_term', 'text', (row) => row.utm_term ?? null],
  ['utm_content', 'text', (row) => row.utm_content ?? null],
  ['ad_click', 'text', (row) => row.ad_click ?? null],
  ['browser', 'text', (row) => row.browser ?? null],
  ['os', 'text', (row) => row.os ?? null],
  ['device', 'text', (row) => row.device],
  ['country', 'text', (row) => row.country ?? null],
  ['props', 'jsonb', (row) => row.props ?? null],
  ['target', 'text', (row) => row.target ?? null],
  ['engaged_ms', 'int', (row) => row.engaged_ms ?? null],
  ['scroll', 'smallint', (row) => row.scroll ?? null],
];

const BATCH_COLUMN_NAMES = sql.raw(BATCH_COLUMNS.map(([column]) => column).join(', '));

async function storeBatch(db: Db, rows: readonly NewEvent[]): Promise<void> {
  // One array per column, so the statement is the same whatever the number of rows.
  const arrays = BATCH_COLUMNS.map(([, type, pick]) => sql`${rows.map(pick)}::${sql.raw(type)}[]`);
  const batch = sql`select * from unnest(${sql.join(arrays)}) as b(${BATCH_COLUMN_NAMES})`;
  await db.transaction().execute(async (trx) => {
    await lockSiteUsage(trx, rows.map((row) => row.site_id));
    await addVisitorsToSketches(trx, await storeAndMergeEvents(trx, batch, BATCH_COLUMN_NAMES));
  });
}
