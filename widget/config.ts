/** The site's configuration as the server inlines it into the script (server/widget/bundle.ts). */
import type { Category } from '../server/domain/consent.ts';
import type { WidgetSiteConfig } from '../server/contract.ts';

/**
 * What a category leaves behind, compiled by the server from the storage inventory: per kind, one regular
 * expression for all its declared names and `*` patterns, and the cookie domains declared besides the page's own.
 */
export interface StorageRule {
  readonly cookie?: string;
  readonly local?: string;
  readonly session?: string;
  readonly domains?: readonly string[];
}

export type ServedConfig = Omit<WidgetSiteConfig, 'storage'> & { readonly storage: Partial<Record<Category, StorageRule>> };

// The server replaces this identifier with the site's configuration when it serves the script. Imported first by
// main.ts, so the configuration opens the script: the code after it compresses against its texts.
declare const __SAMTYKKE_CONFIG__: ServedConfig;
export const config = __SAMTYKKE_CONFIG__;
