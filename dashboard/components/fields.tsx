/** A form field bound to a signal, with its help and the server's problem with it said beside it. */
import type { Signal } from '@preact/signals';
import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';
import { ErrorNote } from './states.tsx';
import { t } from '../i18n.ts';
import { problemAt, type Problem } from '../models/loader.ts';

/** What the field's input or text area needs: spread it onto the element, which keeps its own type. */
export interface Control {
  readonly name: string;
  readonly value: string;
  readonly required: boolean;
  readonly onInput: (event: Event) => void;
  readonly 'aria-invalid': boolean;
  readonly 'aria-describedby': string | undefined;
}

interface FieldProps {
  readonly label: string;
  readonly value: Signal<string>;
  readonly problem: Problem | null;
  /** The name the server gives the field in a problem. */
  readonly field: string;
  readonly help?: string;
  readonly optional?: boolean;
  readonly children: (control: Control) => ComponentChildren;
}

/** Help and problem stand outside the label, so the input's accessible name is the label alone. */
export function Field({ label, value, problem, field, help, optional = false, children }: FieldProps) {
  const id = useId();
  const message = problemAt(problem, field);
  const control: Control = {
    name: field,
    value: value.value,
    required: !optional,
    onInput: (event) => (value.value = (event.target as HTMLInputElement | HTMLTextAreaElement).value),
    'aria-invalid': message !== null,
    'aria-describedby': [help && `${id}-help`, message && `${id}-problem`].filter(Boolean).join(' ') || undefined,
  };
  return (
    <div class="field">
      <label>
        {label}
        {children(control)}
      </label>
      {help && (
        <span id={`${id}-help`} class="note">
          {help}
        </span>
      )}
      {message && (
        <span id={`${id}-problem`} class="field-error" role="alert">
          {message}
        </span>
      )}
    </div>
  );
}

/** The problem when no field of the form is named in it (a conflict, an invalid link, the server down). */
export function FormProblem({ problem, fields }: { problem: Problem | null; fields: readonly string[] }) {
  if (!problem || fields.some((field) => problemAt(problem, field) !== null)) return null;
  return <ErrorNote message={problem.message} />;
}

/** A select bound to a signal, its options in words. */
export function Choice<T extends string>({ label, value, options, text }: { label: string; value: Signal<T>; options: readonly T[]; text: (option: T) => string }) {
  return (
    <div class="field">
      <label>
        {label}
        <select value={value.value} onChange={(event) => (value.value = (event.target as HTMLSelectElement).value as T)}>
          {options.map((option) => (
            <option key={option} value={option}>
              {text(option)}
            </option>
          ))}
        </select>
      </label>
    </div>
  );
}

/** A form named `label` that runs `submit` in place of sending the page anywhere. */
export function ActionForm({ label, layout, submit, children }: { label: string; layout: string; submit: () => Promise<void>; children: ComponentChildren }) {
  return (
    <form
      class={layout}
      aria-label={label}
      onSubmit={(event) => {
        event.preventDefault();
        void submit();
      }}
    >
      {children}
    </form>
  );
}

/** A form's save button, and "Saved" beside it once the change is stored, announced to screen readers. */
export function SaveRow({ label, saved, disabled = false }: { label: string; saved: boolean; disabled?: boolean }) {
  return (
    <div class="actions">
      <button type="submit" disabled={disabled}>
        {label}
      </button>
      {saved && (
        <span role="status" class="copied">
          {t('saved')}
        </span>
      )}
    </div>
  );
}
