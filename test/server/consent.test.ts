/** POST /api/consent: decisions stored as chained evidence, and every way a request can be wrong. */
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { ConsentWriter } from '../../server/collector/consent-writer.ts';
import type { StoredConsentReceipt } from '../../server/contract.ts';
import { verifySiteChain } from '../../server/queries/consent-records.ts';
import { createTestContext, TEST_ORIGIN, type TestContext } from '../helpers/app.ts';
import { engines } from '../helpers/database.ts';
import { consentRequest, errorOf, newConsentId, post } from '../helpers/requests.ts';

describe.each(engines)('POST /api/consent on %s', (engine) => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await createTestContext(engine, { SAMTYKKE_TRUST_PROXY: 'true' });
  });
  afterEach(() => ctx.close());

  const minSide = () => ctx.demo.sites.find((site) => site.key === 'min-side')!;

  it('stores the decision as evidence and answers with its place in the chain', async () => {
    const request = consentRequest({ account: 'Kunde AS', choices: { functional: true, analytics: true, ads: false }, action: 'custom' });
    const response = await post(ctx.app, '/api/consent', request, { 'x-forwarded-for': '203.0.113.77' });
    expect(response.status).toBe(201);
    const receipt = (await response.json()) as StoredConsentReceipt;
    expect(receipt.seq).toBe(1);
    expect(receipt.hash).toMatch(/^[0-9a-f]{64}$/);

    const row = await ctx.database.db.selectFrom('consent_records').selectAll().where('id', '=', receipt.id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({
      site_id: minSide().id,
      consent_id: request.consentId,
      policy_version: 1,
      functional: true,
      analytics: true,
      ads: false,
      action: 'custom',
      source: 'banner',
      locale: 'nb',
      account: 'Kunde AS',
      page_url: 'https://portal.test/oversikt',
      browser: 'Chrome',
      os: 'Linux',
      device: 'desktop',
      hash: receipt.hash,
    });
    expect(row.recorded_at.toISOString()).toBe(receipt.recordedAt);
  });

  it('never stores the client address, only a keyed pseudonym of its network', async () => {
    await post(ctx.app, '/api/consent', consentRequest(), { 'x-forwarded-for': '203.0.113.77' });
    await post(ctx.app, '/api/consent', consentRequest(), { 'x-forwarded-for': '203.0.113.78' });
    await post(ctx.app, '/api/consent', consentRequest(), { 'x-forwarded-for': '198.51.100.9' });
    const rows = await ctx.database.db.selectFrom('consent_records').selectAll().orderBy('seq').execute();
    for (const row of rows) expect(JSON.stringify(row)).not.toMatch(/203\.0\.113|198\.51\.100/);
    expect(rows[0]!.client_hash).toBe(rows[1]!.client_hash);
    expect(rows[0]!.client_hash).not.toBe(rows[2]!.client_hash);
  });

  it('chains concurrent decisions without a fork, across independent writers', async () => {
    // A second writer on the same database stands in for a second collector process.
    const otherProcess = new ConsentWriter(ctx.database.db);
    const site = minSide();
    const viaHttp = Array.from({ length: 60 }, () => post(ctx.app, '/api/consent', consentRequest()));
    const viaOther = Array.from({ length: 60 }, (_, index) =>
      otherProcess.append(site.id, {
        consentId: newConsentId(),
        policyVersion: 1,
        functional: true,
        analytics: index % 2 === 0,
        ads: false,
        action: 'custom',
        source: 'api',
        locale: 'en',
        pageUrl: null,
        browser: null,
        os: null,
        device: 'desktop',
        account: null,
        recordedAt: new Date(),
        clientHash: 'test',
        shownHash: null,
        gpc: false,
        stale: false,
      }),
    );
    const responses = await Promise.all(viaHttp);
    await Promise.all(viaOther);
    await otherProcess.close();
    expect(responses.every((response) => response.status === 201)).toBe(true);

    const seqs = (await ctx.database.db.selectFrom('consent_records').select('seq').where('site_id', '=', site.id).orderBy('seq').execute()).map((row) => row.seq);
    expect(seqs).toEqual(Array.from({ length: 120 }, (_, index) => index + 1));
    expect(await verifySiteChain(ctx.database.db, site.id)).toEqual({ checked: 120, problem: null });
  });

  it('keeps each site in its own chain', async () => {
    await post(ctx.app, '/api/consent', consentRequest({ site: 'min-side' }));
    const response = await post(ctx.app, '/api/consent', consentRequest({ site: 'min-bedrift' }));
    expect(((await response.json()) as StoredConsentReceipt).seq).toBe(1);
  });

  it('accepts decisions from the app, which sends no Origin', async () => {
    const response = await ctx.app.request('/api/consent', {
      method: 'POST',
      headers: { 'content-type': 'application/json', 'user-agent': 'okhttp/4.12.0' },
      body: JSON.stringify(consentRequest({ site: 'app', source: 'app', url: undefined })),
    });
    expect(response.status).toBe(201);
  });

  it('answers CORS preflights only for allowed origins', async () => {
    const allowed = await ctx.app.request('/api/consent', { method: 'OPTIONS', headers: { origin: TEST_ORIGIN, 'access-control-request-method': 'POST' } });
    expect(allowed.status).toBe(204);
    expect(allowed.headers.get('access-control-allow-origin')).toBe(TEST_ORIGIN);
    const refused = await ctx.app.request('/api/consent', { method: 'OPTIONS', headers: { origin: 'https://evil.example' } });
    expect(refused.status).toBe(403);
    expect(refused.headers.get('access-control-allow-origin')).toBeNull();
  });

  it('reports the database as unavailable instead of pretending to have stored the decision', async () => {
    await sql`alter table consent_records rename to consent_records_away`.execute(ctx.database.db);
    const response = await post(ctx.app, '/api/consent', consentRequest());
    expect(response.status).toBe(503);
    expect(response.headers.get('retry-after')).toBe('5');
    expect((await errorOf(response)).code).toBe('database_unavailable');
    await sql`alter table consent_records_away rename to consent_records`.execute(ctx.database.db);
    expect((await post(ctx.app, '/api/consent', consentRequest())).status).toBe(201);
  });
});

