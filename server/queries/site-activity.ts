/** What each site's origins sent and were refused, per hour: written in batches by the collector, read by the installation check. */
import { sql } from 'kysely';
import type { Db } from '../db/create.ts';
import type { ActivityKind } from '../db/schema.ts';

export interface ActivityCount {
  readonly siteId: number;
  readonly kind: ActivityKind;
  readonly origin: string;
  readonly hour: Date;
  readonly count: number;
  readonly lastAt: Date;
}

export interface Sighting {
  readonly at: Date;
  /** The Origin header as sent; '' when none was (an app, a server, a pixel). */
  readonly origin: string;
}

export interface RefusedOrigin {
  readonly origin: string;
  readonly count: number;
  readonly lastAt: Date;
}

export interface InstallActivity {
  readonly lastDecision: Sighting | null;
  readonly lastEvent: Sighting | null;
  readonly refused: readonly RefusedOrigin[];
}

/** Adds counts to the stored ones; the caller gives each (site, kind, hour, origin) once per call. */
export async function addSiteActivity(db: Db, counts: readonly ActivityCount[]): Promise<void> {
  if (counts.length === 0) return;
  const column = <T>(pick: (count: ActivityCount) => T) => counts.map(pick);
  await sql`
    insert into site_origin_activity (site_id, kind, hour, origin, count, last_at)
    select * from unnest(
      ${column((c) => c.siteId)}::integer[], ${column((c) => c.kind)}::text[], ${column((c) => c.hour.toISOString())}::timestamptz[],
      ${column((c) => c.origin)}::text[], ${column((c) => c.count)}::bigint[], ${column((c) => c.lastAt.toISOString())}::timestamptz[]
    )
    on conflict (site_id, kind, hour, origin) do update
      set count = site_origin_activity.count + excluded.count, last_at = greatest(site_origin_activity.last_at, excluded.last_at)
  `.execute(db);
}

/** The newest decision and event with their origins, and every origin refused since `refusedSince`, most refused first. */
export async function readInstallActivity(db: Db, siteId: number, refusedSince: Date): Promise<InstallActivity> {
  const newest = (kind: ActivityKind) =>
    db
      .selectFrom('site_origin_activity')
      .select(['last_at', 'origin'])
      .where('site_id', '=', siteId)
      .where('kind', '=', kind)
      .orderBy('hour', 'desc')
      .orderBy('last_at', 'desc')
      .limit(1)
      .executeTakeFirst();
  const [decision, event, refused] = await Promise.all([
    newest('decision'),
    newest('event'),
    db
      .selectFrom('site_origin_activity')
      .select(['origin', (eb) => eb.fn.sum<number>('count').as('count'), (eb) => eb.fn.max('last_at').as('last_at')])
      .where('site_id', '=', siteId)
      .where('kind', '=', 'refused')
      .where('last_at', '>=', refusedSince)
      .groupBy('origin')
      .orderBy('count', 'desc')
      .limit(50)
      .execute(),
  ]);
  const sighting = (row: { last_at: Date; origin: string } | undefined): Sighting | null => (row ? { at: row.last_at, origin: row.origin } : null);
  return {
    lastDecision: sighting(decision),
    lastEvent: sighting(event),
    refused: refused.map((row) => ({ origin: row.origin, count: Number(row.count), lastAt: row.last_at })),
  };
}

/** Forgets hours before the cutoff, except each site's newest hour of each kind: "last decision" outlives the window. */
export async function pruneSiteActivity(db: Db, cutoff: Date): Promise<number> {
  const result = await db
    .deleteFrom('site_origin_activity as old')
    .where('old.hour', '<', cutoff)
    .where(({ exists, selectFrom }) =>
      exists(
        selectFrom('site_origin_activity as newer')
          .select('newer.hour')
          .whereRef('newer.site_id', '=', 'old.site_id')
          .whereRef('newer.kind', '=', 'old.kind')
          .whereRef('newer.hour', '>', 'old.hour'),
      ),
    )
    .executeTakeFirst();
  return Number(result.numDeletedRows);
}
