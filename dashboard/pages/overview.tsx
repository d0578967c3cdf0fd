/** The analyst's overview: key figures against the previous period, the chart, and panels that filter each other. */
import { useEffect, useMemo } from 'preact/hooks';
import type { Breakdown, BreakdownSort, Overview, UsageDimension } from '../api.ts';
import { api } from '../api.ts';
import { Chart } from '../components/chart.tsx';
import { CountryAttribution } from '../components/country-attribution.tsx';
import { EngagementPanels } from '../components/engagement-panels.tsx';
import { ExportLink } from '../components/export-link.tsx';
import { GoalsPanel } from '../components/goals-panel.tsx';
import { RealtimePanel } from '../components/realtime.tsx';
import { PeriodPicker, SitePicker } from '../components/controls.tsx';
import { ErrorNote, Loaded, Loading } from '../components/states.tsx';
import { Table, type Column } from '../components/table.tsx';
import { formatDayRange, formatNumber, readableValue, t, tDynamic } from '../i18n.ts';
import type { BreakdownModel } from '../models/breakdown.ts';
import { createOverviewModel, type OverviewModel, type PanelDimension } from '../models/overview.ts';
import { BUCKET_SECONDS, spanOf } from '../models/period.ts';
import { currentSite } from '../models/session.ts';

const KPIS = [
  ['visitors', 0, ''],
  ['visits', 0, ''],
  ['pageviews', 0, ''],
  ['viewsPerVisit', 2, ''],
  ['bounceRate', 1, ' %'],
  ['visitDuration', 0, ' s'],
] as const;
/** Lower is better for these; the change is coloured the other way round. */
const LOWER_IS_BETTER = new Set(['bounceRate']);

function change(current: number | null | undefined, previous: number | null | undefined): number | null {
  if (current === null || current === undefined || !previous) return null;
  return Math.round(((current - previous) / previous) * 100);
}

/** The period just before the range, as long: what every change is against, named with its days. */
function comparedWith(range: Overview['range']): string {
  const { from, to } = spanOf(range);
  const days = Math.round((to - from) / BUCKET_SECONDS.day);
  const dates = formatDayRange(new Date((2 * from - to) * 1000), new Date((from - BUCKET_SECONDS.day) * 1000));
  return days === 1 ? t('vsDayBefore', { dates }) : t('vsPreviousDays', { days, dates });
}

function Kpis({ data }: { data: Overview }) {
  const against = comparedWith(data.range);
  return (
    <div class="kpis">
      {KPIS.map(([metric, digits, unit]) => {
        const delta = change(data.totals.current[metric], data.totals.previous[metric]);
        const good = delta !== null && (LOWER_IS_BETTER.has(metric) ? delta < 0 : delta > 0);
        return (
          <div class="kpi" key={metric} data-metric={metric}>
            <span class="kpi-label">{t(metric)}</span>
            <strong class="kpi-value">
              {formatNumber(data.totals.current[metric], digits)}
              {data.totals.current[metric] !== null ? unit : ''}
            </strong>
            <span class="kpi-comparison">
              <span class={`kpi-change ${delta === null ? '' : good ? 'up' : 'down'}`}>{delta === null ? '–' : `${delta > 0 ? '+' : ''}${delta} %`}</span> {against}
            </span>
          </div>
        );
      })}
    </div>
  );
}

function ConsentShare({ data }: { data: Overview }) {
  const { decisions, analyticsGranted } = data.consent;
  if (decisions === 0) return <p class="note">{t('noDecisions')}</p>;
  const share = `${formatNumber((analyticsGranted / decisions) * 100, 0)} %`;
  return <p class="note">{t('consentedOnly', { share, decisions: formatNumber(decisions) })}</p>;
}

/** A row's part of the period's total, as a bar for the eye and a figure for reading. */
function Share({ part, whole }: { part: number; whole: number }) {
  const percent = whole ? (part / whole) * 100 : 0;
  return (
    <span class="share">
      {formatNumber(percent, percent < 10 ? 1 : 0)} %
      <span class="share-bar" aria-hidden="true">
        <span style={{ width: `${Math.min(percent, 100)}%` }} />
      </span>
    </span>
  );
}

interface BreakdownPanelProps {
  readonly breakdown: BreakdownModel;
  readonly title: string;
  /** The period's total of the panel's metric, which each row's share is of. */
  readonly total: number;
  /** Filters the other panels by a row's value. */
  readonly onPick?: (value: string) => void;
}

