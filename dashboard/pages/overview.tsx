/** The analyst's overview: key figures against the previous period, the chart, and panels that filter each other. */
import { useEffect, useMemo } from 'preact/hooks';
import type { Breakdown, Overview } from '../api.ts';
import { Chart } from '../components/chart.tsx';
import { PeriodPicker, SitePicker } from '../components/controls.tsx';
import { Loaded } from '../components/states.tsx';
import { Table } from '../components/table.tsx';
import { formatNumber, t, tDynamic } from '../i18n.ts';
import { createOverviewModel, type OverviewModel } from '../models/overview.ts';
import type { UsageFilter } from '../api.ts';

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

function Kpis({ data }: { data: Overview }) {
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
            <span class={`kpi-change ${delta === null ? '' : good ? 'up' : 'down'}`} title={t('vsPrevious')}>
              {delta === null ? '–' : `${delta > 0 ? '+' : ''}${delta} %`}
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

function Panel({ model, dimension, rows }: { model: OverviewModel; dimension: UsageFilter['dimension']; rows: readonly Breakdown[] }) {
  const metric = dimension === 'event' ? 'events' : dimension === 'page' ? 'pageviews' : 'visits';
  return (
    <section class="panel" data-panel={dimension}>
      <h3>{tDynamic(`panel_${dimension}`)}</h3>
      <Table
        label={tDynamic(`panel_${dimension}`)}
        rows={rows}
        rowKey={(row) => row.value ?? ''}
        empty={t('emptyPanel')}
        onRowClick={(row) => row.value !== null && model.addFilter({ dimension, value: row.value })}
        columns={[
          { key: 'value', label: t('value'), value: (row) => row.value, render: (row) => row.value ?? t('direct') },
          { key: 'visits', label: t('visits'), value: (row) => row.metrics.visits ?? 0, numeric: true },
          ...(metric === 'visits' ? [] : [{ key: metric, label: t(metric), value: (row: Breakdown) => row.metrics[metric] ?? 0, numeric: true }]),
        ]}
      />
    </section>
  );
}

function Properties({ model }: { model: OverviewModel }) {
  return (
    <section class="panel">
      <h3>{t('propertyKey')}</h3>
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
      {(model.properties.data.value || model.properties.error.value) && (
        <Loaded loader={model.properties}>
          {(rows) => (
            <Table
              rows={rows}
              rowKey={(row) => row.value ?? ''}
              empty={t('emptyPanel')}
              columns={[
                { key: 'value', label: t('value'), value: (row) => row.value },
                { key: 'events', label: t('events'), value: (row) => row.metrics.events ?? 0, numeric: true },
              ]}
            />
          )}
        </Loaded>
      )}
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
              {tDynamic(`panel_${filter.dimension}`)}: {filter.value} ✕
            </button>
          ))}
          <button type="button" class="link" onClick={() => (model.filters.value = [])}>
            {t('clearFilters')}
          </button>
        </div>
      )}
      <Loaded loader={model.overview}>
        {(data) => (
          <>
            <ConsentShare data={data} />
            <Kpis data={data} />
            {data.totals.current.visits === 0 && <p class="empty">{t('noData')}</p>}
            {model.chart.value && (
              <Chart
                label={`${t('visitors')} / ${t('pageviews')}`}
                times={model.chart.value.times}
                series={[
                  { label: t('visitors'), values: model.chart.value.visitors, color: '#2563eb' },
                  { label: t('pageviews'), values: model.chart.value.pageviews, color: '#16a34a' },
                ]}
              />
            )}
            <div class="panels">
              {(Object.keys(data.panels) as Array<keyof Overview['panels']>).map((dimension) => (
                <Panel key={dimension} model={model} dimension={dimension} rows={data.panels[dimension]} />
              ))}
              <Properties model={model} />
            </div>
          </>
        )}
      </Loaded>
    </div>
  );
}
