/** The `samtykke` command: `npm run samtykke -- <command> [options]`. Exit code 0 done, 2 wrong input, 1 failed. */
import { parseArgs } from 'node:util';
import { ConfigError, loadConfig } from '../config.ts';
import { createDb } from '../db/create.ts';
import { DataDirInUseError } from '../db/data-dir-lock.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { InputError, UsageError, type CliCommand, type OptionValues } from './command.ts';
import { migrateCommand } from './migrate.ts';
import { orgAddCommand, orgListCommand } from './org.ts';
import { siteArchiveCommand, siteOriginsCommand, siteRestoreCommand } from './site-changes.ts';
import { siteAddCommand, siteListCommand } from './site.ts';
import { scanCommand } from './scan.ts';
import { userAddCommand } from './user.ts';
import { verifyCommand } from './verify.ts';

// In the order a new installation needs them.
const commands: Record<string, CliCommand> = {
  'org add': orgAddCommand,
  'org list': orgListCommand,
  'user add': userAddCommand,
  'site add': siteAddCommand,
  'site list': siteListCommand,
  'site origins': siteOriginsCommand,
  'site archive': siteArchiveCommand,
  'site restore': siteRestoreCommand,
  verify: verifyCommand,
  scan: scanCommand,
  migrate: migrateCommand,
};

const INVOCATION = 'npm run samtykke --';

function help(): string {
  const width = Math.max(...Object.keys(commands).map((name) => name.length));
  const lines = Object.entries(commands).map(([name, command]) => `  ${name.padEnd(width)}  ${command.summary}`);
  return `Usage: ${INVOCATION} <command> [options]\n\nCommands:\n${lines.join('\n')}\n\nRun ${INVOCATION} <command> --help for its options.`;
}

function usageLine(command: CliCommand): string {
  return `Usage: ${INVOCATION} ${command.usage}`;
}

function unknownCommand(words: readonly string[]): string {
  const [first = '', second] = words;
  const group = Object.keys(commands).filter((name) => name.startsWith(`${first} `));
  if (group.length === 0) return `Unknown command "${first}".\n\n${help()}`;
  const named = second === undefined ? `"${first}" needs one more word` : `Unknown command "${first} ${second}"`;
  return `${named}: the ${first} commands are ${group.join(', ')}.\nRun ${INVOCATION} ${group[0]} --help for its options.`;
}

/** Commands are one word (`verify`) or two (`site add`); the rest of the line is the command's own. */
function findCommand(argv: readonly string[]): { name: string; command: CliCommand; rest: string[] } | null {
  for (const length of [2, 1]) {
    const name = argv.slice(0, length).join(' ');
    const command = argv.length >= length && Object.hasOwn(commands, name) ? commands[name] : undefined;
    if (command) return { name, command, rest: argv.slice(length) };
  }
  return null;
}

function parseInput(name: string, command: CliCommand, args: string[]): { values: OptionValues; positionals: string[] } {
  const expected = command.positionals ?? [];
  let parsed: { values: OptionValues; positionals: string[] };
  try {
    parsed = parseArgs({ args, options: command.options, strict: true, allowPositionals: expected.length > 0 }) as typeof parsed;
  } catch (error) {
    throw new UsageError((error as Error).message);
  }
  const { positionals } = parsed;
  if (positionals.length < expected.length) throw new UsageError(`${name} needs ${expected.slice(positionals.length).join(' ')}`);
  if (positionals.length > expected.length) {
    throw new UsageError(`Unexpected argument "${positionals[expected.length]}" (put quotes around a value with spaces in it)`);
  }
  return parsed;
}

async function run(name: string, command: CliCommand, rest: string[]): Promise<number> {
  // Input is checked before the database is opened, so a typo never waits for (or on) a locked data folder.
  const { values, positionals } = parseInput(name, command, rest);
  const config = loadConfig();
  const offline = command.offline?.(values, { config, positionals });
  if (offline) return offline();
  const db = await createDb(config.database, `samtykke ${name}`);
  try {
    await migrateToLatest(db);
    return await command.run(db, values, { config, positionals });
  } finally {
    await db.destroy();
  }
}

async function main(argv: string[]): Promise<number> {
  const [first] = argv;
  if (first === undefined || first === '--help' || first === '-h' || first === 'help') {
    (first === undefined ? console.error : console.log)(help());
    return first === undefined ? 2 : 0;
  }
  const found = findCommand(argv);
  if (!found) {
    console.error(unknownCommand(argv));
    return 2;
  }
  const { name, command, rest } = found;
  if (rest.includes('--help') || rest.includes('-h')) {
    const summary = `${command.summary.charAt(0).toUpperCase()}${command.summary.slice(1)}.`;
    console.log(`${usageLine(command)}\n\n${summary}\n\n${command.help}`);
    return 0;
  }
  try {
    return await run(name, command, rest);
  } catch (error) {
    // What the person can act on is said without a stack trace; anything else is a failure worth its trace.
    if (error instanceof UsageError) console.error(`${error.message}\n${usageLine(command)}`);
    else if (error instanceof InputError || error instanceof DataDirInUseError || error instanceof ConfigError) console.error(error.message);
    else throw error;
    return error instanceof InputError ? 2 : 1;
  }
}

// Ctrl-C (at the password prompt, say) leaves through 'exit', where the data folder's lock is removed rather than left stale.
process.once('SIGINT', () => process.exit(130));
process.exitCode = await main(process.argv.slice(2));