/** Sorted on the server over every row, whichever column heads the order; extended a page at a time. */
function BreakdownTable({ breakdown, title, total, onPick }: BreakdownPanelProps) {
  const { dimension, metric } = breakdown;
  const order = breakdown.order.value;
  const rows = breakdown.rows.value;
  const loading = breakdown.loading.value;
  if (rows.length === 0 && loading) return <Loading />;
  const count = (key: typeof metric): Column<Breakdown> => ({ key, label: t(key), value: (row) => row.metrics[key] ?? 0, render: (row) => formatNumber(row.metrics[key] ?? 0), numeric: true });
  return (
    <>
      {breakdown.error.value && <ErrorNote message={breakdown.error.value} onRetry={breakdown.retry} />}
      <div class={loading ? 'refreshing' : undefined}>
        <Table<Breakdown>
          label={title}
          rows={rows}
          rowKey={(row) => row.value ?? ''}
          empty={t('emptyPanel')}
          sort={{ current: { key: order.sort, descending: order.descending }, change: (next) => breakdown.sortBy({ sort: next.key as BreakdownSort, descending: next.descending }) }}
          rowAction={onPick && { column: 'value', label: (row) => (row.value === null ? null : t('filterBy', { value: readableValue(dimension, row.value) })), run: (row) => row.value !== null && onPick(row.value) }}
          columns={[
            { key: 'value', label: t('value'), value: (row) => row.value, render: (row) => readableValue(dimension, row.value) },
            count('visits'),
            ...(metric === 'visits' ? [] : [count(metric)]),
            { key: 'share', label: t('share'), render: (row) => <Share part={row.metrics[metric] ?? 0} whole={total} />, numeric: true },
          ]}
        />
      </div>
      {breakdown.hasMore.value && (
        <button type="button" class="secondary more" aria-label={t('loadMoreOf', { name: title })} disabled={loading} onClick={breakdown.showMore}>
          {t('loadMore')}
        </button>
      )}
    </>
  );
}

/** The CSV of every row of a breakdown (not only the rows shown), under the overview's period and filters. */
function BreakdownExport({ model, dimension, title }: { model: OverviewModel; dimension: UsageDimension; title: string }) {
  return <ExportLink href={api.usageExportUrl(currentSite.value!.id, model.period.value, model.filters.value, dimension)} title={title} />;
}

function Panel({ model, dimension, totals }: { model: OverviewModel; dimension: PanelDimension; totals: Overview['totals']['current'] }) {
  const breakdown = model.panel(dimension);
  const title = tDynamic(`panel_${dimension}`);
  return (
    <section class="panel" data-panel={dimension} aria-label={title}>
      <h2>
        {title}
        <BreakdownExport model={model} dimension={dimension} title={title} />
      </h2>
      <BreakdownTable breakdown={breakdown} title={title} total={totals[breakdown.metric] ?? 0} onPick={(value) => model.addFilter({ dimension, value })} />
      {dimension === 'country' && <CountryAttribution />}
    </section>
  );
}

function Properties({ model, totals }: { model: OverviewModel; totals: Overview['totals']['current'] }) {
  const property = model.property.value;
  return (
    <section class="panel">
      <h2>{t('propertyKey')}</h2>
      <form
        class="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          model.showProperty();
        }}
      >
        <input aria-label={t('propertyKey')} value={model.propertyKey.value} onInput={(event) => (model.propertyKey.value = (event.target as HTMLInputElement).value)} placeholder="plan" />
        <button type="submit">{t('showProperty')}</button>
      </form>
      {property && <BreakdownExport model={model} dimension={property.dimension} title={`${t('propertyKey')}: ${property.dimension.slice('prop:'.length)}`} />}
      {property && <BreakdownTable breakdown={property} title={`${t('propertyKey')}: ${property.dimension.slice('prop:'.length)}`} total={totals.events ?? 0} />}
    </section>
  );
}

export function OverviewPage() {
  const model = useMemo(createOverviewModel, []);
  useEffect(() => model.start(), [model]);
  return (
    <div class="page">
      <div class="toolbar">
        <SitePicker />
        <PeriodPicker period={model.period} />
      </div>
      {model.filters.value.length > 0 && (
        <div class="filters" aria-label={t('filters')}>
          {model.filters.value.map((filter) => (
            <button type="button" class="chip" key={filter.dimension} onClick={() => model.removeFilter(filter.dimension)}>
              {tDynamic(`panel_${filter.dimension}`)}: {readableValue(filter.dimension, filter.value)} ✕
            </button>
          ))}
          <button type="button" class="link" onClick={() => (model.filters.value = [])}>
            {t('clearFilters')}
          </button>
        </div>
      )}
      <RealtimePanel />
      <Loaded loader={model.overview}>
        {(data) => (
          <>
            <ConsentShare data={data} />
            <Kpis data={data} />
            {data.totals.current.visits === 0 && <p class="empty">{t('noData')}</p>}
            {model.chart.value && (
              <ExportLink href={api.timeseriesExportUrl(currentSite.value!.id, model.period.value, model.filters.value)} title={t('chartTitle')} />
            )}
            {model.chart.value && (
              <Chart
                label={`${t('visitors')} / ${t('pageviews')}`}
                times={model.chart.value.times}
                step={model.chart.value.step}
                span={model.chart.value.span}
                series={[
                  { label: t('visitors'), values: model.chart.value.visitors, color: '#2563eb' },
                  { label: t('pageviews'), values: model.chart.value.pageviews, color: '#16a34a' },
                ]}
              />
            )}
            <div class="panels">
              {(Object.keys(data.panels) as PanelDimension[]).map((dimension) => (
                <Panel key={dimension} model={model} dimension={dimension} totals={data.totals.current} />
              ))}
              <GoalsPanel period={model.period} filters={model.filters} />
              <EngagementPanels period={model.period} filters={model.filters} />
              <Properties model={model} totals={data.totals.current} />
            </div>
          </>
        )}
      </Loaded>
    </div>
  );
}
