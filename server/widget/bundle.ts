/**
 * The built scripts (widget/build.ts) as templates: a site's configuration goes where the placeholder of the
 * banner bundle for its features stands, its declaration where the placeholder of the declaration bundle stands.
 */
import { readFile } from 'node:fs/promises';
import { CONFIG_PLACEHOLDER, DECLARATION_BUNDLE, DECLARATION_PLACEHOLDER, widgetBundle } from '../../widget/bundles.ts';
import type { ServedConfig, StorageRule } from '../../widget/config.ts';
import type { DeclarationEmbed } from '../../widget/declaration.ts';
import type { Category } from '../domain/consent.ts';
import type { SiteFeatures } from '../domain/sites.ts';
import type { WidgetSiteConfig } from '../contract.ts';

type Template = readonly [before: string, after: string];

const templates = new Map<string, Promise<Template>>();

async function loadTemplate(file: string, placeholder: string): Promise<Template> {
  const source = await readFile(file, 'utf8').catch((error: Error) => {
    throw new Error(`The widget is not built (${error.message}); run \`npm run build\``);
  });
  const parts = source.split(placeholder);
  if (parts.length !== 2) throw new Error(`${file} must hold ${placeholder} exactly once; rebuild with \`npm run build\``);
  return [parts[0]!, parts[1]!];
}

/** Each file is read once per process; a failed read is retried on the next request. */
async function fill(file: string, placeholder: string, value: unknown): Promise<string> {
  let template = templates.get(file);
  if (!template) {
    template = loadTemplate(file, placeholder);
    templates.set(file, template);
    template.catch(() => templates.delete(file));
  }
  const [before, after] = await template;
  // `<` escaped so the script stays safe when a site inlines it into HTML.
  return before + JSON.stringify(value).replace(/</g, '\\u003c') + after;
}

const STORAGE_KEYS = { cookie: 'cookie', local_storage: 'local', session_storage: 'session' } as const;
const escapeRegExp = (text: string): string => text.replace(/[.*+?^${}()|[\]\\]/g, '\\$&');

/**
 * The configuration as the widget gets it: the storage inventory compiled into one regular expression per
 * category and kind (matching as domain/inventory.ts inventoryNameMatches does), so the script carries no matcher.
 */
export function servedConfig(config: WidgetSiteConfig): ServedConfig {
  const names = new Map<`${Category} ${keyof typeof STORAGE_KEYS}`, string[]>();
  const domains = new Map<Category, Set<string>>();
  for (const item of config.storage) {
    // A required category is never denied, so the widget never clears it: its rules would be dead weight.
    if (item.category === 'functional' && config.functionalRequired) continue;
    const source = item.namePattern ? item.name.split('*').map(escapeRegExp).join('.*') : escapeRegExp(item.name);
    names.set(`${item.category} ${item.kind}`, [...(names.get(`${item.category} ${item.kind}`) ?? []), source]);
    if (item.domain) domains.set(item.category, (domains.get(item.category) ?? new Set()).add(item.domain));
  }
  const storage: Partial<Record<Category, StorageRule>> = {};
  for (const [key, sources] of names) {
    const [category, kind] = key.split(' ') as [Category, keyof typeof STORAGE_KEYS];
    const extra = domains.get(category);
    storage[category] = { ...storage[category], [STORAGE_KEYS[kind]]: `^(?:${sources.join('|')})$`, ...(extra ? { domains: [...extra] } : {}) };
  }
  return { ...config, storage };
}

/** The banner script for a site: the bundle of the features it has on, with its configuration inlined. */
export function widgetScript(config: WidgetSiteConfig, features: SiteFeatures): Promise<string> {
  return fill(widgetBundle(features), CONFIG_PLACEHOLDER, servedConfig(config));
}

/** The declaration embed's script with one locale of a site's declaration inlined. */
export function declarationScript(declaration: DeclarationEmbed): Promise<string> {
  return fill(DECLARATION_BUNDLE, DECLARATION_PLACEHOLDER, declaration);
}
