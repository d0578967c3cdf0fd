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

async function storeBatch(db: Db, rows: readonly NewEvent[]): Promise<void> {
  const column = <T>(pick: (row: NewEvent) => T) => rows.map(pick);
  const batch = sql`select * from unnest(
      ${column((row) => row.site_id)}::int[], ${column((row) => new Date(row.occurred_at).toISOString())}::timestamptz[],
      ${column((row) => row.consent_id)}::text[], ${column((row) => row.session_id)}::text[], ${column((row) => row.type)}::text[],
      ${column((row) => row.name ?? null)}::text[], ${column((row) => row.path)}::text[], ${column((row) => row.referrer_host ?? null)}::text[],
      ${column((row) => row.utm_source ?? null)}::text[], ${column((row) => row.utm_medium ?? null)}::text[],
      ${column((row) => row.utm_campaign ?? null)}::text[], ${column((row) => row.utm_term ?? null)}::text[],
      ${column((row) => row.utm_content ?? null)}::text[], ${column((row) => row.ad_click ?? null)}::text[],
      ${column((row) => row.browser ?? null)}::text[], ${column((row) => row.os ?? null)}::text[], ${column((row) => row.device)}::text[],
      ${column((row) => row.props ?? null)}::jsonb[]
    ) as b(site_id, occurred_at, consent_id, session_id, type, name, path, referrer_host, utm_source, utm_medium,
      utm_campaign, utm_term, utm_content, ad_click, browser, os, device, props)`;
  const columns = sql.raw(`site_id, occurred_at, consent_id, session_id, type, name, path, referrer_host, utm_source, utm_medium,
      utm_campaign, utm_term, utm_content, ad_click, browser, os, device, props`);
  await db.transaction().execute(async (trx) => {
    await lockSiteUsage(trx, rows.map((row) => row.site_id));
    await addVisitorsToSketches(trx, await storeAndMergeEvents(trx, batch, columns));
  });
}
