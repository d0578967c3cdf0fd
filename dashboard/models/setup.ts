/** The first run: whether set-up is still needed, the organisation and its first admin, and signing that admin in. */
import { signal } from '@preact/signals';
import { api } from '../api.ts';
import { attemptForm, createLoader, type Problem } from './loader.ts';
import { adoptSession, navigate } from './session.ts';

export function createSetupModel() {
  const status = createLoader(api.setupStatus);
  /** The one-time token travels in the link's fragment, which never reaches a server log. */
  const token = signal(location.hash.slice(1));
  const organisation = signal('');
  const name = signal('');
  const email = signal('');
  const password = signal('');
  // Checked here only: the server never sees it.
  const repeatPassword = signal('');
  const problem = signal<Problem | null>(null);
  const busy = signal(false);

  async function submit(mismatchText: string): Promise<void> {
    if (password.value !== repeatPassword.value) {
      problem.value = { message: mismatchText, field: 'repeatPassword' };
      return;
    }
    busy.value = true;
    const done = await attemptForm(problem, async () =>
      adoptSession(await api.setup({ token: token.value, organisation: organisation.value, name: name.value, email: email.value, password: password.value })),
    );
    busy.value = false;
    if (done) navigate('sites');
    // Someone may have finished set-up meanwhile: the page then says so and points to the sign-in.
    else await status.load();
  }

  function start(): () => void {
    void status.load();
    // Pasting the whole link into a tab already at /dashboard/setup changes only the fragment: the page stays.
    const readToken = () => (token.value = location.hash.slice(1));
    addEventListener('hashchange', readToken);
    return () => removeEventListener('hashchange', readToken);
  }

  return { token, status, fields: { organisation, name, email, password, repeatPassword }, problem, busy, submit, start };
}

export type SetupModel = ReturnType<typeof createSetupModel>;
