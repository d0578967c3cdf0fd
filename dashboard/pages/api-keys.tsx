/** Admins create API keys for other programs (scopes, one site or all, an expiry), see each key once, and revoke them. */
import { useSignal } from '@preact/signals';
import { useEffect, useMemo } from 'preact/hooks';
import { API_KEY_SCOPES, apiKeyState } from '../../server/domain/api-keys.ts';
import type { ApiKey, ApiKeyScope } from '../api.ts';
import { ActionForm, Field, FormProblem } from '../components/fields.tsx';
import { ErrorNote, Loaded } from '../components/states.tsx';
import { Table } from '../components/table.tsx';
import { formatDateTime, t, tDynamic } from '../i18n.ts';
import { createApiKeysModel, type ApiKeysModel } from '../models/api-keys.ts';
import { problemAt } from '../models/loader.ts';
import { sites } from '../models/session.ts';

const KEY_FIELDS = ['name', 'scopes', 'siteId', 'expiresAt'] as const;

function CreateKey({ model }: { model: ApiKeysModel }) {
  const name = useSignal('');
  const scopes = useSignal<ApiKeyScope[]>(['usage:read']);
  const siteId = useSignal('');
  const expiresAt = useSignal('');
  const problem = model.problem.value;
  const scopesProblem = problemAt(problem, 'scopes');
  return (
    <ActionForm
      label={t('apiKeyCreate')}
      layout="card form-grid"
      submit={async () => {
        const done = await model.create({
          name: name.value,
          scopes: scopes.value,
          siteId: siteId.value ? Number(siteId.value) : null,
          expiresAt: expiresAt.value || null,
        });
        if (done) name.value = expiresAt.value = '';
      }}
    >
      <h2>{t('apiKeyCreate')}</h2>
      <Field label={t('name')} value={name} problem={problem} field="name" help={t('apiKeyNameHelp')}>
        {(control) => <input type="text" maxLength={100} {...control} />}
      </Field>
      <fieldset aria-invalid={scopesProblem !== null}>
        <legend>{t('apiKeyScopes')}</legend>
        {API_KEY_SCOPES.map((scope) => (
          <label class="checkbox" key={scope}>
            <input
              type="checkbox"
              checked={scopes.value.includes(scope)}
              onChange={() => (scopes.value = scopes.value.includes(scope) ? scopes.value.filter((held) => held !== scope) : [...scopes.value, scope])}
            />
            {tDynamic(`apiKeyScope_${scope}`)}
          </label>
        ))}
        {scopesProblem && (
          <span class="field-error" role="alert">
            {scopesProblem}
          </span>
        )}
      </fieldset>
      <div class="field">
        <label>
          {t('site')}
          <select value={siteId.value} onChange={(event) => (siteId.value = (event.target as HTMLSelectElement).value)}>
            <option value="">{t('allSites')}</option>
            {sites.value.map((site) => (
              <option key={site.id} value={String(site.id)}>
                {site.name}
              </option>
            ))}
          </select>
        </label>
      </div>
      <Field label={t('apiKeyExpires')} value={expiresAt} problem={problem} field="expiresAt" help={t('apiKeyExpiresHelp')} optional>
        {(control) => <input type="date" {...control} />}
      </Field>
      <FormProblem problem={problem} fields={KEY_FIELDS} />
      <div class="actions">
        <button type="submit">{t('apiKeyCreate')}</button>
      </div>
    </ActionForm>
  );
}

/** The new key, once: after this the server holds only its hash. */
function NewKey({ model }: { model: ApiKeysModel }) {
  const created = model.created.value;
  if (!created) return null;
  return (
    <section class="card" aria-label={t('apiKeyCreated')}>
      <h2>{t('apiKeyCreated')}</h2>
      <p>{t('apiKeyShownOnce')}</p>
      <pre>
        <code>{created.secret}</code>
      </pre>
      <div class="actions">
        <button type="button" class="secondary" aria-label={t('copyNamed', { title: created.apiKey.name })} onClick={() => void model.copy()}>
          {t('copy')}
        </button>
        {model.copied.value !== null && (
          <span role="status" class={model.copied.value ? 'copied' : 'field-error'}>
            {model.copied.value ? t('copied') : t('copyFailed')}
          </span>
        )}
        <button type="button" class="link" onClick={model.dismiss}>
          {t('apiKeyDone')}
        </button>
      </div>
    </section>
  );
}

export function ApiKeysPage() {
  const model = useMemo(createApiKeysModel, []);
  useEffect(() => void model.keys.load(), [model]);
  const siteName = (id: number | null) => (id === null ? t('allSites') : (sites.value.find((site) => site.id === id)?.name ?? String(id)));
  return (
    <div class="page">
      <p class="note">
        {t('apiKeysIntro')} <a href="/api/docs">{t('apiReference')}</a>
      </p>
      <NewKey model={model} />
      {model.error.value && <ErrorNote message={model.error.value} />}
      <Loaded loader={model.keys}>
        {(keys) => (
          <Table<ApiKey>
            label={t('navApiKeys')}
            rows={keys}
            rowKey={(key) => key.id}
            empty={t('apiKeysNone')}
            columns={[
              { key: 'name', label: t('name'), value: (key) => key.name },
              { key: 'prefix', label: t('apiKeyPrefix'), value: (key) => `sk_${key.prefix}…` },
              { key: 'scopes', label: t('apiKeyScopes'), value: (key) => key.scopes.map((scope) => tDynamic(`apiKeyScope_${scope}`)).join(', ') },
              { key: 'site', label: t('site'), value: (key) => siteName(key.siteId) },
              { key: 'expires', label: t('apiKeyExpires'), value: (key) => key.expiresAt, render: (key) => (key.expiresAt ? formatDateTime(key.expiresAt) : t('apiKeyNever')) },
              { key: 'used', label: t('apiKeyLastUsed'), value: (key) => key.lastUsedAt, render: (key) => (key.lastUsedAt ? formatDateTime(key.lastUsedAt) : t('apiKeyNever')) },
              {
                key: 'status',
                label: t('status'),
                value: (key) => apiKeyState(key, new Date()),
                render: (key) => {
                  const state = apiKeyState(key, new Date());
                  return (
                    <span>
                      <span class={`badge ${state === 'active' ? 'verified' : 'altered'}`}>{tDynamic(`apiKeyState_${state}`)}</span>{' '}
                      {state === 'active' && (
                        <button type="button" class="link danger" aria-label={`${t('apiKeyRevoke')} ${key.name}`} onClick={() => void model.revoke(key.id)}>
                          {t('apiKeyRevoke')}
                        </button>
                      )}
                    </span>
                  );
                },
              },
            ]}
          />
        )}
      </Loaded>
      <div class="panels">
        <CreateKey model={model} />
      </div>
    </div>
  );
}
