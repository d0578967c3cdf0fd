/** The WebView hand-off: tokens only for stored decisions, checked signature, expiry and site; the app reading the latest decision. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { HandedOffConsent, HandoffToken, LatestConsent } from '../../server/contract.ts';
import { readHandoff, signHandoff, type HandoffClaims } from '../../server/handoff/token.ts';
import { serverSecret } from '../../server/queries/secrets.ts';
import { createTestContext, TEST_ORIGIN, type TestContext } from '../helpers/app.ts';
import { engines } from '../helpers/database.ts';
import { consentRequest, errorOf, newConsentId, post } from '../helpers/requests.ts';

/** As an app sends: no Origin, JSON. */
function fromApp(ctx: TestContext, path: string, body: unknown): Promise<Response> {
  return Promise.resolve(ctx.app.request(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json' } }));
}

describe.each(engines)('WebView hand-off on %s', (engine) => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext(engine);
  });
  afterAll(() => ctx?.close());

  /** A decision the app recorded, as the app records it. */
  async function appDecision(choices = { functional: true, analytics: true, ads: false }, consentId = newConsentId()): Promise<string> {
    const response = await fromApp(ctx, '/api/consent', consentRequest({ consentId, choices, action: 'custom', source: 'app', url: undefined }));
    expect(response.status).toBe(201);
    return consentId;
  }

  async function tokenFor(consentId: string, site = 'min-side'): Promise<HandoffToken> {
    const response = await fromApp(ctx, '/api/handoff', { site, consentId });
    expect(response.status).toBe(201);
    return (await response.json()) as HandoffToken;
  }

  const verify = (body: unknown) => post(ctx.app, '/api/handoff/verify', body);

  it('issues a short-lived token carrying the stored decision, which the page verifies into that decision', async () => {
    const consentId = await appDecision();
    const before = Date.now();
    const { token, expiresAt } = await tokenFor(consentId);
    const lifetime = Date.parse(expiresAt) - before;
    expect(lifetime).toBeGreaterThan(60_000);
    expect(lifetime).toBeLessThanOrEqual(10 * 60_000);

    const key = await serverSecret(ctx.database.db, 'handoff_key');
    expect(readHandoff(key, token, Date.now())).toMatchObject({ site: 'min-side', consentId, policyVersion: 1, choices: { functional: true, analytics: true, ads: false } });

    const response = await verify({ site: 'min-side', token });
    expect(response.status).toBe(200);
    // A page on an allowed origin may read the answer.
    expect(response.headers.get('access-control-allow-origin')).toBe(TEST_ORIGIN);
    const handed = (await response.json()) as HandedOffConsent;
    const [record] = await ctx.database.db.selectFrom('consent_records').select('recorded_at').where('consent_id', '=', consentId).execute();
    expect(handed).toEqual({ id: consentId, policyVersion: 1, choices: { functional: true, analytics: true, ads: false }, at: record!.recorded_at.getTime() });
    // Verifying records nothing: the app recorded the decision already.
    expect(await ctx.database.db.selectFrom('consent_records').select('id').where('consent_id', '=', consentId).execute()).toHaveLength(1);
  });

  it('issues nothing for a consent ID without a decision, and never takes choices from the caller', async () => {
    const unknown = await fromApp(ctx, '/api/handoff', { site: 'min-side', consentId: newConsentId() });
    expect(unknown.status).toBe(404);
    expect(await errorOf(unknown)).toMatchObject({ code: 'consent_required', field: 'consentId', message: expect.stringMatching(/No decision is recorded/) });
    const consentId = await appDecision({ functional: true, analytics: false, ads: false });
    const withChoices = await fromApp(ctx, '/api/handoff', { site: 'min-side', consentId, choices: { functional: true, analytics: true, ads: true } });
    expect(withChoices.status).toBe(400);
    expect((await errorOf(withChoices)).code).toBe('invalid_body');
    // A decision on another site is not one on this site.
    const otherSite = await fromApp(ctx, '/api/handoff', { site: 'min-bedrift', consentId });
    expect(otherSite.status).toBe(404);
  });

  it('answers the latest decision, so a change made since the token was issued wins', async () => {
    const consentId = await appDecision({ functional: true, analytics: true, ads: true });
    const { token } = await tokenFor(consentId);
    // The user withdraws analytics on the page (recorded under the same ID), and the WebView loads another page with the old token.
    const change = await post(ctx.app, '/api/consent', consentRequest({ consentId, choices: { functional: true, analytics: false, ads: false }, action: 'withdraw', source: 'preferences' }));
    expect(change.status).toBe(201);
    const handed = (await (await verify({ site: 'min-side', token })).json()) as HandedOffConsent;
    expect(handed.choices).toEqual({ functional: true, analytics: false, ads: false });

    // And the app reads that change.
    const latest = await fromApp(ctx, '/api/consent/latest', { site: 'min-side', consentId });
    expect(latest.status).toBe(200);
    expect((await latest.json()) as LatestConsent).toMatchObject({ consentId, policyVersion: 1, choices: { functional: true, analytics: false, ads: false }, current: true });
  });

  it('refuses a forged, an altered, an expired and another site\'s token, each saying why', async () => {
    const consentId = await appDecision({ functional: true, analytics: false, ads: false });
    const { token } = await tokenFor(consentId);
    const [payload, signature] = token.split('.') as [string, string];

    // A page granting itself analytics: the claims changed, the signature no longer fits.
    const claims = JSON.parse(Buffer.from(payload, 'base64url').toString()) as HandoffClaims;
    const granted = Buffer.from(JSON.stringify({ ...claims, choices: { functional: true, analytics: true, ads: true } })).toString('base64url');
    const altered = await verify({ site: 'min-side', token: `${granted}.${signature}` });
    expect(altered.status).toBe(403);
    expect(await errorOf(altered)).toMatchObject({ code: 'forbidden', field: 'token', message: expect.stringMatching(/not signed by this server/) });

    // Signed with another key.
    const elsewhere = signHandoff('not-the-server-key', { ...claims, expiresAt: Date.now() + 60_000 });
    expect(await errorOf(await verify({ site: 'min-side', token: elsewhere }))).toMatchObject({ message: expect.stringMatching(/not signed by this server/) });

    // Expired: signed by the server, but its time is over.
    const key = await serverSecret(ctx.database.db, 'handoff_key');
    const expired = signHandoff(key, { ...claims, expiresAt: Date.now() - 1 });
    const refused = await verify({ site: 'min-side', token: expired });
    expect(refused.status).toBe(403);
    expect(await errorOf(refused)).toMatchObject({ code: 'forbidden', field: 'token', message: expect.stringMatching(/expired/) });

    // A token for min-side given to a page of min-bedrift.
    const otherSite = await verify({ site: 'min-bedrift', token });
    expect(otherSite.status).toBe(403);
    expect(await errorOf(otherSite)).toMatchObject({ code: 'forbidden', message: expect.stringMatching(/issued for site "min-side", not "min-bedrift"/) });
  });

  it('refuses bad input with a 400 naming the field, and origins the site does not allow', async () => {
    const cases: Array<[string, unknown, string | undefined]> = [
      ['/api/handoff', { site: 'min-side' }, 'consentId'],
      ['/api/handoff', { site: 'Min Side!', consentId: newConsentId() }, 'site'],
      ['/api/handoff', { site: 'min-side', consentId: 'short' }, 'consentId'],
      ['/api/handoff/verify', { site: 'min-side' }, 'token'],
      ['/api/handoff/verify', { site: 'min-side', token: 'no-dot-here' }, 'token'],
      ['/api/handoff/verify', { site: 'min-side', token: 42 }, 'token'],
      ['/api/consent/latest', { consentId: newConsentId() }, 'site'],
    ];
    for (const [path, body, field] of cases) {
      const response = await fromApp(ctx, path, body);
      expect(response.status, `${path} ${JSON.stringify(body)}`).toBe(400);
      expect(await errorOf(response)).toMatchObject({ code: 'invalid_body', field });
    }
    const notJson = await fromApp(ctx, '/api/handoff', undefined);
    expect(notJson.status).toBe(400);
    const unknownSite = await fromApp(ctx, '/api/handoff', { site: 'no-such-site', consentId: newConsentId() });
    expect(unknownSite.status).toBe(404);
    expect((await errorOf(unknownSite)).code).toBe('unknown_site');

    const consentId = await appDecision();
    const foreign = await post(ctx.app, '/api/consent/latest', { site: 'min-side', consentId }, { origin: 'https://evil.example' });
    expect(foreign.status).toBe(403);
    expect((await errorOf(foreign)).code).toBe('origin_not_allowed');
  });

  it('hands off no lapsed decision, and tells the app it has lapsed', async () => {
    const consentId = await appDecision();
    const { token } = await tokenFor(consentId);
    // The decision the collector enforces, as if made thirteen months ago: past the demo policy's twelve-month lifetime.
    const site = ctx.demo.sites.find((candidate) => candidate.key === 'min-side')!;
    ctx.deps.decisions.remember(site.id, consentId, { policyVersion: 1, choices: { functional: true, analytics: true, ads: false }, recordedAt: new Date(Date.now() - 400 * 86_400_000) });

    const issue = await fromApp(ctx, '/api/handoff', { site: 'min-side', consentId });
    expect(issue.status).toBe(409);
    expect(await errorOf(issue)).toMatchObject({ code: 'consent_stale', message: expect.stringMatching(/has lapsed/) });
    expect((await verify({ site: 'min-side', token })).status).toBe(409);
    const latest = (await (await fromApp(ctx, '/api/consent/latest', { site: 'min-side', consentId })).json()) as LatestConsent;
    expect(latest).toMatchObject({ consentId, current: false });
  });
});
