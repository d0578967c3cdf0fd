/** A table that sorts by any column on a click of its header, with an empty state that says what to do. */
import type { ComponentChildren } from 'preact';
import { useState } from 'preact/hooks';

export interface Column<T> {
  readonly key: string;
  readonly label: string;
  readonly value: (row: T) => string | number | boolean | null;
  readonly render?: (row: T) => ComponentChildren;
  readonly numeric?: boolean;
}

export interface TableProps<T> {
  readonly columns: ReadonlyArray<Column<T>>;
  readonly rows: readonly T[];
  readonly rowKey: (row: T) => string | number;
  readonly empty: string;
  readonly onRowClick?: (row: T) => void;
  readonly label?: string;
}

export function Table<T>({ columns, rows, rowKey, empty, onRowClick, label }: TableProps<T>) {
  const [sort, setSort] = useState<{ key: string; descending: boolean } | null>(null);
  if (rows.length === 0) return <p class="empty">{empty}</p>;
  const column = columns.find((candidate) => candidate.key === sort?.key);
  const sorted = column
    ? [...rows].sort((a, b) => {
        const left = column.value(a) ?? '';
        const right = column.value(b) ?? '';
        const order = left < right ? -1 : left > right ? 1 : 0;
        return sort!.descending ? -order : order;
      })
    : rows;
  return (
    <div class="table-scroll">
      <table aria-label={label}>
        <thead>
          <tr>
            {columns.map((item) => (
              <th
                key={item.key}
                class={item.numeric ? 'numeric' : undefined}
                aria-sort={sort?.key === item.key ? (sort.descending ? 'descending' : 'ascending') : 'none'}
              >
                <button
                  type="button"
                  class="sort"
                  onClick={() => setSort({ key: item.key, descending: sort?.key === item.key ? !sort.descending : !!item.numeric })}
                >
                  {item.label}
                  {sort?.key === item.key ? (sort.descending ? ' ↓' : ' ↑') : ''}
                </button>
              </th>
            ))}
          </tr>
        </thead>
        <tbody>
          {sorted.map((row) => (
            <tr key={rowKey(row)} class={onRowClick ? 'clickable' : undefined} onClick={onRowClick ? () => onRowClick(row) : undefined}>
              {columns.map((item) => (
                <td key={item.key} class={item.numeric ? 'numeric' : undefined}>
                  {item.render ? item.render(row) : String(item.value(row) ?? '–')}
                </td>
              ))}
            </tr>
          ))}
        </tbody>
      </table>
    </div>
  );
}
