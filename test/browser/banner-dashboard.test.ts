/**
 * The banner page, the policy lifecycle and the record view in real Chromium against a real server: a refused
 * theme, the preview against the served widget, publishing material and wording versions, and a record showing
 * what its user saw (and a tampered text detected).
 */
import type { Browser, BrowserContext, Frame, Page } from 'playwright-core';
import { chromium } from 'playwright-core';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { DEFAULT_LABELS } from '../../server/domain/banner.ts';
import type { Locale } from '../../server/domain/consent.ts';
import type { Role } from '../../server/domain/roles.ts';
import { DEMO_POLICY_TEXTS } from '../../server/demo/content.ts';
import { startTestServer, type TestContext } from '../helpers/app.ts';
import { browserAvailable, CHROMIUM_PATH, DESKTOP_USER_AGENT } from '../helpers/browser.ts';
import { dashboardSessions, type DashboardSessions } from '../helpers/dashboard.ts';
import { pageEngines } from '../helpers/database.ts';
import { decide, NOTICE, PREFERENCES, routePage } from '../widget/fixtures.ts';

const PREVIEW_FRAME = 'iframe[title="Forhåndsvisning av banneret"]';

/** The open shadow root's markup and its adopted (themed) stylesheet, whitespace collapsed. */
async function bannerMarkup(target: Page | Frame, part: 'notice' | 'preferences'): Promise<{ html: string; css: string }> {
  const found = await target.evaluate((which) => {
    const root = document.querySelector('samtykke-consent')!.shadowRoot!;
    const element = root.querySelector(which === 'notice' ? '[role="dialog"]' : 'dialog')!;
    const css = root.adoptedStyleSheets.map((sheet) => [...sheet.cssRules].map((rule) => rule.cssText).join('\n')).join('\n');
    return { html: element.outerHTML, css };
  }, part);
  const squash = (text: string) => text.replace(/\s+/g, ' ').trim();
  return { html: squash(found.html), css: squash(found.css) };
}

