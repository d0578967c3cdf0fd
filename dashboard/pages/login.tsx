/**
 * The sign-in form, with a password or through the organisation's identity provider (found by the address typed);
 * says so when the user arrives because their session ended, or back from a provider sign-in that failed.
 */
import { useSignal } from '@preact/signals';
import { api } from '../api.ts';
import { t, tDynamic } from '../i18n.ts';
import { sessionEndedNotice, signIn, signInMessage } from '../models/session.ts';

/** The server sends a failed provider sign-in back here with a code (never free text); shown once, then cleared. */
function takeCompanySignInFailure(): string | null {
  const code = new URLSearchParams(location.search).get('sso_error');
  if (code === null) return null;
  history.replaceState(null, '', location.pathname);
  return tDynamic(`ssoError_${code}`, t('ssoError_unknown'));
}

const companySignInFailure = takeCompanySignInFailure();

export function LoginPage() {
  const email = useSignal('');
  const password = useSignal('');
  const busy = useSignal(false);
  const companyMessage = useSignal(companySignInFailure);
  return (
    <main class="login">
      <form
        class="card"
        onSubmit={async (event) => {
          event.preventDefault();
          busy.value = true;
          companyMessage.value = null;
          await signIn(email.value, password.value);
          busy.value = false;
        }}
      >
        <h1>{t('appName')}</h1>
        {sessionEndedNotice.value && <p class="notice" role="status">{t('sessionEnded')}</p>}
        {signInMessage.value && <p class="error" role="alert">{signInMessage.value}</p>}
        {companyMessage.value && <p class="error" role="alert">{companyMessage.value}</p>}
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
        <span class="muted">{t('signInOr')}</span>
        <button
          type="button"
          class="secondary"
          onClick={() => {
            // A navigation, not a request: the server answers with the way to the provider's own sign-in page.
            if (email.value.includes('@')) location.assign(api.companySignInUrl(email.value.trim()));
            else companyMessage.value = t('companySignInNeedsEmail');
          }}
        >
          {t('signInWithCompany')}
        </button>
      </form>
    </main>
  );
}
