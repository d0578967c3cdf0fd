/** The public cookie and pixel overview, as JSON and as a page that needs no JavaScript. */
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { Declaration } from '../../server/contract.ts';
import { addInventoryItem } from '../../server/queries/inventory.ts';
import { createTestContext, type TestContext } from '../helpers/app.ts';
import { engines } from '../helpers/database.ts';
import { errorOf } from '../helpers/requests.ts';

describe.each(engines)('the cookie declaration on %s', (engine) => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await createTestContext(engine);
  });
  afterEach(() => ctx.close());

  it('lists every item per category with how to block it', async () => {
    const response = await ctx.app.request('/api/sites/min-side/declaration');
    expect(response.status).toBe(200);
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
    const declaration = (await response.json()) as Declaration;
    expect(declaration.site).toEqual({ key: 'min-side', name: 'Min Side', surface: 'web' });
    expect(declaration.policyVersion).toBe(1);
    const byCategory = Object.fromEntries(declaration.categories.map((category) => [category.category, category]));
    expect(byCategory.functional!.required).toBe(true);
    expect(byCategory.analytics!.required).toBe(false);
    expect(byCategory.functional!.items.map((item) => item.name)).toEqual(['portal_session', 'samtykke']);
    expect(byCategory.analytics!.items.map((item) => `${item.kind}:${item.name}`)).toEqual(['cookie:_pa_*', 'local_storage:portal_analytics_queue']);
    expect(byCategory.ads!.items.map((item) => `${item.kind}:${item.name}`)).toEqual(['pixel:p.gif', 'web_beacon:ad-conversion']);
    for (const category of declaration.categories) {
      for (const item of category.items) {
        expect(item.blocking.nb.length).toBeGreaterThan(10);
        expect(item.blocking.en.length).toBeGreaterThan(10);
      }
    }
  });

  it('renders a Norwegian and an English page from the inventory', async () => {
    const site = ctx.demo.sites.find((candidate) => candidate.key === 'min-side')!;
    await addInventoryItem(ctx.database.db, site.id, {
      kind: 'iframe', name: 'video-embed', namePattern: false, provider: 'Video AS', party: 'third', domain: 'video.example',
      category: 'analytics', purpose: { nb: 'Viser opplæringsvideoer <med statistikk>', en: 'Shows training videos' },
      retention: { nb: '1 år', en: '1 year' }, blocking: { nb: 'Slå av bruksanalyse', en: 'Turn off usage analytics' },
    });
    const norwegian = await ctx.app.request('/sites/min-side/cookies', { headers: { 'accept-language': 'nb-NO,nb;q=0.9' } });
    expect(norwegian.status).toBe(200);
    expect(norwegian.headers.get('content-type')).toMatch(/text\/html/);
    const nbHtml = await norwegian.text();
    expect(nbHtml).toMatch(/^<!doctype html><html lang="nb">/);
    expect(nbHtml).toContain('Informasjonskapsler og piksler – Min Side');
    expect(nbHtml).toContain('<code>portal_session</code>');
    expect(nbHtml).toContain('Slå av «Annonsemåling»');
    // Inventory text is escaped, never markup.
    expect(nbHtml).toContain('Viser opplæringsvideoer &lt;med statistikk');
    expect(nbHtml).not.toContain('<med');
    expect(nbHtml).not.toContain('<script');

    const english = await ctx.app.request('/sites/min-side/cookies?lang=en');
    const enHtml = await english.text();
    expect(enHtml).toContain('<html lang="en">');
    expect(enHtml).toContain('How to block it');
    expect(enHtml).toContain('Web beacon');
    expect(enHtml).toContain('Shows training videos');

    // Nynorsk where written, Bokmål where an item has no Nynorsk text; each page links the other two.
    const nynorsk = await ctx.app.request('/sites/min-side/cookies', { headers: { 'accept-language': 'nn-NO,nn;q=0.9' } });
    const nnHtml = await nynorsk.text();
    expect(nnHtml).toContain('<html lang="nn">');
    expect(nnHtml).toContain('Informasjonskapslar og pikslar – Min Side');
    expect(nnHtml).toContain('Hugsar vala dine om informasjonskapslar.');
    expect(nnHtml).toContain('Viser opplæringsvideoer &lt;med statistikk');
    expect(nnHtml).toContain('href="?lang=nb"');
    expect(nnHtml).toContain('href="?lang=en"');
  });

  it('answers an unknown site with 404 and a reason', async () => {
    const response = await ctx.app.request('/api/sites/nowhere/declaration');
    expect(response.status).toBe(404);
    expect(await errorOf(response)).toMatchObject({ code: 'unknown_site', field: 'site' });
  });

  it('reports health when the database answers', async () => {
    const response = await ctx.app.request('/healthz');
    expect(response.status).toBe(200);
    expect(await response.json()).toEqual({ status: 'ok' });
  });
});
