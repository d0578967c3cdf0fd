/**
 * Funnels of a site: their definitions, and how many visitors reached each step over the visits in scope.
 *
 * A visit reaches step n+1 when it has an event matching that step's goal after (by time) the event where it
 * reached step n; the steps need not be adjacent. A visitor is counted at the furthest step any one of their
 * visits reached. Visits come from the stats engine (stats.ts) with every filter; the order of their events is
 * their trail, folded at ingest (trails.ts).
 */
import { sql, type RawBuilder, type Selectable } from 'kysely';
import type { Db } from '../db/create.ts';
import type { FunnelsTable } from '../db/schema.ts';
import type { Funnel, Goal, NewFunnel } from '../domain/goals.ts';
import { needsTrail, visitCount } from './goals.ts';
import { readVisits, visitsCte, type StatsScope } from './stats.ts';
import { hasSequence } from './trails.ts';

function toFunnel(row: Selectable<FunnelsTable>): Funnel {
  return { id: row.id, name: row.name, steps: row.steps, createdAt: row.created_at };
}

export async function listFunnels(db: Db, siteId: number): Promise<Funnel[]> {
  const rows = await db.selectFrom('funnels').selectAll().where('site_id', '=', siteId).orderBy('id').execute();
  return rows.map(toFunnel);
}

export async function findFunnel(db: Db, siteId: number, funnelId: number): Promise<Funnel | undefined> {
  const row = await db.selectFrom('funnels').selectAll().where('site_id', '=', siteId).where('id', '=', funnelId).executeTakeFirst();
  return row && toFunnel(row);
}

export async function createFunnel(db: Db, siteId: number, funnel: NewFunnel): Promise<Funnel> {
  const row = await db.insertInto('funnels').values({ site_id: siteId, name: funnel.name, steps: [...funnel.steps] }).returningAll().executeTakeFirstOrThrow();
  return toFunnel(row);
}

export async function updateFunnel(db: Db, siteId: number, funnelId: number, funnel: NewFunnel): Promise<Funnel | undefined> {
  const row = await db
    .updateTable('funnels')
    .set({ name: funnel.name, steps: [...funnel.steps] })
    .where('site_id', '=', siteId)
    .where('id', '=', funnelId)
    .returningAll()
    .executeTakeFirst();
  return row && toFunnel(row);
}

export async function deleteFunnel(db: Db, siteId: number, funnelId: number): Promise<Funnel | undefined> {
  const row = await db.deleteFrom('funnels').where('site_id', '=', siteId).where('id', '=', funnelId).returningAll().executeTakeFirst();
  return row && toFunnel(row);
}

/** The names of the site's funnels that have the goal as a step: while there are any, the goal stays. */
export async function funnelsWithGoal(db: Db, siteId: number, goalId: number): Promise<string[]> {
  const rows = await db.selectFrom('funnels').select('name').where('site_id', '=', siteId).where(sql<boolean>`${goalId} = any(steps)`).orderBy('id').execute();
  return rows.map((row) => row.name);
}

/** Visitors who reached each step of `steps` (goals in order) within one visit in scope, one count per step. */
export async function funnelReached(db: Db, scope: StatsScope, steps: readonly Goal[]): Promise<number[]> {
  const [row] = await readVisits(db, funnelStatement(scope, steps));
  return steps.map((_, index) => Number(row?.[`s${index}`] ?? 0));
}

/**
 * The statement behind funnelReached: one row, the visitors who reached step i as `s<i>`. A visit's furthest step
 * is the longest prefix of the steps its trail has in order; visits without the first step are skipped first by
 * their folded lists where those can tell.
 */
export function funnelStatement(scope: StatsScope, steps: readonly Goal[]): RawBuilder<Record<string, number | string>> {
  const trail = sql.ref('v.trail');
  const has = (count: number) => hasSequence(trail, steps.slice(0, count));
  const reached = sql`case ${sql.join(steps.slice(1).map((_, index) => sql`when not ${has(index + 2)} then ${sql.lit(index + 1)}`), sql` `)} else ${sql.lit(steps.length)} end`;
  const first = needsTrail([steps[0]!]) ? sql`true` : sql`${visitCount(steps[0]!)} > 0`;
  return sql<Record<string, number | string>>`with v as (${visitsCte(scope, sql`trail`)}),
      furthest as (
        select max(${reached}) as reached from v
        where ${first} and ${has(1)}
        group by v.visitor
      )
      select ${sql.join(steps.map((_, index) => sql`count(*) filter (where reached > ${sql.lit(index)}) as ${sql.ref(`s${index}`)}`))} from furthest`;
}
