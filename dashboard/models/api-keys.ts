/** The API keys page: the organisation's keys, creating one (its secret kept here only until the page closes), copying and revoking. */
import { signal } from '@preact/signals';
import { api, type CreatedApiKey, type NewApiKeyRequest } from '../api.ts';
import { attempt, attemptForm, createLoader, type Problem } from './loader.ts';

export function createApiKeysModel() {
  const keys = createLoader(api.apiKeys);
  const error = signal<string | null>(null);
  const problem = signal<Problem | null>(null);
  /** The key just created, with its secret: shown once, gone when the page is left. */
  const created = signal<CreatedApiKey | null>(null);
  const copied = signal<boolean | null>(null);

  async function create(request: NewApiKeyRequest): Promise<boolean> {
    copied.value = null;
    const done = await attemptForm(problem, async () => {
      created.value = await api.createApiKey(request);
    });
    if (done) await keys.load();
    return done;
  }

  async function copy(): Promise<void> {
    const secret = created.value?.secret;
    if (!secret) return;
    try {
      await navigator.clipboard.writeText(secret);
      copied.value = true;
    } catch {
      copied.value = false;
    }
  }

  async function revoke(keyId: number): Promise<void> {
    if (await attempt(error, () => api.revokeApiKey(keyId))) await keys.load();
  }

  return {
    keys,
    error,
    problem,
    created,
    copied,
    create,
    copy,
    revoke,
    dismiss: () => {
      created.value = null;
      copied.value = null;
    },
  };
}

export type ApiKeysModel = ReturnType<typeof createApiKeysModel>;
