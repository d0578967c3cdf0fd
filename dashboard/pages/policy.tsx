/** A site's policy versions: the list with states, a word diff of any two, and a draft to edit, preview and publish. */
import { useSignal } from '@preact/signals';
import { useEffect, useMemo } from 'preact/hooks';
import type { Policy, PolicyDiff } from '../api.ts';
import { SitePicker } from '../components/controls.tsx';
import { FormProblem } from '../components/fields.tsx';
import { BannerPreview } from '../components/preview.tsx';
import { ErrorNote, Loaded } from '../components/states.tsx';
import { Table } from '../components/table.tsx';
import { CATEGORIES, LOCALES, type Category, type Locale } from '../../server/domain/consent.ts';
import { POLICY_CHANGES, type PolicyTexts } from '../../server/domain/policy.ts';
import { formatDateTime, t } from '../i18n.ts';
import { createPolicyModel, type PolicyModel } from '../models/policy.ts';
import { can } from '../models/session.ts';

/** How a version is named in the list, the pickers and the diff: its number, or "Draft". */
const versionName = (entry: Policy) => (entry.version === null ? t('state_draft') : t('versionNumber', { version: entry.version }));

function changeOf(entry: Policy): string {
  if (entry.material === null) return '–';
  return entry.material ? t('change_material') : t('change_wording');
}

function VersionList({ versions }: { versions: readonly Policy[] }) {
  return (
    <Table<Policy>
      label={t('policyVersions')}
      rows={versions}
      rowKey={(entry) => entry.id}
      empty={t('noPolicy')}
      columns={[
        { key: 'version', label: t('policyVersion'), value: (entry) => entry.version ?? Number.MAX_SAFE_INTEGER, render: versionName, numeric: true },
        { key: 'state', label: t('state'), value: (entry) => entry.state, render: (entry) => <span class={`badge state-${entry.state}`}>{t(`state_${entry.state}`)}</span> },
        { key: 'publishedAt', label: t('publishedAt'), value: (entry) => entry.publishedAt, render: (entry) => (entry.publishedAt ? formatDateTime(entry.publishedAt) : '–') },
        { key: 'publishedBy', label: t('publishedBy'), value: (entry) => entry.publishedBy },
        { key: 'change', label: t('changeKind'), value: changeOf },
        { key: 'nynorsk', label: t('locale_nn'), value: (entry) => (entry.texts.nn ? t('yes') : t('no')) },
      ]}
    />
  );
}

function fieldName(field: string): string {
  const [first, category, part] = field.split('.');
  if (first === 'categories' && category && part) return `${t(category as Category)}: ${t(part as 'title' | 'description')}`;
  return t(first as 'title' | 'body');
}

/** Added and removed words carry a sign and a spoken word as well as their colour, so the change is not colour-only. */
function DiffView({ diff }: { diff: PolicyDiff }) {
  const changed = diff.fields.filter((field) => field.changed);
  const yesNo = (value: boolean) => (value ? t('yes') : t('no'));
  if (changed.length === 0 && !diff.functionalRequired && !diff.consentLifetimeMonths) return <p class="note">{t('noDifferences')}</p>;
  return (
    <div class="diff">
      {diff.functionalRequired && <p>{t('functionalRequiredChange', { from: yesNo(diff.functionalRequired.from), to: yesNo(diff.functionalRequired.to) })}</p>}
      {diff.consentLifetimeMonths && <p>{t('lifetimeChange', diff.consentLifetimeMonths)}</p>}
      {changed.map((field) => (
        <section key={`${field.locale}-${field.field}`} class="diff-field">
          <h3>
            {t(`locale_${field.locale}`)} · {fieldName(field.field)}
          </h3>
          <p lang={field.locale}>
            {field.parts.map((part, index) =>
              part.change === 'added' ? (
                <ins key={index}>
                  <span class="diff-marker" aria-hidden="true">
                    +
                  </span>
                  <span class="sr-only">{t('diffAdded')}: </span>
                  {part.text}
                </ins>
              ) : part.change === 'removed' ? (
                <del key={index}>
                  <span class="diff-marker" aria-hidden="true">
                    −
                  </span>
                  <span class="sr-only">{t('diffRemoved')}: </span>
                  {part.text}
                </del>
              ) : (
                <span key={index}>{part.text}</span>
              ),
            )}
          </p>
        </section>
      ))}
    </div>
  );
}

