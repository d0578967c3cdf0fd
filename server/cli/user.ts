/** `samtykke user add`: creates a dashboard user, typically the first admin of an organisation. */
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { passwordProblem } from '../domain/password.ts';
import { isRole, ROLES, type Role } from '../domain/roles.ts';
import { createUser, DuplicateEmailError } from '../queries/users.ts';
import type { CliCommand } from './main.ts';

/** Scripts pass the password here; a person is asked for it instead. */
export const PASSWORD_VARIABLE = 'SAMTYKKE_USER_PASSWORD';

async function promptPassword(question: string): Promise<string> {
  let muted = false;
  const output = new Writable({
    write(chunk, _encoding, callback) {
      if (!muted) process.stdout.write(chunk);
      callback();
    },
  });
  const prompt = createInterface({ input: process.stdin, output, terminal: true });
  try {
    const answer = prompt.question(question);
    muted = true;
    const password = await answer;
    process.stdout.write('\n');
    return password;
  } finally {
    prompt.close();
  }
}

async function readPassword(): Promise<string | null> {
  const fromEnvironment = process.env[PASSWORD_VARIABLE];
  if (fromEnvironment) return fromEnvironment;
  if (!process.stdin.isTTY) return null;
  const password = await promptPassword('Password: ');
  const repeated = await promptPassword('Repeat password: ');
  if (password !== repeated) throw new Error('The passwords differ; nothing was created');
  return password;
}

export const userCommand: CliCommand = {
  summary: 'add a dashboard user (password from a prompt or SAMTYKKE_USER_PASSWORD)',
  usage: 'user add --org ID|NAME --email EMAIL --role admin[,analyst,privacy_officer] [--name NAME]',
  options: { org: { type: 'string' }, email: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' } },
  async run(db, values) {
    const [action] = process.argv.slice(3).filter((argument) => !argument.startsWith('-'));
    if (action !== 'add') {
      console.error(`Usage: npm run samtykke -- ${this.usage}`);
      return 2;
    }
    const { org, email, role, name } = values;
    if (typeof org !== 'string' || typeof email !== 'string' || typeof role !== 'string') {
      console.error(`--org, --email and --role are required.\nUsage: npm run samtykke -- ${this.usage}`);
      return 2;
    }
    const roles = role.split(',').map((value) => value.trim());
    const unknown = roles.filter((value) => !isRole(value));
    if (unknown.length) {
      console.error(`Unknown role ${unknown.join(', ')}; the roles are ${ROLES.join(', ')}`);
      return 2;
    }
    const query = db.selectFrom('organisations').select(['id', 'name']);
    const organisations = await (/^\d+$/.test(org) ? query.where('id', '=', Number(org)) : query.where('name', '=', org)).execute();
    if (organisations.length !== 1) {
      const known = await db.selectFrom('organisations').select(['id', 'name']).orderBy('id').execute();
      console.error(`No organisation "${org}". Known: ${known.map((row) => `${row.id} (${row.name})`).join(', ') || 'none'}`);
      return 2;
    }
    const password = await readPassword();
    if (password === null) {
      console.error(`No terminal to ask for a password; set ${PASSWORD_VARIABLE} instead`);
      return 2;
    }
    const problem = passwordProblem(password);
    if (problem) {
      console.error(problem.en);
      return 2;
    }
    try {
      const user = await createUser(db, {
        organisationId: organisations[0]!.id,
        email,
        name: typeof name === 'string' ? name : email,
        roles: roles as Role[],
        password,
      });
      console.log(`Created ${user.email} (${user.roles.join(', ')}) in ${organisations[0]!.name}; sign in at /dashboard`);
      return 0;
    } catch (error) {
      if (error instanceof DuplicateEmailError) {
        console.error(error.message);
        return 2;
      }
      throw error;
    }
  },
};
