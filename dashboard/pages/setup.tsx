/** The one-time setup link (/dashboard/setup#token): the organisation and its first admin, who is then signed in. */
import { useEffect, useMemo } from 'preact/hooks';
import { Field, FormProblem } from '../components/fields.tsx';
import { ErrorNote, Loaded } from '../components/states.tsx';
import { t } from '../i18n.ts';
import { createSetupModel, type SetupModel } from '../models/setup.ts';

function SetupForm({ model }: { model: SetupModel }) {
  const { fields } = model;
  const problem = model.problem.value;
  return (
    <form
      onSubmit={(event) => {
        event.preventDefault();
        void model.submit(t('passwordsDiffer'));
      }}
    >
      <p>{t('setupIntro')}</p>
      <Field label={t('organisation')} value={fields.organisation} problem={problem} field="organisation">
        {(control) => <input type="text" autocomplete="organization" {...control} />}
      </Field>
      <Field label={t('yourName')} value={fields.name} problem={problem} field="name">
        {(control) => <input type="text" autocomplete="name" {...control} />}
      </Field>
      <Field label={t('email')} value={fields.email} problem={problem} field="email">
        {(control) => <input type="email" autocomplete="username" {...control} />}
      </Field>
      <Field label={t('password')} value={fields.password} problem={problem} field="password">
        {(control) => <input type="password" autocomplete="new-password" {...control} />}
      </Field>
      <Field label={t('repeatPassword')} value={fields.repeatPassword} problem={problem} field="repeatPassword">
        {(control) => <input type="password" autocomplete="new-password" {...control} />}
      </Field>
      <FormProblem problem={problem} fields={Object.keys(fields)} />
      <button type="submit" disabled={model.busy.value}>
        {t('setupSubmit')}
      </button>
    </form>
  );
}

export function SetupPage() {
  const model = useMemo(createSetupModel, []);
  useEffect(() => model.start(), [model]);
  return (
    <main class="login">
      <section class="card setup">
        <h1>{t('setupTitle')}</h1>
        <Loaded loader={model.status}>
          {(status) =>
            !status.needed ? (
              <>
                {model.problem.value ? <ErrorNote message={model.problem.value.message} /> : <p class="notice">{t('setupDone')}</p>}
                {/* A full load, so the dashboard starts by asking for a session as it always does. */}
                <a class="button" href="/dashboard/">
                  {t('goToSignIn')}
                </a>
              </>
            ) : model.token.value ? (
              <SetupForm model={model} />
            ) : (
              <ErrorNote message={t('setupNoToken')} />
            )
          }
        </Loaded>
      </section>
    </main>
  );
}
