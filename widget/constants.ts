/** The widget's fixed names and timings; every text comes from the server inside the script. */

/** The first-party cookie holding the stored choice; the demo inventory declares it as functional. */
export const CONSENT_COOKIE = 'samtykke';
export const CATEGORY_ATTRIBUTE = 'data-category';
export const OPEN_ATTRIBUTE = 'data-samtykke-open';
export const DECLARATION_ATTRIBUTE = 'data-samtykke-declaration';
/** Events wait this long for company before a batch goes out; page exits flush at once. */
export const FLUSH_DELAY_MS = 1000;
/** Consent Mode: how long Google tags wait for our update before they fire under the defaults. */
export const CONSENT_MODE_WAIT_MS = 500;
