/** Which of the policy's languages to show: the script's data-lang, then <html lang>, then the browser's. */
import type { Locale } from '../server/domain/consent.ts';

/** Nynorsk where the policy is written in it, else Bokmål; "no" is Norwegian without a written form: Bokmål. */
export function pickLocale(candidates: ReadonlyArray<string | null | undefined>, nynorsk: boolean): Locale {
  for (const candidate of candidates) {
    const language = candidate?.slice(0, 2).toLowerCase();
    if (language === 'en') return 'en';
    if (language === 'nn') return nynorsk ? 'nn' : 'nb';
    if (language === 'nb' || language === 'no') return 'nb';
  }
  return 'en';
}
