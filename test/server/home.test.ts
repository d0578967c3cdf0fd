/** GET /: a page leading to the dashboard, the demo and the declarations, whether or not the server is set up. */
import { afterEach, describe, expect, it } from 'vitest';
import { createBareTestContext, createTestContext, type BareTestContext } from '../helpers/app.ts';
import { engines } from '../helpers/database.ts';

describe.each(engines)('the start page on %s', (engine) => {
  let context: BareTestContext;
  afterEach(() => context.close());

  it('links the dashboard, the demo pages and the demo declaration when the demo is installed', async () => {
    context = await createTestContext(engine);
    const response = await context.app.request('/', { headers: { 'accept-language': 'nb-NO,nb;q=0.9' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toMatch(/^text\/html/);
    const html = await response.text();
    for (const link of ['href="/dashboard/"', 'href="/demo"', 'href="/demo/terms"', 'href="/sites/min-bedrift/cookies?lang=nb"', 'href="/api/docs"']) expect(html).toContain(link);
    expect((await context.app.request('/api/docs')).status).toBe(200);
    expect(html).toContain('Dashbord');
    expect(html).not.toContain('ikke satt opp');
    expect((await context.app.request('/demo')).status).toBe(200);
  });

  it('says set-up is pending and offers no demo on a server without an organisation', async () => {
    context = await createBareTestContext(engine);
    const html = await (await context.app.request('/', { headers: { 'accept-language': 'en' } })).text();
    expect(html).toContain('href="/dashboard/"');
    expect(html).toContain('not set up yet');
    expect(html).not.toContain('href="/demo"');
    const demo = await context.app.request('/demo');
    expect(demo.status).toBe(404);
    expect(await demo.text()).toContain('demo is not installed');
  });
});
