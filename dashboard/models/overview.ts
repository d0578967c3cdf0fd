/** The usage overview: site, period and filters in; totals, chart, panels, a property's breakdown and the consent share out. */
import { computed, effect, signal, untracked } from '@preact/signals';
import { api, type Overview, type Period, type UsageFilter } from '../api.ts';
import { createBreakdownModel, type BreakdownModel, type BreakdownScope } from './breakdown.ts';
import { createLoader } from './loader.ts';
import { BUCKET_SECONDS, fillBuckets, spanOf } from './period.ts';
import { currentSite } from './session.ts';

export type PanelDimension = keyof Overview['panels'];

export function createOverviewModel() {
  const period = signal<Period>({ period: '30d' });
  const filters = signal<UsageFilter[]>([]);
  const overview = createLoader(() => api.usageOverview(currentSite.value!.id, period.value, filters.value));
  const scope = (): BreakdownScope => ({ siteId: currentSite.value!.id, period: period.value, filters: filters.value });
  const panels = new Map<PanelDimension, BreakdownModel>();
  const propertyKey = signal('');
  const property = signal<BreakdownModel | null>(null);

  const chart = computed(() => {
    const data: Overview | null = overview.data.value;
    if (!data) return null;
    const span = spanOf(data.range);
    const step = BUCKET_SECONDS[data.granularity];
    const buckets = fillBuckets(span, step, data.timeseries, (point) => Date.parse(point.value!) / 1000);
    return { span, step, times: buckets.times, visitors: buckets.values((point) => point.metrics.visitors), pageviews: buckets.values((point) => point.metrics.pageviews) };
  });

  /** Made on first sight, so a panel keeps its order and its extra rows as the overview reloads under it. */
  function panel(dimension: PanelDimension): BreakdownModel {
    let found = panels.get(dimension);
    if (!found) {
      found = createBreakdownModel(dimension, scope, () => overview.data.value?.panels[dimension] ?? []);
      panels.set(dimension, found);
    }
    return found;
  }

  function addFilter(filter: UsageFilter): void {
    filters.value = [...filters.value.filter((existing) => existing.dimension !== filter.dimension), filter];
  }

  function removeFilter(dimension: UsageFilter['dimension']): void {
    filters.value = filters.value.filter((existing) => existing.dimension !== dimension);
  }

  function start(): () => void {
    return effect(() => {
      if (!currentSite.value) return;
      void overview.load();
      // Only the overview's own reads decide when this runs again, not what the breakdowns read.
      untracked(() => [...panels.values(), property.value].forEach((breakdown) => breakdown?.reload()));
    });
  }

  function showProperty(): void {
    const key = propertyKey.value.trim();
    if (!currentSite.value || !key) return;
    property.value = createBreakdownModel(`prop:${key}`, scope);
    property.value.reload();
  }

  return { period, filters, overview, chart, panel, propertyKey, property, addFilter, removeFilter, start, showProperty };
}

export type OverviewModel = ReturnType<typeof createOverviewModel>;
