/** The organisation's sites: creating one, changing its name and origins, archiving and restoring it. */
import { signal } from '@preact/signals';
import { api, type Site } from '../api.ts';
import type { Surface } from '../../server/domain/consent.ts';
import { attempt, attemptForm, type Problem } from './loader.ts';
import { navigate, reloadSites, siteId } from './session.ts';

/** Origins as typed in the text area, one per line; blank lines are dropped, so a trailing newline is harmless. */
export function originLines(text: string): string[] {
  return text
    .split('\n')
    .map((line) => line.trim())
    .filter(Boolean);
}

export function createSitesModel() {
  const draft = { key: signal(''), name: signal(''), surface: signal<Surface>('web'), origins: signal(''), problem: signal<Problem | null>(null) };
  /** The site whose name and origins are in the edit form, or null. */
  const editing = signal<Site | null>(null);
  const changes = { name: signal(''), origins: signal(''), problem: signal<Problem | null>(null) };
  const error = signal<string | null>(null);

  /** A new site is installed next, so its install page opens with it selected. */
  async function create(): Promise<void> {
    await attemptForm(draft.problem, async () => {
      const created = await api.createSite({
        key: draft.key.value.trim(),
        name: draft.name.value,
        surface: draft.surface.value,
        allowedOrigins: originLines(draft.origins.value),
      });
      await reloadSites();
      siteId.value = created.id;
      navigate('install');
    });
  }

  function edit(site: Site | null): void {
    editing.value = site;
    changes.problem.value = null;
    if (!site) return;
    changes.name.value = site.name;
    changes.origins.value = site.allowedOrigins.join('\n');
  }

  async function save(): Promise<void> {
    const site = editing.value;
    if (!site) return;
    const done = await attemptForm(changes.problem, async () => {
      await api.updateSite(site.id, { name: changes.name.value, allowedOrigins: originLines(changes.origins.value) });
      await reloadSites();
    });
    if (done) editing.value = null;
  }

  async function change(action: () => Promise<unknown>): Promise<void> {
    await attempt(error, async () => {
      await action();
      await reloadSites();
    });
  }

  /** Asks first (the page words the question): archiving stops the collector accepting the site. */
  async function archive(site: Site, confirmText: string): Promise<void> {
    if (confirm(confirmText)) await change(() => api.setSiteArchived(site.id, true));
  }

  async function restore(site: Site): Promise<void> {
    await change(() => api.setSiteArchived(site.id, false));
  }

  // Another admin may have changed the sites since this session began.
  return { draft, editing, changes, error, create, edit, save, archive, restore, start: () => void attempt(error, reloadSites) };
}

export type SitesModel = ReturnType<typeof createSitesModel>;
