/**
 * Goals and funnels: the site's goals (what counts as a conversion, shown on the overview's goals panel), its saved
 * funnels, a form for a new one, and the chosen funnel's visitors per step over a period, under filters.
 */
import { signal } from '@preact/signals';
import { useEffect, useMemo } from 'preact/hooks';
import { GOAL_KINDS } from '../../server/domain/goals.ts';
import type { FunnelReport, Goal, UsageFilter } from '../api.ts';
import { ExportLink } from '../components/export-link.tsx';
import { Field, FormProblem } from '../components/fields.tsx';
import { PeriodPicker, SitePicker } from '../components/controls.tsx';
import { ErrorNote, Loaded } from '../components/states.tsx';
import { Table } from '../components/table.tsx';
import { formatNumber, readableValue, t, tDynamic } from '../i18n.ts';
import type { GoalsModel } from '../models/goals.ts';
import { createFunnelsModel, type FunnelsModel } from '../models/funnels.ts';
import { can } from '../models/session.ts';

/** The dimensions the overview's panels filter by, which the funnel can be filtered by too. */
const FILTER_DIMENSIONS: ReadonlyArray<UsageFilter['dimension']> = ['page', 'entryPage', 'exitPage', 'referrer', 'utmCampaign', 'adCampaign', 'browser', 'os', 'device', 'event'];

function definition(goal: Goal): string {
  if (goal.kind === 'pageview') return `${t('goalKind_pageview')}: ${goal.path}`;
  const property = goal.property ? ` (${goal.property.key} = ${goal.property.value})` : '';
  return `${t('goalKind_event')}: ${goal.eventName}${property}`;
}

const percentText = (value: number | null) => (value === null ? '–' : `${formatNumber(value, 1)} %`);

