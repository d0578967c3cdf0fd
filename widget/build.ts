/**
 * Bundles and minifies the widget into dist/: a banner bundle with and one without Google Consent Mode, each a
 * template the server fills with a site's configuration, and the declaration embed's script (which a terms page
 * loads itself), filled with a site's declaration. A site's pages load only the code of what it has switched on.
 */
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { build, type BuildOptions } from 'esbuild';
import { TRACKER_FEATURES, type SiteFeatures } from '../server/domain/sites.ts';

const root = path.resolve(path.dirname(fileURLToPath(import.meta.url)), '..');
const dist = path.join(root, 'dist');
/** The identifier in a banner bundle the server swaps for the site's configuration. */
export const CONFIG_PLACEHOLDER = '__SAMTYKKE_CONFIG__';
/** The identifier in the declaration bundle the server swaps for the site's declaration. */
export const DECLARATION_PLACEHOLDER = '__SAMTYKKE_DECLARATION__';
export const DECLARATION_BUNDLE = path.join(dist, 'declaration.js');

/** The features that change the banner bundle, each a build-time flag; the declaration embed is a script of its own. */
const BUNDLE_FEATURES = ['consentMode', ...TRACKER_FEATURES] as const;
export type BundleFeatures = Pick<SiteFeatures, (typeof BUNDLE_FEATURES)[number]>;

/**
 * Every combination, prebuilt (32 small bundles, built in parallel in about a second): a site's pages get exactly
 * the code of what it has on, and switching a feature needs no build at run time.
 */
const VARIANTS: readonly BundleFeatures[] = BUNDLE_FEATURES.reduce<BundleFeatures[]>(
  (variants, feature) => variants.flatMap((variant) => [{ ...variant, [feature]: false }, { ...variant, [feature]: true }]),
  [{} as BundleFeatures],
);

/** dist/widget.js with every feature off, dist/widget.consent-mode.engagement.js with those two on, and so on. */
export function widgetBundle(features: BundleFeatures): string {
  const on = BUNDLE_FEATURES.filter((feature) => features[feature]).map((feature) => `.${feature.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`);
  return path.join(dist, `widget${on.join('')}.js`);
}

/** The flag each feature sets in the code: consentMode → CONSENT_MODE. */
const flagName = (feature: string): string => feature.replace(/[A-Z]/g, '_$&').toUpperCase();

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
        define: Object.fromEntries(BUNDLE_FEATURES.map((feature) => [flagName(feature), String(features[feature])])),
      }),
    ),
    build({ ...COMMON, entryPoints: [path.join(root, 'widget', 'declaration.ts')], outfile: DECLARATION_BUNDLE }),
  ]);
}
