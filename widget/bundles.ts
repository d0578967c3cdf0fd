/**
 * Where the widget's built bundles are, and the placeholders in them: what the server needs to serve them, without
 * the build tool (widget/build.ts builds them).
 */
import path from 'node:path';
import { DIST } from '../server/project-root.ts';
import { TRACKER_FEATURES, type SiteFeatures } from '../server/domain/sites.ts';

/** The identifier in a banner bundle the server swaps for the site's configuration. */
export const CONFIG_PLACEHOLDER = '__SAMTYKKE_CONFIG__';
/** The identifier in the declaration bundle the server swaps for the site's declaration. */
export const DECLARATION_PLACEHOLDER = '__SAMTYKKE_DECLARATION__';
export const DECLARATION_BUNDLE = path.join(DIST, 'declaration.js');

/** The features that change the banner bundle, each a build-time flag; the declaration embed is a script of its own. */
export const BUNDLE_FEATURES = ['consentMode', ...TRACKER_FEATURES, 'appHandoff'] as const;
export type BundleFeatures = Pick<SiteFeatures, (typeof BUNDLE_FEATURES)[number]>;

/** dist/widget.js with every feature off, dist/widget.consent-mode.engagement.js with those two on, and so on. */
export function widgetBundle(features: BundleFeatures): string {
  const on = BUNDLE_FEATURES.filter((feature) => features[feature]).map((feature) => `.${feature.replace(/[A-Z]/g, (letter) => `-${letter.toLowerCase()}`)}`);
  return path.join(DIST, `widget${on.join('')}.js`);
}
