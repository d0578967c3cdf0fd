/**
 * The wire vocabulary the client shares with the server (server/contract.ts, server/domain/consent.ts), written out
 * so the package has no dependency: test/sdk/rules.test.ts holds them equal to the server's.
 */

export const CATEGORIES = ['functional', 'analytics', 'ads'] as const;
export type Category = (typeof CATEGORIES)[number];

export interface Choices {
  readonly functional: boolean;
  readonly analytics: boolean;
  readonly ads: boolean;
}

export const ACTIONS = ['accept_all', 'reject_all', 'custom', 'withdraw'] as const;
export type ConsentAction = (typeof ACTIONS)[number];

export const LOCALES = ['nb', 'nn', 'en'] as const;
export type Locale = (typeof LOCALES)[number];

export type EventProps = Record<string, string | number | boolean>;

/** The events an app sends: a screen shown (a pageview) or something that happened on it. */
export interface QueuedEvent {
  readonly type: 'pageview' | 'custom';
  readonly name?: string;
  /** The screen: an `app://` URL, a screen name or an http(s) URL. */
  readonly url: string;
  readonly referrer?: string;
  readonly props?: EventProps;
  /** When it happened, by this device's clock (ms since 1970 UTC). */
  readonly time: number;
  /** The visit it belongs to. */
  readonly sessionId: string;
}

/** POST /api/consent as the client sends it. */
export interface DecisionBody {
  readonly site: string;
  readonly consentId: string;
  readonly policyVersion: number;
  readonly choices: Choices;
  readonly action: ConsentAction;
  readonly source: 'app' | 'api';
  readonly locale: Locale;
  readonly url?: string;
  readonly account?: string;
}
