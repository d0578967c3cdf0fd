/** GET /sites/:key/widget.js: the built widget with the site's policy inlined, within the byte budget. */
import { readFile } from 'node:fs/promises';
import { gzipSync } from 'node:zlib';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import type { WidgetSiteConfig } from '../../server/contract.ts';
import { DEMO_POLICY_TEXTS } from '../../server/demo/content.ts';
import { CONFIG_PLACEHOLDER, WIDGET_BUNDLE, buildWidget } from '../../widget/build.ts';
import { createTestContext, type TestContext } from '../helpers/app.ts';
import { engines } from '../helpers/database.ts';

/** Everything the banner page loads from us — script, styles, texts in both languages — gzipped. */
const BUDGET_GZIP_BYTES = 6 * 1024;

describe.each(engines)('the served widget script (%s)', (engine) => {
  let context: TestContext;

  beforeAll(async () => {
    [context] = await Promise.all([createTestContext(engine), buildWidget()]);
  });
  afterAll(() => context?.close());

  /** The served script is the built template with the configuration in place of the placeholder. */
  async function inlinedConfig(body: string): Promise<WidgetSiteConfig> {
    const [before, after] = (await readFile(WIDGET_BUNDLE, 'utf8')).split(CONFIG_PLACEHOLDER) as [string, string];
    expect(body.startsWith(before) && body.endsWith(after)).toBe(true);
    return JSON.parse(body.slice(before.length, body.length - after.length)) as WidgetSiteConfig;
  }

  test('inlines the current policy texts, rules and storage inventory of the site', async () => {
    const response = await context.app.request('/sites/min-bedrift/widget.js');
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/javascript; charset=utf-8');
    expect(response.headers.get('cache-control')).toBe('no-cache');
    const config = await inlinedConfig(await response.text());
    expect(config).toMatchObject({
      site: 'min-bedrift',
      policyVersion: 1,
      functionalRequired: true,
      consentLifetimeMonths: 12,
      texts: DEMO_POLICY_TEXTS,
      collector: 'http://portal.test',
    });
    expect(config.storage).toEqual(
      expect.arrayContaining([
        { category: 'analytics', kind: 'cookie', name: '_pa_*', namePattern: true, domain: null },
        { category: 'analytics', kind: 'local_storage', name: 'portal_analytics_queue', namePattern: false, domain: null },
        { category: 'functional', kind: 'cookie', name: 'samtykke', namePattern: false, domain: null },
      ]),
    );
    // Pixels and beacons are not storage: nothing to delete in the browser.
    expect(config.storage.map((item) => item.name)).not.toContain('p.gif');
  });

  test(`stays within ${BUDGET_GZIP_BYTES} bytes as served gzipped, with the demo policy in both languages`, async () => {
    const plain = await (await context.app.request('/sites/min-bedrift/widget.js')).text();
    const served = await context.app.request('/sites/min-bedrift/widget.js', { headers: { 'Accept-Encoding': 'gzip' } });
    expect(served.headers.get('content-encoding')).toBe('gzip');
    const transferred = (await served.arrayBuffer()).byteLength;
    console.log(`widget.js for min-bedrift: ${plain.length} bytes, ${transferred} bytes as served gzipped (budget ${BUDGET_GZIP_BYTES})`);
    expect(transferred).toBeLessThanOrEqual(BUDGET_GZIP_BYTES);
    // The figure is real compression of this very script, not a cached or truncated body.
    expect(transferred).toBeGreaterThanOrEqual(gzipSync(plain, { level: 9 }).length);
  });

  test('answers 304 while unchanged, so browsers revalidate cheaply on every page', async () => {
    const first = await context.app.request('/sites/min-bedrift/widget.js');
    const etag = first.headers.get('etag');
    expect(etag).toBeTruthy();
    const again = await context.app.request('/sites/min-bedrift/widget.js', { headers: { 'If-None-Match': etag! } });
    expect(again.status).toBe(304);
  });

  test('an unknown site is a 404 with the error envelope', async () => {
    const response = await context.app.request('/sites/no-such-site/widget.js');
    expect(response.status).toBe(404);
    expect(await response.json()).toMatchObject({ error: { code: 'unknown_site' } });
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
      expect(html).toContain(`<script src="/sites/min-bedrift/widget.js" nonce="${nonce}" async>`);
      expect(html).not.toMatch(/style=/);
    }
  });
});
