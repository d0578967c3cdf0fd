import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext, TEST_ORIGIN, type TestContext } from '../helpers/app.ts';
import { createDemoAdmin } from '../../server/admin/demo-admin.ts';
import { PERMISSIONS } from '../../server/domain/roles.ts';
import { engines } from '../helpers/database.ts';
import { login, signedInStaff, TEST_PASSWORD } from './helpers.ts';

describe.each(engines)('admin sessions on %s', (engine) => {
  let context: TestContext;
  beforeEach(async () => {
    context = await createTestContext(engine);
  });
  afterEach(() => context.close());

  it('signs in with the right password and sets an HttpOnly SameSite cookie', async () => {
    const admin = await signedInStaff(context, ['admin']);
    const response = await login(context.app, admin.user.email);
    expect(response.status).toBe(200);
    const cookie = response.headers.get('set-cookie')!;
    expect(cookie).toMatch(/^samtykke_session=[\w-]{40,};/);
    expect(cookie).toContain('HttpOnly');
    expect(cookie).toContain('SameSite=Strict');
    const body = (await response.json()) as { user: { email: string }; permissions: string[]; sites: Array<{ key: string }> };
    expect(body.user.email).toBe(admin.user.email);
    expect(body.permissions).toContain('users.manage');
    expect(body.sites.map((site) => site.key).sort()).toEqual(['app', 'min-bedrift', 'min-side']);
    const me = await admin.get('/api/admin/session');
    expect(me.status).toBe(200);
  });

  it('refuses a wrong password and an unknown email alike', async () => {
    const admin = await signedInStaff(context, ['admin']);
    for (const response of [await login(context.app, admin.user.email, 'wrong password!!'), await login(context.app, 'nobody@example.test')]) {
      expect(response.status).toBe(401);
      expect(((await response.json()) as { error: { code: string } }).error.code).toBe('unauthenticated');
    }
  });

  it("writes failed logins of a known account into its organisation's audit log, in the caller's language", async () => {
    const admin = await signedInStaff(context, ['admin']);
    const wrong = await context.app.request('/api/admin/session/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: TEST_ORIGIN, 'accept-language': 'nb' },
      body: JSON.stringify({ email: admin.user.email, password: 'wrong password!!' }),
    });
    expect(((await wrong.json()) as { error: { message: string } }).error.message).toBe('Feil e-post eller passord');
    await context.database.db.updateTable('users').set({ blocked_at: new Date() }).where('id', '=', admin.user.id).execute();
    expect((await login(context.app, admin.user.email)).status).toBe(403);
    const audit = await context.database.db
      .selectFrom('audit_log')
      .select(['organisation_id', 'user_email', 'action', 'detail', 'client_hash'])
      .where('action', '=', 'login.failed')
      .orderBy('id')
      .execute();
    expect(audit).toEqual([
      { organisation_id: context.demo.organisationId, user_email: admin.user.email, action: 'login.failed', detail: { reason: 'password' }, client_hash: expect.any(String) },
      { organisation_id: context.demo.organisationId, user_email: admin.user.email, action: 'login.failed', detail: { reason: 'blocked' }, client_hash: expect.any(String) },
    ]);
  });

  it('rate-limits repeated login attempts with 429', async () => {
    // At once, as a script would: the limit is taken before the (slow) password check, so timing cannot blur it.
    const responses = await Promise.all(Array.from({ length: 12 }, () => login(context.app, 'guess@example.test', 'not it at all')));
    expect(responses.map((response) => response.status).sort()).toEqual([...Array(10).fill(401), 429, 429]);
  });

  it('rate-limits one address trying many accounts', async () => {
    const responses = await Promise.all(Array.from({ length: 25 }, (_, attempt) => login(context.app, `guess-${attempt}@example.test`, 'not it at all')));
    expect(responses.map((response) => response.status).sort()).toEqual([...Array(20).fill(401), ...Array(5).fill(429)]);
  });

  it('refuses an unauthenticated request with 401', async () => {
    const response = await context.app.request('/api/admin/sites');
    expect(response.status).toBe(401);
  });

  it('refuses a change without the CSRF token and from a foreign origin', async () => {
    const admin = await signedInStaff(context, ['admin']);
    const cookie = (await login(context.app, admin.user.email)).headers.get('set-cookie')!.split(';')[0]!;
    const noToken = await context.app.request('/api/admin/session/logout', { method: 'POST', headers: { cookie, origin: TEST_ORIGIN } });
    expect(noToken.status).toBe(403);
    expect(((await noToken.json()) as { error: { code: string } }).error.code).toBe('csrf_failed');
    const foreign = await context.app.request('/api/admin/session/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: 'https://evil.example' },
      body: JSON.stringify({ email: admin.user.email, password: TEST_PASSWORD }),
    });
    expect(foreign.status).toBe(403);
  });

  it('logs out: the session cookie no longer works', async () => {
    const analyst = await signedInStaff(context, ['analyst']);
    expect((await analyst.send('POST', '/api/admin/session/logout')).status).toBe(204);
    expect((await analyst.get('/api/admin/session')).status).toBe(401);
  });

  it('blocking a user ends their open session on the next request and refuses new logins', async () => {
    const admin = await signedInStaff(context, ['admin']);
    const analyst = await signedInStaff(context, ['analyst']);
    expect((await analyst.get('/api/admin/session')).status).toBe(200);
    const blocked = await admin.send('PUT', `/api/admin/users/${analyst.user.id}/blocked`, { blocked: true });
    expect(blocked.status).toBe(200);
    expect((await analyst.get('/api/admin/session')).status).toBe(401);
    expect((await login(context.app, analyst.user.email)).status).toBe(403);
    const audit = await context.database.db.selectFrom('audit_log').select(['action', 'target', 'user_email']).where('action', '=', 'user.block').execute();
    expect(audit).toEqual([{ action: 'user.block', target: analyst.user.email, user_email: admin.user.email }]);
  });

  it('creates the demo admin once, with a password that signs in to every page', async () => {
    const credentials = await createDemoAdmin(context.database.db, context.demo.organisationId);
    expect(credentials?.email).toBe('admin@demo.samtykke.local');
    const response = await login(context.app, credentials!.email, credentials!.password);
    expect(response.status).toBe(200);
    // The admin may do everything there is.
    expect(((await response.json()) as { permissions: string[] }).permissions.sort()).toEqual([...PERMISSIONS].sort());
    expect(await createDemoAdmin(context.database.db, context.demo.organisationId)).toBeNull();
  });
});
