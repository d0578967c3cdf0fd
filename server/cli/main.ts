/** The `samtykke` command: `npm run samtykke -- <command> [options]`. */
import { parseArgs } from 'node:util';
import { loadConfig } from '../config.ts';
import { createDb, type Db } from '../db/create.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { migrateCommand } from './migrate.ts';
import { userCommand } from './user.ts';
import { verifyCommand } from './verify.ts';

export interface CliCommand {
  readonly summary: string;
  readonly usage: string;
  readonly options: NonNullable<Parameters<typeof parseArgs>[0]>['options'];
  run(db: Db, values: Record<string, string | boolean | undefined>): Promise<number>;
}

const commands: Record<string, CliCommand> = {
  migrate: migrateCommand,
  verify: verifyCommand,
  'user add': userCommand,
};

function help(): string {
  const lines = Object.values(commands).map((command) => `  ${command.usage.padEnd(48)} ${command.summary}`);
  return `Usage: npm run samtykke -- <command>\n\nCommands:\n${lines.join('\n')}`;
}

async function main(argv: string[]): Promise<number> {
  const [first, second] = argv;
  if (!first || first === '--help' || first === 'help') {
    console.log(help());
    return first ? 0 : 2;
  }
  // Commands are one word (`verify`) or two (`user add`).
  const name = second !== undefined && `${first} ${second}` in commands ? `${first} ${second}` : first;
  const rest = argv.slice(name.split(' ').length);
  const command = commands[name];
  if (!command) {
    console.error(`Unknown command "${name}".\n\n${help()}`);
    return 2;
  }
  let values: Record<string, string | boolean | undefined>;
  try {
    ({ values } = parseArgs({ args: rest, options: command.options, strict: true }) as { values: Record<string, string | boolean | undefined> });
  } catch (error) {
    console.error(`${(error as Error).message}\nUsage: npm run samtykke -- ${command.usage}`);
    return 2;
  }
  const db = await createDb(loadConfig().database);
  try {
    await migrateToLatest(db);
    return await command.run(db, values);
  } finally {
    await db.destroy();
  }
}

process.exitCode = await main(process.argv.slice(2));
