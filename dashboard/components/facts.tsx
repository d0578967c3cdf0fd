/** Label and value pairs as a description list: the fields of a record, the facts of a scan finding. */
import type { ComponentChildren } from 'preact';
import { Fragment } from 'preact';

export type Fact = readonly [label: string, value: ComponentChildren];

export function Facts({ facts, class: className }: { facts: readonly Fact[]; class: string }) {
  return (
    <dl class={className}>
      {facts.map(([label, value]) => (
        <Fragment key={label}>
          <dt>{label}</dt>
          <dd>{value}</dd>
        </Fragment>
      ))}
    </dl>
  );
}
