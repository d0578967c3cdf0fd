/** What the widget needs to show a site's banner with no second round trip: built from its policy, theme and inventory. */
import { bannerLabels, type BannerSettings } from '../domain/banner.ts';
import type { Locale } from '../domain/consent.ts';
import type { InventoryItem } from '../domain/inventory.ts';
import { policyLocales, type CurrentPolicy, type PolicyRules } from '../domain/policy.ts';
import type { ShownText } from '../domain/shown-content.ts';
import type { PublishedSite, Site } from '../domain/sites.ts';
import type { WidgetSiteConfig, WidgetTexts } from '../contract.ts';
import type { AppDeps } from '../services.ts';
import { pickLocale } from '../../widget/locale.ts';
import { bannerCss } from '../../widget/styles.ts';

const STORAGE_KINDS = ['cookie', 'local_storage', 'session_storage'] as const;
type StorageKind = (typeof STORAGE_KINDS)[number];

export interface BannerState {
  readonly site: Site;
  readonly banner: BannerSettings;
  readonly policy: Pick<CurrentPolicy, 'version' | 'askedSince' | 'texts' | 'functionalRequired' | 'consentLifetimeMonths'>;
  readonly inventory: readonly InventoryItem[];
  readonly shown: ReadonlyMap<Locale, ShownText>;
}

/** One locale of the banner, with the hash of exactly that content; the GPC notice only for browsers sending GPC. */
export function textsFor(state: BannerState, locale: Locale, gpc = true): WidgetTexts {
  const { site, banner, policy } = state;
  const shown = state.shown.get(locale);
  const texts = policy.texts[locale];
  if (!shown || !texts) throw new Error(`Site ${site.key} policy v${policy.version} has no ${locale} content`);
  const { gpc: gpcNotice, ...labels } = bannerLabels(banner, locale);
  return { ...texts, labels: gpc ? { ...labels, gpc: gpcNotice } : labels, shown: shown.hash };
}

/**
 * The locale to inline: the one the widget would pick (widget/locale.ts) from what the request says of the page:
 * the script URL's `lang`, else the browser's languages. Only a page in another language fetches its texts.
 */
export function servedLocale(policy: Pick<PolicyRules, 'texts'>, lang: string | undefined, acceptLanguage: string | undefined): Locale {
  const languages = (acceptLanguage ?? '').split(',').map((part) => part.trim().split(';')[0]);
  return pickLocale([lang, ...languages], policy.texts.nn !== undefined);
}

/** The configuration for any state of a site: the one it serves now, or a draft policy or theme in a preview. */
export function configFor(state: BannerState, locale: Locale, gpc = true): WidgetSiteConfig {
  const { site, banner, policy } = state;
  return {
    site: site.key,
    policyVersion: policy.version,
    askedSince: policy.askedSince,
    functionalRequired: policy.functionalRequired,
    consentLifetimeMonths: policy.consentLifetimeMonths,
    locales: policyLocales(policy.texts),
    texts: { [locale]: textsFor(state, locale, gpc) },
    css: bannerCss(banner.theme),
    ...(banner.theme.logoUrl ? { logo: banner.theme.logoUrl } : {}),
    storage: state.inventory
      .filter((item): item is typeof item & { kind: StorageKind } => (STORAGE_KINDS as readonly string[]).includes(item.kind))
      .map(({ category, kind, name, namePattern, domain }) => ({ category, kind, name, namePattern, domain })),
  };
}

/** The site as its pages are served now. */
export async function servedState(deps: AppDeps, key: string): Promise<BannerState & { site: PublishedSite }> {
  const site = await deps.sites.published(key);
  const [inventory, shown] = await Promise.all([deps.sites.inventory(site), deps.sites.shown(site)]);
  return { site, banner: site.banner, policy: site.policy, inventory, shown };
}