function GoalForm({ model }: { model: GoalsModel }) {
  const { draft } = model;
  const problem = model.problem.value;
  return (
    <form
      class="card"
      aria-label={t('addGoal')}
      onSubmit={(event) => {
        event.preventDefault();
        void model.add();
      }}
    >
      <Field label={t('name')} value={draft.name} problem={problem} field="name">
        {(control) => <input {...control} />}
      </Field>
      <div class="field">
        <label>
          {t('goalKind')}
          <select value={draft.kind.value} onChange={(event) => (draft.kind.value = (event.target as HTMLSelectElement).value as Goal['kind'])}>
            {GOAL_KINDS.map((kind) => (
              <option key={kind} value={kind}>
                {t(`goalKind_${kind}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      {draft.kind.value === 'pageview' ? (
        <Field label={t('goalPath')} value={draft.path} problem={problem} field="path" help={t('goalPathHelp')}>
          {(control) => <input {...control} placeholder="/fakturaer/*" />}
        </Field>
      ) : (
        <>
          <Field label={t('goalEventName')} value={draft.eventName} problem={problem} field="eventName">
            {(control) => <input {...control} />}
          </Field>
          <Field label={t('goalPropertyKey')} value={draft.propertyKey} problem={problem} field="property.key" optional>
            {(control) => <input {...control} placeholder="plan" />}
          </Field>
          {draft.propertyKey.value.trim() !== '' && (
            <Field label={t('goalPropertyValue')} value={draft.propertyValue} problem={problem} field="property.value">
              {(control) => <input {...control} />}
            </Field>
          )}
        </>
      )}
      <FormProblem problem={problem} fields={['name', 'path', 'eventName', 'property.key', 'property.value']} />
      <button type="submit">{t('addGoal')}</button>
    </form>
  );
}

function Goals({ model, manage }: { model: GoalsModel; manage: boolean }) {
  return (
    <section class="panel" aria-labelledby="goals-heading">
      <h2 id="goals-heading">{t('goalsTitle')}</h2>
      <Loaded loader={model.goals}>
        {(goals) => (
          <Table<Goal>
            label={t('goalsTitle')}
            rows={goals}
            rowKey={(goal) => goal.id}
            empty={t('noGoalsHere')}
            columns={[
              { key: 'name', label: t('name'), value: (goal) => goal.name },
              { key: 'definition', label: t('goalDefinition'), value: definition },
              ...(manage
                ? [
                    {
                      key: 'delete',
                      label: t('delete'),
                      hideLabel: true,
                      render: (goal: Goal) => (
                        <button type="button" class="secondary" aria-label={t('deleteGoalOf', { name: goal.name })} onClick={() => void model.remove(goal.id)}>
                          {t('delete')}
                        </button>
                      ),
                    },
                  ]
                : []),
            ]}
          />
        )}
      </Loaded>
      {manage && <GoalForm model={model} />}
    </section>
  );
}

function FunnelForm({ model }: { model: FunnelsModel }) {
  const goals = model.goals.goals.data.value ?? [];
  const problem = model.problem.value;
  const steps = model.steps.value;
  return (
    <form
      class="card"
      aria-label={t('newFunnel')}
      onSubmit={(event) => {
        event.preventDefault();
        void model.create();
      }}
    >
      <h3>{t('newFunnel')}</h3>
      <p class="note">{t('funnelHelp')}</p>
      <Field label={t('funnelName')} value={model.name} problem={problem} field="name">
        {(control) => <input {...control} />}
      </Field>
      {steps.map((step, index) => (
        <div class="inline-form" key={index}>
          <label>
            {t('stepN', { n: index + 1 })}
            <select value={step} required onChange={(event) => model.setStep(index, (event.target as HTMLSelectElement).value)}>
              <option value="">{t('chooseGoal')}</option>
              {goals.map((goal) => (
                <option key={goal.id} value={String(goal.id)}>
                  {goal.name}
                </option>
              ))}
            </select>
          </label>
          {steps.length > 2 && (
            <button type="button" class="secondary" aria-label={t('removeStepN', { n: index + 1 })} onClick={() => model.removeStep(index)}>
              ✕
            </button>
          )}
        </div>
      ))}
      {problem && <ErrorNote message={problem.message} />}
      <div class="actions">
        {steps.length < 8 && (
          <button type="button" class="secondary" onClick={model.addStep}>
            {t('addStep')}
          </button>
        )}
        <button type="submit">{t('saveFunnel')}</button>
      </div>
    </form>
  );
}

function Filters({ model }: { model: FunnelsModel }) {
  const dimension = useMemo(() => signal<UsageFilter['dimension']>('page'), []);
  const value = useMemo(() => signal(''), []);
  return (
    <div class="filters" aria-label={t('filters')}>
      {model.filters.value.map((filter) => (
        <button type="button" class="chip" key={filter.dimension} onClick={() => model.removeFilter(filter.dimension)}>
          {tDynamic(`panel_${filter.dimension}`)}: {readableValue(filter.dimension, filter.value)} ✕
        </button>
      ))}
      <form
        class="inline-form"
        onSubmit={(event) => {
          event.preventDefault();
          if (value.value.trim()) model.addFilter({ dimension: dimension.value, value: value.value.trim() });
          value.value = '';
        }}
      >
        <label>
          {t('filterDimension')}
          <select value={dimension.value} onChange={(event) => (dimension.value = (event.target as HTMLSelectElement).value as UsageFilter['dimension'])}>
            {FILTER_DIMENSIONS.map((option) => (
              <option key={option} value={option}>
                {tDynamic(`panel_${option}`)}
              </option>
            ))}
          </select>
        </label>
        <label>
          {t('filterValue')}
          <input value={value.value} onInput={(event) => (value.value = (event.target as HTMLInputElement).value)} />
        </label>
        <button type="submit" class="secondary">
          {t('addFilter')}
        </button>
      </form>
    </div>
  );
}

type StepRow = FunnelReport['steps'][number] & { readonly number: number };

function FunnelFigures({ model }: { model: FunnelsModel }) {
  if (model.chosen.value === null) return <p class="empty">{t('chooseFunnel')}</p>;
  return (
    <Loaded loader={model.figures}>
      {(report) => {
        const first = report.steps[0]?.visitors ?? 0;
        return (
          <section class="panel" aria-label={report.funnel.name} data-funnel={report.funnel.id}>
            <h2>
              {report.funnel.name}
              {model.exportUrl.value && <ExportLink href={model.exportUrl.value} title={report.funnel.name} />}
            </h2>
            <Table<StepRow>
              label={report.funnel.name}
              rows={report.steps.map((step, index) => ({ ...step, number: index + 1 }))}
              rowKey={(step) => step.number}
              empty={t('emptyPanel')}
              columns={[
                { key: 'step', label: t('step'), value: (step) => step.number, numeric: true },
                { key: 'goal', label: t('goal'), value: (step) => step.name },
                {
                  key: 'visitors',
                  label: t('visitors'),
                  value: (step) => step.visitors,
                  render: (step) => (
                    <span class="share">
                      {formatNumber(step.visitors)}
                      <span class="share-bar" aria-hidden="true">
                        <span style={{ width: `${first ? (100 * step.visitors) / first : 0}%` }} />
                      </span>
                    </span>
                  ),
                  numeric: true,
                },
                { key: 'fromFirst', label: t('fromFirst'), value: (step) => step.fromFirst, render: (step) => percentText(step.fromFirst), numeric: true },
                { key: 'fromPrevious', label: t('fromPrevious'), value: (step) => step.fromPrevious, render: (step) => percentText(step.fromPrevious), numeric: true },
                { key: 'dropOff', label: t('dropOff'), value: (step) => step.dropOff, render: (step) => formatNumber(step.dropOff), numeric: true },
              ]}
            />
          </section>
        );
      }}
    </Loaded>
  );
}

function Funnels({ model, manage }: { model: FunnelsModel; manage: boolean }) {
  return (
    <section class="panel" aria-labelledby="funnels-heading">
      <h2 id="funnels-heading">{t('savedFunnels')}</h2>
      <Loaded loader={model.funnels}>
        {(funnels) =>
          funnels.length === 0 ? (
            <p class="empty">{t('noFunnels')}</p>
          ) : (
            <ul class="funnel-list">
              {funnels.map((funnel) => (
                <li key={funnel.id} class="row-actions">
                  <button type="button" class="link" aria-pressed={model.chosen.value === funnel.id} aria-label={t('showFunnelOf', { name: funnel.name })} onClick={() => (model.chosen.value = funnel.id)}>
                    {funnel.name}
                  </button>
                  {manage && (
                    <button type="button" class="secondary" aria-label={t('deleteFunnelOf', { name: funnel.name })} onClick={() => void model.remove(funnel.id)}>
                      {t('delete')}
                    </button>
                  )}
                </li>
              ))}
            </ul>
          )
        }
      </Loaded>
      {manage && <FunnelForm model={model} />}
    </section>
  );
}

export function FunnelsPage() {
  const model = useMemo(createFunnelsModel, []);
  useEffect(() => model.start(), [model]);
  const manage = can('goals.manage');
  return (
    <div class="page">
      <div class="toolbar">
        <SitePicker />
        <PeriodPicker period={model.period} />
      </div>
      <Filters model={model} />
      <FunnelFigures model={model} />
      <Funnels model={model} manage={manage} />
      <Goals model={model.goals} manage={manage} />
    </div>
  );
}
