/** Admins set the organisation's identity provider for staff sign-in (OpenID Connect) and whether passwords still work. */
import { signal, useSignal } from '@preact/signals';
import { useEffect, useMemo } from 'preact/hooks';
import { api, type Role, type SsoSettings } from '../api.ts';
import { Choice, Field, FormProblem, SaveRow } from '../components/fields.tsx';
import { Loaded } from '../components/states.tsx';
import { ROLES } from '../../server/domain/roles.ts';
import { t, tDynamic } from '../i18n.ts';
import { attemptForm, createLoader, type Problem } from '../models/loader.ts';

/** The fields that show their own problem; any other (the switches) is shown above the save button. */
const SSO_FIELDS = ['issuer', 'clientId', 'clientSecret', 'emailDomains'];

function createSsoModel() {
  const settings = createLoader(api.ssoSettings);
  const problem = signal<Problem | null>(null);
  const saved = signal(false);
  return { settings, problem, saved };
}

type SsoModel = ReturnType<typeof createSsoModel>;

function SsoForm({ model, current }: { model: SsoModel; current: SsoSettings }) {
  const enabled = useSignal(current.configured ? current.enabled : true);
  const issuer = useSignal(current.issuer);
  const clientId = useSignal(current.clientId);
  const clientSecret = useSignal('');
  const defaultRole = useSignal<Role>(current.defaultRole);
  const domains = useSignal(current.emailDomains.join(', '));
  const passwordsAllowed = useSignal(current.passwordsAllowed);
  const problem = model.problem.value;

  const save = async () => {
    model.saved.value = false;
    const ok = await attemptForm(model.problem, async () => {
      model.settings.data.value = await api.saveSsoSettings({
        enabled: enabled.value,
        issuer: issuer.value,
        clientId: clientId.value,
        // Empty keeps the stored secret: the server never sends it back to fill the field with.
        ...(clientSecret.value ? { clientSecret: clientSecret.value } : {}),
        defaultRole: defaultRole.value,
        emailDomains: domains.value
          .split(/[\s,]+/)
          .map((domain) => domain.trim())
          .filter(Boolean),
        passwordsAllowed: passwordsAllowed.value,
      });
    });
    if (ok) clientSecret.value = '';
    model.saved.value = ok;
  };

  return (
    <form
      class="card form-grid"
      aria-label={t('ssoProvider')}
      onSubmit={(event) => {
        event.preventDefault();
        void save();
      }}
    >
      <h2>{t('ssoProvider')}</h2>
      <div class="field">
        <label>
          {t('ssoRedirectUri')}
          <input type="text" readOnly value={current.redirectUri} onFocus={(event) => (event.target as HTMLInputElement).select()} />
        </label>
      </div>
      <Field label={t('ssoIssuer')} value={issuer} problem={problem} field="issuer" help={t('ssoIssuerHelp')}>
        {(control) => <input type="url" autocomplete="off" spellcheck={false} placeholder="https://login.example.com" {...control} />}
      </Field>
      <Field label={t('ssoClientId')} value={clientId} problem={problem} field="clientId">
        {(control) => <input type="text" autocomplete="off" spellcheck={false} {...control} />}
      </Field>
      <Field
        label={t('ssoClientSecret')}
        value={clientSecret}
        problem={problem}
        field="clientSecret"
        help={current.clientSecretSet ? t('ssoSecretKept') : undefined}
        optional={current.clientSecretSet}
      >
        {(control) => <input type="password" autocomplete="new-password" {...control} />}
      </Field>
      <div class="field">
        <Choice label={t('ssoDefaultRole')} value={defaultRole} options={ROLES} text={(role) => tDynamic(`role_${role}`)} />
        <span class="note">{t('ssoDefaultRoleHelp')}</span>
      </div>
      <Field label={t('ssoEmailDomains')} value={domains} problem={problem} field="emailDomains" help={t('ssoEmailDomainsHelp')} optional>
        {(control) => <input type="text" autocomplete="off" spellcheck={false} placeholder="bedrift.no" {...control} />}
      </Field>
      <div class="field">
        <label class="checkbox">
          <input type="checkbox" checked={enabled.value} onChange={() => (enabled.value = !enabled.value)} />
          {t('ssoEnabled')}
        </label>
      </div>
      <div class="field">
        <label class="checkbox">
          <input type="checkbox" checked={passwordsAllowed.value} onChange={() => (passwordsAllowed.value = !passwordsAllowed.value)} />
          {t('ssoPasswordsAllowed')}
        </label>
        <span class="note">{t('ssoPasswordsHelp')}</span>
      </div>
      <FormProblem problem={problem} fields={SSO_FIELDS} />
      <SaveRow label={t('save')} saved={model.saved.value} />
      {current.configured && (
        <div class="actions">
          <button
            type="button"
            class="link danger"
            onClick={async () => {
              if (await attemptForm(model.problem, api.removeSso)) await model.settings.load();
            }}
          >
            {t('ssoRemove')}
          </button>
        </div>
      )}
    </form>
  );
}

export function SsoPage() {
  const model = useMemo(createSsoModel, []);
  useEffect(() => {
    void model.settings.load();
  }, [model]);
  return (
    <div class="page">
      <p class="note">{t('ssoIntro')}</p>
      {/* Keyed by the save time: a saved or removed provider starts the form afresh from what the server stored. */}
      <Loaded loader={model.settings}>{(current) => <SsoForm key={`${current.updatedAt}`} model={model} current={current} />}</Loaded>
    </div>
  );
}
