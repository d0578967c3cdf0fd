/** GET /p.gif: the pixel and web beacon for places without JavaScript, under the same consent rules. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.ts';
import { DESKTOP_USER_AGENT } from '../helpers/browser.ts';
import { engines } from '../helpers/database.ts';
import { consentRequest, newConsentId, post } from '../helpers/requests.ts';

describe.each(engines)('GET /p.gif on %s', (engine) => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await createTestContext(engine);
  });
  afterEach(() => ctx.close());

  function pixel(params: Record<string, string>): Promise<Response> {
    return Promise.resolve(ctx.app.request(`/p.gif?${new URLSearchParams(params)}`, { headers: { 'user-agent': DESKTOP_USER_AGENT } }));
  }

  async function expectGif(response: Response, status: number): Promise<void> {
    expect(response.status).toBe(status);
    expect(response.headers.get('content-type')).toBe('image/gif');
    expect(response.headers.get('cache-control')).toMatch(/no-store/);
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect(new TextDecoder().decode(bytes.slice(0, 6))).toBe('GIF89a');
  }

  it('records a pageview, or a named event, where analytics is granted', async () => {
    const consentId = newConsentId();
    await post(ctx.app, '/api/consent', consentRequest({ consentId }));
    await expectGif(await pixel({ site: 'min-side', cid: consentId, url: 'https://portal.test/kampanje?utm_campaign=vinter&fbclid=x' }), 200);
    await expectGif(await pixel({ site: 'min-side', cid: consentId, url: 'https://portal.test/kjop', name: 'ad-conversion' }), 200);
    await ctx.deps.eventWriter.close();
    const events = await ctx.database.db.selectFrom('events').select(['type', 'name', 'path', 'utm_campaign', 'ad_click']).orderBy('id').execute();
    expect(events).toEqual([
      { type: 'pageview', name: null, path: '/kampanje', utm_campaign: 'vinter', ad_click: 'fbclid' },
      { type: 'custom', name: 'ad-conversion', path: '/kjop', utm_campaign: null, ad_click: null },
    ]);
  });

  it('always answers the image, and records nothing without consent or with bad parameters', async () => {
    const denied = newConsentId();
    await post(ctx.app, '/api/consent', consentRequest({ consentId: denied, action: 'reject_all', choices: { functional: true, analytics: false, ads: false } }));
    const refused = await pixel({ site: 'min-side', cid: denied, url: 'https://portal.test/' });
    await expectGif(refused, 403);
    expect(refused.headers.get('x-samtykke-error')).toMatch(/^consent_required/);

    const malformed = await pixel({ site: 'min-side', cid: 'short', url: 'https://portal.test/' });
    await expectGif(malformed, 400);
    expect(malformed.headers.get('x-samtykke-error')).toMatch(/^invalid_query: cid/);

    await expectGif(await pixel({ site: 'nowhere', cid: denied, url: 'https://portal.test/' }), 404);
    await ctx.deps.eventWriter.close();
    expect(await ctx.database.db.selectFrom('events').selectAll().execute()).toEqual([]);
  });
});
