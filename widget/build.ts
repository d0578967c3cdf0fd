/**
 * Bundles and minifies the widget into dist/: a banner bundle with and one without Google Consent Mode, each a
 * template the server fills with a site's configuration, and the declaration embed's script (which a terms page
 * loads itself), filled with a site's declaration. A site's pages load only the code of what it has switched on.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import type { SiteFeatures } from '../server/domain/sites.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
/** The identifier in a banner bundle the server swaps for the site's configuration. */
export const CONFIG_PLACEHOLDER = '__SAMTYKKE_CONFIG__';
/** The identifier in the declaration bundle the server swaps for the site's declaration. */
export const DECLARATION_PLACEHOLDER = '__SAMTYKKE_DECLARATION__';
export const DECLARATION_BUNDLE = path.join(dist, 'declaration.js');

/** The features that change the banner bundle; the declaration embed is a script of its own. */
export type BundleFeatures = Pick<SiteFeatures, 'consentMode'>;
const VARIANTS: readonly BundleFeatures[] = [{ consentMode: false }, { consentMode: true }];

/** dist/widget.js without Consent Mode, dist/widget.consent-mode.js with it. */
export function widgetBundle(features: BundleFeatures): string {
  return path.join(dist, `widget${features.consentMode ? '.consent-mode' : ''}.js`);
}

// Property names that never leave the bundle (not wire, not configuration, not the public API) are shortened.
const INTERNAL_PROPERTIES = /^(showNotice|showPreferences|release|recorded|pending|decide|current|update|declarationUrl|config)$/;

const COMMON: BuildOptions = {
  bundle: true,
  minify: true,
  format: 'iife',
  target: 'es2020',
  legalComments: 'none',
  logLevel: 'warning',
  // The bundle is a classic script of its own: a "use strict" prologue would only cost bytes on every page view.
  tsconfigRaw: { compilerOptions: { alwaysStrict: false } },
};

export async function buildWidget(): Promise<void> {
  await Promise.all([
    ...VARIANTS.map((features) =>
      build({
        ...COMMON,
        entryPoints: [path.join(root, 'widget', 'main.ts')],
        outfile: widgetBundle(features),
        mangleProps: INTERNAL_PROPERTIES,
        define: { CONSENT_MODE: String(features.consentMode) },
      }),
    ),
    build({ ...COMMON, entryPoints: [path.join(root, 'widget', 'declaration.ts')], outfile: DECLARATION_BUNDLE }),
  ]);
}