function Compare({ model, versions }: { model: PolicyModel; versions: readonly Policy[] }) {
  if (versions.length < 2) return null;
  const picker = (label: string, value: typeof model.diffFrom) => (
    <label class="control">
      {label}
      <select value={value.value === null ? '' : String(value.value)} onChange={(event) => (value.value = Number((event.target as HTMLSelectElement).value))}>
        {versions.map((entry) => (
          <option key={entry.id} value={String(entry.id)}>
            {versionName(entry)}
          </option>
        ))}
      </select>
    </label>
  );
  return (
    <section class="card" aria-labelledby="compare-title">
      <h2 id="compare-title">{t('compareVersions')}</h2>
      <form
        class="toolbar"
        onSubmit={(event) => {
          event.preventDefault();
          void model.compare();
        }}
      >
        {picker(t('compareFrom'), model.diffFrom)}
        {picker(t('compareTo'), model.diffTo)}
        <button type="submit">{t('showDiff')}</button>
      </form>
      {model.diffProblem.value && <ErrorNote message={model.diffProblem.value.message} />}
      {model.diff.value && <DiffView diff={model.diff.value} />}
    </section>
  );
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

function TextsFields({ texts, language, onChange }: { texts: PolicyTexts; language: Locale; onChange: (texts: PolicyTexts) => void }) {
  const set = (changes: Partial<PolicyTexts>) => onChange({ ...texts, ...changes });
  const setCategory = (category: Category, changes: Partial<PolicyTexts['categories'][Category]>) =>
    set({ categories: { ...texts.categories, [category]: { ...texts.categories[category], ...changes } } });
  return (
    <div class="form-grid" lang={language}>
      <TextInput label={`${t('title')} (${language})`} value={texts.title} onInput={(title) => set({ title })} />
      <TextInput label={`${t('body')} (${language})`} value={texts.body} onInput={(body) => set({ body })} multiline />
      {CATEGORIES.map((category) => (
        <fieldset key={category}>
          <legend>{t(category)}</legend>
          <TextInput label={`${t('title')} (${language})`} value={texts.categories[category].title} onInput={(title) => setCategory(category, { title })} />
          <TextInput
            label={`${t('description')} (${language})`}
            value={texts.categories[category].description}
            multiline
            onInput={(description) => setCategory(category, { description })}
          />
        </fieldset>
      ))}
    </div>
  );
}

function DraftEditor({ model }: { model: PolicyModel }) {
  const language = useSignal<Locale>('nb');
  const open = model.draft.value!;
  const rules = open.rules;
  const hasNynorsk = rules.texts.nn !== undefined;
  const shown = language.value === 'nn' && !hasNynorsk ? 'nb' : language.value;
  const texts = rules.texts[shown]!;
  return (
    <>
      <form
        class="card"
        aria-labelledby="draft-title"
        onSubmit={(event) => {
          event.preventDefault();
          void model.save();
        }}
      >
        <h2 id="draft-title">{t('draftTitle')}</h2>
        <div class="actions">
          <div class="tabs" role="tablist" aria-label={t('previewLanguage')}>
            {LOCALES.filter((code) => code !== 'nn' || hasNynorsk).map((code) => (
              <button key={code} type="button" role="tab" aria-selected={shown === code} onClick={() => (language.value = code)}>
                {t(`locale_${code}`)}
              </button>
            ))}
          </div>
          {hasNynorsk ? (
            <button
              type="button"
              class="link danger"
              onClick={() => {
                model.setTexts('nn', undefined);
                language.value = 'nb';
              }}
            >
              {t('removeNynorsk')}
            </button>
          ) : (
            <button
              type="button"
              class="secondary"
              onClick={() => {
                model.setTexts('nn', rules.texts.nb);
                language.value = 'nn';
              }}
            >
              {t('addNynorsk')}
            </button>
          )}
        </div>
        {!hasNynorsk && <p class="note">{t('nynorskHelp')}</p>}
        <TextsFields key={shown} texts={texts} language={shown} onChange={(next) => model.setTexts(shown, next)} />
        <div class="form-grid">
          <label class="checkbox">
            <input type="checkbox" checked={rules.functionalRequired} onChange={(event) => model.edit({ ...rules, functionalRequired: (event.target as HTMLInputElement).checked })} />
            {t('functionalRequired')}
          </label>
          <label>
            {t('lifetime')}
            <input
              type="number"
              min={1}
              max={24}
              required
              value={rules.consentLifetimeMonths}
              onInput={(event) => model.edit({ ...rules, consentLifetimeMonths: Number((event.target as HTMLInputElement).value) })}
            />
          </label>
        </div>
        <FormProblem problem={model.problem.value} fields={[]} />
        <div class="actions">
          <button type="submit">{t('saveDraft')}</button>
          <button type="button" class="secondary" onClick={() => void model.preview()}>
            {t('previewDraft')}
          </button>
          <button type="button" class="danger" onClick={() => void model.discard(t('discardConfirm'))}>
            {t('discardDraft')}
          </button>
          {model.dirty.value && <span class="note">{t('unsaved')}</span>}
        </div>
      </form>
      {model.previewing.value && (
        <BannerPreview url={model.previewUrl.value} lang={model.lang} layer={model.layer} width={model.width} note={t('previewDraftNote')} revision={model.revision.value} />
      )}
      <form
        class="card"
        aria-labelledby="publish-title"
        onSubmit={(event) => {
          event.preventDefault();
          void model.publish();
        }}
      >
        <h2 id="publish-title">{t('publishDraft')}</h2>
        <fieldset>
          <legend>{t('publishAs')}</legend>
          {POLICY_CHANGES.map((kind) => (
            <label key={kind} class="checkbox">
              <input type="radio" name="change" value={kind} required checked={model.change.value === kind} onChange={() => (model.change.value = kind)} />
              {t(`publish_${kind}`)}
            </label>
          ))}
        </fieldset>
        <div class="actions">
          <button type="submit">{t('publish')}</button>
        </div>
      </form>
    </>
  );
}

function NoticeLine({ model }: { model: PolicyModel }) {
  const notice = model.notice.value;
  return <div aria-live="polite">{notice && <p class="notice" role="status">{t(notice.key, { version: notice.version ?? '' })}</p>}</div>;
}

export function PolicyPage() {
  const model = useMemo(createPolicyModel, []);
  useEffect(() => model.start(), [model]);
  // Edits wait until the picked site's versions are in, so a draft never starts from another site's text.
  const manage = can('sites.manage') && model.site.value !== null;
  const inForce = model.inForce.value;
  return (
    <div class="page">
      <div class="toolbar">
        <SitePicker />
        {manage && model.versions.data.value && !model.draft.value && inForce && (
          <button type="button" onClick={() => void model.startDraft()}>
            {t('newDraft')}
          </button>
        )}
      </div>
      <p class="note">
        {inForce ? `${t('currentVersion', { version: inForce.version ?? '' })} · ${formatDateTime(inForce.publishedAt ?? '')}` : t('noPolicy')}
        {!can('sites.manage') && ` ${t('readOnlyPolicy')}`}
      </p>
      <NoticeLine model={model} />
      {!model.draft.value && <FormProblem problem={model.problem.value} fields={[]} />}
      <Loaded loader={model.versions}>
        {(versions) => (
          <div data-site={model.site.value}>
            <VersionList versions={versions} />
            <Compare model={model} versions={versions} />
          </div>
        )}
      </Loaded>
      {manage && model.draft.value && <DraftEditor model={model} />}
    </div>
  );
}
