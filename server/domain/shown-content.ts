/**
 * Evidence of what a user was shown (EDPB guidelines 05/2020 §108: keep "a copy of the information that was
 * presented"). For one site, policy version and locale, the content is the banner's texts, the category texts, the
 * button labels and the inventory as declared at that moment, written as canonical JSON. A consent record carries
 * the SHA-256 of that text inside its chained content; the text itself is stored once per distinct hash.
 */
import { createHash } from 'node:crypto';
import type { BannerLabels } from './banner.ts';
import { CATEGORIES, inLocaleOf, type Category, type Locale } from './consent.ts';
import { publicItem, type InventoryItem, type InventoryKind, type Party } from './inventory.ts';
import type { PolicyVersion } from './policy.ts';

export interface ShownItem {
  readonly kind: InventoryKind;
  readonly name: string;
  readonly namePattern: boolean;
  readonly provider: string;
  readonly party: Party;
  readonly domain: string | null;
  readonly purpose: string;
  readonly retention: string;
  readonly blocking: string;
}

export interface ShownCategory {
  readonly category: Category;
  readonly required: boolean;
  readonly title: string;
  readonly description: string;
  readonly items: readonly ShownItem[];
}

export interface ShownContent {
  /** Bumped if the shape ever changes, so old contents stay readable. */
  readonly format: 1;
  readonly site: string;
  readonly policyVersion: number;
  readonly locale: Locale;
  readonly title: string;
  readonly body: string;
  readonly labels: BannerLabels;
  readonly categories: readonly ShownCategory[];
}

/** A content and its hash, as the server keeps and serves them. */
export interface ShownText {
  readonly hash: string;
  readonly text: string;
}

export function shownContent(
  siteKey: string,
  policy: Pick<PolicyVersion, 'version' | 'texts' | 'functionalRequired'>,
  labels: BannerLabels,
  inventory: readonly InventoryItem[],
  locale: Locale,
): ShownContent {
  const texts = inLocaleOf(policy.texts, locale);
  return {
    format: 1,
    site: siteKey,
    policyVersion: policy.version,
    locale,
    title: texts.title,
    body: texts.body,
    labels: {
      acceptAll: labels.acceptAll,
      rejectAll: labels.rejectAll,
      choose: labels.choose,
      save: labels.save,
      settings: labels.settings,
      declaration: labels.declaration,
      gpc: labels.gpc,
    },
    categories: CATEGORIES.map((category) => ({
      category,
      required: category === 'functional' && policy.functionalRequired,
      title: texts.categories[category].title,
      description: texts.categories[category].description,
      items: inventory
        .filter((item) => item.category === category)
        .map((item) => publicItem(item, (text) => inLocaleOf(text, locale)))
        .sort((a, b) => (a.kind === b.kind ? (a.name < b.name ? -1 : a.name > b.name ? 1 : 0) : a.kind < b.kind ? -1 : 1)),
    })),
  };
}

export function hashShownText(text: string): string {
  return createHash('sha256').update(text, 'utf8').digest('hex');
}

/** The exact text that is hashed and stored: every object above is built in a fixed key order. */
export function shownText(content: ShownContent): ShownText {
  const text = JSON.stringify(content);
  return { hash: hashShownText(text), text };
}

export const SHOWN_HASH_PATTERN = /^[0-9a-f]{64}$/;
