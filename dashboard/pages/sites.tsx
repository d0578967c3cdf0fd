/** The organisation's sites: the list, a new site, name and origins of one, archiving and restoring. */
import type { Signal } from '@preact/signals';
import { useEffect, useMemo } from 'preact/hooks';
import type { Site } from '../api.ts';
import { Field, FormProblem } from '../components/fields.tsx';
import { PageLink } from '../components/link.tsx';
import { ErrorNote } from '../components/states.tsx';
import { Table } from '../components/table.tsx';
import { SURFACES } from '../../server/domain/consent.ts';
import { t } from '../i18n.ts';
import type { Problem } from '../models/loader.ts';
import { createSitesModel, type SitesModel } from '../models/sites.ts';
import { siteId, sites } from '../models/session.ts';

const SITE_FIELDS = ['key', 'name', 'surface', 'allowedOrigins'];

/** The two things a site's admin may change later, the same in the new-site and the edit form. */
function NameAndOrigins({ name, origins, problem }: { name: Signal<string>; origins: Signal<string>; problem: Problem | null }) {
  return (
    <>
      <Field label={t('name')} value={name} problem={problem} field="name">
        {(control) => <input type="text" {...control} />}
      </Field>
      <Field label={t('allowedOrigins')} value={origins} problem={problem} field="allowedOrigins" help={t('originsHelp')} optional>
        {(control) => <textarea rows={3} placeholder="https://www.kunde.no" {...control} />}
      </Field>
    </>
  );
}

function NewSite({ model }: { model: SitesModel }) {
  const { draft } = model;
  return (
    <form
      class="card form-grid"
      aria-label={t('newSite')}
      onSubmit={(event) => {
        event.preventDefault();
        void model.create();
      }}
    >
      <h2>{t('newSite')}</h2>
      <Field label={t('siteKey')} value={draft.key} problem={draft.problem.value} field="key" help={t('siteKeyHelp')}>
        {(control) => <input type="text" autocomplete="off" spellcheck={false} {...control} />}
      </Field>
      <div class="field">
        <label>
          {t('surface')}
          <select value={draft.surface.value} onChange={(event) => (draft.surface.value = (event.target as HTMLSelectElement).value as Site['surface'])}>
            {SURFACES.map((surface) => (
              <option key={surface} value={surface}>
                {t(`surface_${surface}`)}
              </option>
            ))}
          </select>
        </label>
      </div>
      <NameAndOrigins name={draft.name} origins={draft.origins} problem={draft.problem.value} />
      <FormProblem problem={draft.problem.value} fields={SITE_FIELDS} />
      <div class="actions">
        <button type="submit">{t('createSite')}</button>
      </div>
    </form>
  );
}

function EditSite({ model }: { model: SitesModel }) {
  const site = model.editing.value;
  if (!site) return null;
  const { changes } = model;
  return (
    <form
      class="card form-grid"
      aria-label={t('editSite', { name: site.name })}
      onSubmit={(event) => {
        event.preventDefault();
        void model.save();
      }}
    >
      <h2>{t('editSite', { name: site.name })}</h2>
      <NameAndOrigins name={changes.name} origins={changes.origins} problem={changes.problem.value} />
      <FormProblem problem={changes.problem.value} fields={SITE_FIELDS} />
      <div class="actions">
        <button type="submit">{t('save')}</button>
        <button type="button" class="secondary" onClick={() => model.edit(null)}>
          {t('cancel')}
        </button>
      </div>
    </form>
  );
}

function SiteActions({ model, site }: { model: SitesModel; site: Site }) {
  return (
    <span class="row-actions">
      <PageLink page="install" label={`${t('install')} ${site.name}`} onFollow={() => (siteId.value = site.id)}>
        {t('install')}
      </PageLink>
      <button type="button" class="link" aria-label={`${t('edit')} ${site.name}`} onClick={() => model.edit(site)}>
        {t('edit')}
      </button>
      {site.archivedAt ? (
        <button type="button" class="link" aria-label={`${t('restore')} ${site.name}`} onClick={() => void model.restore(site)}>
          {t('restore')}
        </button>
      ) : (
        <button
          type="button"
          class="link danger"
          aria-label={`${t('archive')} ${site.name}`}
          onClick={() => void model.archive(site, t('archiveConfirm', { name: site.name }))}
        >
          {t('archive')}
        </button>
      )}
    </span>
  );
}

export function SitesPage() {
  const model = useMemo(createSitesModel, []);
  useEffect(() => model.start(), [model]);
  return (
    <div class="page">
      {model.error.value && <ErrorNote message={model.error.value} />}
      <EditSite model={model} />
      <Table<Site>
        label={t('navSites')}
        rows={sites.value}
        rowKey={(site) => site.id}
        empty={t('noSitesYet')}
        columns={[
          { key: 'key', label: t('siteKey'), value: (site) => site.key, render: (site) => <code>{site.key}</code> },
          { key: 'name', label: t('name'), value: (site) => site.name },
          { key: 'surface', label: t('surface'), value: (site) => site.surface, render: (site) => t(`surface_${site.surface}`) },
          { key: 'origins', label: t('allowedOrigins'), value: (site) => site.allowedOrigins.join(' ') || t('none') },
          { key: 'policy', label: t('policyVersion'), value: (site) => site.policyVersion, numeric: true },
          {
            key: 'status',
            label: t('status'),
            value: (site) => (site.archivedAt ? 1 : 0),
            render: (site) => (site.archivedAt ? <span class="badge altered">{t('archived')}</span> : <span class="badge verified">{t('active')}</span>),
          },
          { key: 'actions', label: t('actions'), hideLabel: true, render: (site) => <SiteActions model={model} site={site} /> },
        ]}
      />
      <NewSite model={model} />
    </div>
  );
}
