/** The built widget (dist/widget.js) as a template: the site's configuration goes where the placeholder stands. */
import { readFile } from 'node:fs/promises';
import { CONFIG_PLACEHOLDER, WIDGET_BUNDLE } from '../../widget/build.ts';
import type { WidgetSiteConfig } from '../contract.ts';

let template: Promise<readonly [before: string, after: string]> | null = null;

async function loadTemplate(): Promise<readonly [string, string]> {
  const source = await readFile(WIDGET_BUNDLE, 'utf8').catch((error: Error) => {
    throw new Error(`The widget is not built (${error.message}); run \`npm run build\``);
  });
  const parts = source.split(CONFIG_PLACEHOLDER);
  if (parts.length !== 2) throw new Error(`${WIDGET_BUNDLE} must hold ${CONFIG_PLACEHOLDER} exactly once; rebuild with \`npm run build\``);
  return [parts[0]!, parts[1]!];
}

/** Read once per process; a failed read is retried on the next request. */
export async function widgetScript(config: WidgetSiteConfig): Promise<string> {
  template ??= loadTemplate();
  template.catch(() => (template = null));
  const [before, after] = await template;
  // `<` escaped so the script stays safe when a site inlines it into HTML.
  return before + JSON.stringify(config).replace(/</g, '\\u003c') + after;
}
