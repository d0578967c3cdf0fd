/** GET /sites/:key/widget.js and declaration.js: the bundle of the site's features with its configuration inlined, within the byte budget. */
import { readFile } from 'node:fs/promises';
import { gunzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEMO_POLICY_TEXTS } from '../../server/demo/content.ts';
import type { WidgetTexts } from '../../server/contract.ts';
import type { SiteFeatures } from '../../server/domain/sites.ts';
import { CONFIG_PLACEHOLDER, DECLARATION_BUNDLE, DECLARATION_PLACEHOLDER, widgetBundle } from '../../widget/bundles.ts';
import type { ServedConfig } from '../../widget/config.ts';
import type { DeclarationEmbed } from '../../widget/declaration.ts';
import { createTestContext, type TestContext } from '../helpers/app.ts';
import { engines } from '../helpers/database.ts';

/** Everything a banner page loads from us — script, themed styles, texts and labels in three languages — as served gzipped. */
const BUDGET_GZIP_BYTES = 5 * 1024;
const SITE = 'min-bedrift';
/** A new site's: every feature off. */
const DEFAULT_FEATURES: SiteFeatures = { consentMode: false, declarationEmbed: false, engagement: false, outboundLinks: false, fileDownloads: false, notFoundPages: false, appHandoff: false };
/** Every engagement signal of the tracker on, without Consent Mode. */
const TRACKER_FEATURES: SiteFeatures = { ...DEFAULT_FEATURES, engagement: true, outboundLinks: true, fileDownloads: true, notFoundPages: true };
const ALL_FEATURES: SiteFeatures = { ...TRACKER_FEATURES, consentMode: true, declarationEmbed: true, appHandoff: true };
const NO_TRACKER_SIGNALS = DEFAULT_FEATURES;

