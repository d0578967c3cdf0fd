/** The consent vocabulary shared by server, widget and dashboard: categories, choices, actions, sources, locales. */

export const CATEGORIES = ['functional', 'analytics', 'ads'] as const;
export type Category = (typeof CATEGORIES)[number];
export type Choices = Record<Category, boolean>;

export const ACTIONS = ['accept_all', 'reject_all', 'custom', 'withdraw'] as const;
export type ConsentAction = (typeof ACTIONS)[number];

export const SOURCES = ['banner', 'preferences', 'gpc', 'api', 'app'] as const;
export type ConsentSource = (typeof SOURCES)[number];

/** What end users read in: Bokmål, Nynorsk (both official written Norwegian) and English. */
export const LOCALES = ['nb', 'nn', 'en'] as const;
export type Locale = (typeof LOCALES)[number];
/** Staff read the dashboard and the admin API in Bokmål or English. */
export type StaffLocale = Exclude<Locale, 'nn'>;
/** Bokmål and English are always written; Nynorsk is optional and falls back to Bokmål where a text has none. */
export type Localized<T = string> = { readonly nb: T; readonly en: T; readonly nn?: T };

export function inLocaleOf<T>(value: Localized<T>, locale: Locale): T {
  return value[locale] ?? value.nb;
}

export const SURFACES = ['web', 'app'] as const;
export type Surface = (typeof SURFACES)[number];

/** The latest decision a consent ID holds on a site, as the collector enforces it. */
export interface Decision {
  readonly policyVersion: number;
  readonly choices: Choices;
  readonly recordedAt: Date;
}

/** Consent lapses after the policy's lifetime; an expired decision grants nothing beyond what is required. */
export function decisionExpiresAt(recordedAt: Date, lifetimeMonths: number): Date {
  const expiry = new Date(recordedAt);
  expiry.setUTCMonth(expiry.getUTCMonth() + lifetimeMonths);
  return expiry;
}
