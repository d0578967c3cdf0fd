/** A site's policy version: the texts the banner shows and the rules a decision is made under. */
import type { Category, Localized } from './consent.ts';

export interface CategoryText {
  readonly title: string;
  readonly description: string;
}

export interface PolicyTexts {
  readonly title: string;
  readonly body: string;
  readonly categories: Record<Category, CategoryText>;
}

export interface PolicyVersion {
  readonly version: number;
  readonly texts: Localized<PolicyTexts>;
  readonly functionalRequired: boolean;
  readonly consentLifetimeMonths: number;
  readonly publishedAt: Date | null;
}
