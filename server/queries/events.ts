/** Analytics events: the batched insert the collector's writer uses. */
import { sql } from 'kysely';
import type { Db } from '../db/create.ts';
import type { NewEvent } from '../db/schema.ts';

/** Stores a batch in one statement: one array per column (unnest), whatever the number of rows. */
export async function insertEvents(db: Db, rows: readonly NewEvent[]): Promise<void> {
  if (rows.length === 0) return;
  const column = <T>(pick: (row: NewEvent) => T) => rows.map(pick);
  await sql`
    insert into events (site_id, occurred_at, consent_id, session_id, type, name, path, referrer_host, utm_source, utm_medium,
      utm_campaign, utm_term, utm_content, ad_click, browser, os, device, props)
    select * from unnest(
      ${column((row) => row.site_id)}::int[], ${column((row) => new Date(row.occurred_at).toISOString())}::timestamptz[],
      ${column((row) => row.consent_id)}::text[], ${column((row) => row.session_id)}::text[], ${column((row) => row.type)}::text[],
      ${column((row) => row.name ?? null)}::text[], ${column((row) => row.path)}::text[], ${column((row) => row.referrer_host ?? null)}::text[],
      ${column((row) => row.utm_source ?? null)}::text[], ${column((row) => row.utm_medium ?? null)}::text[],
      ${column((row) => row.utm_campaign ?? null)}::text[], ${column((row) => row.utm_term ?? null)}::text[],
      ${column((row) => row.utm_content ?? null)}::text[], ${column((row) => row.ad_click ?? null)}::text[],
      ${column((row) => row.browser ?? null)}::text[], ${column((row) => row.os ?? null)}::text[], ${column((row) => row.device)}::text[],
      ${column((row) => row.props ?? null)}::jsonb[]
    )`.execute(db);
}
