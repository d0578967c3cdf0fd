/** A site's banner settings being edited (theme, labels, features), their live contrast check and the preview they feed. */
import { computed, effect, signal } from '@preact/signals';
import { api, type Banner, type BannerInput, type PreviewOptions } from '../api.ts';
import { contrastProblems, type BannerLabels, type BannerTheme } from '../../server/domain/banner.ts';
import type { Locale } from '../../server/domain/consent.ts';
import { SITE_FEATURES, type SiteFeatures } from '../../server/domain/sites.ts';
import { attemptForm, createLoader, type Problem } from './loader.ts';
import { currentSite, currentSiteId, reloadSites } from './session.ts';

export const HEX_COLOUR = /^#[0-9a-fA-F]{6}$/;
/** How long the preview waits after the last keystroke before it reloads the frame. */
const PREVIEW_DELAY_MS = 400;

export type PreviewLayer = PreviewOptions['layer'];
export type PreviewWidth = 'mobile' | 'desktop';

/** What the preview server can render: colours complete, the logo an absolute http(s) address or none. */
function previewable(theme: BannerTheme): boolean {
  const logoOk = theme.logoUrl === null || (URL.canParse(theme.logoUrl) && /^https?:$/.test(new URL(theme.logoUrl).protocol));
  return HEX_COLOUR.test(theme.accent) && HEX_COLOUR.test(theme.background) && HEX_COLOUR.test(theme.text) && logoOk;
}

/** Labels left empty fall back to the defaults, so they are not sent at all. */
function withoutBlanks(labels: BannerInput['labels']): BannerInput['labels'] {
  return Object.fromEntries(
    Object.entries(labels).map(([locale, values]) => [locale, Object.fromEntries(Object.entries(values ?? {}).filter(([, text]) => text.trim() !== ''))]),
  );
}

export function createBannerModel() {
  // Peeked: the load effect below reruns when another site is picked, not when the site list is reloaded.
  const saved = createLoader<Banner>(() => api.banner(currentSite.peek()!.id));
  /** The key of the site whose settings the form holds. */
  const site = signal<string | null>(null);
  const theme = signal<BannerTheme | null>(null);
  const labels = signal<BannerInput['labels']>({});
  const features = signal<SiteFeatures>(Object.fromEntries(SITE_FEATURES.map((feature) => [feature, false])) as Record<keyof SiteFeatures, boolean>);
  const problem = signal<Problem | null>(null);
  const done = signal(false);
  const saving = signal(false);

  const lang = signal<Locale>('nb');
  const layer = signal<PreviewLayer>('notice');
  const width = signal<PreviewWidth>('desktop');
  /** The settings the frame shows: the edited ones, a moment after the last change, while they can be rendered. */
  const shown = signal<BannerInput | null>(null);

  /** Checked as the admin types, with the same rule the server applies on save. */
  const contrast = computed(() => {
    const value = theme.value;
    if (!value || ![value.accent, value.background, value.text].every((colour) => HEX_COLOUR.test(colour))) return [];
    return contrastProblems(value);
  });

  const previewUrl = computed(() => {
    const target = currentSite.value;
    if (!target || !shown.value) return null;
    return api.previewUrl(target.id, { lang: lang.value, layer: layer.value, banner: shown.value });
  });

  function setTheme(changes: Partial<BannerTheme>): void {
    if (theme.value) theme.value = { ...theme.value, ...changes };
    done.value = false;
  }

  function setLabel(locale: Locale, name: keyof BannerLabels, text: string): void {
    labels.value = { ...labels.value, [locale]: { ...labels.value[locale], [name]: text } };
    done.value = false;
  }

  function setFeature(name: keyof SiteFeatures, on: boolean): void {
    features.value = { ...features.value, [name]: on };
    done.value = false;
  }

  async function save(): Promise<void> {
    const target = currentSite.value;
    const value = theme.value;
    if (!target || !value) return;
    saving.value = true;
    const banner: BannerInput = { theme: value, labels: withoutBlanks(labels.value) };
    const changedFeatures = SITE_FEATURES.some((feature) => features.value[feature] !== target.features[feature]);
    done.value = await attemptForm(problem, async () => {
      await api.saveBanner(target.id, banner);
      if (changedFeatures) {
        await api.updateSite(target.id, { features: features.value });
        await reloadSites();
      }
    });
    saving.value = false;
  }

  function start(): () => void {
    let loads = 0;
    const stopLoad = effect(() => {
      if (currentSiteId.value === null) return;
      const picked = currentSite.peek()!;
      // The form already holds this site's settings: loading them again would throw away what is being typed.
      if (picked.key === site.peek()) return;
      const ticket = ++loads;
      site.value = null;
      theme.value = null;
      shown.value = null;
      problem.value = null;
      done.value = false;
      features.value = picked.features;
      void saved.load().then(() => {
        const state = saved.data.peek();
        // A load for the site picked before this one must not overwrite the settings being edited now.
        if (!state || ticket !== loads) return;
        site.value = picked.key;
        theme.value = state.theme;
        labels.value = state.labels;
      });
    });
    let timer: ReturnType<typeof setTimeout> | undefined;
    const stopPreview = effect(() => {
      const value = theme.value;
      const text = labels.value;
      if (!value || !previewable(value)) return;
      clearTimeout(timer);
      const next = { theme: value, labels: withoutBlanks(text) };
      // The first settings show at once; edits after them wait for a pause in typing.
      if (!shown.peek()) shown.value = next;
      else timer = setTimeout(() => (shown.value = next), PREVIEW_DELAY_MS);
    });
    return () => {
      clearTimeout(timer);
      stopLoad();
      stopPreview();
    };
  }

  return { saved, site, theme, labels, features, problem, done, saving, lang, layer, width, contrast, previewUrl, setTheme, setLabel, setFeature, save, start };
}

export type BannerModel = ReturnType<typeof createBannerModel>;
