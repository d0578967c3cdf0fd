/** The overview's goals panel: per goal converted visitors, conversions and conversion rate, overall or by ad campaign. */
import type { Signal } from '@preact/signals';
import { useEffect, useMemo } from 'preact/hooks';
import type { GoalsReport, Period, UsageFilter } from '../api.ts';
import { formatNumber, readableValue, t } from '../i18n.ts';
import { createGoalsPanelModel } from '../models/goals.ts';
import { currentSite } from '../models/session.ts';
import { ExportLink } from './export-link.tsx';
import { Loaded } from './states.tsx';
import { Table } from './table.tsx';

interface GoalRow {
  readonly key: string;
  readonly group: string | null;
  readonly goal: string;
  readonly visitors: number;
  readonly conversions: number;
  readonly conversionRate: number | null;
}

function rowsOf(report: GoalsReport): GoalRow[] {
  const names = new Map(report.goals.map((goal) => [goal.id, goal.name]));
  return report.groups.flatMap((group) =>
    group.goals.map((figures) => ({
      key: `${group.value ?? ''}:${figures.goalId}`,
      group: group.value,
      goal: names.get(figures.goalId) ?? '',
      visitors: figures.visitors,
      conversions: figures.conversions,
      conversionRate: figures.conversionRate,
    })),
  );
}

export function GoalsPanel({ period, filters }: { period: Signal<Period>; filters: Signal<UsageFilter[]> }) {
  const model = useMemo(() => createGoalsPanelModel(period, filters), [period, filters]);
  // Reloads when the site, the period, the filters or the grouping change: the loader reads each.
  useEffect(() => {
    if (currentSite.value) void model.report.load();
  }, [currentSite.value, period.value, filters.value, model.byCampaign.value]);
  const title = t('goalsTitle');
  return (
    <section class="panel" data-panel="goals" aria-label={title}>
      <h2>
        {title}
        <ExportLink href={model.exportUrl()} title={title} />
      </h2>
      <label class="checkbox">
        <input type="checkbox" checked={model.byCampaign.value} onChange={(event) => (model.byCampaign.value = (event.target as HTMLInputElement).checked)} />
        {t('byAdCampaign')}
      </label>
      <Loaded loader={model.report}>
        {(report) =>
          report.goals.length === 0 ? (
            <p class="empty">{t('noGoals')}</p>
          ) : (
            <Table<GoalRow>
              label={title}
              rows={rowsOf(report)}
              rowKey={(row) => row.key}
              empty={t('emptyPanel')}
              columns={[
                ...(report.by ? [{ key: 'group', label: t('adCampaign'), value: (row: GoalRow) => row.group, render: (row: GoalRow) => readableValue('adCampaign', row.group) }] : []),
                { key: 'goal', label: t('goal'), value: (row) => row.goal },
                { key: 'visitors', label: t('convertedVisitors'), value: (row) => row.visitors, render: (row) => formatNumber(row.visitors), numeric: true },
                { key: 'conversions', label: t('conversions'), value: (row) => row.conversions, render: (row) => formatNumber(row.conversions), numeric: true },
                {
                  key: 'rate',
                  label: t('conversionRate'),
                  value: (row) => row.conversionRate,
                  render: (row) => (row.conversionRate === null ? '–' : `${formatNumber(row.conversionRate, 1)} %`),
                  numeric: true,
                },
              ]}
            />
          )
        }
      </Loaded>
    </section>
  );
}
