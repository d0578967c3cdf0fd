/** Which of the policy's languages to show: the script's data-lang, then <html lang>, then the browser's. */
import type { Locale } from '../server/domain/consent.ts';

const NORWEGIAN = ['nb', 'nn', 'no'];

export function pickLocale(candidates: ReadonlyArray<string | null | undefined>): Locale {
  for (const candidate of candidates) {
    const language = candidate?.slice(0, 2).toLowerCase();
    if (language === 'en') return 'en';
    if (language && NORWEGIAN.includes(language)) return 'nb';
  }
  return 'en';
}
