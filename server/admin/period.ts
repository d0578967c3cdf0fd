/** The period query parameters every analytics route shares: today, 7 or 30 days, or a custom range of dates (UTC). */
import { z } from 'zod';
import { say } from '../i18n.ts';
import type { DateRange, TimeGranularity } from '../domain/stats.ts';

const DAY_MS = 86_400_000;
// zod's ISO date knows the days of each month: Date.parse reads 2026-02-30 as 2 March.
const date = z.iso.date({ error: () => say({ en: 'must be a real date such as 2026-11-25', nb: 'må være en gyldig dato som 2026-11-25' }) });
const REQUIRED_FOR_CUSTOM = { en: 'is required for a custom period', nb: 'må fylles ut for en egendefinert periode' };

export const periodSchema = z
  .object({
    period: z.enum(['today', '7d', '30d', 'custom']).default('30d'),
    from: date.optional(),
    to: date.optional(),
  })
  .superRefine((value, ctx) => {
    if (value.period !== 'custom') return;
    if (!value.from) ctx.addIssue({ code: 'custom', path: ['from'], message: say(REQUIRED_FOR_CUSTOM) });
    if (!value.to) ctx.addIssue({ code: 'custom', path: ['to'], message: say(REQUIRED_FOR_CUSTOM) });
    if (value.from && value.to && value.from > value.to) ctx.addIssue({ code: 'custom', path: ['to'], message: say({ en: 'must not be before from', nb: 'kan ikke være før fra-datoen' }) });
  });

export type Period = z.output<typeof periodSchema>;

function startOfDay(time: number): number {
  return Math.floor(time / DAY_MS) * DAY_MS;
}

/** Whole days, ending with today; a custom `to` date is included. */
export function periodRange(period: Period, now: Date): { range: DateRange; granularity: TimeGranularity } {
  const tomorrow = startOfDay(now.getTime()) + DAY_MS;
  switch (period.period) {
    case 'today':
      return { range: { from: new Date(tomorrow - DAY_MS), to: new Date(tomorrow) }, granularity: 'hour' };
    case '7d':
      return { range: { from: new Date(tomorrow - 7 * DAY_MS), to: new Date(tomorrow) }, granularity: 'day' };
    case '30d':
      return { range: { from: new Date(tomorrow - 30 * DAY_MS), to: new Date(tomorrow) }, granularity: 'day' };
    case 'custom': {
      const from = Date.parse(`${period.from}T00:00:00Z`);
      const to = Date.parse(`${period.to}T00:00:00Z`) + DAY_MS;
      return { range: { from: new Date(from), to: new Date(to) }, granularity: to - from <= DAY_MS ? 'hour' : 'day' };
    }
  }
}
