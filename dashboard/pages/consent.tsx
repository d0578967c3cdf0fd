/** Consent analytics: decisions per day, opt-in rate per category, and the split by version, surface, source, action and country. */
import { useEffect, useMemo } from 'preact/hooks';
import { api, type ConsentStats } from '../api.ts';
import { Chart } from '../components/chart.tsx';
import { ExportLink } from '../components/export-link.tsx';
import { CountryAttribution } from '../components/country-attribution.tsx';
import { PeriodPicker, SitePicker } from '../components/controls.tsx';
import { Loaded } from '../components/states.tsx';
import { Table } from '../components/table.tsx';
import { formatNumber, readableValue, t } from '../i18n.ts';
import { CONSENT_CATEGORIES, createConsentModel } from '../models/consent.ts';

type Row = ConsentStats['day'][number];

const BREAKDOWNS = [
  ['policyVersion', 'byPolicyVersion'],
  ['surface', 'bySurface'],
  ['source', 'bySource'],
  ['action', 'byAction'],
  ['country', 'byCountry'],
] as const;

const percent = (part: number, whole: number) => (whole ? `${formatNumber((part / whole) * 100, 1)} %` : '–');

interface BreakdownProps {
  readonly title: string;
  readonly dimension: Exclude<keyof ConsentStats, 'range'>;
  readonly stats: ConsentStats;
  /** The CSV of the same rows, under the site and period on screen. */
  readonly exportUrl: string;
}

function Breakdown({ title, dimension, stats, exportUrl }: BreakdownProps) {
  const rows = stats[dimension];
  return (
    <section class="panel">
      <h2>
        {title}
        <ExportLink href={exportUrl} title={title} />
      </h2>
      <Table
        label={title}
        rows={rows}
        rowKey={(row) => row.value}
        empty={t('emptyPanel')}
        columns={[
          { key: 'value', label: t('value'), value: (row) => row.value, render: (row) => (dimension === 'country' ? readableValue(dimension, row.value || null) : row.value) },
          { key: 'decisions', label: t('decisions'), value: (row) => row.decisions, numeric: true },
          ...CONSENT_CATEGORIES.slice(1).map((category) => ({
            key: category,
            label: t(category),
            value: (row: Row) => (row.decisions ? row.granted[category] / row.decisions : 0),
            render: (row: Row) => percent(row.granted[category], row.decisions),
            numeric: true,
          })),
          { key: 'withdrawals', label: t('withdrawals'), value: (row) => row.withdrawals, numeric: true },
        ]}
      />
    </section>
  );
}

export function ConsentPage() {
  const model = useMemo(createConsentModel, []);
  useEffect(() => model.start(), [model]);
  return (
    <div class="page">
      <div class="toolbar">
        <SitePicker allowAll value={model.site} />
        <PeriodPicker period={model.period} />
      </div>
      <Loaded loader={model.stats}>
        {({ figures: stats }) => {
          const chart = model.chart.value;
          const total = stats.site.reduce((sum, row) => sum + row.decisions, 0);
          const granted = (category: (typeof CONSENT_CATEGORIES)[number]) => stats.site.reduce((sum, row) => sum + row.granted[category], 0);
          const withdrawals = stats.site.reduce((sum, row) => sum + row.withdrawals, 0);
          if (total === 0) return <p class="empty">{t('noRecords')}</p>;
          return (
            <>
              <div class="kpis">
                <div class="kpi">
                  <span class="kpi-label">{t('decisions')}</span>
                  <strong class="kpi-value">{formatNumber(total)}</strong>
                </div>
                {CONSENT_CATEGORIES.map((category) => (
                  <div class="kpi" key={category}>
                    <span class="kpi-label">{t(category)}</span>
                    <strong class="kpi-value">{percent(granted(category), total)}</strong>
                  </div>
                ))}
                <div class="kpi">
                  <span class="kpi-label">{t('withdrawals')}</span>
                  <strong class="kpi-value">{formatNumber(withdrawals)}</strong>
                </div>
              </div>
              <h2>{t('decisionsPerDay')}</h2>
              {chart && (
                <Chart
                  label={t('decisionsPerDay')}
                  times={chart.times}
                  step={chart.step}
                  span={chart.span}
                  series={[
                    { label: t('decisions'), values: chart.decisions, color: '#2563eb' },
                    { label: t('analytics'), values: chart.analytics, color: '#16a34a' },
                    { label: t('withdrawals'), values: chart.withdrawals, color: '#dc2626' },
                  ]}
                />
              )}
              <div class="panels wide">
                {BREAKDOWNS.map(([dimension, title]) => (
                  <Breakdown key={dimension} title={t(title)} dimension={dimension} stats={stats} exportUrl={api.consentStatsExportUrl(model.site.value, model.period.value, dimension)} />
                ))}
              </div>
              <CountryAttribution />
            </>
          );
        }}
      </Loaded>
    </div>
  );
}
