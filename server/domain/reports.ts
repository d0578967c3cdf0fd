/** Scheduled email reports: schedules, recipients, the mails owed, and the calendar they follow (UTC). Pure. */
import type { StaffLocale } from './consent.ts';
import type { DateRange } from './stats.ts';

export const REPORT_FREQUENCIES = ['off', 'weekly', 'monthly'] as const;
export type ReportFrequency = (typeof REPORT_FREQUENCIES)[number];
/** A frequency that sends. */
export type ReportPeriodKind = Exclude<ReportFrequency, 'off'>;

/** The languages a report is written in: the dashboard's. */
export const REPORT_LANGUAGES = ['nb', 'en'] as const satisfies readonly StaffLocale[];

export const DELIVERY_STATUSES = ['pending', 'sent', 'failed', 'cancelled'] as const;
/** pending: owed (maybe after failed tries); failed: every try used; cancelled: the recipient unsubscribed first. */
export type DeliveryStatus = (typeof DELIVERY_STATUSES)[number];

export interface ReportSchedule {
  readonly siteId: number;
  readonly frequency: ReportFrequency;
  readonly language: StaffLocale;
  /** When the report of the running period goes out; null while off. */
  readonly nextSendAt: Date | null;
}

export interface ReportRecipient {
  readonly id: number;
  readonly email: string;
  readonly createdAt: Date;
  /** Set by the recipient, from the link in a mail; no more mail goes to them. */
  readonly unsubscribedAt: Date | null;
}

/** One report mail to one recipient for one period: owed, sent, or given up on. */
export interface ReportDelivery {
  readonly id: number;
  readonly recipientId: number;
  readonly email: string;
  readonly frequency: ReportPeriodKind;
  readonly period: DateRange;
  readonly status: DeliveryStatus;
  readonly attempts: number;
  readonly lastAttemptAt: Date | null;
  readonly lastError: string | null;
  readonly nextAttemptAt: Date | null;
  readonly sentAt: Date | null;
}

const DAY_MS = 86_400_000;

/**
 * A period's report waits this long after it ends: events still queued or journaled through a short outage are
 * stored by then, and the consent counts of its last day are closed.
 */
export const REPORT_SEND_DELAY_MS = 60 * 60_000;

/** Waits before each retry of a mail the SMTP server refused or did not take; after the last, it has failed. */
export const RETRY_DELAYS_MS = [60_000, 5 * 60_000, 30 * 60_000, 2 * 3_600_000, 6 * 3_600_000] as const;

/** When to try again after `attempts` tries, or null when they are all used. */
export function nextRetry(attempts: number, now: Date): Date | null {
  const delay = RETRY_DELAYS_MS[attempts - 1];
  return delay === undefined ? null : new Date(now.getTime() + delay);
}

/** The start of the period (a Monday-to-Sunday week, or a month, in UTC) that `at` falls in. */
function periodStart(kind: ReportPeriodKind, at: Date): Date {
  if (kind === 'monthly') return new Date(Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), 1));
  const day = Date.UTC(at.getUTCFullYear(), at.getUTCMonth(), at.getUTCDate());
  // getUTCDay: 0 is Sunday; weeks start on Monday.
  return new Date(day - ((at.getUTCDay() + 6) % 7) * DAY_MS);
}

function periodAfter(kind: ReportPeriodKind, start: Date): Date {
  return kind === 'monthly' ? new Date(Date.UTC(start.getUTCFullYear(), start.getUTCMonth() + 1, 1)) : new Date(start.getTime() + 7 * DAY_MS);
}

/** The last whole period before `at`: last week (Mon–Sun) or last month. */
export function completedPeriod(kind: ReportPeriodKind, at: Date): DateRange {
  const to = periodStart(kind, at);
  const from = periodStart(kind, new Date(to.getTime() - 1));
  return { from, to };
}

/** The period a report compares with: the one before it (a calendar month, not the same number of days). */
export function periodBefore(kind: ReportPeriodKind, period: DateRange): DateRange {
  return completedPeriod(kind, period.from);
}

/** When the report of the period running at `now` is due. */
export function nextSendTime(kind: ReportPeriodKind, now: Date): Date {
  const start = periodStart(kind, now);
  const due = new Date(start.getTime() + REPORT_SEND_DELAY_MS);
  // Between a period's start and its report's send time, the report still owed is the last period's.
  return due > now ? due : new Date(periodAfter(kind, start).getTime() + REPORT_SEND_DELAY_MS);
}
