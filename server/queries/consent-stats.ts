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
