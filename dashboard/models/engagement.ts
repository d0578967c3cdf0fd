/** The overview's engagement panels: each a loader under the overview's period and filters, and its CSV's address. */
import type { Signal } from '@preact/signals';
import { api, type EngagementPanel, type Period, type UsageFilter } from '../api.ts';
import { createLoader } from './loader.ts';
import { currentSite } from './session.ts';

export function createEngagementModel(period: Signal<Period>, filters: Signal<UsageFilter[]>) {
  const panel = <P extends EngagementPanel>(name: P) => ({
    name,
    rows: createLoader(() => api.engagement(currentSite.value!.id, name, period.value, filters.value)),
    exportUrl: () => api.engagementExportUrl(currentSite.value!.id, name, period.value, filters.value),
  });
  const panels = { pages: panel('pages'), outbound: panel('outbound'), downloads: panel('downloads'), notFound: panel('not-found') };
  return {
    panels,
    load: () => Promise.all(Object.values(panels).map((each) => each.rows.load())),
  };
}

export type EngagementModel = ReturnType<typeof createEngagementModel>;
