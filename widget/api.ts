/**
 * The public JavaScript API of the widget, `window.Samtykke`, for TypeScript users of a portal:
 * `import type {} from 'samtykke/widget/api.ts'` (or copy this file) and `window.Samtykke?.open()` is typed.
 */
import type { Choices } from '../server/domain/consent.ts';
import type { EventProps } from '../server/contract.ts';

export type { Category, Choices } from '../server/domain/consent.ts';
export type { EventProps } from '../server/contract.ts';

export interface SamtykkeApi {
  /** The pseudonymous consent ID this browser holds; pixels and support requests quote it. */
  readonly consentId: string;
  /**
   * Adopts the decision an app hands the page in a WebView (the token from POST /api/handoff), once the server has
   * checked it: no banner, nothing recorded again. Apps call it for a change made in the app while the page is open.
   * Only on sites with the app hand-off switched on.
   */
  handoff?(token: string): Promise<void>;
  /** Opens the preferences, where every choice can be changed or withdrawn. */
  open(): void;
  /** The choices in force, or null while the visitor has not decided (or must decide again). */
  get(): Choices | null;
  /** Called after every decision with the new choices; returns a function that stops listening. */
  on(event: 'change', listener: (choices: Choices) => void): () => void;
  /**
   * A custom analytics event; sent only with `analytics` consent, dropped without it. `track('404')` reports the page
   * as not found when the site has that signal switched on (as `<html data-samtykke-404>` does on load).
   */
  track(name: string, props?: EventProps): void;
}

declare global {
  interface Window {
    Samtykke?: SamtykkeApi;
  }
  interface Navigator {
    /** Global Privacy Control: https://privacycg.github.io/gpc-spec/ */
    readonly globalPrivacyControl?: boolean;
  }
}
