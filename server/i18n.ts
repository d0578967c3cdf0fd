/**
 * The language of messages a person reads: the admin API answers in the dashboard's language (nb or en), taken
 * from Accept-Language, so validation messages and errors appear as the rest of the dashboard does. The locale of
 * the running request is kept in async-local storage, because zod builds a message where the issue is found.
 */
import { AsyncLocalStorage } from 'node:async_hooks';
import type { Localized, StaffLocale } from './domain/consent.ts';

/** One message in both staff locales. */
export type Text = Localized<string>;

const requestLocale = new AsyncLocalStorage<StaffLocale>();

/** nb for Norwegian in any written form (nb, nn, no), en for everything else: the API's callers are staff or programs. */
export function localeFromHeader(acceptLanguage: string | undefined): StaffLocale {
  for (const part of (acceptLanguage ?? '').split(',')) {
    const tag = part.trim().split(';')[0]?.toLowerCase() ?? '';
    if (/^(nb|nn|no)\b/.test(tag)) return 'nb';
    if (/^en\b/.test(tag)) return 'en';
  }
  return 'en';
}

export function inLocale<T>(locale: StaffLocale, run: () => T): T {
  return requestLocale.run(locale, run);
}

/** The locale of the request being answered, or undefined outside one (the collector, the command line). */
export function activeLocale(): StaffLocale | undefined {
  return requestLocale.getStore();
}

/** The text in the request's locale, English outside a request. */
export function say(text: Text): string {
  return text[activeLocale() ?? 'en'];
}
