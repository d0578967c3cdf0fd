/**
 * What the collector refuses, checked on the device so an app developer sees the mistake at the call, not in a
 * log later (server/collector/validation.ts and server/domain/page-address.ts are the originals; test/sdk/rules.test.ts
 * holds both to the same answers). No URL parsing: React Native's URL is incomplete, and the server normalises.
 */
import { SamtykkeError } from './errors.js';
import { ACTIONS, CATEGORIES, type Choices, type ConsentAction, type EventProps } from './types.js';

export const SITE_KEY_PATTERN: RegExp = /^[a-z0-9][a-z0-9-]{0,62}$/;
export const CONSENT_ID_PATTERN: RegExp = /^[A-Za-z0-9_-]{16,64}$/;
export const MAX_EVENTS_PER_REQUEST = 100;
export const MAX_PROPS = 30;
export const MAX_PROPS_BYTES = 2_048;
export const MAX_PROP_NAME = 64;
export const MAX_PROP_TEXT = 500;
export const MAX_EVENT_NAME = 120;
export const MAX_ADDRESS = 2_048;
export const MAX_ACCOUNT = 200;
/** PostgreSQL's integer: the largest policy version. */
export const LARGEST_VERSION = 2_147_483_647;

const WEB_URL = /^https?:\/\/[^\s/?#\\]+/i;
const APP_URL = /^app:\/\//i;
/** An app:// URL's host as the URL standard reads it, for runtimes without URL.canParse. */
const APP_HOST = /^app:\/\/[^\s#/<>?@[\\\]^|:]*(:\d*)?([/?#]|$)/i;
/** Any other scheme (`myapp://`, `javascript:`): never a screen name. */
const OTHER_URL = /^[a-z][a-z0-9+.-]*:/i;
const CONTROL = /[\u0000-\u001f\u007f]/;
const LONE_SURROGATE = /[\uD800-\uDBFF](?![\uDC00-\uDFFF])|(?<![\uD800-\uDBFF])[\uDC00-\uDFFF]/;
const PERCENT_RUN = /(?:%[0-9a-f]{2})+/gi;
const BARE_PERCENT = /%(?![0-9a-f]{2})/i;

/** URL.canParse where the runtime has it (Node, browsers); React Native's URL may lack it, and a pattern stands in. */
function parses(address: string, pattern: RegExp): boolean {
  if (!pattern.test(address)) return false;
  const canParse = (globalThis as { URL?: { canParse?: (url: string) => boolean } }).URL?.canParse;
  return typeof canParse === 'function' ? canParse(address) : true;
}

function invalid(code: 'invalid_event' | 'invalid_decision', field: string, message: string): SamtykkeError {
  return new SamtykkeError(code, `${field}: ${message}`, field);
}

/** Why the text cannot be stored (a NUL, half a surrogate pair), or null. */
export function unstorable(text: string): string | null {
  if (text.includes('\u0000')) return 'holds a NUL character';
  if (LONE_SURROGATE.test(text)) return 'holds a lone UTF-16 surrogate (half of a character)';
  return null;
}

/** Percent escapes must decode to text, and neither they nor the raw text may hold control characters. */
function addressTextProblem(address: string): string | null {
  if (CONTROL.test(address)) return 'holds a control character';
  if (BARE_PERCENT.test(address)) return 'is not percent-encoded UTF-8 (write % as %25)';
  for (const [run] of address.matchAll(PERCENT_RUN)) {
    let decoded: string;
    try {
      decoded = decodeURIComponent(run);
    } catch {
      return 'is not percent-encoded UTF-8';
    }
    const problem = unstorable(decoded) ?? (CONTROL.test(decoded) ? 'holds a control character' : null);
    if (problem) return problem;
  }
  return null;
}

/**
 * Why a screen or page address would be refused, or null: an http(s) URL, an `app://` URL or a plain screen name
 * (`abonnement`, `Min side/Faktura`), shown in analytics as a path (`/abonnement`).
 */
export function addressProblem(address: unknown): string | null {
  if (typeof address !== 'string') return 'must be a screen name or URL (a string)';
  if (address.length > MAX_ADDRESS) return `must be at most ${MAX_ADDRESS} characters`;
  if (APP_URL.test(address) && !parses(address, APP_HOST)) return 'must be an app:// URL whose host is a plain name (app://min-side/abonnement)';
  const isUrl = parses(address, WEB_URL) || APP_URL.test(address);
  if (!isUrl && OTHER_URL.test(address)) return 'must be an app:// URL, an http(s) URL or a screen name (which may not start with a scheme such as "javascript:")';
  if (!isUrl && address.trim().replace(/^\/+/, '') === '') return 'must name a screen';
  const problem = unstorable(address) ?? addressTextProblem(address);
  return problem && `must be text that can be stored: it ${problem}`;
}

export function checkProps(props: unknown, code: 'invalid_event'): asserts props is EventProps {
  if (typeof props !== 'object' || props === null || Array.isArray(props)) throw invalid(code, 'props', 'must be an object of strings, numbers and booleans');
  const entries = Object.entries(props);
  if (entries.length > MAX_PROPS) throw invalid(code, 'props', `at most ${MAX_PROPS} properties`);
  for (const [key, value] of entries) {
    if (key.length < 1 || key.length > MAX_PROP_NAME) throw invalid(code, `props.${key}`, `a property name must be 1 to ${MAX_PROP_NAME} characters`);
    const keyProblem = unstorable(key);
    if (keyProblem) throw invalid(code, 'props', `a property name ${keyProblem}`);
    if (typeof value === 'string') {
      if (value.length > MAX_PROP_TEXT) throw invalid(code, `props.${key}`, `must be at most ${MAX_PROP_TEXT} characters`);
      const problem = unstorable(value);
      if (problem) throw invalid(code, `props.${key}`, problem);
    } else if (typeof value === 'number') {
      if (!Number.isFinite(value)) throw invalid(code, `props.${key}`, 'must be a finite number');
    } else if (typeof value !== 'boolean') {
      throw invalid(code, `props.${key}`, 'must be a string, a number or a boolean (properties are flat)');
    }
  }
  if (JSON.stringify(props).length > MAX_PROPS_BYTES) throw invalid(code, 'props', `at most ${MAX_PROPS_BYTES} bytes of properties`);
}

export function checkEventName(name: unknown): asserts name is string {
  if (typeof name !== 'string' || name.trim().length < 1 || name.trim().length > MAX_EVENT_NAME) {
    throw invalid('invalid_event', 'name', `must be 1 to ${MAX_EVENT_NAME} characters`);
  }
  const problem = unstorable(name);
  if (problem) throw invalid('invalid_event', 'name', problem);
}

export function checkAddress(field: string, address: unknown, code: 'invalid_event' | 'invalid_decision'): asserts address is string {
  const problem = addressProblem(address);
  if (problem) throw invalid(code, field, problem);
}

export function checkChoices(choices: unknown, functionalRequired: boolean): asserts choices is Choices {
  if (typeof choices !== 'object' || choices === null) throw invalid('invalid_decision', 'choices', `must be an object with ${CATEGORIES.join(', ')}`);
  for (const key of Object.keys(choices)) {
    if (!(CATEGORIES as readonly string[]).includes(key)) throw invalid('invalid_decision', `choices.${key}`, `unknown category "${key}" (known: ${CATEGORIES.join(', ')})`);
  }
  for (const category of CATEGORIES) {
    if (typeof (choices as Record<string, unknown>)[category] !== 'boolean') throw invalid('invalid_decision', `choices.${category}`, 'must be true or false');
  }
  if (functionalRequired && !(choices as Choices).functional) {
    throw invalid('invalid_decision', 'choices.functional', 'the policy makes functional required; it cannot be denied');
  }
}

export function checkAction(action: ConsentAction, choices: Choices): void {
  if (!ACTIONS.includes(action)) throw invalid('invalid_decision', 'action', `must be one of ${ACTIONS.join(', ')}`);
  if (action === 'accept_all' && !(choices.functional && choices.analytics && choices.ads)) throw invalid('invalid_decision', 'action', 'accept_all must grant every category');
  if (action === 'reject_all' && (choices.analytics || choices.ads)) throw invalid('invalid_decision', 'action', 'reject_all must deny analytics and ads');
}

export function checkAccount(account: unknown): asserts account is string {
  if (typeof account !== 'string' || account.trim().length < 1 || account.trim().length > MAX_ACCOUNT) {
    throw invalid('invalid_decision', 'account', `must be 1 to ${MAX_ACCOUNT} characters`);
  }
  const problem = unstorable(account);
  if (problem) throw invalid('invalid_decision', 'account', problem);
}

/** Withdrawing anything outweighs the rest; otherwise the name says how much was granted (as the widget names it). */
export function actionFor(choices: Choices, previous: Choices | null): ConsentAction {
  if (previous && CATEGORIES.some((category) => previous[category] && !choices[category])) return 'withdraw';
  if (CATEGORIES.every((category) => choices[category])) return 'accept_all';
  if (!choices.analytics && !choices.ads) return 'reject_all';
  return 'custom';
}
