/** The banner preview: the served widget itself in a sandboxed frame, with switches for locale, layer and width. */
import type { Signal } from '@preact/signals';
import { LOCALES, type Locale } from '../../server/domain/consent.ts';
import { t } from '../i18n.ts';
import type { PreviewLayer, PreviewWidth } from '../models/banner.ts';

const LAYERS = ['notice', 'preferences'] as const satisfies readonly PreviewLayer[];
const WIDTHS = ['mobile', 'desktop'] as const satisfies readonly PreviewWidth[];
/** The narrowest phone the banner is designed for. */
const MOBILE_WIDTH = 375;

function Switch<T extends string>({ legend, name, options, value, label }: { legend: string; name: string; options: readonly T[]; value: Signal<T>; label: (option: T) => string }) {
  return (
    <fieldset class="segmented">
      <legend>{legend}</legend>
      {options.map((option) => (
        <label key={option} class="checkbox">
          <input type="radio" name={name} value={option} checked={value.value === option} onChange={() => (value.value = option)} />
          {label(option)}
        </label>
      ))}
    </fieldset>
  );
}

export interface PreviewProps {
  /** null while there is nothing to show yet. */
  readonly url: string | null;
  readonly lang: Signal<Locale>;
  readonly layer: Signal<PreviewLayer>;
  readonly width: Signal<PreviewWidth>;
  readonly note?: string;
  /** A new value loads the frame again at the same address (the draft it shows was saved). */
  readonly revision?: number;
}

export function BannerPreview({ url, lang, layer, width, note, revision = 0 }: PreviewProps) {
  return (
    <section class="card preview banner-preview" aria-labelledby="banner-preview-title">
      <h2 id="banner-preview-title">{t('previewBanner')}</h2>
      <p class="note">{note ?? t('previewNote')}</p>
      <div class="toolbar">
        <Switch legend={t('previewLanguage')} name="preview-lang" options={LOCALES} value={lang} label={(code) => t(`locale_${code}`)} />
        <Switch legend={t('layer')} name="preview-layer" options={LAYERS} value={layer} label={(option) => t(`layer_${option}`)} />
        <Switch legend={t('width')} name="preview-width" options={WIDTHS} value={width} label={(option) => t(`width_${option}`)} />
      </div>
      {url && (
        <div class="frame-stage">
          <iframe
            key={revision}
            title={t('previewBanner')}
            src={url}
            sandbox="allow-scripts"
            data-width={width.value}
            style={{ width: width.value === 'mobile' ? `${MOBILE_WIDTH}px` : '100%' }}
          />
        </div>
      )}
    </section>
  );
}
