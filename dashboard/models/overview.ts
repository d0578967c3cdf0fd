/** The usage overview: site, period and filters in, totals, chart, panels and the consent share out. */
import { computed, effect, signal } from '@preact/signals';
import { api, type Overview, type Period, type UsageFilter } from '../api.ts';
import { createLoader } from './loader.ts';
import { currentSite } from './session.ts';

const BUCKET_SECONDS = { hour: 3600, day: 86_400 } as const;

export function createOverviewModel() {
  const period = signal<Period>({ period: '30d' });
  const filters = signal<UsageFilter[]>([]);
  const overview = createLoader(() => api.usageOverview(currentSite.value!.id, period.value, filters.value));
  const propertyKey = signal('');
  const properties = createLoader(() => api.usageBreakdown(currentSite.value!.id, period.value, filters.value, `prop:${propertyKey.value}`));

  /** Every bucket of the range, with zero where nothing happened, so the line does not skip empty days. */
  const chart = computed(() => {
    const data: Overview | null = overview.data.value;
    if (!data) return null;
    const step = BUCKET_SECONDS[data.granularity];
    const byBucket = new Map(data.timeseries.map((point) => [Date.parse(point.value!) / 1000, point.metrics]));
    const times: number[] = [];
    for (let time = Date.parse(data.range.from) / 1000; time < Date.parse(data.range.to) / 1000; time += step) times.push(time);
    return {
      times,
      visitors: times.map((time) => byBucket.get(time)?.visitors ?? 0),
      pageviews: times.map((time) => byBucket.get(time)?.pageviews ?? 0),
    };
  });

  function addFilter(filter: UsageFilter): void {
    filters.value = [...filters.value.filter((existing) => existing.dimension !== filter.dimension), filter];
  }

  function removeFilter(dimension: UsageFilter['dimension']): void {
    filters.value = filters.value.filter((existing) => existing.dimension !== dimension);
  }

  function start(): () => void {
    return effect(() => {
      if (currentSite.value) void overview.load();
    });
  }

  function showProperty(): void {
    if (currentSite.value && propertyKey.value.trim()) void properties.load();
  }

  return { period, filters, overview, chart, propertyKey, properties, addFilter, removeFilter, start, showProperty };
}

export type OverviewModel = ReturnType<typeof createOverviewModel>;
