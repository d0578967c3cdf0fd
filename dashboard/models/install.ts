/** A site's install page: the snippets to paste, copying them, and the check of what its pages sent and had refused. */
import { computed, effect, signal } from '@preact/signals';
import { api, type Snippet } from '../api.ts';
import { attempt, createLoader } from './loader.ts';
import { currentSite, reloadSites } from './session.ts';

/** The check follows what the site's pages send while the page is open; the server counts as they arrive. */
const CHECK_EVERY_MS = 5_000;

export type InstallStatus = 'archived' | 'refused' | 'working' | 'waiting';

export function createInstallModel() {
  const guide = createLoader(() => api.installGuide(currentSite.value!.id));
  const check = createLoader(() => api.installCheck(currentSite.value!.id));
  const copied = signal<{ id: Snippet['id']; ok: boolean } | null>(null);
  const error = signal<string | null>(null);

  const status = computed((): InstallStatus | null => {
    const data = check.data.value;
    if (!data) return null;
    if (data.archived) return 'archived';
    if (data.refused.length > 0) return 'refused';
    return data.lastDecision ? 'working' : 'waiting';
  });

  async function copy(snippet: Snippet): Promise<void> {
    try {
      await navigator.clipboard.writeText(snippet.code);
      copied.value = { id: snippet.id, ok: true };
    } catch {
      copied.value = { id: snippet.id, ok: false };
    }
  }

  async function allowOrigin(origin: string): Promise<void> {
    const site = currentSite.value;
    const data = check.data.value;
    if (!site || !data) return;
    const added = await attempt(error, async () => {
      await api.updateSite(site.id, { allowedOrigins: [...data.allowedOrigins, origin] });
      await reloadSites();
    });
    if (added) await check.load();
  }

  function start(): () => void {
    const stop = effect(() => {
      if (!currentSite.value) return;
      copied.value = null;
      void guide.load();
      void check.load();
    });
    const timer = setInterval(() => void check.load(), CHECK_EVERY_MS);
    return () => {
      clearInterval(timer);
      stop();
    };
  }

  return { guide, check, copied, error, status, copy, allowOrigin, start };
}

export type InstallModel = ReturnType<typeof createInstallModel>;
