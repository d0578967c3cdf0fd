/** The funnels page: the site's funnels, a new funnel's steps, and the chosen funnel's figures under a period and filters. */
import { computed, effect, signal } from '@preact/signals';
import { FUNNEL_STEPS } from '../../server/domain/goals.ts';
import { api, type Period, type UsageFilter } from '../api.ts';
import { createGoalsModel } from './goals.ts';
import { attemptForm, createLoader, type Problem } from './loader.ts';
import { currentSite } from './session.ts';

export function createFunnelsModel() {
  const goals = createGoalsModel();
  const period = signal<Period>({ period: '30d' });
  const filters = signal<UsageFilter[]>([]);
  const funnels = createLoader(() => api.funnels(currentSite.value!.id));
  const chosen = signal<number | null>(null);
  const figures = createLoader(() => api.funnelFigures(currentSite.value!.id, chosen.value!, period.value, filters.value));
  const exportUrl = computed(() => (chosen.value === null ? null : api.funnelExportUrl(currentSite.value!.id, chosen.value, period.value, filters.value)));
  const problem = signal<Problem | null>(null);
  const name = signal('');
  /** Goal ids as the step selects hold them ('' before a choice). */
  const steps = signal<string[]>(['', '']);

  function setStep(index: number, goalId: string): void {
    steps.value = steps.value.map((step, at) => (at === index ? goalId : step));
  }

  function addStep(): void {
    if (steps.value.length < FUNNEL_STEPS.max) steps.value = [...steps.value, ''];
  }

  function removeStep(index: number): void {
    if (steps.value.length > FUNNEL_STEPS.min) steps.value = steps.value.filter((_, at) => at !== index);
  }

  async function create(): Promise<void> {
    const funnel = { name: name.value, steps: steps.value.map(Number) };
    let createdId: number | null = null;
    const done = await attemptForm(problem, async () => (createdId = (await api.createFunnel(currentSite.value!.id, funnel)).id));
    if (!done) return;
    name.value = '';
    steps.value = ['', ''];
    await funnels.load();
    chosen.value = createdId;
  }

  async function remove(funnelId: number): Promise<void> {
    if (!(await attemptForm(problem, () => api.deleteFunnel(currentSite.value!.id, funnelId)))) return;
    if (chosen.value === funnelId) chosen.value = null;
    await funnels.load();
  }

  function addFilter(filter: UsageFilter): void {
    filters.value = [...filters.value.filter((existing) => existing.dimension !== filter.dimension), filter];
  }

  function removeFilter(dimension: UsageFilter['dimension']): void {
    filters.value = filters.value.filter((existing) => existing.dimension !== dimension);
  }

  function start(): () => void {
    const lists = effect(() => {
      if (!currentSite.value) return;
      chosen.value = null;
      void goals.goals.load();
      void funnels.load();
    });
    const shown = effect(() => {
      if (currentSite.value && chosen.value !== null) void figures.load();
    });
    return () => {
      lists();
      shown();
    };
  }

  return { goals, period, filters, funnels, chosen, figures, exportUrl, problem, name, steps, setStep, addStep, removeStep, create, remove, addFilter, removeFilter, start };
}

export type FunnelsModel = ReturnType<typeof createFunnelsModel>;
