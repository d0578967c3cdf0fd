/** Bundles and minifies the widget into dist/widget.js, the template the server fills with each site's configuration. */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build } from 'esbuild';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
export const WIDGET_BUNDLE = path.join(root, 'dist', 'widget.js');
/** The identifier in the bundle the server swaps for the site's configuration. */
export const CONFIG_PLACEHOLDER = '__SAMTYKKE_CONFIG__';

// Property names that never leave the bundle (not wire, not configuration, not the public API) are shortened.
const INTERNAL_PROPERTIES =
  /^(showNotice|showPreferences|release|recorded|pending|decide|current|acceptAll|rejectAll|choose|save|settings|allowed|denied|columns|ui|gpc)$/;

export async function buildWidget(): Promise<void> {
  await build({
    entryPoints: [path.join(root, 'widget', 'main.ts')],
    outfile: WIDGET_BUNDLE,
    bundle: true,
    minify: true,
    format: 'iife',
    target: 'es2020',
    legalComments: 'none',
    mangleProps: INTERNAL_PROPERTIES,
    logLevel: 'warning',
  });
}
