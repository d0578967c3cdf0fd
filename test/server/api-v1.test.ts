import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createOrganisation } from '../../server/queries/organisation.ts';
import { createSite } from '../../server/queries/sites.ts';
import { CONSENT_IDS, seedActivity } from '../admin/fixtures.ts';
import { signedInStaff, type StaffClient } from '../admin/helpers.ts';
import { createTestContext, type TestContext } from '../helpers/app.ts';
import { engines } from '../helpers/database.ts';
import { DESKTOP_USER_AGENT } from '../helpers/browser.ts';
import { consentRequest, errorOf, eventsRequest } from '../helpers/requests.ts';

interface CreatedKey {
  apiKey: { id: number; prefix: string; scopes: string[]; siteId: number | null };
  secret: string;
}

describe.each(engines)('the API for programs (/api/v1) on %s', (engine) => {
  let context: TestContext;
  let admin: StaffClient;
  let siteId: number;
  let otherSiteId: number;
  let foreignSiteId: number;
  const keys: Record<'usage' | 'records' | 'collect' | 'limited' | 'foreign', CreatedKey> = {} as never;

  async function createKey(client: StaffClient, body: Record<string, unknown>): Promise<CreatedKey> {
    const response = await client.send('POST', '/api/admin/api-keys', body);
    expect(response.status).toBe(201);
    return (await response.json()) as CreatedKey;
  }

  function call(key: string | null, path: string, init: { method?: string; body?: unknown; headers?: Record<string, string> } = {}): Promise<Response> {
    return Promise.resolve(
      context.app.request(`/api/v1${path}`, {
        method: init.method ?? 'GET',
        headers: { ...(key === null ? {} : { authorization: `Bearer ${key}` }), ...(init.body === undefined ? {} : { 'content-type': 'application/json' }), ...init.headers },
        body: init.body === undefined ? undefined : JSON.stringify(init.body),
      }),
    );
  }

  async function auditOf(apiKeyId: number) {
    return context.database.db.selectFrom('audit_log').selectAll().where('api_key_id', '=', apiKeyId).orderBy('id').execute();
  }

  beforeAll(async () => {
    context = await createTestContext(engine);
    siteId = context.demo.sites[1]!.id;
    otherSiteId = context.demo.sites[0]!.id;
    await seedActivity(context.database.db, siteId);
    admin = await signedInStaff(context, ['admin']);
    keys.usage = await createKey(admin, { name: 'BI export', scopes: ['usage:read'] });
    keys.records = await createKey(admin, { name: 'Archive', scopes: ['records:read'] });
    keys.collect = await createKey(admin, { name: 'Backend', scopes: ['collect'] });
    keys.limited = await createKey(admin, { name: 'One site', scopes: ['usage:read', 'records:read', 'collect'], siteId: otherSiteId });
    const db = context.database.db;
    const other = await createOrganisation(db, 'Other AS');
    foreignSiteId = (await createSite(db, { organisationId: other.id, key: 'other-site', name: 'Other', surface: 'web', allowedOrigins: [] })).id;
    keys.foreign = await createKey(await signedInStaff(context, ['admin'], other.id), { name: 'Theirs', scopes: ['usage:read', 'records:read', 'collect'] });
  });
  afterAll(() => context.close());

  it('refuses a missing, malformed, unknown or wrongly copied key with 401 and says what to do', async () => {
    const cases: Array<[Record<string, string>, RegExp]> = [
      [{}, /Authorization: Bearer sk_/],
      [{ authorization: `Basic ${keys.usage.secret}` }, /must be "Bearer <API key>"/],
      [{ authorization: 'Bearer not-a-key' }, /not a Samtykke API key/],
      [{ authorization: `Bearer ${keys.usage.secret.slice(0, -1)}` }, /not a Samtykke API key/],
      // Well-formed, with a real prefix and a wrong secret: looked up and refused alike to an unknown key.
      [{ authorization: `Bearer ${keys.usage.secret.slice(0, -3)}abc` }, /Unknown API key/],
      [{ authorization: 'Bearer sk_000000000000_aaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaaa' }, /Unknown API key/],
    ];
    for (const [headers, message] of cases) {
      const response = await call(null, `/sites/${siteId}/usage/overview`, { headers });
      expect(response.status, JSON.stringify(headers)).toBe(401);
      expect(response.headers.get('www-authenticate')).toBe('Bearer realm="samtykke"');
      const error = await errorOf(response);
      expect(error.code).toBe('unauthenticated');
      expect(error.message).toMatch(message);
    }
    const norwegian = await call(null, '/sites', { headers: { 'accept-language': 'nb' } });
    expect((await errorOf(norwegian)).message).toContain('Send en API-nøkkel');
  });

  it('usage:read answers the dashboard overview, breakdown and chart with the same figures, and logs each use', async () => {
    const analyst = await signedInStaff(context, ['analyst']);
    for (const path of [
      `/sites/${siteId}/usage/overview?period=7d&f.page=%2Fpris`,
      `/sites/${siteId}/usage/breakdown?period=30d&dimension=page&sort=value&order=asc&limit=2`,
      `/sites/${siteId}/usage/timeseries?period=7d`,
    ]) {
      const response = await call(keys.usage.secret, path);
      expect(response.status, path).toBe(200);
      expect(response.headers.get('cache-control')).toBe('no-store');
      const dashboard = await analyst.get(`/api/admin${path}`);
      expect(await response.json()).toEqual(await dashboard.json());
    }
    const csv = await call(keys.usage.secret, `/sites/${siteId}/usage/breakdown?period=30d&dimension=page&format=csv`);
    expect(csv.headers.get('content-type')).toContain('text/csv');
    expect(await csv.text()).toContain('/pris');
    const bad = await call(keys.usage.secret, `/sites/${siteId}/usage/breakdown?dimension=colour`);
    expect(bad.status).toBe(400);
    expect((await errorOf(bad)).field).toBe('dimension');

    const used = await auditOf(keys.usage.apiKey.id);
    expect(used.map((row) => [row.action, row.site_id, row.user_id, row.target?.split('?')[0]])).toEqual([
      ['api_key.use', siteId, null, `GET /api/v1/sites/${siteId}/usage/overview`],
      ['api_key.use', siteId, null, `GET /api/v1/sites/${siteId}/usage/breakdown`],
      ['api_key.use', siteId, null, `GET /api/v1/sites/${siteId}/usage/timeseries`],
      ['api_key.use', siteId, null, `GET /api/v1/sites/${siteId}/usage/breakdown`],
      ['api_key.use', siteId, null, `GET /api/v1/sites/${siteId}/usage/breakdown`],
    ]);
    expect(used[0]!.detail).toMatchObject({ status: 200, query: { period: '7d', 'f.page': '/pris' } });
    expect(used[4]!.detail).toMatchObject({ status: 400 });
    const stored = await context.database.db.selectFrom('api_keys').select('last_used_at').where('id', '=', keys.usage.apiKey.id).executeTakeFirstOrThrow();
    expect(stored.last_used_at).toBeInstanceOf(Date);
  });

  it('each key can do only what its scopes allow', async () => {
    const refusals: Array<[keyof typeof keys, string, 'GET' | 'POST']> = [
      ['usage', '/records', 'GET'],
      ['usage', '/consent', 'POST'],
      ['records', `/sites/${siteId}/usage/overview`, 'GET'],
      ['records', '/events', 'POST'],
      ['collect', `/sites/${siteId}/usage/overview`, 'GET'],
      ['collect', '/records/export.csv', 'GET'],
    ];
    for (const [key, path, method] of refusals) {
      const response = await call(keys[key].secret, path, { method, body: method === 'POST' ? consentRequest() : undefined });
      expect(response.status, `${key} ${path}`).toBe(403);
      const error = await errorOf(response);
      expect(error.code).toBe('forbidden');
      expect(error.message).toMatch(/lacks the scope (usage:read|records:read|collect)/);
    }
    // Every key may list the sites it reaches.
    const sites = (await (await call(keys.collect.secret, '/sites')).json()) as Array<{ id: number }>;
    expect(sites.map((site) => site.id).sort()).toEqual(context.demo.sites.map((site) => site.id).sort());
  });

  it('records:read searches and exports consent records as the dashboard does, an export logged as one', async () => {
    const officer = await signedInStaff(context, ['privacy_officer']);
    const earlier = (await auditOf(keys.records.apiKey.id)).length;
    const query = `?consentId=${CONSENT_IDS.granted}`;
    const response = await call(keys.records.secret, `/records${query}`);
    expect(response.status).toBe(200);
    const found = await response.json();
    expect(found).toEqual(await (await officer.get(`/api/admin/records${query}`)).json());
    expect((found as unknown[]).length).toBe(2);

    const exported = await call(keys.records.secret, `/records/export.csv?site=${siteId}`);
    expect(exported.status).toBe(200);
    const lines = (await exported.text()).trim().split('\n');
    expect(lines[0]).toContain('id,site,seq,consent_id');
    expect(lines).toHaveLength(5);
    const ndjson = await call(keys.records.secret, '/records/export.ndjson');
    expect((await ndjson.text()).trim().split('\n')).toHaveLength(4);

    const used = (await auditOf(keys.records.apiKey.id)).slice(earlier);
    expect(used.map((row) => [row.action, row.site_id])).toEqual([
      ['api_key.use', null],
      ['records.export', siteId],
      ['records.export', null],
    ]);
  });

  it('collect records decisions and events server-to-server, counted in the audit log per key and minute', async () => {
    const decision = consentRequest({ site: 'min-side', source: 'api' });
    const recorded = await call(keys.collect.secret, '/consent', { method: 'POST', body: decision, headers: { 'user-agent': 'node', 'x-end-user-agent': DESKTOP_USER_AGENT } });
    expect(recorded.status).toBe(201);
    const events = await call(keys.collect.secret, '/events', { method: 'POST', body: eventsRequest(decision.consentId), headers: { 'user-agent': 'okhttp/4.12' } });
    expect(events.status).toBe(202);
    expect(await events.json()).toEqual({ accepted: 1 });

    const db = context.database.db;
    const record = await db.selectFrom('consent_records').selectAll().where('consent_id', '=', decision.consentId).executeTakeFirstOrThrow();
    expect(record).toMatchObject({ site_id: siteId, source: 'api', device: 'desktop', country: null });
    expect(record.browser).not.toBeNull();
    // The writer stores events in batches, a moment after it took them.
    await expect.poll(() => db.selectFrom('events').select(['site_id', 'path']).where('consent_id', '=', decision.consentId).execute()).toEqual([{ site_id: siteId, path: '/abonnement' }]);

    // Another organisation's site is unknown to this key, named as the collector names any unknown site.
    const foreign = await call(keys.collect.secret, '/consent', { method: 'POST', body: consentRequest({ site: 'other-site' }) });
    expect(foreign.status).toBe(404);
    expect((await errorOf(foreign)).code).toBe('unknown_site');
    const invalid = await call(keys.collect.secret, '/events', { method: 'POST', body: { site: 'min-side' } });
    expect(invalid.status).toBe(400);

    // Counted in memory until the minute is over (the refusals of other scopes above were logged one by one).
    const collected = async () => (await auditOf(keys.collect.apiKey.id)).filter((row) => row.action === 'api_key.collect');
    expect(await collected()).toEqual([]);
    await context.deps.apiKeyUse.flush(Number.POSITIVE_INFINITY);
    const counted = await collected();
    const summary = counted.map((row) => ({ action: row.action, site: row.site_id, route: row.target, requests: (row.detail as { requests: number }).requests, refused: (row.detail as { refused: number }).refused }));
    expect(summary).toEqual(
      expect.arrayContaining([
        { action: 'api_key.collect', site: siteId, route: 'POST /api/v1/consent', requests: 1, refused: 0 },
        { action: 'api_key.collect', site: siteId, route: 'POST /api/v1/events', requests: 1, refused: 0 },
        { action: 'api_key.collect', site: null, route: 'POST /api/v1/consent', requests: 1, refused: 1 },
        { action: 'api_key.collect', site: null, route: 'POST /api/v1/events', requests: 1, refused: 1 },
      ]),
    );
    expect(summary).toHaveLength(4);
  });

  it('a key limited to one site reaches that site alone', async () => {
    const limited = keys.limited.secret;
    expect((await call(limited, `/sites/${otherSiteId}/usage/overview`)).status).toBe(200);
    expect((await call(limited, `/sites/${siteId}/usage/overview`)).status).toBe(404);
    expect((await call(limited, `/records?site=${siteId}`)).status).toBe(404);
    expect(await (await call(limited, '/records')).json()).toEqual([]);
    expect(((await (await call(limited, '/sites')).json()) as Array<{ id: number }>).map((site) => site.id)).toEqual([otherSiteId]);
    const elsewhere = await call(limited, '/consent', { method: 'POST', body: consentRequest({ site: 'min-side' }) });
    expect(elsewhere.status).toBe(404);
    const own = await call(limited, '/consent', { method: 'POST', body: consentRequest({ site: context.demo.sites[0]!.key }) });
    expect(own.status).toBe(201);
  });

  it("never shows another organisation's data, whatever ids it sends", async () => {
    const theirs = keys.foreign.secret;
    for (const path of [`/sites/${siteId}/usage/overview`, `/sites/${siteId}/usage/breakdown?dimension=page`, `/sites/${siteId}/usage/timeseries`, `/records?site=${siteId}`, `/records/export.csv?site=${siteId}`]) {
      const response = await call(theirs, path);
      expect(response.status, path).toBe(404);
      expect((await errorOf(response)).code).toBe('not_found');
    }
    expect(await (await call(theirs, '/records')).json()).toEqual([]);
    const sites = (await (await call(theirs, '/sites')).json()) as Array<{ id: number }>;
    expect(sites.map((site) => site.id)).toEqual([foreignSiteId]);
    // And a demo key does not reach the other organisation's site either.
    expect((await call(keys.usage.secret, `/sites/${foreignSiteId}/usage/overview`)).status).toBe(404);
  });

  it('a revoked key stops at once, and an expired one is refused', async () => {
    const key = await createKey(admin, { name: 'Short-lived', scopes: ['usage:read'] });
    expect((await call(key.secret, '/sites')).status).toBe(200);
    expect((await admin.send('DELETE', `/api/admin/api-keys/${key.apiKey.id}`)).status).toBe(200);
    const revoked = await call(key.secret, '/sites');
    expect(revoked.status).toBe(401);
    expect((await errorOf(revoked)).message).toMatch(/was revoked on \d{4}-\d{2}-\d{2}/);

    const expiring = await createKey(admin, { name: 'Expiring', scopes: ['usage:read'], expiresAt: new Date(Date.now() + 3_600_000).toISOString() });
    expect((await call(expiring.secret, '/sites')).status).toBe(200);
    await context.database.db.updateTable('api_keys').set({ expires_at: new Date(Date.now() - 1000) }).where('id', '=', expiring.apiKey.id).execute();
    const expired = await call(expiring.secret, '/sites');
    expect(expired.status).toBe(401);
    expect((await errorOf(expired)).message).toMatch(/expired on/);
  });

  it('keeps only a hash of the key, which the dashboard never shows again', async () => {
    const row = await context.database.db.selectFrom('api_keys').selectAll().where('id', '=', keys.usage.apiKey.id).executeTakeFirstOrThrow();
    expect(keys.usage.secret).toMatch(/^sk_[0-9a-f]{12}_[A-Za-z0-9_-]{43}$/);
    expect(row.secret_hash).toBe(createHash('sha256').update(keys.usage.secret).digest('hex'));
    expect(JSON.stringify(row)).not.toContain(keys.usage.secret.slice(16));
    const listed = await (await admin.get('/api/admin/api-keys')).text();
    expect(listed).toContain(keys.usage.apiKey.prefix);
    expect(listed).not.toContain(keys.usage.secret.slice(16));
  });
});
