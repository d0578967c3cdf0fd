/** `samtykke org add`, `org list` and `user add`, run as the real command on a database of their own. */
import { afterEach, describe, expect, it } from 'vitest';
import { verifyPassword } from '../../server/domain/password.ts';
import { createOrganisation, listOrganisations } from '../../server/queries/organisation.ts';
import { createSite } from '../../server/queries/sites.ts';
import { createUser, findLoginCandidate, listUsers } from '../../server/queries/users.ts';
import { engines } from '../helpers/database.ts';
import { CLI_PASSWORD, createCliDatabase, type CliDatabase } from './cli-process.ts';
import { seededCliDatabase, tableRows } from './fixtures.ts';

describe.each(engines)('samtykke org and user commands on %s', (engine) => {
  let database: CliDatabase;
  afterEach(() => database.drop());

  it('creates an organisation, refuses an empty, numeric or duplicate name, and lists organisations with their counts', async () => {
    database = await createCliDatabase(engine);
    expect(await database.run('org', 'list')).toMatchObject({ code: 0, stdout: expect.stringContaining('No organisations yet') });

    const created = await database.run('org', 'add', 'Kunde AS');
    expect(created.code).toBe(0);
    expect(created.stdout).toContain('Created organisation 1 (Kunde AS)');
    expect(created.stdout).toContain('npm run samtykke -- user add --org 1 --email EMAIL --role admin');

    expect(await database.run('org', 'add', '   ')).toMatchObject({ code: 2, stderr: expect.stringContaining('An organisation needs a name') });
    expect(await database.run('org', 'add', ' kunde as ')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('An organisation named "Kunde AS" exists already (id 1)'),
    });
    expect(await database.run('org', 'add', '42')).toMatchObject({ code: 2, stderr: expect.stringContaining('"42" would read as an id in --org') });

    await database.inspect(async (db) => {
      expect((await listOrganisations(db)).map((organisation) => organisation.name)).toEqual(['Kunde AS']);
      const other = await createOrganisation(db, 'Annen AS');
      for (const key of ['a', 'b']) await createSite(db, { organisationId: 1, key, name: key, surface: 'web', allowedOrigins: [] });
      await createUser(db, { organisationId: other.id, email: 'x@annen.no', name: 'X', roles: ['analyst'], password: CLI_PASSWORD });
    });
    const listed = await database.run('org', 'list');
    expect(listed.code).toBe(0);
    expect(tableRows(listed.stdout)).toEqual([
      ['ID', 'NAME', 'SITES', 'USERS'],
      ['1', 'Kunde AS', '2', '0'],
      ['2', 'Annen AS', '0', '1'],
    ]);
  });

  it('adds a user to an organisation named by name or id, with the password from the environment', async () => {
    database = await seededCliDatabase(engine, { withSite: false });
    const add = (...args: string[]) => database.run('user', 'add', ...args);

    const created = await add('--org', 'Kunde AS', '--email', 'Sjef@Kunde.no', '--role', 'admin,privacy_officer');
    expect(created).toMatchObject({ code: 0, stdout: expect.stringContaining('Created sjef@kunde.no (admin, privacy_officer) in Kunde AS') });
    expect(await add('--org', '1', '--email', 'sjef@kunde.no', '--role', 'admin')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('A user with the email sjef@kunde.no already exists'),
    });
    expect(await add('--org', 'Kunde AS', '--email', 'x@kunde.no', '--role', 'owner')).toMatchObject({ code: 2, stderr: expect.stringContaining('Unknown role owner') });
    expect(await add('--org', 'Ukjent', '--email', 'x@kunde.no', '--role', 'admin')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('No organisation "Ukjent". Known: 1 (Kunde AS)'),
    });

    await database.inspect(async (db) => {
      expect(await listUsers(db, 1)).toMatchObject([{ email: 'sjef@kunde.no', roles: ['admin', 'privacy_officer'] }]);
      const login = await findLoginCandidate(db, 'sjef@kunde.no');
      expect(await verifyPassword(CLI_PASSWORD, login!.passwordHash)).toBe(true);
    });
  });
});
