/** The sign-in form; says so when the user arrives because their session ended. */
import { useSignal } from '@preact/signals';
import { t } from '../i18n.ts';
import { sessionEndedNotice, signIn, signInMessage } from '../models/session.ts';

export function LoginPage() {
  const email = useSignal('');
  const password = useSignal('');
  const busy = useSignal(false);
  return (
    <main class="login">
      <form
        class="card"
        onSubmit={async (event) => {
          event.preventDefault();
          busy.value = true;
          await signIn(email.value, password.value);
          busy.value = false;
        }}
      >
        <h1>{t('appName')}</h1>
        {sessionEndedNotice.value && <p class="notice" role="status">{t('sessionEnded')}</p>}
        {signInMessage.value && <p class="error" role="alert">{signInMessage.value}</p>}
        <label>
          {t('email')}
          <input type="email" name="email" autocomplete="username" required value={email.value} onInput={(event) => (email.value = (event.target as HTMLInputElement).value)} />
        </label>
        <label>
          {t('password')}
          <input
            type="password"
            name="password"
            autocomplete="current-password"
            required
            value={password.value}
            onInput={(event) => (password.value = (event.target as HTMLInputElement).value)}
          />
        </label>
        <button type="submit" disabled={busy.value}>
          {t('signIn')}
        </button>
      </form>
    </main>
  );
}