// Nothing is stored here, so one server per engine serves every case.
describe.each(engines)('POST /api/consent on %s refuses bad input with a reason and stores nothing', (engine) => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext(engine, { SAMTYKKE_TRUST_PROXY: 'true' });
  });
  afterAll(() => ctx?.close());

  const cases: Array<[string, () => unknown, number, string, RegExp]> = [
    ['malformed JSON', () => '{"site": "min-side",', 400, 'invalid_body', /must be JSON/],
    ['a missing field', () => ({ ...consentRequest(), action: undefined }), 400, 'invalid_body', /action/],
    ['an unknown category', () => consentRequest({ choices: { functional: true, analytics: true, ads: true, marketing: true } as never }), 400, 'invalid_body', /unknown category "marketing"/],
    ['a missing category', () => consentRequest({ choices: { functional: true, analytics: true } as never }), 400, 'invalid_body', /choices\.ads: is required/],
    ['a choice that is not a boolean', () => consentRequest({ choices: { functional: true, analytics: 'yes', ads: true } as never }), 400, 'invalid_body', /choices\.analytics/],
    ['an unknown field', () => ({ ...consentRequest(), ip: '1.2.3.4' }), 400, 'invalid_body', /ip/],
    ['a short consent ID', () => consentRequest({ consentId: 'abc' }), 400, 'invalid_body', /consentId/],
    ['an unknown action', () => consentRequest({ action: 'maybe' as never }), 400, 'invalid_body', /action/],
    ['accept_all that denies', () => consentRequest({ choices: { functional: true, analytics: false, ads: true } }), 400, 'invalid_body', /accept_all must grant/],
    ['reject_all that grants', () => consentRequest({ action: 'reject_all', choices: { functional: true, analytics: true, ads: false } }), 400, 'invalid_body', /reject_all must deny/],
    ['an unpublished policy version', () => consentRequest({ policyVersion: 7 }), 400, 'invalid_body', /policyVersion 7 is not published/],
    ['denying a required category', () => consentRequest({ action: 'custom', choices: { functional: false, analytics: false, ads: false } }), 400, 'invalid_body', /functional required/],
    ['an unknown site', () => consentRequest({ site: 'no-such-site' }), 404, 'unknown_site', /no-such-site/],
    ['a URL that is not http(s)', () => consentRequest({ url: 'javascript:alert(1)' }), 400, 'invalid_body', /url/],
  ];
  it.each(cases)('%s', async (_name, body, status, code, message) => {
    const response = await post(ctx.app, '/api/consent', body());
    expect(response.status).toBe(status);
    const error = await errorOf(response);
    expect(error.code).toBe(code);
    expect(error.message).toMatch(message);
    const { count } = await ctx.database.db.selectFrom('consent_records').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
    expect(Number(count)).toBe(0);
  });

  it.each([
    ['streamed without a declared length', {}],
    ['with a declared Content-Length', { 'content-length': '70500' }],
  ])('a body over the limit, %s', async (_name, headers) => {
    const response = await post(ctx.app, '/api/consent', { ...consentRequest(), account: 'x'.repeat(70_000) }, headers);
    expect(response.status).toBe(413);
    expect((await errorOf(response)).code).toBe('body_too_large');
  });

  it('an origin the site does not allow', async () => {
    const response = await post(ctx.app, '/api/consent', consentRequest(), { origin: 'https://evil.example' });
    expect(response.status).toBe(403);
    expect(await errorOf(response)).toMatchObject({ code: 'origin_not_allowed' });
  });
});

