/** The overview's engagement panels: time on page and scroll depth, outbound links, downloads and 404 pages. */
import type { Signal } from '@preact/signals';
import { useEffect, useMemo } from 'preact/hooks';
import type { Engagement, EngagementPanel, Period, UsageFilter } from '../api.ts';
import { formatNumber, t, tDynamic } from '../i18n.ts';
import { createEngagementModel } from '../models/engagement.ts';
import type { Loader } from '../models/loader.ts';
import { currentSite } from '../models/session.ts';
import { ExportLink } from './export-link.tsx';
import { Loaded } from './states.tsx';
import { Table, type Column } from './table.tsx';

type Row<P extends EngagementPanel> = Engagement<P>['rows'][number];

const count = <T,>(key: string, label: string, read: (row: T) => number): Column<T> => ({ key, label, value: read, render: (row) => formatNumber(read(row)), numeric: true });

const seconds = <T,>(key: string, label: string, read: (row: T) => number): Column<T> => ({ key, label, value: read, render: (row) => `${formatNumber(read(row), 1)} s`, numeric: true });

/** Built at each render, so their labels follow the dashboard's language. */
const columns = (): { [P in EngagementPanel]: ReadonlyArray<Column<Row<P>>> } => ({
  pages: [
    { key: 'path', label: t('notFoundPath'), value: (row) => row.path },
    count('visits', t('engagementVisits'), (row) => row.visits),
    seconds('median', t('engagedMedian'), (row) => row.medianSeconds),
    seconds('mean', t('engagedMean'), (row) => row.meanSeconds),
    { key: 'scroll', label: t('scrollMean'), value: (row) => row.meanScroll, render: (row) => (row.meanScroll === null ? '–' : `${row.meanScroll} %`), numeric: true },
  ],
  outbound: [
    { key: 'url', label: t('linkUrl'), value: (row) => row.url },
    count('clicks', t('clicks'), (row) => row.clicks),
    count('visitors', t('visitors'), (row) => row.visitors),
  ],
  downloads: [
    { key: 'url', label: t('fileUrl'), value: (row) => row.url },
    { key: 'extension', label: t('fileExtension'), value: (row) => row.extension },
    count('clicks', t('clicks'), (row) => row.clicks),
    count('visitors', t('visitors'), (row) => row.visitors),
  ],
  'not-found': [
    { key: 'path', label: t('notFoundPath'), value: (row) => row.path },
    { key: 'referrer', label: t('notFoundReferrer'), value: (row) => row.referrer, render: (row) => row.referrer ?? t('unknownReferrer') },
    count('hits', t('hits'), (row) => row.hits),
    count('visitors', t('visitors'), (row) => row.visitors),
  ],
});

const rowKey: { [P in EngagementPanel]: (row: Row<P>) => string } = {
  pages: (row) => row.path,
  outbound: (row) => row.url,
  downloads: (row) => row.url,
  'not-found': (row) => `${row.path} ${row.referrer ?? ''}`,
};

interface PanelProps<P extends EngagementPanel> {
  readonly name: P;
  readonly rows: Loader<Engagement<P>>;
  readonly exportUrl: () => string;
}

function EngagementTable<P extends EngagementPanel>({ name, rows, exportUrl }: PanelProps<P>) {
  const title = tDynamic(`engagement_${name}`);
  return (
    <section class="panel" data-panel={`engagement-${name}`} aria-label={title}>
      <h2>
        {title}
        <ExportLink href={exportUrl()} title={title} />
      </h2>
      <Loaded loader={rows}>
        {(data) => <Table<Row<P>> label={title} rows={data.rows} rowKey={rowKey[name]} empty={t('emptyPanel')} columns={columns()[name]} />}
      </Loaded>
    </section>
  );
}

export function EngagementPanels({ period, filters }: { period: Signal<Period>; filters: Signal<UsageFilter[]> }) {
  const model = useMemo(() => createEngagementModel(period, filters), [period, filters]);
  // Reloads when the site, the period or the filters change: the loaders read each.
  useEffect(() => {
    if (currentSite.value) void model.load();
  }, [currentSite.value, period.value, filters.value]);
  const { pages, outbound, downloads, notFound } = model.panels;
  return (
    <>
      <EngagementTable {...pages} />
      <EngagementTable {...outbound} />
      <EngagementTable {...downloads} />
      <EngagementTable {...notFound} />
    </>
  );
}
