/**
 * zod's messages as the dashboard's user reads them, in nb and en: "must not be empty", not "Too small: expected
 * string to have >=1 characters". Used only while an admin request is answered (see i18n.ts); elsewhere zod keeps
 * its own English. Messages a schema states itself take precedence, and are written as Text there.
 */
import { z } from 'zod';
import type { StaffLocale as Locale } from '../domain/consent.ts';
import { activeLocale } from '../i18n.ts';

type RawIssue = Parameters<z.core.$ZodErrorMap>[0];

const TYPE_NAMES: Record<Locale, Record<string, string>> = {
  nb: { string: 'tekst', number: 'et tall', int: 'et heltall', boolean: 'sann eller usann', object: 'et objekt', array: 'en liste', date: 'en dato' },
  en: { string: 'text', number: 'a number', int: 'a whole number', boolean: 'true or false', object: 'an object', array: 'a list', date: 'a date' },
};

const FORMAT_NAMES: Record<Locale, Record<string, string>> = {
  nb: { email: 'en e-postadresse', url: 'en URL', date: 'en dato (ÅÅÅÅ-MM-DD)', datetime: 'et tidspunkt (ISO 8601)' },
  en: { email: 'an email address', url: 'a URL', date: 'a date (YYYY-MM-DD)', datetime: 'a time (ISO 8601)' },
};

type Bound = 'min' | 'max';

function bound(locale: Locale, which: Bound, origin: string, limit: number | bigint, exact: boolean | undefined): string {
  const n = Number(limit);
  if (origin === 'string') {
    if (which === 'min' && n === 1) return locale === 'nb' ? 'må fylles ut' : 'must not be empty';
    if (exact) return locale === 'nb' ? `må ha nøyaktig ${n} tegn` : `must have exactly ${n} characters`;
    return which === 'min'
      ? locale === 'nb' ? `må ha minst ${n} tegn` : `must have at least ${n} characters`
      : locale === 'nb' ? `kan ha høyst ${n} tegn` : `may have at most ${n} characters`;
  }
  if (origin === 'array' || origin === 'set') {
    return which === 'min'
      ? locale === 'nb' ? `må ha minst ${n} element${n === 1 ? '' : 'er'}` : `needs at least ${n} item${n === 1 ? '' : 's'}`
      : locale === 'nb' ? `kan ha høyst ${n} elementer` : `may have at most ${n} items`;
  }
  return which === 'min' ? (locale === 'nb' ? `må være minst ${n}` : `must be at least ${n}`) : locale === 'nb' ? `kan være høyst ${n}` : `may be at most ${n}`;
}

function adminMessage(locale: Locale, issue: RawIssue): string | undefined {
  const nb = locale === 'nb';
  switch (issue.code) {
    case 'invalid_type': {
      if (issue.input === undefined) return nb ? 'må fylles ut' : 'is required';
      const expected = TYPE_NAMES[locale][issue.expected] ?? issue.expected;
      return nb ? `må være ${expected}` : `must be ${expected}`;
    }
    case 'too_small':
      return bound(locale, 'min', issue.origin, issue.minimum, issue.exact);
    case 'too_big':
      return bound(locale, 'max', issue.origin, issue.maximum, issue.exact);
    case 'invalid_format': {
      const format = FORMAT_NAMES[locale][issue.format];
      if (format) return nb ? `må være ${format}` : `must be ${format}`;
      return nb ? 'har feil form' : 'has the wrong form';
    }
    case 'invalid_value': {
      const values = issue.values.map((value) => String(value)).join(', ');
      return nb ? `må være en av: ${values}` : `must be one of: ${values}`;
    }
    case 'unrecognized_keys':
      return nb ? `ukjent felt: ${issue.keys.join(', ')}` : `unknown field: ${issue.keys.join(', ')}`;
    case 'invalid_union':
      return nb ? 'har feil form' : 'has the wrong form';
    case 'not_multiple_of':
      return nb ? `må gå opp i ${issue.divisor}` : `must be a multiple of ${issue.divisor}`;
    default:
      return undefined;
  }
}

/** Installed once, by the module that parses admin input: outside an admin request it defers to zod's own. */
export function installAdminMessages(): void {
  z.config({
    customError: (issue) => {
      const locale = activeLocale();
      return locale ? adminMessage(locale, issue) : undefined;
    },
  });
}
