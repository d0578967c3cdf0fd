/** What a `samtykke` command is, what it is handed, and how it says that what the person typed is wrong. */
import type { ParseArgsConfig } from 'node:util';
import type { Config } from '../config.ts';
import type { Db } from '../db/create.ts';

/** Parsed options: a string, a flag, or for a `multiple` option every value given. */
export type OptionValues = Record<string, string | boolean | string[] | undefined>;

/** What a command may need beyond the database and its options. */
export interface CommandContext {
  readonly config: Config;
  /** Exactly as many as the command's `positionals` names: the dispatcher checks the count. */
  readonly positionals: readonly string[];
}

export interface CliCommand {
  /** One line for the command list. */
  readonly summary: string;
  /** The command as a person types it, e.g. `site origins KEY [--add ORIGIN ...]`. */
  readonly usage: string;
  /** Shown by `<command> --help` under the usage line: what the options mean and what happens. */
  readonly help: string;
  readonly options: NonNullable<ParseArgsConfig['options']>;
  /** The names of the command's positional arguments, in order, all required; most commands take none. */
  readonly positionals?: readonly string[];
  /**
   * The exit code: 0 done, 1 failed. Input the person can fix is thrown as an InputError. Commands are declared
   * `satisfies CliCommand`, so one that needs no context takes two parameters and a test calls it with two.
   */
  run(db: Db, values: OptionValues, context: CommandContext): Promise<number>;
  /**
   * For a command that can also work on files alone (`verify --export`): what it runs then, with no database
   * opened, or null when these options need the database.
   */
  readonly offline?: (values: OptionValues, context: CommandContext) => (() => Promise<number>) | null;
}

/** Something the person typed is wrong or names nothing: printed without a stack trace, exit code 2. */
export class InputError extends Error {
  constructor(message: string) {
    super(message);
    this.name = 'InputError';
  }
}

/** An InputError the command's usage line helps with, such as a missing option: printed with it. */
export class UsageError extends InputError {
  constructor(message: string) {
    super(message);
    this.name = 'UsageError';
  }
}

export function stringOption(values: OptionValues, name: string): string | undefined {
  const value = values[name];
  return typeof value === 'string' ? value : undefined;
}

/** The named string options, or a UsageError naming every one that is missing, so one run shows them all. */
export function requiredOptions<const Name extends string>(values: OptionValues, names: readonly Name[]): Record<Name, string> {
  const missing = names.filter((name) => stringOption(values, name) === undefined).map((name) => `--${name}`);
  if (missing.length === 1) throw new UsageError(`${missing[0]} is required`);
  if (missing.length > 1) throw new UsageError(`${missing.slice(0, -1).join(', ')} and ${missing.at(-1)} are required`);
  return Object.fromEntries(names.map((name) => [name, stringOption(values, name)])) as Record<Name, string>;
}

/** Every value of a `multiple: true` option, in the order given; none when it is absent. */
export function listOption(values: OptionValues, name: string): string[] {
  const value = values[name];
  return Array.isArray(value) ? value : [];
}
