/**
 * Goals and funnels: what an analyst counts as a conversion on a site, and ordered steps of goals within one visit.
 *
 * A pageview goal names a path. A `*` in it matches any run of characters, `/` included and none at all
 * (`/fakturaer/*` matches `/fakturaer/` and `/fakturaer/2026/11`); every other character matches itself. A custom
 * event goal names the event and, optionally, one property that must have a given value.
 */

export const GOAL_KINDS = ['pageview', 'event'] as const;
export type GoalKind = (typeof GOAL_KINDS)[number];

export interface GoalProperty {
  readonly key: string;
  readonly value: string;
}

export type GoalTarget =
  | { readonly kind: 'pageview'; readonly path: string }
  | { readonly kind: 'event'; readonly eventName: string; readonly property: GoalProperty | null };

export type NewGoal = { readonly name: string } & GoalTarget;
export type Goal = NewGoal & { readonly id: number; readonly createdAt: Date };

/** The number of steps a funnel may have. */
export const FUNNEL_STEPS = { min: 2, max: 8 } as const;

export interface NewFunnel {
  readonly name: string;
  /** Goal ids, in the order a visit must reach them. */
  readonly steps: readonly number[];
}

export interface Funnel extends NewFunnel {
  readonly id: number;
  readonly createdAt: Date;
}

export const PATH_WILDCARD = '*';

/** Per goal over the visits in scope: visitors who converted, conversions, and the share of visitors who did. */
export interface GoalConversions {
  readonly goalId: number;
  readonly visitors: number;
  readonly conversions: number;
  /** Percent of the visitors in scope, one decimal; null without visitors. */
  readonly conversionRate: number | null;
}

/** One funnel step over a period: visitors who reached it after every earlier step, within one visit. */
export interface FunnelStepFigures {
  readonly goalId: number;
  readonly visitors: number;
  /** Percent of the first step's visitors; null when nobody reached the first step. */
  readonly fromFirst: number | null;
  /** Percent of the previous step's visitors (100 for the first step when it has visitors). */
  readonly fromPrevious: number | null;
  /** Visitors of the previous step who did not reach this one (0 for the first step). */
  readonly dropOff: number;
}

export function percent(part: number, whole: number): number | null {
  return whole > 0 ? Math.round((1000 * part) / whole) / 10 : null;
}

/** Figures per step from the visitors who reached each, in order. */
export function funnelSteps(goalIds: readonly number[], reached: readonly number[]): FunnelStepFigures[] {
  return goalIds.map((goalId, index) => {
    const visitors = reached[index] ?? 0;
    const previous = index === 0 ? visitors : (reached[index - 1] ?? 0);
    return { goalId, visitors, fromFirst: percent(visitors, reached[0] ?? 0), fromPrevious: percent(visitors, previous), dropOff: previous - visitors };
  });
}
