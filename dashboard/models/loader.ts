/** A value loaded from the API: data, loading and error as signals; a newer load always wins over an older one. */
import { signal, type Signal } from '@preact/signals';
import { ApiFailure } from '../api.ts';

export interface Loader<T> {
  readonly data: Signal<T | null>;
  readonly loading: Signal<boolean>;
  readonly error: Signal<string | null>;
  load(): Promise<void>;
}

export function createLoader<T>(fetch: () => Promise<T>): Loader<T> {
  const data = signal<T | null>(null);
  const loading = signal(false);
  const error = signal<string | null>(null);
  let latest = 0;
  return {
    data,
    loading,
    error,
    async load() {
      const ticket = ++latest;
      loading.value = true;
      error.value = null;
      try {
        const value = await fetch();
        if (ticket === latest) data.value = value;
      } catch (failure) {
        if (ticket === latest) error.value = failure instanceof ApiFailure ? failure.message : String(failure);
      } finally {
        if (ticket === latest) loading.value = false;
      }
    },
  };
}

/** Runs an action that changes something, keeping its error for the form to show. */
export async function attempt(error: { value: string | null }, action: () => Promise<unknown>): Promise<boolean> {
  error.value = null;
  try {
    await action();
    return true;
  } catch (failure) {
    error.value = failure instanceof ApiFailure ? failure.message : String(failure);
    return false;
  }
}
