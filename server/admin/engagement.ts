/**
 * /sites/:siteId/engagement/*: the engagement panels (time on page and scroll depth, outbound links, downloads,
 * 404 pages) over a period with the overview's filters, as JSON or, with `format=csv`, as a spreadsheet.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { OVERVIEW_PANEL_ROWS } from '../domain/stats.ts';
import {
  downloads,
  notFoundPages,
  outboundLinks,
  pageEngagement,
  type DownloadRow,
  type EngagementScope,
  type LinkRow,
  type NotFoundRow,
  type PageEngagementRow,
} from '../queries/engagement.ts';
import type { Db } from '../db/create.ts';
import type { AppDeps } from '../services.ts';
import { requirePermission } from './auth.ts';
import type { AdminEnv } from './env.ts';
import { csvDownload, type Columns } from './export-stream.ts';
import { periodRange, periodSchema } from './period.ts';
import { ownedSite } from './scope.ts';
import { EXPORT_ROWS, exportName, parseFilters } from './usage.ts';
import { parseQuery, pathId } from './validate.ts';

// Not strict: the period and `f.` filter parameters share the query string and are parsed on their own.
export const panelSchema = z.object({
  limit: z.coerce.number().int().min(1).max(500).default(OVERVIEW_PANEL_ROWS),
  format: z.enum(['json', 'csv']).default('json'),
});

interface Panel<T> {
  readonly read: (db: Db, scope: EngagementScope) => Promise<T[]>;
  readonly columns: Columns<T>;
}

const panel = <T>(read: Panel<T>['read'], columns: Columns<T>): Panel<T> => ({ read, columns });

const LINK_COLUMNS: Columns<LinkRow> = [
  ['url', (row) => row.url],
  ['host', (row) => row.host],
  ['clicks', (row) => row.clicks],
  ['visitors', (row) => row.visitors],
];

/** Each panel by its path, with what it reads and its spreadsheet's columns. */
const PANELS = {
  pages: panel<PageEngagementRow>(pageEngagement, [
    ['page', (row) => row.path],
    ['visits', (row) => row.visits],
    ['median_engaged_seconds', (row) => row.medianSeconds],
    ['mean_engaged_seconds', (row) => row.meanSeconds],
    ['mean_scroll_percent', (row) => row.meanScroll],
  ]),
  outbound: panel<LinkRow>(outboundLinks, LINK_COLUMNS),
  downloads: panel<DownloadRow>(downloads, [...LINK_COLUMNS, ['extension', (row) => row.extension]]),
  'not-found': panel<NotFoundRow>(notFoundPages, [
    ['page', (row) => row.path],
    ['referrer', (row) => row.referrer],
    ['hits', (row) => row.hits],
    ['visitors', (row) => row.visitors],
  ]),
};

export type EngagementPanel = keyof typeof PANELS;
type RowOf<P extends EngagementPanel> = (typeof PANELS)[P] extends Panel<infer T> ? T : never;

/** GET /api/admin/sites/:siteId/engagement/:panel */
export interface EngagementRows<P extends EngagementPanel> {
  readonly rows: readonly RowOf<P>[];
}

export function engagementRoutes(deps: AppDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const read = requirePermission('usage.read');

  for (const [name, { read: readRows, columns }] of Object.entries(PANELS) as Array<[EngagementPanel, Panel<unknown>]>) {
    app.get(`/:siteId/engagement/${name}`, read, async (c) => {
      const site = await ownedSite(c, deps, pathId(c, 'siteId'));
      const { range } = periodRange(parseQuery(c, periodSchema), new Date());
      const { limit, format } = parseQuery(c, panelSchema);
      const exported = format === 'csv';
      const rows = await readRows(deps.db, { siteId: site.id, range, filters: parseFilters(c), limit: exported ? EXPORT_ROWS : limit });
      if (exported) return csvDownload(exportName(site.key, `engagement-${name}`, range), columns, rows);
      return c.json({ rows });
    });
  }
  return app;
}
