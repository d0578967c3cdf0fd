/**
 * Streamed exports in CSV and NDJSON. Pages are pulled from a keyset-paged generator only when the client has
 * read the previous ones, so memory stays constant whatever the export's size.
 */

export type ExportFormat = 'csv' | 'ndjson';

/** Spreadsheets run a cell starting with one of these as a formula; a leading apostrophe makes it text. */
const FORMULA_START = /^[=+\-@\t\r]/;

export function neutraliseFormula(value: string): string {
  return FORMULA_START.test(value) ? `'${value}` : value;
}

type Cell = string | number | boolean | null;

const NEEDS_QUOTES = /[",\r\n]/;

/** RFC 4180: quoted only when it must be, quotes doubled. Hand-written because it is the export's hot loop. */
function csvCell(value: Cell): string {
  if (value === null) return '';
  if (typeof value !== 'string') return String(value);
  const text = neutraliseFormula(value);
  return NEEDS_QUOTES.test(text) ? `"${text.replaceAll('"', '""')}"` : text;
}

function csvLine(cells: readonly Cell[]): string {
  return cells.map(csvCell).join(',') + '\n';
}

/** So spreadsheet programs read the file as UTF-8 (æøå). */
const BOM = '\uFEFF';

export type Columns<T> = ReadonlyArray<readonly [string, (row: T) => Cell]>;
/** Turns one page into text; `first` is true for the first page, which may carry a header. */
export type PageEncoder<T> = (rows: readonly T[], first: boolean) => string;

export function csvEncoder<T>(columns: Columns<T>): PageEncoder<T> {
  return (rows, first) => (first ? BOM + csvLine(columns.map(([name]) => name)) : '') + rows.map((row) => csvLine(columns.map(([, read]) => read(row)))).join('');
}

export function ndjsonEncoder<T>(columns: Columns<T>): PageEncoder<T> {
  return ndjsonLines((row: T) => Object.fromEntries(columns.map(([name, read]) => [name, read(row)])));
}

export function ndjsonLines<T>(toObject: (row: T) => unknown): PageEncoder<T> {
  return (rows) => rows.map((row) => JSON.stringify(toObject(row)) + '\n').join('');
}

export function encoderFor<T>(format: ExportFormat, columns: Columns<T>): PageEncoder<T> {
  return format === 'csv' ? csvEncoder(columns) : ndjsonEncoder(columns);
}

export function exportStream<T>(pages: AsyncGenerator<T[]>, encode: PageEncoder<T>): ReadableStream<Uint8Array> {
  const encoder = new TextEncoder();
  let first = true;
  return new ReadableStream<Uint8Array>(
    {
      async pull(controller) {
        const next = await pages.next();
        // Even an empty export gets its header.
        const text = encode(next.done ? [] : next.value, first);
        first = false;
        if (text) controller.enqueue(encoder.encode(text));
        if (next.done) controller.close();
      },
      async cancel() {
        await pages.return(undefined);
      },
    },
    { highWaterMark: 1 },
  );
}

export function exportHeaders(format: ExportFormat, name: string): Record<string, string> {
  return {
    'content-type': format === 'csv' ? 'text/csv; charset=utf-8' : 'application/x-ndjson; charset=utf-8',
    'content-disposition': `attachment; filename="${name}.${format === 'csv' ? 'csv' : 'ndjson'}"`,
    'cache-control': 'no-store',
  };
}

/** A small table already in memory (a panel, a funnel) as a CSV download, with the same spreadsheet-safe cells. */
export function csvDownload<T>(name: string, columns: Columns<T>, rows: readonly T[]): Response {
  return new Response(csvEncoder(columns)(rows, true), { headers: exportHeaders('csv', name) });
}
