/**
 * The figures of one report: a site over one period against the period before it, read from the stats engine, the
 * consent share and the goals, as the dashboard's overview reads them. No SQL of its own.
 */
import type { Db } from '../db/create.ts';
import { percent } from '../domain/goals.ts';
import { periodBefore, type ReportPeriodKind } from '../domain/reports.ts';
import type { DateRange, UsageFilter } from '../domain/stats.ts';
import { consentShare } from '../queries/consent-stats.ts';
import { goalConversions, listGoals } from '../queries/goals.ts';
import { runStats, runStatsSet, type StatsScope } from '../queries/stats.ts';

/** Rows of the top pages and top campaigns. */
export const REPORT_TOP_ROWS = 5;

export interface Compared<T> {
  readonly current: T;
  readonly previous: T;
}

/** A page or campaign among the period's top, with its figure in the period before. */
export interface RankedValue extends Compared<number> {
  readonly value: string;
}

export interface GoalFigures {
  readonly name: string;
  readonly conversions: Compared<number>;
  /** Percent of visitors who converted, one decimal; null without visitors. */
  readonly conversionRate: Compared<number | null>;
}

export interface ReportSummary {
  readonly site: { readonly id: number; readonly name: string };
  readonly frequency: ReportPeriodKind;
  readonly period: DateRange;
  readonly previousPeriod: DateRange;
  readonly visitors: Compared<number>;
  readonly visits: Compared<number>;
  readonly pageviews: Compared<number>;
  /** Pageviews per page. */
  readonly topPages: readonly RankedValue[];
  /** Visits per UTM campaign. */
  readonly topCampaigns: readonly RankedValue[];
  readonly goals: readonly GoalFigures[];
  /** Percent of consent decisions that granted analytics, one decimal; null without decisions. */
  readonly optInRate: Compared<number | null>;
  readonly decisions: Compared<number>;
}

/** Each top value's figure in the previous period: the same metric, filtered to that value. */
async function previousFigures(db: Db, scope: StatsScope, filters: readonly UsageFilter[], metric: 'pageviews' | 'visits'): Promise<number[]> {
  return Promise.all(
    filters.map(async (filter) => {
      const rows = await runStats(db, { ...scope, filters: [filter], metrics: [metric], grouping: { by: 'total' } });
      return Number(rows[0]?.metrics[metric] ?? 0);
    }),
  );
}

export async function reportSummary(db: Db, site: { id: number; name: string }, frequency: ReportPeriodKind, period: DateRange): Promise<ReportSummary> {
  const previousPeriod = periodBefore(frequency, period);
  const scope: StatsScope = { siteId: site.id, range: period, filters: [] };
  const previousScope: StatsScope = { ...scope, range: previousPeriod };
  const totals = { metrics: ['visitors', 'visits', 'pageviews'], grouping: { by: 'total' } } as const;
  const [current, previous, consent, previousConsent, goals] = await Promise.all([
    runStatsSet(db, scope, {
      totals,
      pages: { metrics: ['pageviews'], grouping: { by: 'dimension', dimension: 'page', limit: REPORT_TOP_ROWS } },
      campaigns: { metrics: ['visits'], grouping: { by: 'dimension', dimension: 'utmCampaign', limit: REPORT_TOP_ROWS } },
    }),
    runStatsSet(db, previousScope, { totals }),
    consentShare(db, site.id, period),
    consentShare(db, site.id, previousPeriod),
    listGoals(db, site.id),
  ]);
  const pages = current.pages.filter((row) => row.value !== null);
  const campaigns = current.campaigns.filter((row) => row.value !== null);
  const [previousPages, previousCampaigns, conversions, previousConversions] = await Promise.all([
    previousFigures(db, previousScope, pages.map((row) => ({ dimension: 'page', value: row.value! })), 'pageviews'),
    previousFigures(db, previousScope, campaigns.map((row) => ({ dimension: 'utmCampaign', value: row.value! })), 'visits'),
    goalConversions(db, scope, goals),
    goalConversions(db, previousScope, goals),
  ]);
  const total = (rows: typeof current.totals, metric: 'visitors' | 'visits' | 'pageviews') => Number(rows[0]?.metrics[metric] ?? 0);
  const compared = (metric: 'visitors' | 'visits' | 'pageviews') => ({ current: total(current.totals, metric), previous: total(previous.totals, metric) });
  const goalOf = (groups: typeof conversions, goalId: number) => groups[0]?.goals.find((goal) => goal.goalId === goalId);
  return {
    site,
    frequency,
    period,
    previousPeriod,
    visitors: compared('visitors'),
    visits: compared('visits'),
    pageviews: compared('pageviews'),
    topPages: pages.map((row, index) => ({ value: row.value!, current: Number(row.metrics.pageviews ?? 0), previous: previousPages[index]! })),
    topCampaigns: campaigns.map((row, index) => ({ value: row.value!, current: Number(row.metrics.visits ?? 0), previous: previousCampaigns[index]! })),
    goals: goals.map((goal) => ({
      name: goal.name,
      conversions: { current: goalOf(conversions, goal.id)?.conversions ?? 0, previous: goalOf(previousConversions, goal.id)?.conversions ?? 0 },
      conversionRate: { current: goalOf(conversions, goal.id)?.conversionRate ?? null, previous: goalOf(previousConversions, goal.id)?.conversionRate ?? null },
    })),
    optInRate: { current: percent(consent.analyticsGranted, consent.decisions), previous: percent(previousConsent.analyticsGranted, previousConsent.decisions) },
    decisions: { current: consent.decisions, previous: previousConsent.decisions },
  };
}
