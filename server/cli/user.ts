/** `samtykke user add`: creates a dashboard user, typically the first admin of an organisation. */
import { createInterface } from 'node:readline/promises';
import { Writable } from 'node:stream';
import { MIN_PASSWORD_LENGTH, passwordProblem } from '../domain/password.ts';
import { isRole, ROLES, type Role } from '../domain/roles.ts';
import { createUser, DuplicateEmailError } from '../queries/users.ts';
import { InputError, requiredOptions, stringOption, type CliCommand } from './command.ts';
import { namedOrganisation } from './lookups.ts';

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
  } catch (error) {
    if ((error as { code?: string }).code === 'ABORT_ERR') throw new InputError('\nCancelled at the password prompt; nothing was created');
    throw error;
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
  if (password !== repeated) throw new InputError('The passwords differ; nothing was created');
  return password;
}

export const userAddCommand = {
  summary: 'add a dashboard user (password from a prompt or SAMTYKKE_USER_PASSWORD)',
  usage: 'user add --org ID|NAME --email EMAIL --role admin[,analyst,privacy_officer] [--name NAME]',
  help: [
    '--org    the organisation, by id or exact name (org list shows them)',
    `--role   one or more of ${ROLES.join(', ')}, separated by commas`,
    '--name   the name the dashboard shows; the email when absent',
    '',
    `The password (at least ${MIN_PASSWORD_LENGTH} characters) is asked for twice; scripts set ${PASSWORD_VARIABLE} instead.`,
  ].join('\n'),
  options: { org: { type: 'string' }, email: { type: 'string' }, role: { type: 'string' }, name: { type: 'string' } },
  async run(db, values) {
    const { org, email, role } = requiredOptions(values, ['org', 'email', 'role']);
    const roles = role.split(',').map((value) => value.trim());
    const unknown = roles.filter((value) => !isRole(value));
    if (unknown.length) throw new InputError(`Unknown role ${unknown.join(', ')}; the roles are ${ROLES.join(', ')}`);
    const organisation = await namedOrganisation(db, org);
    const password = await readPassword();
    if (password === null) throw new InputError(`No terminal to ask for a password; set ${PASSWORD_VARIABLE} instead`);
    const problem = passwordProblem(password);
    if (problem) throw new InputError(problem.en);
    try {
      const user = await createUser(db, {
        organisationId: organisation.id,
        email,
        name: stringOption(values, 'name') ?? email,
        roles: roles as Role[],
        password,
      });
      console.log(`Created ${user.email} (${user.roles.join(', ')}) in ${organisation.name}; sign in at /dashboard`);
      return 0;
    } catch (error) {
      if (error instanceof DuplicateEmailError) throw new InputError(error.message);
      throw error;
    }
  },
} satisfies CliCommand;
