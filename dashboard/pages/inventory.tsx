/** Inventory per site: list, add, edit and retire items, with the public declaration previewed beside them. */
import { useEffect, useMemo } from 'preact/hooks';
import { api, type Item, type ItemInput } from '../api.ts';
import { SitePicker } from '../components/controls.tsx';
import { ErrorNote, Loaded } from '../components/states.tsx';
import { Table } from '../components/table.tsx';
import { CATEGORIES } from '../../server/domain/consent.ts';
import { INVENTORY_KINDS, PARTIES } from '../../server/domain/inventory.ts';
import { locale, t } from '../i18n.ts';
import { createInventoryModel, type InventoryModel } from '../models/inventory.ts';
import { currentSite } from '../models/session.ts';

function Field({ label, value, onInput, required = true }: { label: string; value: string; onInput: (value: string) => void; required?: boolean }) {
  return (
    <label>
      {label}
      <input value={value} required={required} onInput={(event) => onInput((event.target as HTMLInputElement).value)} />
    </label>
  );
}

function Choice<T extends string>({ label, value, options, onChange }: { label: string; value: T; options: readonly T[]; onChange: (value: T) => void }) {
  return (
    <label>
      {label}
      <select value={value} onChange={(event) => onChange((event.target as HTMLSelectElement).value as T)}>
        {options.map((option) => (
          <option key={option} value={option}>
            {option}
          </option>
        ))}
      </select>
    </label>
  );
}

function ItemForm({ model }: { model: InventoryModel }) {
  const editing = model.editing.value;
  if (!editing) return null;
  const input = editing.input;
  const update = (changes: Partial<ItemInput>) => (model.editing.value = { ...editing, input: { ...input, ...changes } });
  const localized = (key: 'purpose' | 'retention' | 'blocking') =>
    (['nb', 'en'] as const).map((language) => (
      <Field key={language} label={`${t(key)} (${language})`} value={input[key][language]} onInput={(value) => update({ [key]: { ...input[key], [language]: value } })} />
    ));
  return (
    <form
      class="card form-grid"
      aria-label={editing.id === null ? t('add') : t('edit')}
      onSubmit={(event) => {
        event.preventDefault();
        void model.save();
      }}
    >
      <Choice label={t('kind')} value={input.kind} options={INVENTORY_KINDS} onChange={(kind) => update({ kind })} />
      <Field label={t('name')} value={input.name} onInput={(name) => update({ name })} />
      <label class="checkbox">
        <input type="checkbox" checked={input.namePattern} onChange={(event) => update({ namePattern: (event.target as HTMLInputElement).checked })} />
        {t('namePattern')}
      </label>
      <Field label={t('provider')} value={input.provider} onInput={(provider) => update({ provider })} />
      <Choice label={t('party')} value={input.party} options={PARTIES} onChange={(party) => update({ party })} />
      <Field label={t('domain')} value={input.domain ?? ''} required={false} onInput={(domain) => update({ domain: domain || null })} />
      <Choice label={t('category')} value={input.category} options={CATEGORIES} onChange={(category) => update({ category })} />
      {localized('purpose')}
      {localized('retention')}
      {localized('blocking')}
      {model.error.value && <ErrorNote message={model.error.value} />}
      <div class="actions">
        <button type="submit">{t('save')}</button>
        <button type="button" class="secondary" onClick={() => (model.editing.value = null)}>
          {t('cancel')}
        </button>
      </div>
    </form>
  );
}

export function InventoryPage() {
  const model = useMemo(createInventoryModel, []);
  useEffect(() => model.start(), [model]);
  const site = currentSite.value;
  return (
    <div class="page">
      <div class="toolbar">
        <SitePicker />
        <button type="button" onClick={() => model.edit(null)}>
          {t('add')}
        </button>
      </div>
      <ItemForm model={model} />
      {!model.editing.value && model.error.value && <ErrorNote message={model.error.value} />}
      <Loaded loader={model.items}>
        {(items) => (
          <Table<Item>
            label={t('navInventory')}
            rows={items}
            rowKey={(item) => item.id}
            empty={t('emptyInventory')}
            columns={[
              { key: 'name', label: t('name'), value: (item) => item.name },
              { key: 'kind', label: t('kind'), value: (item) => item.kind },
              { key: 'category', label: t('category'), value: (item) => item.category },
              { key: 'provider', label: t('provider'), value: (item) => item.provider },
              { key: 'party', label: t('party'), value: (item) => item.party },
              {
                key: 'actions',
                label: t('actions'),
                hideLabel: true,
                render: (item) =>
                  item.retiredAt ? (
                    <span class="muted">{t('retired')}</span>
                  ) : (
                    <span class="row-actions">
                      <button type="button" class="link" onClick={() => model.edit(item)} aria-label={`${t('edit')} ${item.name}`}>
                        {t('edit')}
                      </button>
                      <button type="button" class="link danger" onClick={() => void model.retire(item)} aria-label={`${t('retire')} ${item.name}`}>
                        {t('retire')}
                      </button>
                    </span>
                  ),
              },
            ]}
          />
        )}
      </Loaded>
      {site && (
        <section class="preview">
          <h2>
            {t('preview')} ·{' '}
            <a href={api.declarationPageUrl(site.key, locale.value)} target="_blank" rel="noopener">
              {t('openDeclaration')}
            </a>
          </h2>
          <iframe key={`${site.key}-${model.revision.value}-${locale.value}`} title={t('preview')} src={api.declarationPageUrl(site.key, locale.value)} />
        </section>
      )}
    </div>
  );
}
