/** The widget configuration a site serves now, with the texts of every locale its policy has (a script inlines one). */
import type { WidgetSiteConfig, WidgetTexts } from '../../server/contract.ts';
import type { Locale } from '../../server/domain/consent.ts';
import type { AppDeps } from '../../server/services.ts';
import { configFor, servedState, textsFor } from '../../server/widget/site-config.ts';

export type EveryLocale = Omit<WidgetSiteConfig, 'texts'> & { readonly texts: Record<'nb' | 'en', WidgetTexts> & { readonly nn?: WidgetTexts } };

export async function servedInEveryLocale(deps: AppDeps, key: string): Promise<EveryLocale> {
  const state = await servedState(deps, key);
  const config = configFor(state, 'nb');
  const texts = Object.fromEntries(config.locales.map((locale: Locale) => [locale, textsFor(state, locale)]));
  return { ...config, texts: texts as EveryLocale['texts'] };
}

/** The configuration a site's script inlines for one locale, as the widget route builds it. */
export async function widgetSiteConfig(deps: AppDeps, key: string, locale: Locale = 'nb'): Promise<{ config: WidgetSiteConfig }> {
  return { config: configFor(await servedState(deps, key), locale) };
}
