/**
 * Bundles and minifies the widget into dist/: a banner bundle with and one without Google Consent Mode, each a
 * template the server fills with a site's configuration, and the declaration embed's script (which a terms page
 * loads itself), filled with a site's declaration. A site's pages load only the code of what it has switched on.
 */
import path from 'node:path';
import { build, type BuildOptions } from 'esbuild';
import { PROJECT_ROOT } from '../server/project-root.ts';
import { BUNDLE_FEATURES, DECLARATION_BUNDLE, widgetBundle, type BundleFeatures } from './bundles.ts';

/**
 * Every combination, prebuilt (32 small bundles, built in parallel in about a second): a site's pages get exactly
 * the code of what it has on, and switching a feature needs no build at run time.
 */
const VARIANTS: readonly BundleFeatures[] = BUNDLE_FEATURES.reduce<BundleFeatures[]>(
  (variants, feature) => variants.flatMap((variant) => [{ ...variant, [feature]: false }, { ...variant, [feature]: true }]),
  [{} as BundleFeatures],
);

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
        entryPoints: [path.join(PROJECT_ROOT, 'widget', 'main.ts')],
        outfile: widgetBundle(features),
        mangleProps: INTERNAL_PROPERTIES,
        define: Object.fromEntries(BUNDLE_FEATURES.map((feature) => [flagName(feature), String(features[feature])])),
      }),
    ),
    build({ ...COMMON, entryPoints: [path.join(PROJECT_ROOT, 'widget', 'declaration.ts')], outfile: DECLARATION_BUNDLE }),
  ]);
}
