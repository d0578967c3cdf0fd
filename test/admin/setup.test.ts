/** The first run without the demo: the printed one-time token creates the organisation and its first admin, once. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createSetupToken } from '../../server/queries/setup.ts';
import { createBareTestContext, TEST_ORIGIN, type BareTestContext } from '../helpers/app.ts';
import { engines } from '../helpers/database.ts';
import { errorOf } from '../helpers/requests.ts';
import { login } from './helpers.ts';

const admin = { organisation: 'Kunde AS', name: 'Kari Nordmann', email: 'Kari@Kunde.no', password: 'a long enough password' };

describe.each(engines)('first-run setup on %s', (engine) => {
  let context: BareTestContext;
  beforeEach(async () => {
    context = await createBareTestContext(engine);
  });
  afterEach(() => context.close());

  const setup = (body: unknown, language = 'en') =>
    context.app.request('/api/admin/setup', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: TEST_ORIGIN, 'accept-language': language },
      body: JSON.stringify(body),
    });
  const status = async () => (await (await context.app.request('/api/admin/setup')).json()) as { needed: boolean };

  it('creates the organisation and its admin from a valid token, signs the admin in, and then refuses every token', async () => {
    const token = await createSetupToken(context.database.db);
    const spare = await createSetupToken(context.database.db);
    expect(await status()).toEqual({ needed: true });

    const response = await setup({ token, ...admin });
    expect(response.status).toBe(201);
    const session = (await response.json()) as { user: { email: string; roles: string[] }; permissions: string[]; sites: unknown[]; csrfToken: string };
    expect(session.user).toMatchObject({ email: 'kari@kunde.no', roles: ['admin'] });
    expect(session.permissions).toEqual(expect.arrayContaining(['sites.manage', 'users.manage', 'usage.read', 'records.read']));
    expect(session.sites).toEqual([]);
    const cookie = response.headers.get('set-cookie')!.split(';')[0]!;
    expect((await context.app.request('/api/admin/session', { headers: { cookie } })).status).toBe(200);

    const organisations = await context.database.db.selectFrom('organisations').select('name').execute();
    expect(organisations).toEqual([{ name: 'Kunde AS' }]);
    expect((await login(context.app, admin.email, admin.password)).status).toBe(200);
    expect(await status()).toEqual({ needed: false });
    const audit = await context.database.db.selectFrom('audit_log').select(['action', 'target', 'user_email']).orderBy('id').execute();
    expect(audit).toEqual([
      { action: 'setup.complete', target: 'Kunde AS', user_email: 'kari@kunde.no' },
      { action: 'login', target: null, user_email: 'kari@kunde.no' },
    ]);

    for (const used of [token, spare]) {
      const again = await setup({ token: used, ...admin, organisation: 'Inntrenger AS', email: 'x@inntrenger.no' });
      expect(again.status).toBe(409);
      expect(await errorOf(again)).toMatchObject({ code: 'already_set_up', message: expect.stringContaining('sign in') });
    }
    expect(await context.database.db.selectFrom('setup_tokens').selectAll().execute()).toEqual([]);
    expect(await context.database.db.selectFrom('organisations').select('name').execute()).toEqual([{ name: 'Kunde AS' }]);
  });

  it('refuses a wrong token without using up the valid one', async () => {
    const token = await createSetupToken(context.database.db);
    const wrong = await setup({ token: 'not-the-printed-token', ...admin });
    expect(wrong.status).toBe(403);
    expect(await errorOf(wrong)).toMatchObject({ code: 'setup_token_invalid', field: 'token' });
    expect((await setup({ token, ...admin })).status).toBe(201);
  });

  it('lets only one of two concurrent set-ups with different tokens through', async () => {
    const [first, second] = [await createSetupToken(context.database.db), await createSetupToken(context.database.db)];
    const answers = await Promise.all([setup({ token: first, ...admin }), setup({ token: second, ...admin, organisation: 'Andre AS', email: 'b@andre.no' })]);
    expect(answers.map((answer) => answer.status).sort()).toEqual([201, 409]);
    expect(await context.database.db.selectFrom('organisations').select('id').execute()).toHaveLength(1);
  });

  it('names what is wrong with the form in the language the dashboard asks for, and creates nothing', async () => {
    const token = await createSetupToken(context.database.db);
    const short = await setup({ token, ...admin, password: 'short' }, 'nb');
    expect(short.status).toBe(400);
    expect(await errorOf(short)).toEqual({ code: 'invalid_body', field: 'password', message: 'password: Passordet må ha minst 12 tegn' });
    const noName = await setup({ token, ...admin, organisation: '   ' }, 'nb-NO,nb;q=0.9,en;q=0.8');
    expect(await errorOf(noName)).toEqual({ code: 'invalid_body', field: 'organisation', message: 'organisation: må fylles ut' });
    const badEmail = await setup({ token, ...admin, email: 'kari' }, 'en-GB');
    expect(await errorOf(badEmail)).toEqual({ code: 'invalid_body', field: 'email', message: 'email: must be an email address' });
    const missing = await setup({ token }, 'en');
    expect(await errorOf(missing)).toMatchObject({ field: 'organisation', message: 'organisation: is required' });
    const notJson = await context.app.request('/api/admin/setup', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'accept-language': 'nb' },
      body: '{',
    });
    expect(await errorOf(notJson)).toMatchObject({ code: 'invalid_body', message: 'Forespørselen må ha en JSON-kropp' });
    expect(await context.database.db.selectFrom('organisations').selectAll().execute()).toEqual([]);
    expect(await status()).toEqual({ needed: true });
  });

  it('refuses a set-up posted from another site', async () => {
    const token = await createSetupToken(context.database.db);
    const response = await context.app.request('/api/admin/setup', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ token, ...admin }),
    });
    expect(response.status).toBe(403);
    expect((await errorOf(response)).code).toBe('csrf_failed');
  });
});
