/** Admins manage the organisation's users (roles, blocking at once) and its retention settings. */
import { signal, useSignal } from '@preact/signals';
import { useEffect, useMemo } from 'preact/hooks';
import { api, type Retention, type Role, type User } from '../api.ts';
import { ErrorNote, Loaded } from '../components/states.tsx';
import { Table } from '../components/table.tsx';
import { ROLES } from '../../server/domain/roles.ts';
import { formatDateTime, t, tDynamic } from '../i18n.ts';
import { attempt, createLoader } from '../models/loader.ts';
import { session } from '../models/session.ts';

function createUsersModel() {
  const users = createLoader(api.users);
  const retention = createLoader(api.retention);
  const error = signal<string | null>(null);
  const saved = signal(false);
  const change = async (action: () => Promise<unknown>) => {
    if (await attempt(error, action)) await users.load();
  };
  return {
    users,
    retention,
    error,
    saved,
    setBlocked: (user: User, blocked: boolean) => change(() => api.setBlocked(user.id, blocked)),
    toggleRole: (user: User, role: Role) => {
      const roles = user.roles.includes(role) ? user.roles.filter((held) => held !== role) : [...user.roles, role];
      return change(() => api.setRoles(user.id, roles));
    },
    addUser: (user: { email: string; name: string; roles: Role[]; password: string }) => change(() => api.addUser(user)),
    saveRetention: async (value: Retention) => {
      saved.value = false;
      saved.value = await attempt(error, () => api.setRetention(value));
    },
  };
}

type UsersModel = ReturnType<typeof createUsersModel>;

function AddUser({ model }: { model: UsersModel }) {
  const email = useSignal('');
  const name = useSignal('');
  const password = useSignal('');
  const roles = useSignal<Role[]>(['analyst']);
  return (
    <form
      class="card form-grid"
      aria-label={t('addUser')}
      onSubmit={async (event) => {
        event.preventDefault();
        await model.addUser({ email: email.value, name: name.value, roles: roles.value, password: password.value });
        if (!model.error.value) email.value = name.value = password.value = '';
      }}
    >
      <h2>{t('addUser')}</h2>
      <label>
        {t('email')}
        <input type="email" required value={email.value} onInput={(event) => (email.value = (event.target as HTMLInputElement).value)} />
      </label>
      <label>
        {t('name')}
        <input type="text" required value={name.value} onInput={(event) => (name.value = (event.target as HTMLInputElement).value)} />
      </label>
      <label>
        {t('password')}
        <input type="password" autocomplete="new-password" required minLength={12} value={password.value} onInput={(event) => (password.value = (event.target as HTMLInputElement).value)} />
      </label>
      <fieldset>
        <legend>{t('roles')}</legend>
        {ROLES.map((role) => (
          <label class="checkbox" key={role}>
            <input
              type="checkbox"
              checked={roles.value.includes(role)}
              onChange={() => (roles.value = roles.value.includes(role) ? roles.value.filter((held) => held !== role) : [...roles.value, role])}
            />
            {tDynamic(`role_${role}`)}
          </label>
        ))}
      </fieldset>
      <div class="actions">
        <button type="submit">{t('add')}</button>
      </div>
    </form>
  );
}

function RetentionForm({ model, value }: { model: UsersModel; value: Retention }) {
  const events = useSignal(value.eventRetentionDays);
  const consent = useSignal(value.consentRetentionDays);
  return (
    <form
      class="card form-grid"
      aria-label={t('retentionSettings')}
      onSubmit={(event) => {
        event.preventDefault();
        void model.saveRetention({ eventRetentionDays: events.value, consentRetentionDays: consent.value });
      }}
    >
      <h2>{t('retentionSettings')}</h2>
      <label>
        {t('eventRetention')}
        <input type="number" min={1} max={3650} value={events.value} onInput={(event) => (events.value = Number((event.target as HTMLInputElement).value))} />
      </label>
      <label>
        {t('consentRetention')}
        <input type="number" min={731} max={7300} value={consent.value} onInput={(event) => (consent.value = Number((event.target as HTMLInputElement).value))} />
      </label>
      <div class="actions">
        <button type="submit">{t('save')}</button>
        {model.saved.value && <span role="status">{t('saved')}</span>}
      </div>
    </form>
  );
}

export function UsersPage() {
  const model = useMemo(createUsersModel, []);
  useEffect(() => {
    void model.users.load();
    void model.retention.load();
  }, [model]);
  const me = session.value?.user.id;
  return (
    <div class="page">
      {model.error.value && <ErrorNote message={model.error.value} />}
      <Loaded loader={model.users}>
        {(users) => (
          <Table<User>
            label={t('users')}
            rows={users}
            rowKey={(user) => user.id}
            empty={t('addUser')}
            columns={[
              { key: 'email', label: t('email'), value: (user) => user.email },
              { key: 'name', label: t('name'), value: (user) => user.name },
              {
                key: 'roles',
                label: t('roles'),
                value: (user) => user.roles.join(','),
                render: (user) => (
                  <span class="row-actions">
                    {ROLES.map((role) => (
                      <label class="checkbox" key={role}>
                        <input type="checkbox" checked={user.roles.includes(role)} disabled={user.roles.length === 1 && user.roles.includes(role)} onChange={() => void model.toggleRole(user, role)} />
                        {tDynamic(`role_${role}`)}
                      </label>
                    ))}
                  </span>
                ),
              },
              {
                key: 'status',
                label: t('status'),
                value: (user) => (user.blockedAt ? 1 : 0),
                render: (user) =>
                  user.blockedAt ? (
                    <span>
                      <span class="badge altered" title={formatDateTime(user.blockedAt)}>
                        {t('blocked')}
                      </span>{' '}
                      <button type="button" class="link" onClick={() => void model.setBlocked(user, false)}>
                        {t('unblock')}
                      </button>
                    </span>
                  ) : (
                    <span>
                      <span class="badge verified">{t('active')}</span>{' '}
                      {user.id !== me && (
                        <button type="button" class="link danger" aria-label={`${t('block')} ${user.email}`} onClick={() => void model.setBlocked(user, true)}>
                          {t('block')}
                        </button>
                      )}
                    </span>
                  ),
              },
            ]}
          />
        )}
      </Loaded>
      <div class="panels">
        <AddUser model={model} />
        <Loaded loader={model.retention}>{(value) => <RetentionForm model={model} value={value} />}</Loaded>
      </div>
    </div>
  );
}
