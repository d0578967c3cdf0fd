/** A site's inventory: the list, the item being edited, saving and retiring. */
import { effect, signal } from '@preact/signals';
import { api, type Item, type ItemInput } from '../api.ts';
import { attempt, createLoader } from './loader.ts';
import { currentSite } from './session.ts';

export const BLANK_ITEM: ItemInput = {
  kind: 'cookie',
  name: '',
  namePattern: false,
  provider: '',
  party: 'first',
  domain: null,
  category: 'functional',
  purpose: { nb: '', en: '' },
  retention: { nb: '', en: '' },
  blocking: { nb: '', en: '' },
};

export function createInventoryModel() {
  const items = createLoader(() => api.inventory(currentSite.value!.id));
  /** The item in the form: an existing one, a new one (id null), or none. */
  const editing = signal<{ id: number | null; input: ItemInput } | null>(null);
  const error = signal<string | null>(null);
  /** Bumped after every save, so the declaration preview reloads. */
  const revision = signal(0);

  function edit(item: Item | null): void {
    error.value = null;
    if (!item) {
      editing.value = { id: null, input: BLANK_ITEM };
      return;
    }
    const { id, retiredAt: _retired, ...input } = item;
    editing.value = { id, input };
  }

  async function save(): Promise<void> {
    const current = editing.value;
    const site = currentSite.value;
    if (!current || !site) return;
    const saved = await attempt(error, () => (current.id === null ? api.addItem(site.id, current.input) : api.updateItem(site.id, current.id, current.input)));
    if (saved) {
      editing.value = null;
      revision.value += 1;
      await items.load();
    }
  }

  async function retire(item: Item): Promise<void> {
    const site = currentSite.value;
    if (!site) return;
    if (await attempt(error, () => api.retireItem(site.id, item.id))) {
      revision.value += 1;
      await items.load();
    }
  }

  return {
    items,
    editing,
    error,
    revision,
    edit,
    save,
    retire,
    start: () =>
      effect(() => {
        if (!currentSite.value) return;
        editing.value = null;
        void items.load();
      }),
  };
}

export type InventoryModel = ReturnType<typeof createInventoryModel>;
