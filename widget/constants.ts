/** The widget's fixed names and interface texts; policy texts come from the server inside the script. */
import type { Localized } from '../server/domain/consent.ts';

/** The first-party cookie holding the stored choice; the demo inventory declares it as functional. */
export const CONSENT_COOKIE = 'samtykke';
export const CATEGORY_ATTRIBUTE = 'data-category';
export const OPEN_ATTRIBUTE = 'data-samtykke-open';
export const DECLARATION_ATTRIBUTE = 'data-samtykke-declaration';
/** Events wait this long for company before a batch goes out; page exits flush at once. */
export const FLUSH_DELAY_MS = 1000;
/** Consent Mode: how long Google tags wait for our update before they fire under the defaults. */
export const CONSENT_MODE_WAIT_MS = 500;

export interface UiTexts {
  readonly acceptAll: string;
  readonly rejectAll: string;
  readonly choose: string;
  readonly save: string;
  readonly settings: string;
  readonly declaration: string;
  readonly gpc: string;
  readonly allowed: string;
  readonly denied: string;
  readonly columns: readonly [name: string, provider: string, purpose: string, retention: string, blocking: string];
}

export const UI_TEXTS: Localized<UiTexts> = {
  nb: {
    acceptAll: 'Godta alle',
    rejectAll: 'Avvis alle',
    choose: 'Velg selv',
    save: 'Lagre valgene',
    settings: 'Innstillinger for informasjonskapsler',
    declaration: 'Oversikt over informasjonskapsler',
    gpc: 'Nettleseren din ber om ingen sporing (GPC), så annonsemåling er av.',
    allowed: 'Tillatt',
    denied: 'Ikke tillatt',
    columns: ['Navn', 'Leverandør', 'Formål', 'Lagringstid', 'Slik blokkerer du'],
  },
  en: {
    acceptAll: 'Accept all',
    rejectAll: 'Reject all',
    choose: 'Choose',
    save: 'Save choices',
    settings: 'Cookie settings',
    declaration: 'Cookie declaration',
    gpc: 'Your browser asks not to be tracked (GPC), so ad measurement is off.',
    allowed: 'Allowed',
    denied: 'Not allowed',
    columns: ['Name', 'Provider', 'Purpose', 'Retention', 'How to block'],
  },
};
