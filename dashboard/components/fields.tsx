/** A form field bound to a signal, with its help and the server's problem with it said beside it. */
import type { Signal } from '@preact/signals';
import type { ComponentChildren } from 'preact';
import { useId } from 'preact/hooks';
import { ErrorNote } from './states.tsx';
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
