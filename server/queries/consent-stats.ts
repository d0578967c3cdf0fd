/** Consent analytics over the evidence: decisions, opt-in per category and withdrawals, grouped by one dimension. */
import { sql, type RawBuilder } from 'kysely';
import type { ConsentDimension, ConsentStatsRow, DateRange } from '../domain/stats.ts';
import type { Db } from '../db/create.ts';

export interface ConsentStatsQuery {
  readonly siteIds: readonly number[];
  readonly range: DateRange;
  readonly dimension: ConsentDimension;
}

const GROUP_EXPRESSIONS: Record<ConsentDimension, RawBuilder<unknown>> = {
  day: sql`to_char(date_trunc('day', r.recorded_at at time zone 'UTC'), 'YYYY-MM-DD')`,
  policyVersion: sql`s.key || ' v' || r.policy_version`,
  surface: sql`s.surface`,
  source: sql`r.source`,
  action: sql`r.action`,
  site: sql`s.key`,
  // Beside the evidence (not hashed); '' for decisions from local addresses, unplaced ones and those from before.
  country: sql`coalesce(r.country, '')`,
};

export async function runConsentStats(db: Db, query: ConsentStatsQuery): Promise<ConsentStatsRow[]> {
  if (query.siteIds.length === 0) return [];
  const group = GROUP_EXPRESSIONS[query.dimension];
  const { rows } = await sql<{ value: string; decisions: number; functional: number; analytics: number; ads: number; withdrawals: number }>`
    select ${group} as value,
      count(*) as decisions,
      count(*) filter (where r.functional) as functional,
      count(*) filter (where r.analytics) as analytics,
      count(*) filter (where r.ads) as ads,
      count(*) filter (where r.action = 'withdraw') as withdrawals
    from consent_records r join sites s on s.id = r.site_id
    where r.site_id in (${sql.join(query.siteIds)}) and r.recorded_at >= ${query.range.from} and r.recorded_at < ${query.range.to}
    group by 1 order by 1`.execute(db);
  return rows.map((row) => ({
    value: row.value,
    decisions: Number(row.decisions),
    granted: { functional: Number(row.functional), analytics: Number(row.analytics), ads: Number(row.ads) },
    withdrawals: Number(row.withdrawals),
  }));
}

/** Decisions, and those granting analytics, that a site recorded in a range: the overview's consent share. */
export interface ConsentShare {
  readonly decisions: number;
  readonly analyticsGranted: number;
}

const DAY_MS = 86_400_000;
/**
 * A record is stored at the time it arrives, so a day's counts stop changing once it is over (but for decisions
 * replayed from the journal, whose days are forgotten as they are stored): kept from then on,
 * the overview counts only today's records however many days it spans (a month of a busy site is a third of a
 * million records). Ten minutes' grace covers a decision received before midnight and committed after it.
 * Retention's pruning only ever removes days older than any consent lifetime.
 */
const CLOSED_AFTER_MS = 10 * 60_000;
const CLOSED_DAYS_LIMIT = 100_000;
const closedDays = new WeakMap<Db, Map<string, ConsentShare>>();

/** A decision stored late (replayed from the journal) with its original time: its day is counted again. */
export function forgetClosedConsentDays(db: Db, siteId: number, recordedAt: Date): void {
  closedDays.get(db)?.delete(`${siteId}|${Math.floor(recordedAt.getTime() / DAY_MS) * DAY_MS}`);
}

export async function consentShare(db: Db, siteId: number, range: DateRange, now = new Date()): Promise<ConsentShare> {
  const cache = closedDays.get(db) ?? new Map<string, ConsentShare>();
  closedDays.set(db, cache);
  if (cache.size > CLOSED_DAYS_LIMIT) cache.clear();
  const days: number[] = [];
  for (let day = range.from.getTime(); day < range.to.getTime(); day += DAY_MS) days.push(day);
  const key = (day: number) => `${siteId}|${day}`;
  const missing = days.filter((day) => !cache.has(key(day)));
  const counted = new Map<number, ConsentShare>();
  if (missing.length) {
    const { rows } = await sql<{ day: Date; decisions: number; analytics: number }>`
      select date_trunc('day', recorded_at at time zone 'UTC') at time zone 'UTC' as day, count(*)::int as decisions, (count(*) filter (where analytics))::int as analytics
      from consent_records where site_id = ${siteId} and recorded_at >= ${new Date(missing[0]!)} and recorded_at < ${new Date(missing.at(-1)! + DAY_MS)}
      group by 1`.execute(db);
    for (const row of rows) counted.set(new Date(row.day).getTime(), { decisions: row.decisions, analyticsGranted: row.analytics });
    for (const day of missing) {
      const share = counted.get(day) ?? { decisions: 0, analyticsGranted: 0 };
      counted.set(day, share);
      if (day + DAY_MS + CLOSED_AFTER_MS <= now.getTime()) cache.set(key(day), share);
    }
  }
  return days.reduce<ConsentShare>(
    (total, day) => {
      const share = cache.get(key(day)) ?? counted.get(day)!;
      return { decisions: total.decisions + share.decisions, analyticsGranted: total.analyticsGranted + share.analyticsGranted };
    },
    { decisions: 0, analyticsGranted: 0 },
  );
}
