import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganisation } from '../../server/queries/organisation.ts';
import { createTestContext, type TestContext } from '../helpers/app.ts';
import { engines } from '../helpers/database.ts';
import { errorOf } from '../helpers/requests.ts';
import { signedInStaff, type StaffClient } from './helpers.ts';

interface ListedKey {
  id: number;
  name: string;
  prefix: string;
  scopes: string[];
  siteId: number | null;
  expiresAt: string | null;
  revokedAt: string | null;
}

describe.each(engines)('API keys in the admin API on %s', (engine) => {
  let context: TestContext;
  let admin: StaffClient;
  beforeAll(async () => {
    context = await createTestContext(engine);
    admin = await signedInStaff(context, ['admin']);
  });
  afterAll(() => context.close());

  async function create(body: Record<string, unknown>): Promise<{ apiKey: ListedKey; secret: string }> {
    const response = await admin.send('POST', '/api/admin/api-keys', body);
    expect(response.status, await response.clone().text()).toBe(201);
    return (await response.json()) as { apiKey: ListedKey; secret: string };
  }

  it('creates a key with scopes, a site and an expiry, shows it once, lists it without its secret', async () => {
    const siteId = context.demo.sites[0]!.id;
    const { apiKey, secret } = await create({ name: 'Warehouse', scopes: ['usage:read', 'records:read'], siteId, expiresAt: '2099-12-31' });
    expect(secret).toMatch(new RegExp(`^sk_${apiKey.prefix}_[A-Za-z0-9_-]{43}$`));
    // A date means "through that day".
    expect(apiKey).toMatchObject({ name: 'Warehouse', scopes: ['usage:read', 'records:read'], siteId, expiresAt: '2099-12-31T23:59:59.999Z', revokedAt: null });
    expect(apiKey).not.toHaveProperty('secretHash');

    const listed = await admin.get('/api/admin/api-keys');
    expect(listed.status).toBe(200);
    const text = await listed.text();
    expect(text).not.toContain(secret.slice(16));
    expect((JSON.parse(text) as ListedKey[]).map((key) => key.id)).toContain(apiKey.id);

    const audit = await context.database.db.selectFrom('audit_log').selectAll().where('action', '=', 'api_key.create').execute();
    expect(audit).toEqual([expect.objectContaining({ user_id: admin.user.id, site_id: siteId, target: `Warehouse (sk_${apiKey.prefix})` })]);
    expect(JSON.stringify(audit)).not.toContain(secret.slice(16));
  });

  it('refuses bad requests with a 400 naming the field', async () => {
    const other = await createOrganisation(context.database.db, 'Elsewhere AS');
    const { id: foreignSite } = await context.database.db
      .insertInto('sites')
      .values({ organisation_id: other.id, key: 'elsewhere', name: 'Elsewhere', surface: 'web', allowed_origins: [] })
      .returning('id')
      .executeTakeFirstOrThrow();
    const cases: Array<[Record<string, unknown>, string]> = [
      [{ name: 'x', scopes: [] }, 'scopes'],
      [{ name: 'x', scopes: ['usage:write'] }, 'scopes.0'],
      [{ name: 'x', scopes: ['collect', 'collect'] }, 'scopes'],
      [{ name: '', scopes: ['collect'] }, 'name'],
      [{ name: 'x', scopes: ['collect'], siteId: foreignSite }, 'siteId'],
      [{ name: 'x', scopes: ['collect'], expiresAt: '2001-01-01' }, 'expiresAt'],
      [{ name: 'x', scopes: ['collect'], expiresAt: 'tomorrow' }, 'expiresAt'],
      [{ name: 'x', scopes: ['collect'], secret: 'mine' }, ''],
    ];
    for (const [body, field] of cases) {
      const response = await admin.send('POST', '/api/admin/api-keys', body);
      expect(response.status, JSON.stringify(body)).toBe(400);
      const error = await errorOf(response);
      expect(error.code).toBe('invalid_body');
      if (field) expect(error.field, JSON.stringify(body)).toBe(field);
    }
  });

  it('lets admins alone manage keys', async () => {
    for (const role of ['analyst', 'privacy_officer'] as const) {
      const staff = await signedInStaff(context, [role]);
      expect((await staff.get('/api/admin/api-keys')).status).toBe(403);
      expect((await staff.send('POST', '/api/admin/api-keys', { name: 'x', scopes: ['collect'] })).status).toBe(403);
      expect((await staff.send('DELETE', '/api/admin/api-keys/1')).status).toBe(403);
    }
    expect((await context.app.request('/api/admin/api-keys')).status).toBe(401);
  });

  it("revokes a key once, logs it, and cannot touch another organisation's keys", async () => {
    const { apiKey } = await create({ name: 'Old', scopes: ['collect'] });
    const revoked = await admin.send('DELETE', `/api/admin/api-keys/${apiKey.id}`);
    expect(revoked.status).toBe(200);
    const first = ((await revoked.json()) as ListedKey).revokedAt;
    expect(first).not.toBeNull();
    const again = (await (await admin.send('DELETE', `/api/admin/api-keys/${apiKey.id}`)).json()) as ListedKey;
    expect(again.revokedAt).toBe(first);
    const audit = await context.database.db.selectFrom('audit_log').select(['action', 'target']).where('action', '=', 'api_key.revoke').execute();
    expect(audit[0]).toEqual({ action: 'api_key.revoke', target: `Old (sk_${apiKey.prefix})` });

    const other = await createOrganisation(context.database.db, 'Intruder AS');
    const intruder = await signedInStaff(context, ['admin'], other.id);
    expect((await intruder.send('DELETE', `/api/admin/api-keys/${apiKey.id}`)).status).toBe(404);
    expect(await (await intruder.get('/api/admin/api-keys')).json()).toEqual([]);
    expect((await admin.send('DELETE', '/api/admin/api-keys/abc')).status).toBe(404);
  });

  it("names the key, not a user, in the audit log's who column for its uses", async () => {
    const { apiKey, secret } = await create({ name: 'Reporter', scopes: ['usage:read'] });
    const used = await context.app.request('/api/v1/sites', { headers: { authorization: `Bearer ${secret}` } });
    expect(used.status).toBe(200);
    const log = (await (await admin.get('/api/admin/organisation/audit')).json()) as Array<{ action: string; userEmail: string | null; apiKey: string | null }>;
    expect(log[0]).toMatchObject({ action: 'api_key.use', userEmail: null, apiKey: `Reporter (sk_${apiKey.prefix})` });
    expect(log.find((entry) => entry.action === 'api_key.create')).toMatchObject({ userEmail: admin.user.email, apiKey: null });
  });
});
