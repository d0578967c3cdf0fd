/** Google Consent Mode v2: denied defaults before any Google tag reads them, and an update on every decision. */
import type { Choices } from '../server/domain/consent.ts';
import { CONSENT_MODE_WAIT_MS } from './constants.ts';

type ConsentState = 'granted' | 'denied';

declare global {
  interface Window {
    dataLayer?: unknown[];
  }
}

// gtag.js only acts on Arguments objects in the dataLayer, so this must push `arguments`, not an array.
function gtag(..._command: unknown[]): void {
  // eslint-disable-next-line prefer-rest-params
  (window.dataLayer ||= []).push(arguments);
}

export function consentModeState(choices: Choices | null): Record<string, ConsentState> {
  const state = (granted: boolean | undefined): ConsentState => (granted ? 'granted' : 'denied');
  return {
    ad_storage: state(choices?.ads),
    ad_user_data: state(choices?.ads),
    ad_personalization: state(choices?.ads),
    analytics_storage: state(choices?.analytics),
    functionality_storage: state(choices?.functional),
    personalization_storage: state(choices?.functional),
    security_storage: 'granted',
  };
}

export function consentModeDefault(): void {
  gtag('consent', 'default', { ...consentModeState(null), wait_for_update: CONSENT_MODE_WAIT_MS });
}

export function consentModeUpdate(choices: Choices): void {
  gtag('consent', 'update', consentModeState(choices));
}
