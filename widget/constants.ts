/** The widget's fixed names and timings; every text comes from the server inside the script. */

/** The first-party cookie holding the stored choice; the demo inventory declares it as functional. */
export const CONSENT_COOKIE = 'samtykke';
export const CATEGORY_ATTRIBUTE = 'data-category';
export const OPEN_ATTRIBUTE = 'data-samtykke-open';
export const DECLARATION_ATTRIBUTE = 'data-samtykke-declaration';
/** On a page's `<html>`: the page answers "not found" (the 404 panel). */
export const NOT_FOUND_ATTRIBUTE = 'data-samtykke-404';
/** Events wait this long for company before a batch goes out; page exits flush at once. */
export const FLUSH_DELAY_MS = 1000;
/** Without input for this long a visible page counts as idle: its engaged time stops growing. */
export const IDLE_MS = 30_000;
/** Consent Mode: how long Google tags wait for our update before they fire under the defaults. */
export const CONSENT_MODE_WAIT_MS = 500;
