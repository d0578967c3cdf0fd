/** The time spans of the analytics charts, in seconds since the epoch as uPlot counts, with every bucket in them. */
export const BUCKET_SECONDS = { hour: 3600, day: 86_400 } as const;

export interface TimeSpan {
  readonly from: number;
  /** Exclusive. */
  readonly to: number;
}

export const spanOf = (range: { readonly from: string; readonly to: string }): TimeSpan => ({ from: Date.parse(range.from) / 1000, to: Date.parse(range.to) / 1000 });

/** Every bucket of the span with its row's figures, zero where there is no row, so a line never skips an empty bucket. */
export function fillBuckets<Row>(span: TimeSpan, step: number, rows: readonly Row[], startOf: (row: Row) => number) {
  const byStart = new Map(rows.map((row) => [startOf(row), row]));
  const times: number[] = [];
  for (let time = span.from; time < span.to; time += step) times.push(time);
  return {
    times,
    values: (figure: (row: Row) => number | null | undefined) =>
      times.map((time) => {
        const row = byStart.get(time);
        return row ? (figure(row) ?? 0) : 0;
      }),
  };
}
