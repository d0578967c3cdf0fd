/** Figures a benchmark run measured: printed as a table beside the floor they are compared with, and kept as JSON. */
import os from 'node:os';

export interface Target {
  /** `min`: the figure must reach the value; `max`: it must not exceed it. */
  readonly kind: 'min' | 'max';
  readonly value: number;
  /** `ratio` compares the figure's ratio to the floor instead of the figure itself. */
  readonly of: 'value' | 'ratio';
}

export interface Figure {
  /** A stable dotted name for JSON readers, e.g. "postgres.events.stored_per_s". */
  readonly key: string;
  readonly label: string;
  readonly value: number;
  readonly unit: string;
  /** The figure divided by the same figure of the floor measured in this run. */
  readonly ratio?: number;
  readonly target?: Target;
}

/** Rows too many to be figures each, e.g. every step of a search or every window of a hold; printed after the figures. */
export interface ReportTable {
  readonly key: string;
  readonly title: string;
  readonly columns: readonly string[];
  readonly rows: ReadonlyArray<ReadonlyArray<string | number>>;
  /** False keeps a table for BENCH_JSON only, out of the printed report. */
  readonly printed?: boolean;
}

export interface ScenarioReport {
  readonly settings: Record<string, string | number | boolean | readonly string[]>;
  readonly figures: Figure[];
  readonly tables?: ReportTable[];
  /** Lines printed under the table: which database was used, quoted reference figures, caveats. */
  readonly notes: string[];
}

export function targetMet(figure: Figure): boolean | null {
  const { target } = figure;
  if (!target) return null;
  const actual = target.of === 'ratio' ? figure.ratio : figure.value;
  if (actual === undefined) return false;
  return target.kind === 'min' ? actual >= target.value : actual <= target.value;
}

function formatNumber(value: number): string {
  if (Number.isInteger(value)) return value.toLocaleString('en-US');
  return value.toLocaleString('en-US', { maximumFractionDigits: Math.abs(value) < 10 ? 2 : 0 });
}

function formatTarget(target: Target): string {
  const sign = target.kind === 'min' ? '≥' : '≤';
  return target.of === 'ratio' ? `${sign} ${target.value}× floor` : `${sign} ${formatNumber(target.value)}`;
}

function alignedRows(header: readonly string[], rows: ReadonlyArray<readonly string[]>, rightAligned: (column: number) => boolean): string[] {
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column]?.length ?? 0)));
  const line = (cells: readonly string[]) =>
    widths.map((width, column) => (rightAligned(column) ? (cells[column] ?? '').padStart(width) : (cells[column] ?? '').padEnd(width))).join('  ').trimEnd();
  return [line(header), line(widths.map((width) => '-'.repeat(width))), ...rows.map(line)];
}

function formatReportTable(table: ReportTable): string[] {
  const rows = table.rows.map((row) => row.map((cell) => (typeof cell === 'number' ? formatNumber(cell) : cell)));
  // Numbers read best right-aligned; a column is numeric when its first row's cell is.
  const numeric = (column: number) => typeof table.rows[0]?.[column] === 'number';
  return ['', `-- ${table.title}`, ...alignedRows(table.columns, rows, numeric)];
}

/** One scenario's figures as an aligned text table. */
export function formatTable(name: string, report: ScenarioReport): string {
  const header = ['figure', 'value', '× floor', 'target'];
  const rows = report.figures.map((figure) => {
    const met = targetMet(figure);
    return [
      figure.label,
      `${formatNumber(figure.value)} ${figure.unit}`.trim(),
      figure.ratio === undefined ? '' : `${figure.ratio.toFixed(2)}×`,
      figure.target ? `${formatTarget(figure.target)} ${met ? 'met' : 'MISSED'}` : '',
    ];
  });
  const settings = Object.entries(report.settings)
    .map(([key, value]) => `${key}=${Array.isArray(value) ? value.join(',') : String(value)}`)
    .join(' ');
  return [
    `== ${name} (${settings})`,
    ...alignedRows(header, rows, (column) => column === 1),
    ...(report.tables ?? []).filter((table) => table.printed !== false).flatMap(formatReportTable),
    ...report.notes.map((note) => `  ${note}`),
  ].join('\n');
}

/** What BENCH_JSON receives: every scenario's figures plus the machine they were measured on. */
export function toJson(reports: Record<string, ScenarioReport>, startedAt: Date): string {
  const scenarios = Object.fromEntries(
    Object.entries(reports).map(([name, report]) => [
      name,
      { ...report, figures: report.figures.map((figure) => ({ ...figure, targetMet: targetMet(figure) })) },
    ]),
  );
  const machine = { cpus: os.cpus().length, node: process.version, platform: `${os.platform()} ${os.release()}`, loadAverage: os.loadavg() };
  return JSON.stringify({ startedAt: startedAt.toISOString(), machine, scenarios }, null, 2);
}
