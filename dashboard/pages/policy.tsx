/** Writing and publishing a new policy version: texts per locale, categories, consent lifetime. Publishing asks again. */
import { effect, signal, useSignal } from '@preact/signals';
import { useEffect, useMemo } from 'preact/hooks';
import { api, type PolicyInput } from '../api.ts';
import { SitePicker } from '../components/controls.tsx';
import { ErrorNote, Loaded } from '../components/states.tsx';
import { CATEGORIES, LOCALES } from '../../server/domain/consent.ts';
import { formatDateTime, t } from '../i18n.ts';
import { attempt, createLoader } from '../models/loader.ts';
import { currentSite } from '../models/session.ts';

function createPolicyModel() {
  const versions = createLoader(() => api.policies(currentSite.value!.id));
  const draft = signal<PolicyInput | null>(null);
  const error = signal<string | null>(null);
  const published = signal<number | null>(null);
  const start = () =>
    effect(() => {
      if (!currentSite.value) return;
      published.value = null;
      void versions.load().then(() => {
        const latest = versions.data.value?.[0];
        draft.value = latest ? { texts: latest.texts, functionalRequired: latest.functionalRequired, consentLifetimeMonths: latest.consentLifetimeMonths } : null;
      });
    });
  async function publish(): Promise<void> {
    const site = currentSite.value;
    if (!site || !draft.value || !confirm(t('publishConfirm'))) return;
    let version = 0;
    if (await attempt(error, async () => (version = (await api.publishPolicy(site.id, draft.value!)).version))) {
      published.value = version;
      await versions.load();
    }
  }
  return { versions, draft, error, published, start, publish };
}

function TextInput({ label, value, onInput, multiline }: { label: string; value: string; onInput: (value: string) => void; multiline?: boolean }) {
  const handler = (event: Event) => onInput((event.target as HTMLInputElement | HTMLTextAreaElement).value);
  return (
    <label>
      {label}
      {multiline ? <textarea rows={4} value={value} required onInput={handler} /> : <input value={value} required onInput={handler} />}
    </label>
  );
}

export function PolicyPage() {
  const model = useMemo(createPolicyModel, []);
  useEffect(() => model.start(), [model]);
  const language = useSignal<(typeof LOCALES)[number]>('nb');
  const draft = model.draft.value;
  const texts = draft?.texts[language.value];
  const setTexts = (changes: Partial<NonNullable<typeof texts>>) =>
    draft && texts && (model.draft.value = { ...draft, texts: { ...draft.texts, [language.value]: { ...texts, ...changes } } });
  return (
    <div class="page">
      <div class="toolbar">
        <SitePicker />
      </div>
      <Loaded loader={model.versions}>
        {(versions) => (
          <p class="note">
            {versions[0] ? `${t('currentVersion', { version: versions[0].version })} · ${formatDateTime(versions[0].publishedAt ?? '')}` : t('noPolicy')}
          </p>
        )}
      </Loaded>
      {model.published.value !== null && (
        <p class="notice" role="status">
          {t('published', { version: model.published.value })}
        </p>
      )}
      {draft && texts && (
        <form
          class="card form-grid"
          onSubmit={(event) => {
            event.preventDefault();
            void model.publish();
          }}
        >
          <div class="tabs" role="tablist">
            {LOCALES.map((code) => (
              <button key={code} type="button" role="tab" aria-selected={language.value === code} onClick={() => (language.value = code)}>
                {code}
              </button>
            ))}
          </div>
          <TextInput label={t('title')} value={texts.title} onInput={(title) => setTexts({ title })} />
          <TextInput label={t('body')} value={texts.body} onInput={(body) => setTexts({ body })} multiline />
          {CATEGORIES.map((category) => (
            <fieldset key={category}>
              <legend>{t(category)}</legend>
              <TextInput
                label={t('title')}
                value={texts.categories[category].title}
                onInput={(title) => setTexts({ categories: { ...texts.categories, [category]: { ...texts.categories[category], title } } })}
              />
              <TextInput
                label={t('description')}
                value={texts.categories[category].description}
                multiline
                onInput={(description) => setTexts({ categories: { ...texts.categories, [category]: { ...texts.categories[category], description } } })}
              />
            </fieldset>
          ))}
          <label class="checkbox">
            <input
              type="checkbox"
              checked={draft.functionalRequired}
              onChange={(event) => (model.draft.value = { ...draft, functionalRequired: (event.target as HTMLInputElement).checked })}
            />
            {t('functionalRequired')}
          </label>
          <label>
            {t('lifetime')}
            <input
              type="number"
              min={1}
              max={24}
              value={draft.consentLifetimeMonths}
              onInput={(event) => (model.draft.value = { ...draft, consentLifetimeMonths: Number((event.target as HTMLInputElement).value) })}
            />
          </label>
          {model.error.value && <ErrorNote message={model.error.value} />}
          <div class="actions">
            <button type="submit">{t('publish')}</button>
          </div>
        </form>
      )}
    </div>
  );
}