describe.each(engines)('rate limiting on %s', (engine) => {
  let ctx: TestContext;
  afterEach(() => ctx.close());
  const from = (address: string) => ({ 'x-forwarded-for': address });

  it('refuses a flood from one client with 429 and Retry-After, and leaves other clients alone', async () => {
    ctx = await createTestContext(engine, { SAMTYKKE_RATE_LIMIT: '60', SAMTYKKE_TRUST_PROXY: 'true' });
    const consentId = newConsentId();
    const statuses: number[] = [];
    for (let i = 0; i < 10; i++) statuses.push((await post(ctx.app, '/api/consent', consentRequest({ consentId }), from('192.0.2.1'))).status);
    // 60 per minute allows a burst of 10.
    expect(statuses).toEqual(Array(10).fill(201));
    const limited = await post(ctx.app, '/api/consent', consentRequest({ consentId }), from('192.0.2.1'));
    expect(limited.status).toBe(429);
    expect(Number(limited.headers.get('retry-after'))).toBeGreaterThanOrEqual(1);
    expect((await errorOf(limited)).message).toContain('this client');
    // Writing another address into X-Forwarded-For does not help: the proxy appends the one it saw, which counts.
    expect((await post(ctx.app, '/api/consent', consentRequest({ consentId }), from('198.51.100.9, 192.0.2.1'))).status).toBe(429);
    // Another browser behind the same address, and another network, have allowances of their own.
    expect((await post(ctx.app, '/api/consent', consentRequest(), from('192.0.2.1'))).status).toBe(201);
    expect((await post(ctx.app, '/api/consent', consentRequest({ consentId }), from('198.51.100.1'))).status).toBe(201);
  });

  it('lets an office of 300 users behind one NAT address decide at once', async () => {
    ctx = await createTestContext(engine, { SAMTYKKE_TRUST_PROXY: 'true', SAMTYKKE_RATE_LIMIT: '600' });
    const statuses = new Set<number>();
    for (let i = 0; i < 300; i++) statuses.add((await post(ctx.app, '/api/consent', consentRequest(), from('203.0.113.7'))).status);
    expect([...statuses]).toEqual([201]);
  });

  it('caps a whole network at its own, higher ceiling, whatever consent IDs it sends', async () => {
    ctx = await createTestContext(engine, { SAMTYKKE_RATE_LIMIT: '60', SAMTYKKE_RATE_LIMIT_NETWORK: '120', SAMTYKKE_TRUST_PROXY: 'true' });
    const statuses: number[] = [];
    // 120 per minute per network allows a burst of 20, spread here over many addresses of one /24.
    for (let i = 0; i < 20; i++) statuses.push((await post(ctx.app, '/api/consent', consentRequest(), from(`192.0.2.${i + 1}`))).status);
    expect(statuses).toEqual(Array(20).fill(201));
    // The bucket refills by 2 a second while the burst is sent, however slow the machine: ten at once outrun it.
    const next = await Promise.all(Array.from({ length: 10 }, (_, i) => post(ctx.app, '/api/consent', consentRequest(), from(`192.0.2.${100 + i}`))));
    const limited = next.filter((answer) => answer.status === 429);
    expect(limited.length).toBeGreaterThan(0);
    expect((await errorOf(limited[0]!)).message).toContain('this network');
    expect((await post(ctx.app, '/api/consent', consentRequest(), from('192.0.3.1'))).status).toBe(201);
  });
});