describe.each(engines)('the served widget script (%s)', (engine) => {
  let context: TestContext;

  beforeAll(async () => {
    context = await createTestContext(engine);
  });
  afterAll(() => context?.close());

  async function setFeatures(features: SiteFeatures): Promise<void> {
    const site = context.demo.sites.find((candidate) => candidate.key === SITE)!;
    await context.deps.sites.update(site, { features });
  }

  /** The served script is the built template with a value in place of the placeholder. */
  async function inlined<T>(body: string, file: string, placeholder: string): Promise<T> {
    const [before, after] = (await readFile(file, 'utf8')).split(placeholder) as [string, string];
    expect(body.startsWith(before) && body.endsWith(after)).toBe(true);
    return JSON.parse(body.slice(before.length, body.length - after.length)) as T;
  }

  test("inlines the policy texts of the request's locale with their labels and shown hash, the theme, and the storage rules", async () => {
    await setFeatures(DEFAULT_FEATURES);
    const response = await context.app.request(`/sites/${SITE}/widget.js`, { headers: { 'Accept-Language': 'nn-NO,nn;q=0.9,en;q=0.5' } });
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    expect(response.headers.get('vary')).toBe('Accept-Encoding, Accept-Language, Sec-GPC');
    const config = await inlined<ServedConfig>(await response.text(), widgetBundle(DEFAULT_FEATURES), CONFIG_PLACEHOLDER);
    expect(config).toMatchObject({
      site: SITE,
      policyVersion: 1,
      askedSince: 1,
      functionalRequired: true,
      consentLifetimeMonths: 12,
      locales: ['nb', 'nn', 'en'],
      texts: { nn: DEMO_POLICY_TEXTS.nn },
    });
    // One locale only: a page in another fetches its texts (below).
    expect(Object.keys(config.texts)).toEqual(['nn']);
    expect(config.texts.nn!.labels.choose).toBe('Vel sjølv');
    // The GPC notice travels only to browsers that send GPC.
    expect(config.texts.nn!.labels.gpc).toBeUndefined();
    const withGpc = await context.app.request(`/sites/${SITE}/widget.js?lang=nn`, { headers: { 'Sec-GPC': '1' } });
    const gpcConfig = await inlined<ServedConfig>(await withGpc.text(), widgetBundle(DEFAULT_FEATURES), CONFIG_PLACEHOLDER);
    expect(gpcConfig.texts.nn!.labels.gpc).toMatch(/GPC/);
    expect(gpcConfig.texts.nn!.shown).toBe(config.texts.nn!.shown);
    expect(config.texts.nn!.shown).toMatch(/^[0-9a-f]{64}$/);
    expect(config.css).toContain('.n{position:fixed');
    // The storage inventory arrives compiled: one expression per category and kind, `*` as a wildcard.
    const matches = (pattern: string | undefined, name: string) => new RegExp(pattern!).test(name);
    expect(matches(config.storage.analytics?.cookie, '_pa_id')).toBe(true);
    expect(matches(config.storage.analytics?.cookie, 'x_pa_id')).toBe(false);
    expect(matches(config.storage.analytics?.local, 'portal_analytics_queue')).toBe(true);
    // Functional is required on this site, so nothing of it is ever cleared: its rules do not travel.
    expect(config.storage.functional).toBeUndefined();
    // Pixels and beacons are not storage: nothing to delete in the browser.
    expect(JSON.stringify(config.storage)).not.toContain('p.gif');

    // The script URL's lang outranks the browser's languages; English browsers get English.
    const byQuery = await context.app.request(`/sites/${SITE}/widget.js?lang=nb`, { headers: { 'Accept-Language': 'en' } });
    expect(Object.keys((await inlined<ServedConfig>(await byQuery.text(), widgetBundle(DEFAULT_FEATURES), CONFIG_PLACEHOLDER)).texts)).toEqual(['nb']);
    const english = await context.app.request(`/sites/${SITE}/widget.js`, { headers: { 'Accept-Language': 'en-GB' } });
    expect(Object.keys((await inlined<ServedConfig>(await english.text(), widgetBundle(DEFAULT_FEATURES), CONFIG_PLACEHOLDER)).texts)).toEqual(['en']);
  });

  test('texts.json gives any locale\'s texts with the same shown hash the script would inline', async () => {
    for (const lang of ['nb', 'nn', 'en'] as const) {
      const texts = (await (await context.app.request(`/sites/${SITE}/texts.json?lang=${lang}`)).json()) as WidgetTexts;
      const script = await (await context.app.request(`/sites/${SITE}/widget.js?lang=${lang}`)).text();
      const config = await inlined<ServedConfig>(script, widgetBundle(DEFAULT_FEATURES), CONFIG_PLACEHOLDER);
      expect(texts).toEqual(config.texts[lang]);
    }
    const response = await context.app.request(`/sites/${SITE}/texts.json?lang=en`, { headers: { origin: 'https://anywhere.example' } });
    expect(response.headers.get('access-control-allow-origin')).toBe('*');
  });

  test('ships Consent Mode, the app hand-off and the embed script only to a site that has switched each on', async () => {
    await setFeatures(DEFAULT_FEATURES);
    const plain = await (await context.app.request(`/sites/${SITE}/widget.js`)).text();
    expect(plain).not.toContain('ad_user_data');
    expect(plain).not.toContain('declaration.js');
    expect(plain).not.toContain('/api/handoff/verify');
    await setFeatures({ ...DEFAULT_FEATURES, appHandoff: true });
    const opened = await (await context.app.request(`/sites/${SITE}/widget.js`)).text();
    expect(opened).toContain('/api/handoff/verify');
    expect(opened).not.toContain('ad_user_data');
    const off = await context.app.request(`/sites/${SITE}/declaration.js?lang=nb`);
    expect(off.status).toBe(404);
    expect((await off.json()) as unknown).toMatchObject({ error: { message: expect.stringMatching(/declaration embed switched off/) } });
    await setFeatures(ALL_FEATURES);
    const full = await (await context.app.request(`/sites/${SITE}/widget.js`)).text();
    expect(full).toContain('ad_user_data');
    await inlined<ServedConfig>(full, widgetBundle(ALL_FEATURES), CONFIG_PLACEHOLDER);
    expect((await context.app.request(`/sites/${SITE}/declaration.js?lang=nb`)).status).toBe(200);
  });

  test('ships the code of each engagement signal only to a site that has switched it on', async () => {
    const script = async (features: SiteFeatures) => {
      await setFeatures(features);
      return (await context.app.request(`/sites/${SITE}/widget.js`)).text();
    };
    // What only each signal's code holds: its event type, or the page's 404 marker.
    const MARKERS = { engagement: '"engagement"', outboundLinks: '"outbound"', fileDownloads: '"download"', notFoundPages: 'data-samtykke-404' } as const;
    const none = await script(NO_TRACKER_SIGNALS);
    for (const marker of Object.values(MARKERS)) expect(none).not.toContain(marker);
    for (const [feature, marker] of Object.entries(MARKERS)) {
      const one = await script({ ...NO_TRACKER_SIGNALS, [feature]: true });
      expect(one).toContain(marker);
      for (const other of Object.values(MARKERS).filter((candidate) => candidate !== marker)) expect(one).not.toContain(other);
    }
  });

  const gzippedSize = async (path: string, headers: Record<string, string> = {}): Promise<number> => {
    const plain = await (await context.app.request(path, { headers })).text();
    const served = await context.app.request(path, { headers: { ...headers, 'Accept-Encoding': 'gzip, deflate, br' } });
    expect(served.headers.get('content-encoding')).toBe('gzip');
    const body = new Uint8Array(await served.arrayBuffer());
    // The figure is real compression of this very body, not a cached or truncated one.
    expect(gunzipSync(body).toString('utf8')).toBe(plain);
    return body.byteLength;
  };

  /** The banner script per page language, with the site's features as given. */
  async function scriptSizes(features: SiteFeatures): Promise<Record<string, number>> {
    await setFeatures(features);
    const sizes: Record<string, number> = {};
    for (const lang of ['nb', 'nn', 'en']) sizes[lang] = await gzippedSize(`/sites/${SITE}/widget.js`, { 'Accept-Language': lang });
    return sizes;
  }

  test(`stays within ${BUDGET_GZIP_BYTES} bytes as served gzipped in the default configuration`, async () => {
    const sizes = await scriptSizes(DEFAULT_FEATURES);
    const texts = await gzippedSize(`/sites/${SITE}/texts.json?lang=nn`);
    console.log(
      `widget.js for ${SITE}, default configuration, as served gzipped (budget ${BUDGET_GZIP_BYTES}): ${JSON.stringify(sizes)}; ` +
        `a page in another language than the browser's also loads texts.json: ${texts} bytes`,
    );
    for (const size of Object.values(sizes)) expect(size).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
  });

  test(`stays within ${BUDGET_GZIP_BYTES} bytes as served gzipped with the app hand-off on`, async () => {
    const sizes = await scriptSizes({ ...DEFAULT_FEATURES, appHandoff: true });
    console.log(`widget.js for ${SITE}, app hand-off on, as served gzipped (budget ${BUDGET_GZIP_BYTES}): ${JSON.stringify(sizes)}`);
    for (const size of Object.values(sizes)) expect(size).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
  });

  // A known miss, reported in issues 12 and 13: with every engagement signal on (no Consent Mode) the script is
  // about 285 bytes over the budget (nb 5,402, nn 5,404, en 5,313). `test.fails` keeps the real check: the day it fits, this
  // test fails and the marker must go.
  test.fails(`stays within ${BUDGET_GZIP_BYTES} bytes as served gzipped with every tracker signal on (missed, see issue 12)`, async () => {
    const sizes = await scriptSizes(TRACKER_FEATURES);
    console.log(`widget.js for ${SITE}, every tracker signal on, no Consent Mode, as served gzipped (budget ${BUDGET_GZIP_BYTES}): ${JSON.stringify(sizes)}`);
    for (const size of Object.values(sizes)) expect(size).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
  });

  // A known miss, reported in issues 8, 9 and 13: with every feature on, the script is up to 580 bytes over the budget.
  // `test.fails` keeps the real check: the day it fits, this test fails and the marker must go.
  test.fails(`stays within ${BUDGET_GZIP_BYTES} bytes as served gzipped in the largest configuration (missed, see issue 8)`, async () => {
    const sizes = await scriptSizes(ALL_FEATURES);
    console.log(`widget.js for ${SITE}, largest configuration, as served gzipped (budget ${BUDGET_GZIP_BYTES}): ${JSON.stringify(sizes)}`);
    for (const size of Object.values(sizes)) expect(size).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
  });

  test('answers 304 while unchanged, for either coding, and 200 again once the script changes', async () => {
    await setFeatures(DEFAULT_FEATURES);
    const first = await context.app.request(`/sites/${SITE}/widget.js`);
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    const again = await context.app.request(`/sites/${SITE}/widget.js`, { headers: { 'If-None-Match': etag! } });
    expect(again.status).toBe(304);
    expect(again.headers.get('vary')).toBe('Accept-Encoding, Accept-Language, Sec-GPC');
    const zipped = await context.app.request(`/sites/${SITE}/widget.js`, { headers: { 'Accept-Encoding': 'gzip' } });
    expect(zipped.headers.get('etag')).not.toBe(etag);
    const zippedAgain = await context.app.request(`/sites/${SITE}/widget.js`, { headers: { 'Accept-Encoding': 'gzip', 'If-None-Match': zipped.headers.get('etag')! } });
    expect(zippedAgain.status).toBe(304);
    // A client that refuses gzip gets the plain script.
    const refused = await context.app.request(`/sites/${SITE}/widget.js`, { headers: { 'Accept-Encoding': 'gzip;q=0, identity' } });
    expect(refused.headers.get('content-encoding')).toBeNull();
    await setFeatures(ALL_FEATURES);
    const changed = await context.app.request(`/sites/${SITE}/widget.js`, { headers: { 'If-None-Match': etag! } });
    expect(changed.status).toBe(200);
  });

  test('declaration.js inlines one locale of the declaration with the site\'s settings label', async () => {
    await setFeatures(ALL_FEATURES);
    for (const [lang, allowed, heading] of [['nb', 'Tillatt', 'Bruksanalyse'], ['en', 'Allowed', DEMO_POLICY_TEXTS.en.categories.analytics.title]] as const) {
      const response = await context.app.request(`/sites/${SITE}/declaration.js?lang=${lang}`);
      expect(response.status).toBe(200);
      expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
      const embed = await inlined<DeclarationEmbed>(await response.text(), DECLARATION_BUNDLE, DECLARATION_PLACEHOLDER);
      expect(embed.texts.allowed).toBe(allowed);
      expect(embed.categories.map((category) => category.category)).toEqual(['functional', 'analytics', 'ads']);
      expect(embed.categories[1]!.title).toBe(heading);
      expect(embed.categories.flatMap((category) => category.rows.map((row) => row[0]))).toEqual(expect.arrayContaining(['samtykke', '_pa_*', 'p.gif']));
    }
    const zipped = await context.app.request(`/sites/${SITE}/declaration.js?lang=nb`, { headers: { 'Accept-Encoding': 'gzip' } });
    console.log(`declaration.js for ${SITE} (nb): ${(await zipped.arrayBuffer()).byteLength} bytes as served gzipped`);
  });

  test('an unknown site is a 404 with the error envelope', async () => {
    for (const path of ['/sites/no-such-site/widget.js', '/sites/no-such-site/declaration.js']) {
      const response = await context.app.request(path);
      expect(response.status).toBe(404);
      expect(await response.json()).toMatchObject({ error: { code: 'unknown_site' } });
    }
  });

  test('the demo pages carry a strict CSP without unsafe-inline', async () => {
    for (const path of ['/demo', '/demo/terms', '/demo/invoices']) {
      const response = await context.app.request(path);
      expect(response.status).toBe(200);
      const csp = response.headers.get('content-security-policy')!;
      const nonce = csp.match(/'nonce-([^']+)'/)?.[1];
      expect(nonce).toBeDefined();
      expect(csp).not.toContain('unsafe-inline');
      const html = await response.text();
      expect(html).toContain(`<script src="/sites/${SITE}/widget.js" nonce="${nonce}" async>`);
      expect(html).not.toMatch(/style=/);
    }
  });
});
