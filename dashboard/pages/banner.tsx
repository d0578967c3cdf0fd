/** A site's banner: colours, position, radius, logo, button labels per locale and features, with a live preview. */
import { useSignal } from '@preact/signals';
import { useEffect, useMemo } from 'preact/hooks';
import { SitePicker } from '../components/controls.tsx';
import { FormProblem } from '../components/fields.tsx';
import { BannerPreview } from '../components/preview.tsx';
import { ErrorNote, Loaded } from '../components/states.tsx';
import { BANNER_POSITIONS, LABEL_NAMES, MAX_RADIUS, type BannerTheme } from '../../server/domain/banner.ts';
import { LOCALES, type Locale } from '../../server/domain/consent.ts';
import { SITE_FEATURES } from '../../server/domain/sites.ts';
import { locale, t } from '../i18n.ts';
import { createBannerModel, HEX_COLOUR, type BannerModel } from '../models/banner.ts';
import { problemAt } from '../models/loader.ts';

const COLOURS = ['accent', 'background', 'text'] as const satisfies ReadonlyArray<keyof BannerTheme>;
const COLOUR_LABELS = { accent: 'colourAccent', background: 'colourBackground', text: 'colourText' } as const;

/** A colour picker and its hex text, one value: the picker for the eye, the text for a brand colour pasted in. */
function ColourField({ model, name }: { model: BannerModel; name: (typeof COLOURS)[number] }) {
  const value = model.theme.value![name];
  const label = t(COLOUR_LABELS[name]);
  return (
    <div class="field colour-field">
      <label>
        {label}
        <span class="colour-pair">
          <input type="color" value={HEX_COLOUR.test(value) ? value.toLowerCase() : '#000000'} onInput={(event) => model.setTheme({ [name]: (event.target as HTMLInputElement).value })} />
          <input
            type="text"
            aria-label={t('hexOf', { name: label })}
            value={value}
            maxLength={7}
            pattern="#[0-9a-fA-F]{6}"
            required
            spellcheck={false}
            onInput={(event) => model.setTheme({ [name]: (event.target as HTMLInputElement).value.trim() })}
          />
        </span>
      </label>
    </div>
  );
}

function ThemeFields({ model }: { model: BannerModel }) {
  const theme = model.theme.value!;
  return (
    <fieldset class="form-grid">
      <legend>{t('bannerLook')}</legend>
      {COLOURS.map((name) => (
        <ColourField key={name} model={model} name={name} />
      ))}
      <label>
        {t('position')}
        <select value={theme.position} onChange={(event) => model.setTheme({ position: (event.target as HTMLSelectElement).value as BannerTheme['position'] })}>
          {BANNER_POSITIONS.map((position) => (
            <option key={position} value={position}>
              {t(`position_${position}`)}
            </option>
          ))}
        </select>
      </label>
      <label>
        {t('radius')}
        <input type="number" min={0} max={MAX_RADIUS} step={1} value={theme.radius} required onInput={(event) => model.setTheme({ radius: Number((event.target as HTMLInputElement).value) })} />
      </label>
      <div class="field">
        <label>
          {t('logoUrl')}
          <input
            type="url"
            name="logoUrl"
            value={theme.logoUrl ?? ''}
            placeholder="https://"
            aria-describedby="logo-help"
            onInput={(event) => model.setTheme({ logoUrl: (event.target as HTMLInputElement).value.trim() || null })}
          />
        </label>
        <span id="logo-help" class="note">
          {t('logoHelp')}
        </span>
      </div>
    </fieldset>
  );
}

function ContrastWarning({ model }: { model: BannerModel }) {
  const problems = model.contrast.value;
  // Polite and always present, so a screen reader hears the warning appear and go as colours change.
  return (
    <div aria-live="polite">
      {problems.length > 0 && (
        <div class="warning" data-testid="contrast-warning">
          <p>{t('contrastWarning')}</p>
          <ul>
            {problems.map((problem) => (
              <li key={problem.en}>{locale.value === 'nb' ? problem.nb : problem.en}</li>
            ))}
          </ul>
        </div>
      )}
    </div>
  );
}

function LabelFields({ model }: { model: BannerModel }) {
  const language = useSignal<Locale>('nb');
  const defaults = model.saved.data.value!.defaults.labels[language.value];
  const own = model.labels.value[language.value] ?? {};
  return (
    <fieldset>
      <legend>{t('buttonLabels')}</legend>
      <p class="note">{t('labelsHelp')}</p>
      <div class="tabs" role="tablist" aria-label={t('previewLanguage')}>
        {LOCALES.map((code) => (
          <button key={code} type="button" role="tab" aria-selected={language.value === code} onClick={() => (language.value = code)}>
            {t(`locale_${code}`)}
          </button>
        ))}
      </div>
      <div class="form-grid" lang={language.value}>
        {LABEL_NAMES.map((name) => (
          <label key={`${language.value}-${name}`}>
            {t(`label_${name}`)} ({language.value})
            <input value={own[name] ?? ''} placeholder={defaults[name]} maxLength={200} onInput={(event) => model.setLabel(language.value, name, (event.target as HTMLInputElement).value)} />
          </label>
        ))}
      </div>
    </fieldset>
  );
}

function FeatureFields({ model }: { model: BannerModel }) {
  return (
    <fieldset>
      <legend>{t('features')}</legend>
      {SITE_FEATURES.map((name) => (
        <div key={name} class="field">
          <label class="checkbox">
            <input type="checkbox" checked={model.features.value[name]} aria-describedby={`feature-${name}`} onChange={(event) => model.setFeature(name, (event.target as HTMLInputElement).checked)} />
            {t(`feature_${name}`)}
          </label>
          <span id={`feature-${name}`} class="note">
            {t(`featureHelp_${name}`)}
          </span>
        </div>
      ))}
    </fieldset>
  );
}

export function BannerPage() {
  const model = useMemo(createBannerModel, []);
  useEffect(() => model.start(), [model]);
  const problem = model.problem.value;
  const themeProblem = problemAt(problem, 'theme');
  return (
    <div class="page">
      <div class="toolbar">
        <SitePicker />
      </div>
      <div class="banner-layout">
        <Loaded loader={model.saved}>
          {() =>
            model.theme.value && (
              <form
                class="card banner-form"
                aria-label={t('navBanner')}
                data-site={model.site.value}
                onSubmit={(event) => {
                  event.preventDefault();
                  void model.save();
                }}
              >
                <ThemeFields model={model} />
                <ContrastWarning model={model} />
                <LabelFields model={model} />
                <FeatureFields model={model} />
                {themeProblem && <ErrorNote message={themeProblem} />}
                <FormProblem problem={problem} fields={['theme']} />
                <div aria-live="polite">
                  {model.done.value && (
                    <p class="notice" role="status">
                      {t('bannerSaved')}
                    </p>
                  )}
                </div>
                <div class="actions">
                  <button type="submit" disabled={model.saving.value}>
                    {t('save')}
                  </button>
                </div>
              </form>
            )
          }
        </Loaded>
        <BannerPreview url={model.previewUrl.value} lang={model.lang} layer={model.layer} width={model.width} />
      </div>
    </div>
  );
}
