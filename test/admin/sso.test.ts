/**
 * Staff sign-in through the organisation's identity provider, against a real OpenID Connect provider (oidc-provider
 * on a local port): the settings API, a sign-in matched to an existing account or creating one, and every refusal.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../server/queries/users.ts';
import { createTestContext, TEST_ORIGIN, type TestContext } from '../helpers/app.ts';
import { engines } from '../helpers/database.ts';
import { passThroughProvider, startOidcProvider, type OidcTestProvider } from '../helpers/oidc-provider.ts';
import { login, signedInStaff, TEST_PASSWORD, type StaffClient } from './helpers.ts';

const CALLBACK = `${TEST_ORIGIN}/api/admin/session/oidc/callback`;
const SECRET = 'a client secret of the test provider';

let provider: OidcTestProvider;

beforeAll(async () => {
  provider = await startOidcProvider({
    clients: [
      { clientId: 'samtykke', clientSecret: SECRET, redirectUris: [CALLBACK] },
      { clientId: 'samtykke-confused', clientSecret: SECRET, redirectUris: [CALLBACK], misbehaviour: { audience: 'intranet' } },
      { clientId: 'samtykke-slow-clock', clientSecret: SECRET, redirectUris: [CALLBACK], misbehaviour: { expiredSecondsAgo: 600 } },
      { clientId: 'intranet', clientSecret: 'the intranet secret', redirectUris: ['http://intranet.test/callback'] },
    ],
    accounts: [
      { login: 'eva', email: 'eva@bedrift.test', emailVerified: true },
      { login: 'kari', email: 'kari@bedrift.test', emailVerified: true, name: 'Kari Nordmann' },
      { login: 'ola', email: 'ola@bedrift.test', emailVerified: false },
      { login: 'blocked', email: 'sperret@bedrift.test', emailVerified: true },
      { login: 'outsider', email: 'per@annen.test', emailVerified: true },
      { login: 'unproven', email: 'nils@gmail.test', emailVerified: false },
    ],
  });
});
afterAll(() => provider?.close());

interface ErrorBody {
  error: { code: string; message: string; field?: string };
}

describe.each(engines)('sign-in through the identity provider on %s', (engine) => {
  let context: TestContext;
  let admin: StaffClient;

  const settings = (changes: Record<string, unknown> = {}) => ({
    enabled: true,
    issuer: provider.issuer,
    clientId: 'samtykke',
    clientSecret: SECRET,
    defaultRole: 'analyst',
    emailDomains: ['bedrift.test'],
    passwordsAllowed: true,
    ...changes,
  });
  const configure = async (changes: Record<string, unknown> = {}) => {
    const response = await admin.send('PUT', '/api/admin/organisation/sso', settings(changes));
    expect(response.status, await response.clone().text()).toBe(200);
  };

  let browsers = 0;
  /**
   * GET /oidc/start from a browser of its own (an address of its own behind the proxy): starts are limited per
   * address, and this file starts more sign-ins than one address may in a minute.
   */
  const startAt = (query: string, address = `192.0.2.${++browsers}`) =>
    context.app.request(`/api/admin/session/oidc/start?${query}`, { headers: { 'x-forwarded-for': address } });

  /** Starts at the sign-in page with an address, signs in at the provider as `account`, and returns our answer. */
  const signInAs = async (account: string, email = 'someone@bedrift.test'): Promise<Response> => {
    const start = await startAt(`email=${encodeURIComponent(email)}`);
    expect(start.status).toBe(302);
    const destination = start.headers.get('location')!;
    if (destination.startsWith('/dashboard/')) return start;
    const attempt = start.headers.get('set-cookie')!.split(';')[0]!;
    const back = await passThroughProvider(destination, account, CALLBACK);
    return context.app.request(back.pathname + back.search, { headers: { cookie: attempt } });
  };
  const failureOf = (response: Response) => new URL(response.headers.get('location')!, TEST_ORIGIN).searchParams.get('sso_error');
  const sessionOf = async (response: Response) => {
    const cookie = response.headers.get('set-cookie')?.match(/samtykke_session=[^;]+/)?.[0];
    expect(cookie, 'a session cookie').toBeDefined();
    return (await (await context.app.request('/api/admin/session', { headers: { cookie: cookie! } })).json()) as { user: { email: string; name: string; roles: string[] } };
  };
  const lastFailure = async () =>
    context.database.db
      .selectFrom('audit_log')
      .select(['user_email', 'detail'])
      .where('action', '=', 'login.failed')
      .orderBy('id', 'desc')
      .executeTakeFirstOrThrow();

  beforeAll(async () => {
    context = await createTestContext(engine, { SAMTYKKE_TRUST_PROXY: 'true' });
    admin = await signedInStaff(context, ['admin']);
  });
  afterAll(() => context?.close());

  describe('settings', () => {
    it('shows the redirect URI to register before anything is saved', async () => {
      const response = await admin.get('/api/admin/organisation/sso');
      expect(response.status).toBe(200);
      expect(await response.json()).toMatchObject({ configured: false, enabled: false, clientSecretSet: false, redirectUri: CALLBACK, passwordsAllowed: true });
    });

    it('saves the provider, never answers with the secret, keeps it when not given, and audits the change', async () => {
      await configure();
      const shown = (await (await admin.get('/api/admin/organisation/sso')).json()) as Record<string, unknown>;
      expect(shown).toMatchObject({ configured: true, enabled: true, issuer: provider.issuer, clientId: 'samtykke', clientSecretSet: true, defaultRole: 'analyst', emailDomains: ['bedrift.test'] });
      expect(JSON.stringify(shown)).not.toContain(SECRET);
      const { clientSecret: _, ...withoutSecret } = settings();
      const kept = await admin.send('PUT', '/api/admin/organisation/sso', withoutSecret);
      expect(kept.status, await kept.clone().text()).toBe(200);
      const audit = await context.database.db.selectFrom('audit_log').select(['detail']).where('action', '=', 'sso.update').orderBy('id').execute();
      expect(audit.map((row) => row.detail?.clientSecretChanged)).toEqual([true, false]);
      expect(JSON.stringify(audit)).not.toContain(SECRET);
      // The kept secret still works at the provider.
      expect((await signInAs('eva')).headers.get('location')).toBe('/dashboard/');
    });

    it('is for admins only', async () => {
      const analyst = await signedInStaff(context, ['analyst']);
      expect((await analyst.get('/api/admin/organisation/sso')).status).toBe(403);
      expect((await analyst.send('PUT', '/api/admin/organisation/sso', settings())).status).toBe(403);
    });

    it('refuses bad settings with 400 naming the field', async () => {
      const cases: Array<[Record<string, unknown>, string]> = [
        [{ issuer: 'http://login.bedrift.test' }, 'issuer'],
        [{ issuer: 'not a url' }, 'issuer'],
        [{ clientId: '' }, 'clientId'],
        [{ defaultRole: 'owner' }, 'defaultRole'],
        [{ emailDomains: ['@bedrift.test'] }, 'emailDomains.0'],
        [{ enabled: false, passwordsAllowed: false }, 'passwordsAllowed'],
        [{ clientSecret: 42 }, 'clientSecret'],
        [{ surprise: true }, ''],
        // Switched on, the provider must answer: nothing listens on port 9 of this machine.
        [{ issuer: 'http://127.0.0.1:9' }, 'issuer'],
      ];
      for (const [changes, field] of cases) {
        const response = await admin.send('PUT', '/api/admin/organisation/sso', settings(changes));
        expect(response.status, JSON.stringify(changes)).toBe(400);
        const body = (await response.json()) as ErrorBody;
        expect(body.error.code).toBe('invalid_body');
        if (field) expect(body.error.field, JSON.stringify(changes)).toBe(field);
      }
    });

    it('refuses an email domain another organisation signs in already', async () => {
      const other = await context.database.db.insertInto('organisations').values({ name: 'Annen AS' }).returning('id').executeTakeFirstOrThrow();
      const otherAdmin = await signedInStaff(context, ['admin'], other.id);
      const response = await otherAdmin.send('PUT', '/api/admin/organisation/sso', settings({ emailDomains: ['annen.test', 'bedrift.test'] }));
      expect(response.status).toBe(409);
      expect(((await response.json()) as ErrorBody).error).toMatchObject({ code: 'conflict', field: 'emailDomains' });
    });
  });

  describe('signing in', () => {
    beforeAll(() => configure());

    it('sends the browser to the provider with PKCE (S256), state and nonce, and a short-lived Lax cookie', async () => {
      const start = await startAt('email=kari%40bedrift.test');
      expect(start.status).toBe(302);
      const destination = new URL(start.headers.get('location')!);
      expect(destination.origin).toBe(provider.issuer);
      const params = destination.searchParams;
      expect(params.get('client_id')).toBe('samtykke');
      expect(params.get('redirect_uri')).toBe(CALLBACK);
      expect(params.get('code_challenge_method')).toBe('S256');
      expect(params.get('code_challenge')).toMatch(/^[\w-]{43}$/);
      expect(params.get('state')).toMatch(/^[\w-]{20,}$/);
      expect(params.get('nonce')).toMatch(/^[\w-]{20,}$/);
      expect(params.get('login_hint')).toBe('kari@bedrift.test');
      const cookie = start.headers.get('set-cookie')!;
      expect(cookie).toMatch(/^samtykke_oidc=[\w-]+;/);
      expect(cookie).toContain('HttpOnly');
      expect(cookie).toContain('SameSite=Lax');
      expect(cookie).toContain('Path=/api/admin/session/oidc');
    });

    it('creates an account with the default role on the first sign-in, and matches it by email afterwards', async () => {
      const first = await signInAs('kari');
      expect(first.headers.get('location')).toBe('/dashboard/');
      expect((await sessionOf(first)).user).toMatchObject({ email: 'kari@bedrift.test', name: 'Kari Nordmann', roles: ['analyst'] });
      await configure({ defaultRole: 'privacy_officer' });
      const again = await signInAs('kari');
      // The same account: its roles are the admin's to change, not the default's.
      expect((await sessionOf(again)).user.roles).toEqual(['analyst']);
      const users = await context.database.db.selectFrom('users').select('email').where('email', '=', 'kari@bedrift.test').execute();
      expect(users).toHaveLength(1);
      const audit = await context.database.db
        .selectFrom('audit_log')
        .select(['action', 'user_email', 'detail'])
        .where('user_email', '=', 'kari@bedrift.test')
        .where('action', 'in', ['user.create', 'login'])
        .orderBy('id')
        .execute();
      expect(audit.map((row) => row.action)).toEqual(['user.create', 'login', 'login']);
      expect(audit[1]!.detail).toEqual({ method: 'oidc', issuer: provider.issuer });
      await configure();
    });

    it('signs an existing account in with its own roles, by an address the provider did not mark verified in a listed domain', async () => {
      await createUser(context.database.db, { organisationId: context.demo.organisationId, email: 'ola@bedrift.test', name: 'Ola', roles: ['admin'], password: TEST_PASSWORD });
      const response = await signInAs('ola');
      expect((await sessionOf(response)).user).toMatchObject({ email: 'ola@bedrift.test', roles: ['admin'] });
    });

    it('refuses an ID token issued to another client (wrong audience)', async () => {
      await configure({ clientId: 'samtykke-confused' });
      const response = await signInAs('kari');
      expect(failureOf(response)).toBe('token_invalid');
      expect(response.headers.get('set-cookie') ?? '').not.toContain('samtykke_session=');
      expect((await lastFailure()).detail).toMatchObject({ method: 'oidc', reason: 'token_invalid', problem: expect.stringContaining('"aud" (audience)') });
      await configure();
    });

    it('refuses an expired ID token', async () => {
      await configure({ clientId: 'samtykke-slow-clock' });
      const response = await signInAs('kari');
      expect(failureOf(response)).toBe('token_invalid');
      expect(response.headers.get('set-cookie') ?? '').not.toContain('samtykke_session=');
      expect((await lastFailure()).detail).toMatchObject({ reason: 'token_invalid', problem: expect.stringContaining('"exp"') });
      await configure();
    });

    it('refuses a blocked user', async () => {
      const user = await createUser(context.database.db, { organisationId: context.demo.organisationId, email: 'sperret@bedrift.test', name: 'Sperret', roles: ['analyst'], password: TEST_PASSWORD });
      await context.database.db.updateTable('users').set({ blocked_at: new Date() }).where('id', '=', user.id).execute();
      const response = await signInAs('blocked');
      expect(failureOf(response)).toBe('blocked');
      expect(response.headers.get('set-cookie') ?? '').not.toContain('samtykke_session=');
      expect(await lastFailure()).toEqual({ user_email: 'sperret@bedrift.test', detail: { method: 'oidc', reason: 'blocked' } });
    });

    it("refuses an address the provider does not vouch for, and another organisation's account", async () => {
      expect(failureOf(await signInAs('unproven'))).toBe('email_unverified');
      const other = await context.database.db.insertInto('organisations').values({ name: 'Tredje AS' }).returning('id').executeTakeFirstOrThrow();
      await createUser(context.database.db, { organisationId: other.id, email: 'per@annen.test', name: 'Per', roles: ['admin'], password: TEST_PASSWORD });
      expect(failureOf(await signInAs('outsider'))).toBe('other_organisation');
    });

    it('refuses a callback this browser did not start, and the same callback twice', async () => {
      const start = await startAt('email=kari%40bedrift.test');
      const attempt = start.headers.get('set-cookie')!.split(';')[0]!;
      const back = await passThroughProvider(start.headers.get('location')!, 'kari', CALLBACK);
      const path = back.pathname + back.search;
      // Another browser (an attacker's link to the victim): no attempt cookie.
      expect(failureOf(await context.app.request(path))).toBe('attempt_expired');
      // The attempt was not used up by that: its own browser still signs in, once.
      expect((await context.app.request(path, { headers: { cookie: attempt } })).headers.get('location')).toBe('/dashboard/');
      expect(failureOf(await context.app.request(path, { headers: { cookie: attempt } }))).toBe('attempt_expired');
    });

    it('sends an address no provider signs in back to the sign-in page, and refuses a malformed one with 400', async () => {
      const unknown = await startAt('email=someone%40nowhere.test');
      expect(unknown.headers.get('location')).toBe('/dashboard/?sso_error=no_provider');
      const malformed = await startAt('email=not-an-address');
      expect(malformed.status).toBe(400);
      expect(((await malformed.json()) as ErrorBody).error).toMatchObject({ code: 'invalid_query', field: 'email' });
      // One address starting sign-in after sign-in (each a row and a question to the provider) is slowed down.
      const flood: number[] = [];
      for (let i = 0; i < 11; i++) flood.push((await startAt('email=someone%40nowhere.test', '198.51.100.7')).status);
      expect(flood).toEqual([...Array(10).fill(302), 429]);
    });

    it('with local passwords off, refuses password login with a pointer to the provider, which still signs in', async () => {
      const colleague = await createUser(context.database.db, {
        organisationId: context.demo.organisationId,
        email: 'kollega@bedrift.test',
        name: 'Kollega',
        roles: ['analyst'],
        password: TEST_PASSWORD,
      });
      await configure({ passwordsAllowed: false });
      const refused = await context.app.request('/api/admin/session/login', {
        method: 'POST',
        headers: { 'content-type': 'application/json', origin: TEST_ORIGIN, 'accept-language': 'nb' },
        body: JSON.stringify({ email: colleague.email, password: TEST_PASSWORD }),
      });
      expect(refused.status).toBe(403);
      expect(((await refused.json()) as ErrorBody).error.message).toContain('Fortsett med jobbkontoen');
      expect((await lastFailure()).detail).toEqual({ reason: 'password_disabled' });
      expect((await signInAs('kari')).headers.get('location')).toBe('/dashboard/');
      // Switched off, the provider signs no one in and passwords work again.
      await configure({ enabled: false, passwordsAllowed: true });
      expect((await login(context.app, colleague.email)).status).toBe(200);
      expect(failureOf(await startAt('email=kari%40bedrift.test'))).toBe('no_provider');
      await configure();
    });
  });
});
