/** The declaration embed's payload: one locale of a site's published declaration, flattened into table rows. */
import { bannerLabels } from '../domain/banner.ts';
import { inLocaleOf, type Locale, type Localized } from '../domain/consent.ts';
import type { PublishedSite } from '../domain/sites.ts';
import type { InventoryItem } from '../domain/inventory.ts';
import { buildDeclaration } from '../declaration/declaration.ts';
import type { DeclarationEmbed } from '../../widget/declaration.ts';

type EmbedTexts = Omit<DeclarationEmbed['texts'], 'settings'>;

// Only the page's locale travels; the button label is the site's own settings label.
export const DECLARATION_TEXTS: Required<Localized<EmbedTexts>> = {
  nb: { allowed: 'Tillatt', denied: 'Ikke tillatt', columns: ['Navn', 'Leverandør', 'Formål', 'Lagringstid', 'Slik blokkerer du'] },
  nn: { allowed: 'Tillate', denied: 'Ikkje tillate', columns: ['Namn', 'Leverandør', 'Føremål', 'Lagringstid', 'Slik blokkerer du'] },
  en: { allowed: 'Allowed', denied: 'Not allowed', columns: ['Name', 'Provider', 'Purpose', 'Retention', 'How to block'] },
};

export function declarationEmbed(site: PublishedSite, inventory: readonly InventoryItem[], locale: Locale): DeclarationEmbed {
  // Nynorsk where the policy has it, as the banner: otherwise the Bokmål declaration with the Bokmål labels.
  const lang: Locale = locale === 'nn' && !site.policy.texts.nn ? 'nb' : locale;
  return {
    texts: { ...DECLARATION_TEXTS[lang], settings: bannerLabels(site.banner, lang).settings },
    categories: buildDeclaration(site, inventory).categories.map(({ category, required, texts, items }) => ({
      category,
      required,
      ...inLocaleOf(texts, lang),
      rows: items.map((item) => [item.name, item.provider, inLocaleOf(item.purpose, lang), inLocaleOf(item.retention, lang), inLocaleOf(item.blocking, lang)]),
    })),
  };
}
