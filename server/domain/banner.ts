/**
 * A site's banner appearance: colours, position, corner radius, logo and the button labels per locale. There is
 * deliberately no per-button setting: accept, reject and choose share one style whatever the theme, so reject can
 * never be made smaller or paler than accept (the EDPB cookie banner taskforce's first check).
 */
import type { Locale, Localized } from './consent.ts';

export const BANNER_POSITIONS = ['bar', 'box', 'corner'] as const;
/** bar: full width along the bottom; box: a centred box over a dimmed page; corner: a card in the bottom corner. */
export type BannerPosition = (typeof BANNER_POSITIONS)[number];

export interface BannerTheme {
  /** Button fill and link colour, `#rrggbb`. */
  readonly accent: string;
  /** Banner background, and the button labels on the accent. */
  readonly background: string;
  /** Body text on the background. */
  readonly text: string;
  readonly position: BannerPosition;
  /** Corner radius of the banner and its buttons, in CSS pixels. */
  readonly radius: number;
  readonly logoUrl: string | null;
}

export const MAX_RADIUS = 24;

export const DEFAULT_THEME: BannerTheme = {
  accent: '#1f3a5f',
  background: '#ffffff',
  text: '#1b1b1b',
  position: 'bar',
  radius: 8,
  logoUrl: null,
};

export interface BannerLabels {
  readonly acceptAll: string;
  readonly rejectAll: string;
  readonly choose: string;
  readonly save: string;
  /** The heading of the preferences layer. */
  readonly settings: string;
  /** The link to the cookie declaration. */
  readonly declaration: string;
  /** Shown when the browser sends Global Privacy Control. */
  readonly gpc: string;
}

export const LABEL_NAMES = ['acceptAll', 'rejectAll', 'choose', 'save', 'settings', 'declaration', 'gpc'] as const satisfies ReadonlyArray<keyof BannerLabels>;

export const DEFAULT_LABELS: Required<Localized<BannerLabels>> = {
  nb: {
    acceptAll: 'Godta alle',
    rejectAll: 'Avvis alle',
    choose: 'Velg selv',
    save: 'Lagre valgene',
    settings: 'Innstillinger for informasjonskapsler',
    declaration: 'Oversikt over informasjonskapsler',
    gpc: 'Nettleseren din ber om ingen sporing (GPC), så annonsemåling er av.',
  },
  nn: {
    acceptAll: 'Godta alle',
    rejectAll: 'Avvis alle',
    choose: 'Vel sjølv',
    save: 'Lagre vala',
    settings: 'Innstillingar for informasjonskapslar',
    declaration: 'Oversikt over informasjonskapslar',
    gpc: 'Nettlesaren din ber om inga sporing (GPC), så annonsemåling er av.',
  },
  en: {
    acceptAll: 'Accept all',
    rejectAll: 'Reject all',
    choose: 'Choose',
    save: 'Save choices',
    settings: 'Cookie settings',
    declaration: 'Cookie declaration',
    gpc: 'Your browser asks not to be tracked (GPC), so ad measurement is off.',
  },
};

/** What an admin sets: the theme, and per locale only the labels that differ from the defaults. */
export interface BannerSettings {
  readonly theme: BannerTheme;
  readonly labels: { readonly [L in Locale]?: Partial<BannerLabels> };
}

export const DEFAULT_BANNER: BannerSettings = { theme: DEFAULT_THEME, labels: {} };

export function bannerLabels(settings: BannerSettings, locale: Locale): BannerLabels {
  return { ...DEFAULT_LABELS[locale], ...settings.labels[locale] };
}

// WCAG 2.2 1.4.3 (AA): normal-size text needs 4.5:1 against what is behind it.
export const MIN_TEXT_CONTRAST = 4.5;

/** WCAG relative luminance of `#rrggbb`. */
function luminance(hex: string): number {
  const [r, g, b] = [1, 3, 5].map((start) => {
    const channel = parseInt(hex.slice(start, start + 2), 16) / 255;
    return channel <= 0.04045 ? channel / 12.92 : ((channel + 0.055) / 1.055) ** 2.4;
  });
  return 0.2126 * r! + 0.7152 * g! + 0.0722 * b!;
}

export function contrastRatio(a: string, b: string): number {
  const [light, dark] = [luminance(a), luminance(b)].sort((x, y) => y - x);
  return (light! + 0.05) / (dark! + 0.05);
}

/** Every colour pair the banner draws that fails AA, each named so the admin knows which colour to change. */
export function contrastProblems(theme: Pick<BannerTheme, 'accent' | 'background' | 'text'>): Localized[] {
  const pairs: Array<{ fg: string; bg: string; name: Localized }> = [
    { fg: theme.text, bg: theme.background, name: { nb: 'teksten mot bakgrunnen', en: 'the text on the background' } },
    { fg: theme.background, bg: theme.accent, name: { nb: 'knappeteksten (bakgrunnsfargen) mot aksentfargen', en: 'the button labels (background colour) on the accent' } },
    { fg: theme.accent, bg: theme.background, name: { nb: 'lenkene (aksentfargen) mot bakgrunnen', en: 'the links (accent) on the background' } },
  ];
  return pairs.flatMap(({ fg, bg, name }) => {
    const ratio = contrastRatio(fg, bg);
    if (ratio >= MIN_TEXT_CONTRAST) return [];
    const shown = (Math.floor(ratio * 100) / 100).toFixed(2);
    return [
      {
        nb: `Kontrasten mellom ${name.nb} (${fg} på ${bg}) er ${shown}:1; WCAG 2.2 AA krever minst ${MIN_TEXT_CONTRAST}:1`,
        en: `The contrast of ${name.en} (${fg} on ${bg}) is ${shown}:1; WCAG 2.2 AA needs at least ${MIN_TEXT_CONTRAST}:1`,
      },
    ];
  });
}
