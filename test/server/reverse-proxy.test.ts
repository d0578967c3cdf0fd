/** Behind a reverse proxy that ends HTTPS: HSTS and Secure cookies follow the public URL, addresses the trusted hops. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createUser } from '../../server/queries/users.ts';
import { createBareTestContext, createTestContext, type BareTestContext, type TestContext } from '../helpers/app.ts';
import { consentRequest, newConsentId, post } from '../helpers/requests.ts';
import { TEST_PASSWORD } from '../admin/helpers.ts';

const PUBLIC_URL = 'https://consent.kunde.test';

// Configuration, not storage: one engine says it all.
describe('behind a reverse proxy', () => {
  let https: TestContext;
  let plain: BareTestContext;

  beforeAll(async () => {
    [https, plain] = await Promise.all([
      createTestContext('pglite', { SAMTYKKE_PUBLIC_URL: PUBLIC_URL, SAMTYKKE_TRUST_PROXY: '2', SAMTYKKE_RATE_LIMIT: '60' }),
      createBareTestContext('pglite'),
    ]);
  });
  afterAll(async () => {
    await https?.close();
    await plain?.close();
  });

  it('sends HSTS for a year only where the public URL is HTTPS', async () => {
    expect((await https.app.request('/healthz')).headers.get('strict-transport-security')).toBe('max-age=31536000; includeSubDomains');
    expect((await plain.app.request('/healthz')).headers.has('strict-transport-security')).toBe(false);
  });

  it('sets the session cookie Secure, though the proxy speaks plain HTTP to the server', async () => {
    await createUser(https.database.db, { organisationId: https.demo.organisationId, email: 'sjef@kunde.test', name: 'Sjef', roles: ['admin'], password: TEST_PASSWORD });
    const signedIn = await https.app.request('http://consent.kunde.test/api/admin/session/login', {
      method: 'POST',
      headers: { 'content-type': 'application/json', origin: PUBLIC_URL },
      body: JSON.stringify({ email: 'sjef@kunde.test', password: TEST_PASSWORD }),
    });
    expect(signedIn.status).toBe(200);
    expect(signedIn.headers.get('set-cookie')).toMatch(/^samtykke_session=[^;]+;.*Secure/);
  });

  it('takes the client address as many hops from the right of X-Forwarded-For as there are trusted proxies', async () => {
    const consentId = newConsentId();
    const send = (forwardedFor: string) => post(https.app, '/api/consent', consentRequest({ consentId }), { origin: PUBLIC_URL, 'x-forwarded-for': forwardedFor });
    const statuses: number[] = [];
    // 60 a minute allows a burst of 10. The client wrote a new address each time; the two proxies appended 192.0.2.1 (the client) and 10.0.0.2.
    for (let i = 0; i < 11; i++) statuses.push((await send(`198.51.100.${i}, 192.0.2.1, 10.0.0.2`)).status);
    expect(statuses).toEqual([...Array(10).fill(201), 429]);
    // Another client behind the same two proxies has its own allowance.
    expect((await send('192.0.2.77, 10.0.0.2')).status).not.toBe(429);
  });
});
