/**
 * One breakdown panel: the overview's top rows until someone sorts it or asks for more, then pages that the server
 * reads in the chosen order over the whole result.
 */
import { computed, signal } from '@preact/signals';
import { defaultSort, OVERVIEW_PANEL_ROWS, type UsageDimension } from '../../server/domain/stats.ts';
import { api, type Breakdown, type BreakdownPage, type BreakdownSort, type Period, type UsageFilter } from '../api.ts';
import { createLoader } from './loader.ts';

const PAGE_ROWS = 20;

type PanelMetric = 'visits' | 'pageviews' | 'events';

/** What a panel counts beside visits, sorts by first and takes each row's share of: the server's first sort. */
function panelMetric(dimension: UsageDimension): PanelMetric {
  const sort = defaultSort(dimension);
  return sort === 'pageviews' || sort === 'events' ? sort : 'visits';
}

export interface BreakdownScope {
  readonly siteId: number;
  readonly period: Period;
  readonly filters: readonly UsageFilter[];
}

export interface BreakdownOrder {
  readonly sort: BreakdownSort;
  readonly descending: boolean;
}

/** Without `overviewRows` (a property, which the overview has not), every row comes from the server. */
export function createBreakdownModel(dimension: UsageDimension, scope: () => BreakdownScope, overviewRows?: () => readonly Breakdown[]) {
  const metric = panelMetric(dimension);
  const order = signal<BreakdownOrder>({ sort: metric, descending: true });
  /** The next read: the rows before `offset` stay, the page replaces the rest. */
  let next = { offset: 0, limit: PAGE_ROWS };
  const fetched = createLoader<BreakdownPage>(async () => {
    const { offset, limit } = next;
    const kept: readonly Breakdown[] = rows.peek().slice(0, offset);
    const { sort, descending } = order.peek();
    const { siteId, period, filters } = scope();
    const page = await api.usageBreakdown(siteId, period, filters, { dimension, sort, order: descending ? 'desc' : 'asc', limit, offset });
    return { rows: [...kept, ...page.rows], hasMore: page.hasMore };
  });
  const rows = computed<readonly Breakdown[]>(() => fetched.data.value?.rows ?? overviewRows?.() ?? []);
  const hasMore = computed(() => fetched.data.value?.hasMore ?? (overviewRows?.().length ?? 0) >= OVERVIEW_PANEL_ROWS);

  function read(offset: number, limit: number): void {
    next = { offset, limit };
    void fetched.load();
  }

  return {
    dimension,
    metric,
    order,
    rows,
    hasMore,
    loading: fetched.loading,
    error: fetched.error,
    /** As many rows as are shown, from the first, in the new order. */
    sortBy(chosen: BreakdownOrder): void {
      order.value = chosen;
      read(0, Math.max(PAGE_ROWS, rows.peek().length));
    },
    /** The overview's top rows need not be in the breakdown's order, so the first page read replaces them. */
    showMore(): void {
      const shown = rows.peek().length;
      if (fetched.data.peek()) read(shown, PAGE_ROWS);
      else read(0, shown + PAGE_ROWS);
    },
    /** After the site, period or filters changed; a panel still showing the overview's rows gets them with the overview. */
    reload(): void {
      if (!overviewRows || fetched.data.peek()) read(0, PAGE_ROWS);
    },
    retry: () => void fetched.load(),
  };
}

export type BreakdownModel = ReturnType<typeof createBreakdownModel>;
