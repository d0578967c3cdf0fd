/** A site's goals (list, add, remove) and the overview's goals panel: conversions under the overview's period and filters. */
import { signal, type Signal } from '@preact/signals';
import { api, type NewGoal, type Period, type UsageFilter } from '../api.ts';
import { attemptForm, createLoader, type Problem } from './loader.ts';
import { currentSite } from './session.ts';

export function createGoalsModel() {
  const goals = createLoader(() => api.goals(currentSite.value!.id));
  const problem = signal<Problem | null>(null);
  const draft = {
    name: signal(''),
    kind: signal<NewGoal['kind']>('pageview'),
    path: signal(''),
    eventName: signal(''),
    propertyKey: signal(''),
    propertyValue: signal(''),
  };

  function input(): NewGoal {
    const name = draft.name.value;
    if (draft.kind.value === 'pageview') return { name, kind: 'pageview', path: draft.path.value };
    const key = draft.propertyKey.value.trim();
    return { name, kind: 'event', eventName: draft.eventName.value, property: key ? { key, value: draft.propertyValue.value } : null };
  }

  async function add(): Promise<void> {
    const added = await attemptForm(problem, () => api.createGoal(currentSite.value!.id, input()));
    if (!added) return;
    for (const field of [draft.name, draft.path, draft.eventName, draft.propertyKey, draft.propertyValue]) field.value = '';
    await goals.load();
  }

  async function remove(goalId: number): Promise<void> {
    if (await attemptForm(problem, () => api.deleteGoal(currentSite.value!.id, goalId))) await goals.load();
  }

  return { goals, draft, problem, add, remove };
}

export type GoalsModel = ReturnType<typeof createGoalsModel>;

/** The goals panel of a page whose period and filters it follows; `byCampaign` splits it by ad campaign. */
export function createGoalsPanelModel(period: Signal<Period>, filters: Signal<UsageFilter[]>) {
  const byCampaign = signal(false);
  const by = () => (byCampaign.value ? ('adCampaign' as const) : undefined);
  const report = createLoader(() => api.goalConversions(currentSite.value!.id, period.value, filters.value, by()));
  const exportUrl = () => api.goalConversionsExportUrl(currentSite.value!.id, period.value, filters.value, by());
  return { byCampaign, report, exportUrl };
}

export type GoalsPanelModel = ReturnType<typeof createGoalsPanelModel>;
