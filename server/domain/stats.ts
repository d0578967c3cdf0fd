/** The vocabulary of analytics queries, shared by the stats engine, the admin API and the dashboard. */

export const USAGE_METRICS = ['visitors', 'visits', 'pageviews', 'viewsPerVisit', 'bounceRate', 'visitDuration', 'events'] as const;
export type UsageMetric = (typeof USAGE_METRICS)[number];

/** Properties of a whole visit, taken from its first (or for exit pages, last) event. */
export const VISIT_DIMENSIONS = [
  'entryPage',
  'exitPage',
  'referrer',
  'utmSource',
  'utmMedium',
  'utmCampaign',
  'adCampaign',
  'browser',
  'os',
  'device',
  'country',
] as const;
/** Properties of single events: a visit matches when any of its events does. */
export const EVENT_DIMENSIONS = ['page', 'event'] as const;
export type VisitDimension = (typeof VISIT_DIMENSIONS)[number];
export type EventDimension = (typeof EVENT_DIMENSIONS)[number];
/** `prop:<key>` breaks custom events down by one of their properties. */
export type PropDimension = `prop:${string}`;
export type UsageDimension = VisitDimension | EventDimension | PropDimension;
export type TimeGranularity = 'hour' | 'day';

/** Rows per panel in the overview; a full panel may have more, read through the breakdown. */
export const OVERVIEW_PANEL_ROWS = 10;

/** What a breakdown's rows can be sorted on: a count, or the value itself. */
export const BREAKDOWN_SORTS = ['visitors', 'visits', 'pageviews', 'events', 'value'] as const;
export type BreakdownSort = (typeof BREAKDOWN_SORTS)[number];
export type SortOrder = 'asc' | 'desc';

/** A breakdown ranks visit dimensions by visits, pages by pageviews and custom events by their count. */
export function defaultSort(dimension: UsageDimension): BreakdownSort {
  return dimension === 'page' ? 'pageviews' : dimension === 'event' || dimension.startsWith('prop:') ? 'events' : 'visits';
}

export const PROP_KEY_PATTERN = /^[A-Za-z0-9_.-]{1,64}$/;

export interface UsageFilter {
  readonly dimension: VisitDimension | EventDimension;
  readonly value: string;
}

export interface DateRange {
  /** Inclusive. */
  readonly from: Date;
  /** Exclusive. */
  readonly to: Date;
}

export type MetricValues = Partial<Record<UsageMetric, number | null>>;

export interface BreakdownRow {
  readonly value: string | null;
  readonly metrics: MetricValues;
}

export interface TimeseriesPoint {
  readonly bucket: string;
  readonly metrics: MetricValues;
}

/** The period just before a range, of the same length: what the overview compares with. */
export function previousRange(range: DateRange): DateRange {
  const length = range.to.getTime() - range.from.getTime();
  return { from: new Date(range.from.getTime() - length), to: range.from };
}

export function isVisitDimension(dimension: string): dimension is VisitDimension {
  return (VISIT_DIMENSIONS as readonly string[]).includes(dimension);
}

export const CONSENT_DIMENSIONS = ['day', 'policyVersion', 'surface', 'source', 'action', 'site', 'country'] as const;
export type ConsentDimension = (typeof CONSENT_DIMENSIONS)[number];

export interface ConsentStatsRow {
  readonly value: string;
  readonly decisions: number;
  /** Decisions that granted each optional category (functional included when a policy makes it optional). */
  readonly granted: { readonly functional: number; readonly analytics: number; readonly ads: number };
  readonly withdrawals: number;
}
