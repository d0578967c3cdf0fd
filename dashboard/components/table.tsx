/** A table that sorts by a click of a column's header, with an empty state that says what to do. */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

export interface Column<T> {
  readonly key: string;
  /** Also the name screen readers give a column whose header is hidden. */
  readonly label: string;
  /** For a column of buttons, whose header would only repeat them. */
  readonly hideLabel?: boolean;
  /** What the column sorts by; a column without one does not sort. */
  readonly value?: (row: T) => string | number | boolean | null;
  readonly render?: (row: T) => ComponentChildren;
  readonly numeric?: boolean;
}

export interface TableSort {
  readonly key: string;
  readonly descending: boolean;
}

/** What a row does: a button in one column's cell for the keyboard and screen readers, a click elsewhere on the row for the mouse. */
export interface RowAction<T> {
  readonly column: string;
  /** The button's accessible name; null for a row without the action. */
  readonly label: (row: T) => string | null;
  readonly run: (row: T) => void;
}

interface RowButton {
  readonly name: string;
  readonly run: () => void;
}

export interface TableProps<T> {
  readonly columns: ReadonlyArray<Column<T>>;
  readonly rows: readonly T[];
  readonly rowKey: (row: T) => string | number;
  readonly empty: string;
  readonly rowAction?: RowAction<T>;
  /** Sorted elsewhere (on the server, over the whole result): the rows arrive in this order, a header click asks for another. */
  readonly sort?: { readonly current: TableSort; readonly change: (next: TableSort) => void };
  readonly label?: string;
}

function sortRows<T>(rows: readonly T[], column: Column<T> | undefined, descending: boolean): readonly T[] {
  const value = column?.value;
  if (!value) return rows;
  return [...rows].sort((a, b) => {
    const left = value(a) ?? '';
    const right = value(b) ?? '';
    const order = left < right ? -1 : left > right ? 1 : 0;
    return descending ? -order : order;
  });
}

const sortable = <T,>(column: Column<T>) => column.value !== undefined && !column.hideLabel;

const ariaSort = (descending: boolean | null) => (descending === null ? 'none' : descending ? 'descending' : 'ascending');

/** A click on the row's own controls (its action button, a link, a checkbox) is theirs, not the row's. */
const onControl = (event: MouseEvent) => (event.target as Element).closest('a, button, input, select, textarea, label') !== null;

export function Table<T>({ columns, rows, rowKey, empty, rowAction, sort, label }: TableProps<T>) {
  const [ownSort, setOwnSort] = useState<TableSort | null>(null);
  if (rows.length === 0) return <p class="empty">{empty}</p>;
  const current = sort ? sort.current : ownSort;
  const shown = sort ? rows : sortRows(rows, columns.find((column) => column.key === current?.key), current?.descending ?? false);
  const changeSort = sort ? sort.change : setOwnSort;

  /** The cell's content; in the action's column, inside the row's button. */
  function cell(column: Column<T>, row: T, action: RowButton | null): ComponentChildren {
    const content = column.render ? column.render(row) : String(column.value?.(row) ?? '–');
    if (!action || column.key !== rowAction?.column) return content;
    return (
      <button type="button" class="link row-action" aria-label={action.name} onClick={action.run}>
        {content}
      </button>
    );
  }

  /** The column's order now: true descending, false ascending, null not sorted by it. */
  const direction = (column: Column<T>) => (current?.key === column.key ? current.descending : null);

  function header(column: Column<T>): ComponentChildren {
    if (column.hideLabel) return <span class="sr-only">{column.label}</span>;
    if (!sortable(column)) return column.label;
    const descending = direction(column);
    return (
      <button type="button" class="sort" onClick={() => changeSort({ key: column.key, descending: descending === null ? !!column.numeric : !descending })}>
        {column.label}
        {descending === null ? '' : descending ? ' ↓' : ' ↑'}
      </button>
    );
  }

  return (
    <div class="table-scroll">
      <table aria-label={label}>
        <thead>
          <tr>
            {columns.map((column) => (
              <th
                key={column.key}
                scope="col"
                class={column.numeric ? 'numeric' : undefined}
                aria-sort={sortable(column) ? ariaSort(direction(column)) : undefined}
              >
                {header(column)}
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {shown.map((row) => {
            const name = rowAction?.label(row) ?? null;
            const action = rowAction && name !== null ? { name, run: () => rowAction.run(row) } : null;
            return (
              <tr key={rowKey(row)} class={action ? 'clickable' : undefined} onClick={action ? (event) => !onControl(event) && action.run() : undefined}>
                {columns.map((column) => (
                  <td key={column.key} class={column.numeric ? 'numeric' : undefined}>
                    {cell(column, row, action)}
                  </td>
                ))}
              </tr>
            );
          })}
        </tbody>
      </table>
    </div>
  );
}
