/** What a benchmark scenario is: a name in bench/main.ts, its command-line options, and a run that returns figures. */
import type { ParseArgsConfig } from 'node:util';
import type { ScenarioReport } from './report.ts';

export type OptionValues = Record<string, string | boolean | undefined>;

/** The environment bench/main.ts read once, so scenarios never touch process.env. */
export interface BenchEnv {
  /** DATABASE_URL, when set. */
  readonly databaseUrl: string | undefined;
}

export interface Scenario {
  readonly summary: string;
  /** Option lines for `npm run bench -- --help`. */
  readonly help: readonly string[];
  readonly options: NonNullable<ParseArgsConfig['options']>;
  run(values: OptionValues, env: BenchEnv): Promise<ScenarioReport>;
}

export class UsageError extends Error {
  override name = 'UsageError';
}

export function positiveInteger(values: OptionValues, name: string, fallback: number, min = 1): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || !Number.isInteger(value) || value < min) {
    throw new UsageError(`--${name} must be a whole number of at least ${min}, got "${String(raw)}"`);
  }
  return value;
}

export function positiveNumber(values: OptionValues, name: string, fallback: number): number {
  const raw = values[name];
  if (raw === undefined) return fallback;
  const value = Number(raw);
  if (typeof raw !== 'string' || !Number.isFinite(value) || value <= 0) {
    throw new UsageError(`--${name} must be a number above 0, got "${String(raw)}"`);
  }
  return value;
}