describe.skipIf(!browserAvailable).each(pageEngines)('banner, policy versions and evidence in the dashboard (%s)', (engine) => {
  let server: TestContext & { url: string };
  let visitors: Browser;
  let sessions: DashboardSessions;

  beforeAll(async () => {
    server = await startTestServer(engine);
    sessions = dashboardSessions(server, 'banner.test');
    visitors = await chromium.launch({ executablePath: CHROMIUM_PATH, headless: true, args: ['--no-sandbox', '--disable-gpu'] });
  });
  afterAll(async () => {
    // Chromium logs the 401 of the session check before sign-in, and the refused save's 400 the first test wants.
    expect(sessions.pageErrors.filter((text) => !/status of 40[01]/.test(text))).toEqual([]);
    await sessions?.close();
    await visitors?.close();
    await server?.close();
  });

  const siteNamed = (key: string) => server.demo.sites.find((site) => site.key === key)!;

  const signedIn = async (roles: Role[]): Promise<Page> => (await sessions.signIn(roles)).page;

  async function openPage(page: Page, link: string, siteKey: string): Promise<void> {
    await page.getByRole('navigation', { name: 'main' }).getByRole('link', { name: link }).click();
    await page.getByRole('heading', { level: 1, name: link }).waitFor();
    await page.getByLabel('Nettsted').selectOption({ label: `${siteNamed(siteKey).name} (web)` });
    // Until the picked site's data is in, the form on screen may still be the first site's.
    await page.locator(`[data-site="${siteKey}"]`).first().waitFor();
  }

  /** A customer's page at the server's own origin with the site's real script, as a visitor with no decision sees it. */
  async function visit(siteKey: string, lang: Locale): Promise<{ page: Page; context: BrowserContext }> {
    const context = await visitors.newContext({ userAgent: DESKTOP_USER_AGENT, locale: 'nb-NO' });
    const page = await context.newPage();
    await routePage(page, '/kunde', `<!doctype html><html lang="${lang}"><head><title>Kunde</title><script src="/sites/${siteKey}/widget.js"></script></head><body><main><h1>Kunde</h1></main></body></html>`);
    await page.goto(`${server.url}/kunde`);
    await page.locator(NOTICE).waitFor();
    return { page, context };
  }

  /** The preview frame once it shows a page whose address satisfies `ready`, with the banner drawn. */
  async function previewFrame(page: Page, ready: (url: string) => boolean, part: 'notice' | 'preferences' = 'notice'): Promise<Frame> {
    let frame: Frame | null = null;
    // The address, not a yes or no, so a failure says what the frame showed instead.
    await expect
      .poll(async () => {
        frame = (await (await page.locator(PREVIEW_FRAME).elementHandle())?.contentFrame()) ?? null;
        return decodeURIComponent(frame?.url() ?? '');
      }, { timeout: 20_000 })
      .toSatisfy(ready);
    await frame!.locator(part === 'notice' ? NOTICE : PREFERENCES).waitFor();
    return frame!;
  }

  test('refuses a theme whose contrast fails, naming the failing pair, and warns while it is typed', async () => {
    const page = await signedIn(['admin']);
    await openPage(page, 'Banner', 'min-side');
    const textHex = page.getByLabel('Tekstfarge, heksadesimalt');
    await textHex.fill('#bbbbbb');
    const pair = 'teksten mot bakgrunnen (#bbbbbb på #ffffff)';
    await expect.poll(() => page.getByTestId('contrast-warning').textContent()).toContain(pair);
    // The frame reloaded with the typed colour and its banner drawn; the widget in it must not take the focus from the form.
    await previewFrame(page, (url) => url.includes('#bbbbbb'));
    await page.waitForTimeout(300);
    expect(await page.evaluate(() => document.activeElement?.getAttribute('aria-label'))).toBe('Tekstfarge, heksadesimalt');

    const refused = page.waitForResponse((response) => response.url().endsWith('/banner') && response.request().method() === 'PUT');
    await page.getByRole('button', { name: 'Lagre', exact: true }).click();
    expect((await refused).status()).toBe(400);
    await expect.poll(() => page.getByRole('form', { name: 'Banner' }).getByRole('alert').textContent()).toContain(pair);
    const stored = await server.database.db.selectFrom('sites').select('banner').where('id', '=', siteNamed('min-side').id).executeTakeFirstOrThrow();
    expect(JSON.stringify(stored.banner ?? null)).not.toContain('#bbbbbb');
  });

  test('the preview shows both layers exactly as the site serves them, after a theme is saved', async () => {
    const page = await signedIn(['admin']);
    await openPage(page, 'Banner', 'min-side');
    const typed = {
      'Aksentfarge (knapper og lenker), heksadesimalt': '#6b1d4f',
      'Bakgrunnsfarge (også knappetekst), heksadesimalt': '#fffdf6',
      'Tekstfarge, heksadesimalt': '#222222',
      'Hjørneradius (px, 0–24)': '14',
    };
    for (const [label, value] of Object.entries(typed)) await page.getByLabel(label).fill(value);
    await page.getByLabel('Plassering').selectOption('box');
    // Every edit still in its field before saving: a form reloaded under the typing would lose the first ones.
    for (const [label, value] of Object.entries(typed)) await expect.poll(() => page.getByLabel(label).inputValue()).toBe(value);
    // A feature turned off leaves its code out of both the served script and the preview.
    await page.getByLabel('Google Consent Mode').uncheck();
    await page.getByRole('button', { name: 'Lagre', exact: true }).click();
    await page.getByText('Banneret er lagret.', { exact: false }).waitFor();
    const site = await server.database.db.selectFrom('sites').select(['consent_mode', 'declaration_embed', 'banner']).where('id', '=', siteNamed('min-side').id).executeTakeFirstOrThrow();
    expect(site).toMatchObject({ consent_mode: false, declaration_embed: true, banner: { theme: { accent: '#6b1d4f', background: '#fffdf6', text: '#222222', position: 'box', radius: 14 } } });

    for (const lang of ['nb', 'nn', 'en'] as const) {
      await page.getByRole('group', { name: 'Språk' }).getByLabel(lang === 'nb' ? 'Bokmål' : lang === 'nn' ? 'Nynorsk' : 'Engelsk').check();
      const frame = await previewFrame(page, (url) => url.includes('#6b1d4f') && url.includes('"radius":14') && url.includes(`lang=${lang}`) && url.includes('layer=notice'));
      const { page: customer, context } = await visit('min-side', lang);
      const served = await bannerMarkup(customer, 'notice');
      expect(served.css).toMatch(/6b1d4f|107, 29, 79/i);
      expect(await bannerMarkup(frame, 'notice')).toEqual(served);

      if (lang === 'en') {
        await page.getByRole('group', { name: 'Lag' }).getByLabel('Innstillinger').check();
        const preferences = await previewFrame(page, (url) => url.includes('lang=en') && url.includes('layer=preferences'), 'preferences');
        await customer.getByRole('button', { name: DEFAULT_LABELS.en.choose, exact: true }).click();
        await customer.locator(PREFERENCES).waitFor();
        expect(await bannerMarkup(preferences, 'preferences')).toEqual(await bannerMarkup(customer, 'preferences'));
        // The switch to a 375 px phone narrows the frame itself.
        await page.getByRole('group', { name: 'Bredde' }).getByLabel('Mobil (375 px)').check();
        await expect.poll(async () => (await page.locator(PREVIEW_FRAME).boundingBox())?.width).toBe(375);
      }
      await context.close();
    }
  });

  test('publishing a draft as a material change or a wording fix shows in the list with the right states', async () => {
    const page = await signedIn(['admin']);
    await openPage(page, 'Samtykketekst', 'min-bedrift');
    const versions = page.getByRole('table', { name: 'Versjoner' });
    const row = (name: string) => versions.getByRole('row').filter({ has: page.getByRole('cell', { name, exact: true }) });

    await page.getByRole('button', { name: 'Nytt utkast fra gjeldende versjon' }).click();
    await row('Utkast').waitFor();
    await page.getByLabel('Overskrift (nb)').first().fill('Vi bruker nye informasjonskapsler');
    await page.getByRole('button', { name: 'Lagre utkastet' }).click();
    await page.getByText('Utkastet er lagret.').waitFor();

    // The draft in the banner, before anyone sees it.
    await page.getByRole('button', { name: 'Forhåndsvis utkastet i banneret' }).click();
    const frame = await previewFrame(page, (url) => /policy=\d+/.test(url));
    expect(await frame.locator(NOTICE).getByRole('heading').textContent()).toBe('Vi bruker nye informasjonskapsler');

    await page.getByLabel('Vesentlig endring (alle blir spurt på nytt)').check();
    await page.getByRole('button', { name: 'Publiser', exact: true }).click();
    await page.getByText('Versjon 2 er publisert som vesentlig endring.', { exact: false }).waitFor();
    await expect.poll(() => row('Versjon 2').textContent()).toMatch(/Gjeldende.*Vesentlig/);
    expect(await row('Versjon 1').textContent()).toContain('Erstattet');

    await page.getByRole('button', { name: 'Nytt utkast fra gjeldende versjon' }).click();
    // The demo is written in Nynorsk too: taking it out and adding it again starts it from the Bokmål text.
    await page.getByRole('button', { name: 'Fjern nynorsk' }).click();
    await page.getByRole('button', { name: 'Legg til nynorsk' }).click();
    expect(await page.getByLabel('Overskrift (nn)').first().inputValue()).toBe('Vi bruker nye informasjonskapsler');
    await page.getByLabel('Overskrift (nn)').first().fill('Vi brukar informasjonskapslar');
    await page.getByLabel('Rettelse av ordlyd (tidligere valg gjelder fortsatt)').check();
    await page.getByRole('button', { name: 'Publiser', exact: true }).click();
    await page.getByText('Versjon 3 er publisert som rettelse av ordlyd.', { exact: false }).waitFor();
    await expect.poll(() => row('Versjon 3').textContent()).toMatch(/Gjeldende.*Ordlyd/);
    expect(await row('Versjon 2').textContent()).toMatch(/Erstattet.*Vesentlig/);
    expect(await versions.getByRole('row').count()).toBe(4);

    const stored = await server.database.db
      .selectFrom('policy_versions')
      .select(['version', 'material'])
      .where('site_id', '=', siteNamed('min-bedrift').id)
      .orderBy('version')
      .execute();
    expect(stored).toEqual([
      { version: 1, material: true },
      { version: 2, material: true },
      { version: 3, material: false },
    ]);

    // A word diff of the first and second versions: the new word inserted, the old one struck, each with its sign.
    const compare = page.getByRole('region', { name: 'Sammenlign to versjoner' });
    await compare.getByRole('combobox', { name: /^Fra/ }).selectOption({ label: 'Versjon 1' });
    await compare.getByRole('combobox', { name: /^Til/ }).selectOption({ label: 'Versjon 2' });
    await compare.getByRole('button', { name: 'Vis forskjellene' }).click();
    await page.locator('.diff ins').first().waitFor();
    expect((await page.locator('.diff ins').allTextContents()).some((text) => /^\+lagt til: nye\s*$/.test(text))).toBe(true);
  });

  test('a record shows the banner as its user saw it in nb, nn and en, with the hash it matches', async () => {
    const decided: Array<{ lang: Locale; consentId: string }> = [];
    for (const lang of ['nb', 'nn', 'en'] as const) {
      const { page, context } = await visit('min-side', lang);
      await decide(page, DEFAULT_LABELS[lang].acceptAll);
      decided.push({ lang, consentId: await page.evaluate(() => window.Samtykke!.consentId) });
      await context.close();
    }
    const page = await signedIn(['privacy_officer']);
    await page.getByRole('navigation', { name: 'main' }).getByRole('link', { name: 'Samtykkelogg' }).click();
    for (const [index, { lang, consentId }] of decided.entries()) {
      const record = await server.database.db.selectFrom('consent_records').selectAll().where('consent_id', '=', consentId).executeTakeFirstOrThrow();
      expect(record).toMatchObject({ locale: lang, gpc: false, stale: false });
      expect(record.shown_hash).toMatch(/^[0-9a-f]{64}$/);
      await page.getByLabel('Samtykke-ID').first().fill(consentId);
      await page.getByRole('button', { name: 'Søk', exact: true }).first().click();
      if (index === 1) {
        // From the consent ID's history, the other way in.
        await page.getByRole('table', { name: 'Samtykkelogg' }).getByRole('row').nth(1).getByRole('cell').first().click();
        await page.getByRole('heading', { name: `Historikk for ${consentId}` }).waitFor();
        await page.locator('section', { hasText: `Historikk for ${consentId}` }).getByRole('button', { name: `Åpne samtykke ${record.id}` }).click();
      } else {
        await page.getByRole('table', { name: 'Samtykkelogg' }).getByRole('button', { name: `Åpne samtykke ${record.id}` }).click();
      }
      const view = page.locator('.record-view');
      await view.getByRole('heading', { name: `Samtykke ${record.id}` }).waitFor();
      await expect.poll(() => view.locator('[data-evidence]').textContent()).toBe(`✓ Den lagrede teksten stemmer med samtykkets hash (SHA-256 ${record.shown_hash}).`);
      const texts = DEMO_POLICY_TEXTS[lang] ?? DEMO_POLICY_TEXTS.nb;
      const banner = view.locator(`.shown-banner[lang="${lang}"]`);
      expect(await banner.locator('.shown-title').textContent()).toBe(texts.title);
      expect(await banner.locator('.shown-body').textContent()).toBe(texts.body);
      for (const name of ['acceptAll', 'rejectAll', 'choose', 'save'] as const) {
        const label = view.locator(`dd[data-label="${name}"]`);
        expect(await label.getAttribute('lang')).toBe(lang);
        expect(await label.textContent()).toBe(DEFAULT_LABELS[lang][name]);
      }
      expect(await view.locator('[data-category="analytics"] h4').textContent()).toBe(texts.categories.analytics.title);
      expect(await view.locator('[data-stale]').count()).toBe(0);
    }
  });

  test('a stored text changed after the decision is detected against the record hash', async () => {
    const { page: customer, context } = await visit('min-side', 'nb');
    await decide(customer, DEFAULT_LABELS.nb.rejectAll);
    const consentId = await customer.evaluate(() => window.Samtykke!.consentId);
    await context.close();
    const db = server.database.db;
    const record = await db.selectFrom('consent_records').select(['id', 'shown_hash']).where('consent_id', '=', consentId).executeTakeFirstOrThrow();
    const stored = await db.selectFrom('shown_contents').select('content').where('hash', '=', record.shown_hash!).executeTakeFirstOrThrow();
    const altered = stored.content.replace(DEMO_POLICY_TEXTS.nb.title, 'Vi bruker ingen informasjonskapsler');
    expect(altered).not.toBe(stored.content);
    await db.updateTable('shown_contents').set({ content: altered }).where('hash', '=', record.shown_hash!).execute();

    const page = await signedIn(['privacy_officer']);
    await page.getByRole('navigation', { name: 'main' }).getByRole('link', { name: 'Samtykkelogg' }).click();
    await page.getByLabel('Samtykke-ID').first().fill(consentId);
    await page.getByRole('button', { name: 'Søk', exact: true }).first().click();
    await page.getByRole('button', { name: `Åpne samtykke ${record.id}` }).click();
    const warning = page.locator('.record-view').getByRole('alert');
    await expect.poll(() => warning.textContent()).toContain(`stemmer ikke med samtykkets hash (SHA-256 ${record.shown_hash})`);
    expect(await page.locator('.record-view [data-evidence="matches"]').count()).toBe(0);
  });
});
