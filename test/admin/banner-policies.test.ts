/** The admin API for a site's banner (theme, labels, contrast refusal, preview) and its policy lifecycle. */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_THEME } from '../../server/domain/banner.ts';
import { DEMO_POLICY_TEXTS } from '../../server/demo/content.ts';
import type { PolicyEntry } from '../../server/domain/policy.ts';
import { createTestContext, type TestContext } from '../helpers/app.ts';
import { engines } from '../helpers/database.ts';
import { servedInEveryLocale, type EveryLocale } from '../helpers/served.ts';
import { errorOf } from '../helpers/requests.ts';
import { signedInStaff, type StaffClient } from './helpers.ts';

const RULES = { texts: DEMO_POLICY_TEXTS, functionalRequired: true, consentLifetimeMonths: 12 };

describe.each(engines)('banner and policy versions (%s)', (engine) => {
  let ctx: TestContext;
  let admin: StaffClient;
  let officer: StaffClient;
  let siteId: number;
  beforeAll(async () => {
    ctx = await createTestContext(engine);
    [admin, officer] = await Promise.all([signedInStaff(ctx, ['admin']), signedInStaff(ctx, ['privacy_officer'])]);
    siteId = ctx.demo.sites.find((site) => site.key === 'min-bedrift')!.id;
  });
  afterAll(() => ctx?.close());

  const served = (): Promise<EveryLocale> => servedInEveryLocale(ctx.deps, 'min-bedrift');
  const json = async <T>(response: Response, status = 200): Promise<T> => {
    expect(response.status, await response.clone().text()).toBe(status);
    return (await response.json()) as T;
  };

  test('a theme whose colours fail WCAG AA is refused, naming the pair, and nothing is saved', async () => {
    const response = await admin.send('PUT', `/api/admin/sites/${siteId}/banner`, { theme: { ...DEFAULT_THEME, text: '#aaaaaa' }, labels: {} }, { 'accept-language': 'nb' });
    expect(response.status).toBe(400);
    expect(await errorOf(response)).toMatchObject({ code: 'invalid_body', field: 'theme', message: expect.stringMatching(/teksten mot bakgrunnen \(#aaaaaa på #ffffff\)/) });
    expect((await served()).css).toContain('color:#1b1b1b');
  });

  test('malformed settings are a 400 naming the field', async () => {
    const bad = await admin.send('PUT', `/api/admin/sites/${siteId}/banner`, { theme: { ...DEFAULT_THEME, position: 'top' }, labels: {} });
    expect(await errorOf(bad)).toMatchObject({ code: 'invalid_body', field: 'theme.position' });
    const colour = await admin.send('PUT', `/api/admin/sites/${siteId}/banner`, { theme: { ...DEFAULT_THEME, accent: 'blue' }, labels: {} });
    expect(await errorOf(colour)).toMatchObject({ field: 'theme.accent', message: expect.stringMatching(/#1f3a5f/) });
    const label = await admin.send('PUT', `/api/admin/sites/${siteId}/banner`, { theme: DEFAULT_THEME, labels: { nn: { acceptAll: '' } } });
    expect(await errorOf(label)).toMatchObject({ field: 'labels.nn.acceptAll' });
  });

  test('a saved theme and labels reach the served script, and its content hash follows the labels', async () => {
    const before = await served();
    const theme = { ...DEFAULT_THEME, accent: '#6b1d5c', position: 'corner' as const, radius: 16, logoUrl: 'https://portal.test/logo.svg' };
    const saved = await json(await admin.send('PUT', `/api/admin/sites/${siteId}/banner`, { theme, labels: { nn: { acceptAll: 'Ja, godta alle' } } }));
    expect(saved).toMatchObject({ theme, labels: { nn: { acceptAll: 'Ja, godta alle' } } });
    const after = await served();
    expect(after.css).toContain('background:#6b1d5c');
    expect(after.css).toContain('max-width:384px');
    expect(after.logo).toBe('https://portal.test/logo.svg');
    expect(after.texts.nn!.labels.acceptAll).toBe('Ja, godta alle');
    expect(after.texts.nb.labels.acceptAll).toBe('Godta alle');
    expect(after.texts.nn!.shown).not.toBe(before.texts.nn!.shown);
    expect(after.texts.nb.shown).toBe(before.texts.nb.shown);
    const state = await json<{ theme: unknown; defaults: { labels: { nn: { choose: string } } } }>(await admin.get(`/api/admin/sites/${siteId}/banner`));
    expect(state.defaults.labels.nn.choose).toBe('Vel sjølv');
  });

  test('the preview page runs the served script sandboxed, with unsaved settings', async () => {
    const banner = JSON.stringify({ theme: { ...DEFAULT_THEME, accent: '#005a32' }, labels: {} });
    const response = await officer.get(`/api/admin/sites/${siteId}/preview?lang=nn&layer=preferences&banner=${encodeURIComponent(banner)}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-security-policy')).toMatch(/^sandbox allow-scripts;/);
    const html = await response.text();
    expect(html).toContain('<html lang="nn">');
    expect(html).toContain('background:#005a32');
    expect(html).toContain('window.Samtykke.open()');
    const bad = await officer.get(`/api/admin/sites/${siteId}/preview?banner=${encodeURIComponent('{"theme":{}}')}`);
    expect(bad.status).toBe(400);
  });

  test('the lifecycle: one draft, edited and diffed, then published material or as a wording fix', async () => {
    const list = () => admin.get(`/api/admin/sites/${siteId}/policies`).then((r) => json<PolicyEntry[]>(r));
    const [first] = await list();
    expect(first).toMatchObject({ version: 1, state: 'published', material: true });

    const draft = await json<PolicyEntry>(await admin.send('POST', `/api/admin/sites/${siteId}/policies`, RULES), 201);
    expect(draft).toMatchObject({ state: 'draft', version: null, publishedAt: null });
    expect((await admin.send('POST', `/api/admin/sites/${siteId}/policies`, RULES)).status).toBe(409);

    const edited = { ...RULES, texts: { ...DEMO_POLICY_TEXTS, en: { ...DEMO_POLICY_TEXTS.en, title: 'We use a few cookies' } } };
    await json(await admin.send('PUT', `/api/admin/sites/${siteId}/policies/${draft.id}`, edited));
    const diff = await json<{ fields: Array<{ locale: string; field: string; changed: boolean; parts: Array<{ change: string; text: string }> }> }>(
      await officer.get(`/api/admin/sites/${siteId}/policies/diff?from=${first!.id}&to=${draft.id}`),
    );
    const changed = diff.fields.filter((field) => field.changed);
    expect(changed.map((field) => `${field.locale}.${field.field}`)).toEqual(['en.title']);
    expect(changed[0]!.parts.filter((part) => part.change === 'added').map((part) => part.text.trim())).toEqual(['a few']);

    // The draft previews under the number it would get, and the live script still serves version 1.
    const preview = await (await admin.get(`/api/admin/sites/${siteId}/preview?lang=en&policy=${draft.id}`)).text();
    expect(preview).toContain('We use a few cookies');
    expect(preview).toContain('"policyVersion":2');
    expect((await served()).policyVersion).toBe(1);

    expect((await admin.send('POST', `/api/admin/sites/${siteId}/policies/${draft.id}/publish`, { change: 'sometimes' })).status).toBe(400);
    const published = await json<{ version: number; material: boolean; publishedBy: string }>(
      await admin.send('POST', `/api/admin/sites/${siteId}/policies/${draft.id}/publish`, { change: 'wording' }),
      201,
    );
    expect(published).toMatchObject({ version: 2, material: false, publishedBy: admin.user.email });
    expect(await served()).toMatchObject({ policyVersion: 2, askedSince: 1 });
    expect((await admin.send('PUT', `/api/admin/sites/${siteId}/policies/${draft.id}`, RULES)).status).toBe(409);
    expect((await admin.send('DELETE', `/api/admin/sites/${siteId}/policies/${draft.id}`)).status).toBe(409);

    const second = await json<PolicyEntry>(await admin.send('POST', `/api/admin/sites/${siteId}/policies`, RULES), 201);
    await json(await admin.send('POST', `/api/admin/sites/${siteId}/policies/${second.id}/publish`, { change: 'material' }), 201);
    expect(await served()).toMatchObject({ policyVersion: 3, askedSince: 3 });
    expect((await list()).map((entry) => [entry.version, entry.state, entry.material])).toEqual([
      [3, 'published', true],
      [2, 'superseded', false],
      [1, 'superseded', true],
    ]);

    const third = await json<PolicyEntry>(await admin.send('POST', `/api/admin/sites/${siteId}/policies`, RULES), 201);
    expect((await admin.send('DELETE', `/api/admin/sites/${siteId}/policies/${third.id}`)).status).toBe(204);
    expect((await list()).some((entry) => entry.state === 'draft')).toBe(false);
  });

  test('privacy officers read the versions but cannot draft or publish; analysts see none', async () => {
    expect((await officer.get(`/api/admin/sites/${siteId}/policies`)).status).toBe(200);
    expect((await officer.send('POST', `/api/admin/sites/${siteId}/policies`, RULES)).status).toBe(403);
    const analyst = await signedInStaff(ctx, ['analyst']);
    expect((await analyst.get(`/api/admin/sites/${siteId}/policies`)).status).toBe(403);
  });
});
