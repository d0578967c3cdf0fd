/**
 * A site's policy versions: the texts the banner shows and the rules a decision is made under. A version starts as
 * a draft, is published either as a material change (every earlier decision stops counting and the widget asks
 * again) or as a wording fix (earlier decisions keep counting), and is superseded by the next one published.
 */
import { LOCALES, type Category, type Locale, type Localized } from './consent.ts';

export interface CategoryText {
  readonly title: string;
  readonly description: string;
}

export interface PolicyTexts {
  readonly title: string;
  readonly body: string;
  readonly categories: Record<Category, CategoryText>;
}

export interface PolicyRules {
  readonly texts: Localized<PolicyTexts>;
  readonly functionalRequired: boolean;
  readonly consentLifetimeMonths: number;
}

/** The locales a policy is written in: Bokmål and English always, Nynorsk where the admin wrote it. */
export function policyLocales(texts: Localized<PolicyTexts>): Locale[] {
  return LOCALES.filter((locale) => texts[locale] !== undefined);
}

export const POLICY_STATES = ['draft', 'published', 'superseded'] as const;
export type PolicyState = (typeof POLICY_STATES)[number];

/** How a published version relates to the decisions made before it. */
export const POLICY_CHANGES = ['material', 'wording'] as const;
export type PolicyChange = (typeof POLICY_CHANGES)[number];

/** A published version, as decisions are made under it. */
export interface PolicyVersion extends PolicyRules {
  readonly id: number;
  readonly version: number;
  readonly publishedAt: Date;
  readonly publishedBy: string | null;
  readonly material: boolean;
}

/** The version in force on a site, with the number decisions must be made under or after to still count. */
export interface CurrentPolicy extends PolicyVersion {
  /** The latest material version: a decision under an earlier version is stale and is asked again. */
  readonly askedSince: number;
}

/** Any version in the site's list: a draft has no number, publish time or change kind yet. */
export interface PolicyEntry extends PolicyRules {
  readonly id: number;
  readonly version: number | null;
  readonly state: PolicyState;
  readonly material: boolean | null;
  readonly publishedAt: Date | null;
  readonly publishedBy: string | null;
  readonly createdAt: Date;
  readonly updatedAt: Date;
}
