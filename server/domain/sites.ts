/** A site: one web property or app of an organisation, with its own key, consent chain, policy and inventory. */
import type { BannerSettings } from './banner.ts';
import type { Surface } from './consent.ts';
import type { SignalType } from './events.ts';
import type { CurrentPolicy } from './policy.ts';

/** Public site keys appear in script URLs and requests: lower-case letters, digits and hyphens. */
export const SITE_KEY_PATTERN = /^[a-z0-9][a-z0-9-]{0,62}$/;

export interface Site {
  readonly id: number;
  readonly organisationId: number;
  readonly key: string;
  readonly name: string;
  readonly surface: Surface;
  /** Normalised origin patterns (see domain/origins.ts) whose pages may send decisions and events. */
  readonly allowedOrigins: readonly string[];
  /** Set when archived: the collector refuses the site, its evidence and analytics stay readable. */
  readonly archivedAt: Date | null;
  readonly banner: BannerSettings;
  /** Features of the widget a site switches on; what is off is not shipped to its pages. */
  readonly features: SiteFeatures;
}

export interface SiteFeatures {
  /** Google Consent Mode v2 signals for Google tags on the page. */
  readonly consentMode: boolean;
  /** `<div data-samtykke-declaration>` fills with the cookie declaration. */
  readonly declarationEmbed: boolean;
  /** The tracker's engagement signals (with analytics consent only): engaged time and scroll depth per page. */
  readonly engagement: boolean;
  /** Clicks on links to other hosts. */
  readonly outboundLinks: boolean;
  /** Clicks on links to files (DOWNLOAD_PATH in domain/events.ts). */
  readonly fileDownloads: boolean;
  /** Pages marked `<html data-samtykke-404>`, or reported with `Samtykke.track('404')`. */
  readonly notFoundPages: boolean;
  /** The site's pages are opened by the app in a WebView and take the app's decision (widget/handoff.ts). */
  readonly appHandoff: boolean;
}

/** The tracker's signals a site switches on and off, as the widget is built per combination of them. */
export const TRACKER_FEATURES = ['engagement', 'outboundLinks', 'fileDownloads', 'notFoundPages'] as const satisfies ReadonlyArray<keyof SiteFeatures>;
/**
 * The switch of each signal's event type: a site that has it off ships no code for it, and the collector stores none
 * of its events either (a page that kept an older script, or anyone posting by hand).
 */
export const SIGNAL_SWITCHES = {
  engagement: 'engagement',
  outbound: 'outboundLinks',
  download: 'fileDownloads',
  notfound: 'notFoundPages',
} as const satisfies Record<SignalType, (typeof TRACKER_FEATURES)[number]>;

export const SITE_FEATURES = ['consentMode', 'declarationEmbed', ...TRACKER_FEATURES, 'appHandoff'] as const satisfies ReadonlyArray<keyof SiteFeatures>;

/** A site with the policy version its visitors decide under now (the newest published one). */
export interface SiteWithPolicy extends Site {
  readonly policy: CurrentPolicy | null;
}

/** A site the public surfaces can serve: not archived, with a published policy. */
export type PublishedSite = SiteWithPolicy & { readonly policy: CurrentPolicy };
