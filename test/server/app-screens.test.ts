/** App sites name their screens as app:// URLs or plain names, shown as paths; web sites keep taking http(s) only. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { pageUrl } from '../../server/domain/page-address.ts';
import { createTestContext, type TestContext } from '../helpers/app.ts';
import { engines } from '../helpers/database.ts';
import { consentRequest, errorOf, newConsentId, post } from '../helpers/requests.ts';

describe('page addresses', () => {
  it('reads app:// URLs and screen names as paths on app sites only', () => {
    expect(pageUrl('app://min-side/abonnement', 'app')?.pathname).toBe('/abonnement');
    expect(pageUrl('app://min-side', 'app')?.pathname).toBe('/');
    expect(pageUrl('abonnement', 'app')?.pathname).toBe('/abonnement');
    expect(pageUrl('/Min side/Faktura', 'app')?.pathname).toBe('/Min%20side/Faktura');
    // Two slashes would make a host of the first segment.
    expect(pageUrl('//oversikt', 'app')?.pathname).toBe('/oversikt');
    expect(pageUrl('Faktura 2026: mars', 'app')?.pathname).toBe('/Faktura%202026:%20mars');
    expect(pageUrl('https://portal.test/a?b=1', 'app')?.pathname).toBe('/a');
    for (const refused of ['   ', 'ftp://files.test/a', 'myapp://screen/x', 'javascript:alert(1)']) expect(pageUrl(refused, 'app')).toBeNull();
    for (const refused of ['app://min-side/abonnement', 'abonnement', 'ftp://files.test/a']) expect(pageUrl(refused, 'web')).toBeNull();
  });
});

describe.each(engines)('app screens on %s', (engine) => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext(engine);
    // The app reports screens that do not exist (below): a signal its site must have switched on.
    const app = ctx.demo.sites.find((site) => site.key === 'app')!;
    await ctx.deps.sites.update(app, { features: { notFoundPages: true } });
  });
  afterAll(() => ctx.close());

  /** An app posts with no Origin, as the SDK and any native HTTP library do. */
  function postFromApp(path: string, body: unknown): Promise<Response> {
    return Promise.resolve(ctx.app.request(path, { method: 'POST', body: JSON.stringify(body), headers: { 'content-type': 'application/json', 'user-agent': 'okhttp/4.12.0' } }));
  }

  async function decide(site: string, url?: string): Promise<string> {
    const consentId = newConsentId();
    const response = await postFromApp('/api/consent', consentRequest({ site, consentId, source: 'app', url }));
    expect(response.status).toBe(201);
    return consentId;
  }

  async function eventsOf(consentId: string, count: number) {
    const deadline = Date.now() + 10_000;
    for (;;) {
      const rows = await ctx.database.db.selectFrom('events').selectAll().where('consent_id', '=', consentId).orderBy('id').execute();
      if (rows.length >= count || Date.now() > deadline) return rows;
      await new Promise((resolve) => setTimeout(resolve, 25));
    }
  }

  it('stores app:// URLs and screen names as paths, with campaign parameters from deep links', async () => {
    const consentId = await decide('app', 'app://min-side/innstillinger/samtykke');
    const response = await postFromApp('/api/events', {
      site: 'app',
      consentId,
      events: [
        { type: 'pageview', url: 'app://min-side/abonnement?utm_campaign=vinter', referrer: 'https://www.google.com/' },
        { type: 'pageview', url: 'Min side/Faktura', referrer: 'app://min-side/abonnement' },
        { type: 'custom', name: 'invoice_downloaded', url: 'fakturaer' },
        { type: 'notfound', url: 'app://min-side/borte', referrer: 'oversikt' },
      ],
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 4 });
    const rows = await eventsOf(consentId, 4);
    expect(rows.map((row) => [row.type, row.path, row.referrer_host])).toEqual([
      ['pageview', '/abonnement', 'google.com'],
      ['pageview', '/Min%20side/Faktura', null],
      ['custom', '/fakturaer', null],
      ['notfound', '/borte', null],
    ]);
    expect(rows[0]!.utm_campaign).toBe('vinter');
    expect(rows[3]!.target).toBe('/oversikt');
    const record = await ctx.database.db.selectFrom('consent_records').select('page_url').where('consent_id', '=', consentId).executeTakeFirstOrThrow();
    expect(record.page_url).toBe('app://min-side/innstillinger/samtykke');
  });

  it('keeps refusing app addresses on web sites, naming the field', async () => {
    const consentId = await decide('min-side');
    for (const [events, field] of [
      [[{ type: 'pageview', url: 'https://portal.test/a' }, { type: 'pageview', url: 'abonnement' }], 'events.1.url'],
      [[{ type: 'pageview', url: 'https://portal.test/a', referrer: 'app://min-side/x' }], 'events.0.referrer'],
    ] as const) {
      const response = await post(ctx.app, '/api/events', { site: 'min-side', consentId, events });
      expect(response.status).toBe(400);
      expect(await errorOf(response)).toMatchObject({ code: 'invalid_body', field });
    }
    const decision = await post(ctx.app, '/api/consent', consentRequest({ url: 'app://min-side/x' }));
    expect(decision.status).toBe(400);
    expect(await errorOf(decision)).toMatchObject({ code: 'invalid_body', field: 'url' });
    expect(await eventsOf(consentId, 0)).toEqual([]);
  });

  it('refuses what no site takes before looking the site up', async () => {
    for (const url of ['ftp://files.test/a', '   ', 'app://min-side/%ZZ']) {
      const response = await postFromApp('/api/events', { site: 'app', consentId: newConsentId(), events: [{ type: 'pageview', url }] });
      expect(response.status).toBe(400);
      expect(await errorOf(response)).toMatchObject({ code: 'invalid_body', field: 'events.0.url' });
    }
  });
});
