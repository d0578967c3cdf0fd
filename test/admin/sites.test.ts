import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_POLICY_TEXTS } from '../../server/demo/content.ts';
import { createTestContext, type TestContext } from '../helpers/app.ts';
import { engines } from '../helpers/database.ts';
import { login, signedInStaff, type StaffClient } from './helpers.ts';

interface Item {
  id: number;
  name: string;
  provider: string;
  retiredAt: string | null;
}

describe.each(engines)('sites, inventory, policy, users and retention API on %s', (engine) => {
  let context: TestContext;
  let admin: StaffClient;
  let siteId: number;
  let siteKey: string;
  beforeAll(async () => {
    context = await createTestContext(engine);
    siteId = context.demo.sites[1]!.id;
    siteKey = context.demo.sites[1]!.key;
    admin = await signedInStaff(context, ['admin']);
  });
  afterAll(() => context.close());

  const declarationNames = async () => {
    const declaration = (await (await context.app.request(`/api/sites/${siteKey}/declaration`)).json()) as {
      policyVersion: number;
      categories: Array<{ items: Array<{ name: string; provider: string }> }>;
    };
    return { version: declaration.policyVersion, items: declaration.categories.flatMap((category) => category.items) };
  };

  it('adds, edits and retires inventory items, and the public declaration follows', async () => {
    const item = {
      kind: 'cookie',
      name: '_hjSession_*',
      namePattern: true,
      provider: 'Hotjar',
      party: 'third',
      domain: '.hotjar.com',
      category: 'analytics',
      purpose: { nb: 'Måler bruk', en: 'Measures use' },
      retention: { nb: '30 minutter', en: '30 minutes' },
      blocking: { nb: 'Avslå bruksanalyse', en: 'Decline usage analytics' },
    };
    const created = await admin.send('POST', `/api/admin/sites/${siteId}/inventory`, item);
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as Item;
    expect((await declarationNames()).items).toContainEqual(expect.objectContaining({ name: '_hjSession_*', provider: 'Hotjar' }));

    const edited = await admin.send('PUT', `/api/admin/sites/${siteId}/inventory/${id}`, { ...item, provider: 'Hotjar Ltd' });
    expect(((await edited.json()) as Item).provider).toBe('Hotjar Ltd');
    expect((await declarationNames()).items).toContainEqual(expect.objectContaining({ name: '_hjSession_*', provider: 'Hotjar Ltd' }));

    expect((await admin.send('DELETE', `/api/admin/sites/${siteId}/inventory/${id}`)).status).toBe(200);
    expect((await declarationNames()).items.map((entry) => entry.name)).not.toContain('_hjSession_*');
    const listed = (await (await admin.get(`/api/admin/sites/${siteId}/inventory`)).json()) as Item[];
    expect(listed.at(-1)).toMatchObject({ id, retiredAt: expect.any(String) });
    expect((await admin.send('DELETE', `/api/admin/sites/${siteId}/inventory/${id}`)).status).toBe(404);
  });

  it('refuses an invalid inventory item with 400 naming the field', async () => {
    const response = await admin.send('POST', `/api/admin/sites/${siteId}/inventory`, { kind: 'cookie', name: 'x' });
    expect(response.status).toBe(400);
    expect(((await response.json()) as { error: { field: string } }).error.field).toBe('namePattern');
  });

  it('publishes a new policy version, which the declaration and the collector use at once', async () => {
    const before = await declarationNames();
    const draft = await admin.send('POST', `/api/admin/sites/${siteId}/policies`, {
      texts: DEMO_POLICY_TEXTS,
      functionalRequired: true,
      consentLifetimeMonths: 6,
    });
    expect(draft.status).toBe(201);
    const { id: draftId } = (await draft.json()) as { id: number };
    expect((await declarationNames()).version).toBe(before.version);
    const response = await admin.send('POST', `/api/admin/sites/${siteId}/policies/${draftId}/publish`, { change: 'material' });
    expect(response.status).toBe(201);
    expect(await response.json()).toMatchObject({ version: before.version + 1, consentLifetimeMonths: 6 });
    expect((await declarationNames()).version).toBe(before.version + 1);
    const versions = (await (await admin.get(`/api/admin/sites/${siteId}/policies`)).json()) as Array<{ version: number }>;
    expect(versions.map((version) => version.version)).toEqual([before.version + 1, before.version]);
  });

  it('adds users with roles, refuses a short password and a duplicate email, and changes roles', async () => {
    const user = { email: 'Ny.Analytiker@Example.test', name: 'Ny', roles: ['analyst'], password: 'short' };
    const short = await admin.send('POST', '/api/admin/users', user);
    expect(short.status).toBe(400);
    expect(((await short.json()) as { error: { field: string; message: string } }).error).toMatchObject({ field: 'password', message: expect.stringContaining('12') });
    const created = await admin.send('POST', '/api/admin/users', { ...user, password: 'a long enough password' });
    expect(created.status).toBe(201);
    const { id, email } = (await created.json()) as { id: number; email: string };
    expect(email).toBe('ny.analytiker@example.test');
    expect((await admin.send('POST', '/api/admin/users', { ...user, password: 'a long enough password' })).status).toBe(409);
    expect((await login(context.app, 'NY.ANALYTIKER@example.test', 'a long enough password')).status).toBe(200);
    const changed = await admin.send('PUT', `/api/admin/users/${id}/roles`, { roles: ['analyst', 'privacy_officer'] });
    expect(((await changed.json()) as { roles: string[] }).roles).toEqual(['analyst', 'privacy_officer']);
    expect((await admin.send('PUT', `/api/admin/users/${admin.user.id}/blocked`, { blocked: true })).status).toBe(409);
  });

  it('changes retention within bounds that keep consent evidence long enough', async () => {
    expect(await (await admin.get('/api/admin/organisation/retention')).json()).toEqual({ eventRetentionDays: 395, consentRetentionDays: 1825 });
    const tooShort = await admin.send('PUT', '/api/admin/organisation/retention', { eventRetentionDays: 30, consentRetentionDays: 90 });
    expect(tooShort.status).toBe(400);
    const updated = await admin.send('PUT', '/api/admin/organisation/retention', { eventRetentionDays: 30, consentRetentionDays: 1000 });
    expect(await updated.json()).toEqual({ eventRetentionDays: 30, consentRetentionDays: 1000 });
  });
});
