/** Consent analytics: a site (or all) and a period in; decisions on every day of the period and the splits out. */
import { computed, effect, signal } from '@preact/signals';
import { api, type ConsentStats, type Period } from '../api.ts';
import { createLoader } from './loader.ts';
import { BUCKET_SECONDS, fillBuckets, spanOf } from './period.ts';

export const CONSENT_CATEGORIES = ['functional', 'analytics', 'ads'] as const;
type DayRow = ConsentStats['day'][number];

export function createConsentModel() {
  const period = signal<Period>({ period: '30d' });
  const site = signal<number | null>(null);
  // The span comes with the figures, so the chart never shows one period's days under another's.
  const stats = createLoader(async () => {
    const figures = await api.consentStats(site.value, period.value);
    return { span: spanOf(figures.range), figures };
  });
  const chart = computed(() => {
    const loaded = stats.data.value;
    if (!loaded) return null;
    const days = fillBuckets(loaded.span, BUCKET_SECONDS.day, loaded.figures.day, (row: DayRow) => Date.parse(`${row.value}T00:00:00Z`) / 1000);
    return {
      span: loaded.span,
      step: BUCKET_SECONDS.day,
      times: days.times,
      decisions: days.values((row) => row.decisions),
      analytics: days.values((row) => row.granted.analytics),
      withdrawals: days.values((row) => row.withdrawals),
    };
  });
  return { period, site, stats, chart, start: () => effect(() => void stats.load()) };
}
