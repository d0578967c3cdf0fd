/**
 * Sites as a customer's admin sets them up: created working (published policy, starter inventory), origins
 * validated and enforced by the collector at once, archived without losing evidence, and the install page's
 * snippets and installation check.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DESKTOP_USER_AGENT } from '../helpers/browser.ts';
import { createTestContext, type TestContext } from '../helpers/app.ts';
import { engines } from '../helpers/database.ts';
import { consentRequest, errorOf, eventsRequest, newConsentId, post } from '../helpers/requests.ts';
import { signedInStaff, type StaffClient } from './helpers.ts';

interface SiteSummary {
  id: number;
  key: string;
  name: string;
  surface: string;
  allowedOrigins: string[];
  archivedAt: string | null;
  policyVersion: number | null;
}

interface InstallCheck {
  allowedOrigins: string[];
  archived: boolean;
  lastDecision: { at: string; origin: string } | null;
  lastEvent: { at: string; origin: string } | null;
  refused: Array<{ origin: string; count: number; lastAt: string }>;
}

describe.each(engines)('site management on %s', (engine) => {
  let context: TestContext;
  let admin: StaffClient;
  let created = 0;
  beforeAll(async () => {
    context = await createTestContext(engine);
    admin = await signedInStaff(context, ['admin']);
  });
  afterAll(() => context.close());

  async function createSite(body: Record<string, unknown> = {}): Promise<SiteSummary> {
    const response = await admin.send('POST', '/api/admin/sites', {
      key: `kunde-${++created}`,
      name: 'Kunde Bedrift',
      surface: 'web',
      allowedOrigins: ['https://bedrift.kunde.no'],
      ...body,
    });
    expect(response.status, await response.clone().text()).toBe(201);
    return (await response.json()) as SiteSummary;
  }
  const decideFrom = (site: string, origin: string, consentId = newConsentId()) =>
    post(context.app, '/api/consent', consentRequest({ site, consentId }), { origin });
  const check = async (site: SiteSummary) => (await (await admin.get(`/api/admin/sites/${site.id}/install/check`)).json()) as InstallCheck;

  it('creates a site that works at once: published policy, declared consent cookie, decisions from its origins', async () => {
    const site = await createSite({ allowedOrigins: ['https://bedrift.kunde.no/', 'HTTPS://*.Kunde.no', 'https://bedrift.kunde.no'] });
    expect(site).toMatchObject({ name: 'Kunde Bedrift', surface: 'web', allowedOrigins: ['https://bedrift.kunde.no', 'https://*.kunde.no'], archivedAt: null, policyVersion: 1 });
    const listed = (await (await admin.get('/api/admin/sites')).json()) as SiteSummary[];
    expect(listed).toContainEqual(site);

    expect((await context.app.request(`/sites/${site.key}/widget.js`)).status).toBe(200);
    const declaration = (await (await context.app.request(`/api/sites/${site.key}/declaration`)).json()) as {
      categories: Array<{ category: string; items: Array<{ name: string; provider: string }> }>;
    };
    expect(declaration.categories.map((category) => category.category)).toEqual(['functional', 'analytics', 'ads']);
    expect(declaration.categories[0]!.items).toEqual([expect.objectContaining({ name: 'samtykke', provider: 'Demo Bedrift AS (Samtykke)' })]);

    expect((await decideFrom(site.key, 'https://bedrift.kunde.no')).status).toBe(201);
    expect((await decideFrom(site.key, 'https://min.side.kunde.no')).status).toBe(201);
    const refused = await decideFrom(site.key, 'https://kunde.no');
    expect(refused.status).toBe(403);
    expect(await errorOf(refused)).toMatchObject({ code: 'origin_not_allowed', message: expect.stringContaining(`site origins ${site.key} --add https://kunde.no`) });
    const preflight = await context.app.request('/api/consent', { method: 'OPTIONS', headers: { origin: 'https://min.kunde.no' } });
    expect(preflight.status).toBe(204);
    expect(preflight.headers.get('access-control-allow-origin')).toBe('https://min.kunde.no');

    const audit = await context.database.db.selectFrom('audit_log').select(['action', 'target']).where('action', '=', 'site.create').execute();
    expect(audit).toContainEqual({ action: 'site.create', target: site.key });
  });

  it('refuses bad sites with a 400 or 409 naming the field and the problem, in the dashboard language', async () => {
    const attempt = async (body: Record<string, unknown>, language = 'en') => {
      const sent = await admin.send('POST', '/api/admin/sites', { key: 'ny-side', name: 'Ny', surface: 'web', allowedOrigins: [], ...body }, { 'accept-language': language });
      return { status: sent.status, error: await errorOf(sent) };
    };
    expect(await attempt({ key: 'Min Side' })).toMatchObject({ status: 400, error: { field: 'key', message: expect.stringContaining('lower-case letters') } });
    expect(await attempt({ key: 'min-side' })).toMatchObject({ status: 409, error: { code: 'conflict', field: 'key', message: 'A site with the key "min-side" already exists' } });
    expect(await attempt({ surface: 'desktop' })).toMatchObject({ status: 400, error: { field: 'surface' } });
    expect(await attempt({ allowedOrigins: ['https://ok.kunde.no', 'https://kunde.no/min-side'] })).toMatchObject({
      status: 400,
      error: { field: 'allowedOrigins.1', message: expect.stringMatching(/no path, query or fragment; write https:\/\/kunde\.no$/) },
    });
    expect(await attempt({ allowedOrigins: ['kunde.no'] })).toMatchObject({ status: 400, error: { field: 'allowedOrigins.0', message: expect.stringContaining('needs a scheme') } });
    expect(await attempt({ allowedOrigins: ['https://*.no'] })).toMatchObject({ status: 400, error: { field: 'allowedOrigins.0' } });
    expect(await attempt({ owner: 'me' })).toMatchObject({ status: 400, error: { code: 'invalid_body' } });

    expect(await attempt({ name: '' }, 'nb-NO,nb;q=0.9')).toMatchObject({ error: { code: 'invalid_body', field: 'name', message: 'name: må fylles ut' } });
    expect(await attempt({ allowedOrigins: ['ftp://kunde.no'] }, 'nb')).toMatchObject({
      error: { field: 'allowedOrigins.0', message: 'allowedOrigins.0: «ftp://kunde.no» må begynne med https:// eller http://' },
    });
    expect(await attempt({ key: 'min-side' }, 'nb')).toMatchObject({ error: { field: 'key', message: 'Det finnes allerede et nettsted med nøkkelen «min-side»' } });
    expect(await context.database.db.selectFrom('sites').select('key').where('key', '=', 'ny-side').execute()).toEqual([]);
  });

  it('renames a site and edits its origins, and the collector follows at once', async () => {
    const site = await createSite();
    expect((await decideFrom(site.key, 'https://bedrift.kunde.no')).status).toBe(201);
    const response = await admin.send('PUT', `/api/admin/sites/${site.id}`, { name: 'Kunde Bedriftsportal', allowedOrigins: ['https://portal.kunde.no'] });
    expect(await response.json()).toMatchObject({ id: site.id, name: 'Kunde Bedriftsportal', allowedOrigins: ['https://portal.kunde.no'] });
    expect((await decideFrom(site.key, 'https://bedrift.kunde.no')).status).toBe(403);
    expect((await decideFrom(site.key, 'https://portal.kunde.no')).status).toBe(201);
    const bad = await admin.send('PUT', `/api/admin/sites/${site.id}`, { name: 'X', allowedOrigins: ['https://portal.kunde.no?x'] });
    expect(await errorOf(bad)).toMatchObject({ field: 'allowedOrigins.0' });
    expect(await errorOf(await admin.send('PUT', `/api/admin/sites/${site.id}`, {}))).toMatchObject({ code: 'invalid_body', message: expect.stringContaining('new name') });
    // One field alone leaves the other as it is.
    expect(await (await admin.send('PUT', `/api/admin/sites/${site.id}`, { allowedOrigins: ['https://portal.kunde.no', 'https://ny.kunde.no'] })).json()).toMatchObject({
      name: 'Kunde Bedriftsportal',
      allowedOrigins: ['https://portal.kunde.no', 'https://ny.kunde.no'],
    });
    expect(await (await admin.send('PUT', `/api/admin/sites/${site.id}`, { name: 'Kundeportalen' })).json()).toMatchObject({
      name: 'Kundeportalen',
      allowedOrigins: ['https://portal.kunde.no', 'https://ny.kunde.no'],
    });
    const audit = await context.database.db.selectFrom('audit_log').select('detail').where('action', '=', 'site.update').where('site_id', '=', site.id).executeTakeFirstOrThrow();
    expect(audit.detail).toEqual({
      name: 'Kunde Bedriftsportal',
      allowedOrigins: ['https://portal.kunde.no'],
      before: { name: 'Kunde Bedrift', allowedOrigins: ['https://bedrift.kunde.no'] },
    });
  });

  it('archives a site: the collector refuses it with 410, its evidence and analytics stay readable, and restoring brings it back', async () => {
    const site = await createSite();
    const consentId = newConsentId();
    expect((await decideFrom(site.key, 'https://bedrift.kunde.no', consentId)).status).toBe(201);
    expect((await post(context.app, '/api/events', eventsRequest(consentId, { site: site.key }), { origin: 'https://bedrift.kunde.no' })).status).toBe(202);
    const stored = () => context.database.db.selectFrom('events').select('id').where('site_id', '=', site.id).execute();
    await expect.poll(async () => (await stored()).length).toBe(1);

    const archived = (await (await admin.send('PUT', `/api/admin/sites/${site.id}/archived`, { archived: true })).json()) as SiteSummary;
    expect(archived.archivedAt).toEqual(expect.any(String));
    const consent = await decideFrom(site.key, 'https://bedrift.kunde.no');
    expect(consent.status).toBe(410);
    expect(await errorOf(consent)).toMatchObject({ code: 'site_archived', field: 'site' });
    expect((await post(context.app, '/api/events', eventsRequest(consentId, { site: site.key }), { origin: 'https://bedrift.kunde.no' })).status).toBe(410);
    const pixel = await context.app.request(`/p.gif?site=${site.key}&cid=${consentId}&url=https://bedrift.kunde.no/`, { headers: { 'user-agent': DESKTOP_USER_AGENT } });
    expect(pixel.status).toBe(410);
    expect(pixel.headers.get('x-samtykke-error')).toMatch(/^site_archived/);
    expect((await context.app.request(`/sites/${site.key}/widget.js`)).status).toBe(410);
    expect((await context.app.request(`/api/sites/${site.key}/declaration`)).status).toBe(410);

    const records = (await (await admin.get(`/api/admin/records?site=${site.id}`)).json()) as Array<{ consentId: string }>;
    expect(records.map((record) => record.consentId)).toEqual([consentId]);
    const overview = (await (await admin.get(`/api/admin/sites/${site.id}/usage/overview?period=today`)).json()) as { totals: { current: { pageviews: number } } };
    expect(overview.totals.current.pageviews).toBe(1);
    const listed = (await (await admin.get('/api/admin/sites')).json()) as SiteSummary[];
    expect(listed.at(-1)).toMatchObject({ id: site.id, archivedAt: expect.any(String) });
    expect((await check(site)).archived).toBe(true);

    await admin.send('PUT', `/api/admin/sites/${site.id}/archived`, { archived: false });
    expect((await decideFrom(site.key, 'https://bedrift.kunde.no')).status).toBe(201);
    const actions = await context.database.db.selectFrom('audit_log').select('action').where('site_id', '=', site.id).orderBy('id').execute();
    expect(actions.map((row) => row.action)).toEqual(['site.create', 'site.archive', 'site.restore']);
  });

  it('gives the exact tag, CSP and markup to paste for a web site, and the HTTP calls for an app', async () => {
    const site = await createSite();
    const guide = (await (await admin.get(`/api/admin/sites/${site.id}/install`)).json()) as { scriptUrl: string; snippets: Array<{ id: string; code: string }> };
    const snippet = (id: string) => guide.snippets.find((candidate) => candidate.id === id)?.code;
    expect(guide.scriptUrl).toBe(`http://portal.test/sites/${site.key}/widget.js`);
    expect(snippet('tag')).toBe(`<script src="http://portal.test/sites/${site.key}/widget.js" async></script>`);
    expect(snippet('csp')).toBe('script-src http://portal.test; connect-src http://portal.test; img-src http://portal.test');
    expect(snippet('pixel')).toContain(`/p.gif?site=${site.key}&cid={cid}&url={url}`);
    expect(snippet('settingsButton')).toContain('data-samtykke-open');
    expect(snippet('declarationEmbed')).toBe(
      `<div data-samtykke-declaration></div>\n<script src="http://portal.test/sites/${site.key}/declaration.js?lang=nb" async></script>`,
    );
    expect(guide.snippets.map((candidate) => candidate.id)).toEqual(['tag', 'csp', 'heldScript', 'pixel', 'iframe', 'settingsButton', 'declarationEmbed']);

    const app = await createSite({ surface: 'app', allowedOrigins: [] });
    const appGuide = (await (await admin.get(`/api/admin/sites/${app.id}/install`)).json()) as { snippets: Array<{ id: string; code: string }> };
    expect(appGuide.snippets.map((candidate) => candidate.id)).toEqual(['appConsent', 'appEvents']);
    // The example is a real request: sent as printed (with a real consent ID), the collector takes it.
    const example = JSON.parse(/-d '(.*)'$/s.exec(appGuide.snippets[0]!.code)![1]!) as Record<string, unknown>;
    const response = await context.app.request('/api/consent', {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify({ ...example, consentId: newConsentId() }),
    });
    expect(response.status).toBe(201);
  });

  it('shows when a site last sent a decision and an event, from which origin, and which origins were refused', async () => {
    const site = await createSite();
    expect(await check(site)).toEqual({ allowedOrigins: ['https://bedrift.kunde.no'], archived: false, lastDecision: null, lastEvent: null, refused: [] });

    const consentId = newConsentId();
    expect((await decideFrom(site.key, 'https://bedrift.kunde.no', consentId)).status).toBe(201);
    for (let i = 0; i < 3; i++) expect((await decideFrom(site.key, 'https://www.kunde.no')).status).toBe(403);
    expect((await post(context.app, '/api/events', eventsRequest(consentId, { site: site.key }), { origin: 'https://nett.andre.no' })).status).toBe(403);
    expect((await post(context.app, '/api/events', eventsRequest(consentId, { site: site.key }), { origin: 'https://bedrift.kunde.no' })).status).toBe(202);

    const result = await check(site);
    expect(result.lastDecision).toEqual({ at: expect.any(String), origin: 'https://bedrift.kunde.no' });
    expect(result.lastEvent).toEqual({ at: expect.any(String), origin: 'https://bedrift.kunde.no' });
    expect(Date.now() - Date.parse(result.lastDecision!.at)).toBeLessThan(60_000);
    expect(result.refused).toEqual([
      { origin: 'https://www.kunde.no', count: 3, lastAt: expect.any(String) },
      { origin: 'https://nett.andre.no', count: 1, lastAt: expect.any(String) },
    ]);
    // The refusal is readable by the page that made it, so its developer sees why.
    const refusal = await decideFrom(site.key, 'https://www.kunde.no');
    expect(refusal.headers.get('access-control-allow-origin')).toBe('https://www.kunde.no');
    // Once the origin is added, its earlier refusals are fixed and leave the list.
    await admin.send('PUT', `/api/admin/sites/${site.id}`, { allowedOrigins: ['https://bedrift.kunde.no', 'https://www.kunde.no'] });
    expect((await check(site)).refused).toEqual([{ origin: 'https://nett.andre.no', count: 1, lastAt: expect.any(String) }]);

    // An app sends no Origin; the check says so rather than naming one.
    const appSite = await createSite({ surface: 'app', allowedOrigins: [] });
    expect((await context.app.request('/api/consent', { method: 'POST', body: JSON.stringify(consentRequest({ site: appSite.key, source: 'app' })) })).status).toBe(201);
    expect((await check(appSite)).lastDecision).toEqual({ at: expect.any(String), origin: '' });
  });

  it("records decisions from the server's own pages at whatever address it is reached", async () => {
    const request = (url: string, origin: string) =>
      context.app.request(url, {
        method: 'POST',
        body: JSON.stringify(consentRequest({ site: 'min-bedrift' })),
        headers: { 'content-type': 'text/plain', origin, 'user-agent': DESKTOP_USER_AGENT },
      });
    // The demo sites list no origins: /demo is served by Samtykke itself.
    expect(context.demo.sites[0]!.allowedOrigins).toEqual([]);
    expect((await request('http://192.168.1.20:8080/api/consent', 'http://192.168.1.20:8080')).status).toBe(201);
    expect((await request('http://127.0.0.1:9123/api/consent', 'http://127.0.0.1:9123')).status).toBe(201);
    expect((await request('http://localhost:8080/api/consent', 'http://portal.test')).status).toBe(201);
    expect((await request('http://192.168.1.20:8080/api/consent', 'http://192.168.1.21:8080')).status).toBe(403);
  });
});
