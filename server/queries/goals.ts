/**
 * Goals of a site: their definitions, how many times a visit reached one, and their conversions over the visits
 * in scope of the stats engine (stats.ts), with the same filters as every panel.
 *
 * A pageview goal of one path and an event goal without a property are counted from the lists ingest folds into
 * each visit (`pages`, `event_names`), as the page and event panels are; a pattern or a property from the visit's
 * trail (trails.ts), also folded at ingest. No goal reads the events.
 */
import { sql, type RawBuilder, type Selectable } from 'kysely';
import type { Db } from '../db/create.ts';
import type { GoalsTable } from '../db/schema.ts';
import { PATH_WILDCARD, percent, type Goal, type GoalConversions, type NewGoal } from '../domain/goals.ts';
import type { VisitDimension } from '../domain/stats.ts';
import { readVisits, visitsCte, VISIT_COLUMNS, type StatsScope } from './stats.ts';
import { goalCount } from './trails.ts';

function toGoal(row: Selectable<GoalsTable>): Goal {
  const common = { id: row.id, name: row.name, createdAt: row.created_at };
  if (row.kind === 'pageview') return { ...common, kind: 'pageview', path: row.path! };
  const property = row.prop_key === null ? null : { key: row.prop_key, value: row.prop_value! };
  return { ...common, kind: 'event', eventName: row.event_name!, property };
}

function goalColumns(goal: NewGoal) {
  return goal.kind === 'pageview'
    ? { name: goal.name, kind: goal.kind, path: goal.path, event_name: null, prop_key: null, prop_value: null }
    : { name: goal.name, kind: goal.kind, path: null, event_name: goal.eventName, prop_key: goal.property?.key ?? null, prop_value: goal.property?.value ?? null };
}

export async function listGoals(db: Db, siteId: number): Promise<Goal[]> {
  const rows = await db.selectFrom('goals').selectAll().where('site_id', '=', siteId).orderBy('id').execute();
  return rows.map(toGoal);
}

export async function createGoal(db: Db, siteId: number, goal: NewGoal): Promise<Goal> {
  return toGoal(await db.insertInto('goals').values({ site_id: siteId, ...goalColumns(goal) }).returningAll().executeTakeFirstOrThrow());
}

export async function updateGoal(db: Db, siteId: number, goalId: number, goal: NewGoal): Promise<Goal | undefined> {
  const row = await db.updateTable('goals').set(goalColumns(goal)).where('site_id', '=', siteId).where('id', '=', goalId).returningAll().executeTakeFirst();
  return row && toGoal(row);
}

export async function deleteGoal(db: Db, siteId: number, goalId: number): Promise<Goal | undefined> {
  const row = await db.deleteFrom('goals').where('site_id', '=', siteId).where('id', '=', goalId).returningAll().executeTakeFirst();
  return row && toGoal(row);
}

/**
 * How many times a visit of `v` reached the goal: from its folded lists for a path or an event name, else from its
 * trail (a pattern, a property), which `v` must then have.
 */
export function visitCount(goal: Goal): RawBuilder<number> {
  if (goal.kind === 'pageview') {
    return goal.path.includes(PATH_WILDCARD) ? goalCount(sql.ref('v.trail'), goal) : sql<number>`coalesce((v.pages ->> ${goal.path})::int, 0)`;
  }
  const named = sql<number>`coalesce((v.event_names ->> ${goal.eventName})::int, 0)`;
  // The folded names say which visits can have it, so only those trails are searched.
  return goal.property ? sql<number>`case when ${named} > 0 then ${goalCount(sql.ref('v.trail'), goal)} else 0 end` : named;
}

/** Whether counting the goals needs the visits' trails. */
export const needsTrail = (goals: readonly Goal[]) => goals.some((goal) => (goal.kind === 'event' ? goal.property !== null : goal.path.includes(PATH_WILDCARD)));

/** Conversions of every goal among the visits of one group (all in scope, or one value of a visit dimension). */
export interface GoalGroup {
  readonly value: string | null;
  /** Visitors in the group, converted or not: what the conversion rate divides by. */
  readonly visitors: number;
  readonly goals: readonly GoalConversions[];
}

type ConversionRow = Record<string, string | number | null>;

/** The statement behind goalConversions: per group, its visitors and each goal's converted visitors (`u<i>`) and conversions (`t<i>`). */
export function conversionsStatement(scope: StatsScope, goals: readonly Goal[], by?: VisitDimension): RawBuilder<ConversionRow> {
  const value = by ? sql.ref(`v.${VISIT_COLUMNS[by]}`) : sql`null::text`;
  const column = (index: number) => sql.ref(`c.c${index}`);
  return sql<ConversionRow>`with v as (${visitsCte(scope, needsTrail(goals) ? sql`trail` : undefined)}),
      c as (
        select ${value} as value, v.visitor, ${sql.join(goals.map((goal, index) => sql`sum(${visitCount(goal)}) as ${sql.ref(`c${index}`)}`))}
        from v ${by ? sql`where ${value} is not null` : sql``}
        group by 1, 2
      )
      select c.value, count(*) as visitors,
        ${sql.join(goals.map((_, index) => sql`count(*) filter (where ${column(index)} > 0) as ${sql.ref(`u${index}`)}, coalesce(sum(${column(index)}), 0) as ${sql.ref(`t${index}`)}`))}
      from c group by c.value order by count(*) desc, c.value collate "C"`;
}

/**
 * Conversions of `goals` over the visits in scope, in one group or one per value of `by` (visits without a value
 * are left out, e.g. visits without an ad click under adCampaign). Visitors are exact: counted per group and
 * visitor first, then the rows are counted.
 */
export async function goalConversions(db: Db, scope: StatsScope, goals: readonly Goal[], by?: VisitDimension): Promise<GoalGroup[]> {
  if (goals.length === 0) return [];
  // A row per visitor with a count per goal: a month of 385,000 visitors took 97 MB and spilled to disk at 32 MB.
  const rows = await readVisits(db, conversionsStatement(scope, goals, by), '128MB');
  // Without a grouping there is always one group, also when no visit is in scope.
  if (!by && rows.length === 0) rows.push({ value: null, visitors: 0 });
  return rows.map((row) => {
    const visitors = Number(row.visitors);
    return {
      value: row.value === null ? null : String(row.value),
      visitors,
      goals: goals.map((goal, index) => {
        const converted = Number(row[`u${index}`] ?? 0);
        return { goalId: goal.id, visitors: converted, conversions: Number(row[`t${index}`] ?? 0), conversionRate: percent(converted, visitors) };
      }),
    };
  });
}
