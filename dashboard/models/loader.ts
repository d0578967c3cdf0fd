/** Values loaded from the API (data, loading and error as signals; a newer load wins over an older one), and the errors of changes. */
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
        if (ticket === latest) error.value = problemOf(failure).message;
      } finally {
        if (ticket === latest) loading.value = false;
      }
    },
  };
}

/** A failed change, with the field the server named (`allowedOrigins.1`) so a form can show it beside that field. */
export interface Problem {
  readonly message: string;
  readonly field: string | null;
}

function problemOf(failure: unknown): Problem {
  return failure instanceof ApiFailure ? { message: failure.message, field: failure.field ?? null } : { message: String(failure), field: null };
}

/** Runs an action that changes something, keeping its problem for the form to show. */
export async function attemptForm(problem: { value: Problem | null }, action: () => Promise<unknown>): Promise<boolean> {
  problem.value = null;
  try {
    await action();
    return true;
  } catch (failure) {
    problem.value = problemOf(failure);
    return false;
  }
}

/** As attemptForm, for forms that show the message alone. */
export async function attempt(error: { value: string | null }, action: () => Promise<unknown>): Promise<boolean> {
  const problem = { value: null as Problem | null };
  error.value = null;
  const done = await attemptForm(problem, action);
  error.value = problem.value?.message ?? null;
  return done;
}

/**
 * The message for one field of a form, or null when the problem lies elsewhere. The server names an item of a
 * list by its index (`allowedOrigins.1`), which belongs to the list's field, and starts the message with the path.
 */
export function problemAt(problem: Problem | null, field: string): string | null {
  const named = problem?.field;
  if (!problem || !named || (named !== field && !named.startsWith(`${field}.`))) return null;
  return problem.message.startsWith(`${named}: `) ? problem.message.slice(named.length + 2) : problem.message;
}
