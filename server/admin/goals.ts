/**
 * /sites/:siteId/goals: a site's goals (analysts define them) and their conversions over a period, with the
 * overview's filters, overall or per ad campaign, as JSON or CSV.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { say } from '../i18n.ts';
import { GOAL_KINDS, type Goal, type NewGoal } from '../domain/goals.ts';
import { PROP_KEY_PATTERN } from '../domain/stats.ts';
import { ApiError } from '../errors.ts';
import { funnelsWithGoal } from '../queries/funnels.ts';
import { createGoal, deleteGoal, goalConversions, listGoals, updateGoal, type GoalGroup } from '../queries/goals.ts';
import type { AppDeps } from '../services.ts';
import { requirePermission } from './auth.ts';
import type { AdminEnv } from './env.ts';
import { csvDownload, type Columns } from './export-stream.ts';
import { periodRange, periodSchema } from './period.ts';
import { audit, ownedSite } from './scope.ts';
import { text } from './texts.ts';
import { exportName, formatSchema, parseFilters } from './usage.ts';
import { parseBody, parseQuery, pathId } from './validate.ts';

/** A site has few goals; a bound keeps the conversions statement (a column pair per goal) small. */
export const MAX_GOALS = 50;

export const goalSchema = z.discriminatedUnion('kind', [
  z.strictObject({
    kind: z.literal(GOAL_KINDS[0]),
    name: text(100),
    path: z
      .string()
      .trim()
      .max(2048)
      .regex(/^\//, { error: () => say({ en: 'must start with / (a * matches any characters)', nb: 'må begynne med / (en * står for hvilke som helst tegn)' }) }),
  }),
  z.strictObject({
    kind: z.literal(GOAL_KINDS[1]),
    name: text(100),
    eventName: text(120),
    property: z
      .strictObject({
        key: z.string().regex(PROP_KEY_PATTERN, { error: () => say({ en: 'needs a key of letters, digits, _ . -', nb: 'trenger en nøkkel av bokstaver, sifre, _ . -' }) }),
        value: z.string().min(1).max(500),
      })
      .nullable()
      .default(null),
  }),
]) satisfies z.ZodType<NewGoal, unknown>;

// Not strict: the period, the format and the `f.` filters share the query string and are parsed on their own.
export const conversionsSchema = z.object({ by: z.enum(['adCampaign']).optional() });

const NO_GOAL = { en: 'No such goal on this site', nb: 'Nettstedet har ikke noe slikt mål' };

/** GET /sites/:siteId/goals/conversions: every goal's figures per group (one group unless `by` is given). */
export interface GoalsReport {
  readonly goals: readonly Goal[];
  readonly by: 'adCampaign' | null;
  readonly groups: readonly GoalGroup[];
}

export function goalRoutes(deps: AppDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  // Per route, not app.use: these routes share the /sites prefix with sub-apps other roles may read.
  const read = requirePermission('usage.read');
  const manage = requirePermission('goals.manage');

  app.get('/:siteId/goals', read, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    return c.json(await listGoals(deps.db, site.id));
  });

  app.post('/:siteId/goals', manage, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const asked = await parseBody(c, goalSchema);
    if ((await listGoals(deps.db, site.id)).length >= MAX_GOALS) {
      throw new ApiError(409, 'conflict', { en: `A site has at most ${MAX_GOALS} goals`, nb: `Et nettsted har høyst ${MAX_GOALS} mål` });
    }
    const goal = await createGoal(deps.db, site.id, asked);
    await audit(c, deps, { action: 'goal.create', siteId: site.id, target: goal.name, detail: { id: goal.id } });
    return c.json(goal, 201);
  });

  app.put('/:siteId/goals/:goalId', manage, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const goal = await updateGoal(deps.db, site.id, pathId(c, 'goalId'), await parseBody(c, goalSchema));
    if (!goal) throw new ApiError(404, 'not_found', NO_GOAL);
    await audit(c, deps, { action: 'goal.update', siteId: site.id, target: goal.name, detail: { id: goal.id } });
    return c.json(goal);
  });

  app.delete('/:siteId/goals/:goalId', manage, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const goalId = pathId(c, 'goalId');
    const funnels = await funnelsWithGoal(deps.db, site.id, goalId);
    if (funnels.length) {
      const names = funnels.join(', ');
      throw new ApiError(409, 'conflict', { en: `The goal is a step of these funnels: ${names}`, nb: `Målet er et steg i disse traktene: ${names}` });
    }
    const goal = await deleteGoal(deps.db, site.id, goalId);
    if (!goal) throw new ApiError(404, 'not_found', NO_GOAL);
    await audit(c, deps, { action: 'goal.delete', siteId: site.id, target: goal.name, detail: { id: goal.id } });
    return c.json(goal);
  });

  app.get('/:siteId/goals/conversions', read, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const { range } = periodRange(parseQuery(c, periodSchema), new Date());
    const { by } = parseQuery(c, conversionsSchema);
    const { format } = parseQuery(c, formatSchema);
    const goals = await listGoals(deps.db, site.id);
    const groups = await goalConversions(deps.db, { siteId: site.id, range, filters: parseFilters(c) }, goals, by);
    if (format === 'csv') {
      const names = new Map(goals.map((goal) => [goal.id, goal.name]));
      const rows = groups.flatMap((group) => group.goals.map((figures) => ({ group, figures })));
      const grouped: Columns<(typeof rows)[number]> = by ? [[by, (row) => row.group.value]] : [];
      return csvDownload(exportName(site.key, by ? `goals-${by}` : 'goals', range), [
        ...grouped,
        ['goal', (row) => names.get(row.figures.goalId) ?? null],
        ['converted_visitors', (row) => row.figures.visitors],
        ['conversions', (row) => row.figures.conversions],
        ['conversion_rate', (row) => row.figures.conversionRate],
        ['visitors', (row) => row.group.visitors],
      ], rows);
    }
    const report: GoalsReport = { goals, by: by ?? null, groups };
    return c.json(report);
  });
  return app;
}
