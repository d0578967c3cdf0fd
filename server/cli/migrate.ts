/** `samtykke migrate`: the schema is brought up to date before every command, so this only reports it. */
import { sql } from 'kysely';
import type { CliCommand } from './command.ts';

export const migrateCommand = {
  summary: 'bring the database schema up to date',
  usage: 'migrate',
  help: 'Every command migrates first; this one only says how far the schema is.',
  options: {},
  async run(db) {
    const { rows } = await sql<{ name: string }>`select name from kysely_migration order by name`.execute(db);
    console.log(`Database schema is up to date (${rows.length} migrations applied, newest ${rows.at(-1)?.name}).`);
    return 0;
  },
} satisfies CliCommand;
