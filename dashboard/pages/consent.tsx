/** Consent analytics: decisions per day, opt-in rate per category, and the split by version, surface, source and action. */
import { effect, signal } from '@preact/signals';
import { useEffect, useMemo } from 'preact/hooks';
import { api, type ConsentStats, type Period } from '../api.ts';
import { Chart } from '../components/chart.tsx';
import { PeriodPicker, SitePicker } from '../components/controls.tsx';
import { Loaded } from '../components/states.tsx';
import { Table } from '../components/table.tsx';
import { formatNumber, t } from '../i18n.ts';
import { createLoader } from '../models/loader.ts';

type Row = ConsentStats['day'][number];
const CATEGORIES = ['functional', 'analytics', 'ads'] as const;

function createConsentModel() {
  const period = signal<Period>({ period: '30d' });
  const site = signal<number | null>(null);
  const stats = createLoader(() => api.consentStats(site.value, period.value));
  return { period, site, stats, start: () => effect(() => void stats.load()) };
}

const percent = (part: number, whole: number) => (whole ? `${formatNumber((part / whole) * 100, 1)} %` : '–');

function Breakdown({ title, rows }: { title: string; rows: readonly Row[] }) {
  return (
    <section class="panel">
      <h3>{title}</h3>
      <Table
        label={title}
        rows={rows}
        rowKey={(row) => row.value}
        empty={t('emptyPanel')}
        columns={[
          { key: 'value', label: t('value'), value: (row) => row.value },
          { key: 'decisions', label: t('decisions'), value: (row) => row.decisions, numeric: true },
          ...CATEGORIES.slice(1).map((category) => ({
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
        {(stats) => {
          const total = stats.site.reduce((sum, row) => sum + row.decisions, 0);
          const granted = (category: (typeof CATEGORIES)[number]) => stats.site.reduce((sum, row) => sum + row.granted[category], 0);
          const withdrawals = stats.site.reduce((sum, row) => sum + row.withdrawals, 0);
          if (total === 0) return <p class="empty">{t('noRecords')}</p>;
          return (
            <>
              <div class="kpis">
                <div class="kpi">
                  <span class="kpi-label">{t('decisions')}</span>
                  <strong class="kpi-value">{formatNumber(total)}</strong>
                </div>
                {CATEGORIES.map((category) => (
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
              <h3>{t('decisionsPerDay')}</h3>
              <Chart
                label={t('decisionsPerDay')}
                times={stats.day.map((row) => Date.parse(`${row.value}T00:00:00Z`) / 1000)}
                series={[
                  { label: t('decisions'), values: stats.day.map((row) => row.decisions), color: '#2563eb' },
                  { label: t('analytics'), values: stats.day.map((row) => row.granted.analytics), color: '#16a34a' },
                  { label: t('withdrawals'), values: stats.day.map((row) => row.withdrawals), color: '#dc2626' },
                ]}
              />
              <div class="panels">
                <Breakdown title={t('byPolicyVersion')} rows={stats.policyVersion} />
                <Breakdown title={t('bySurface')} rows={stats.surface} />
                <Breakdown title={t('bySource')} rows={stats.source} />
                <Breakdown title={t('byAction')} rows={stats.action} />
              </div>
            </>
          );
        }}
      </Loaded>
    </div>
  );
}
