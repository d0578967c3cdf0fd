/** The widget's accessibility in real Chromium: the whole flow by keyboard, and axe-core on both layers. */
import { createRequire } from 'node:module';
import type { Page } from 'playwright-core';
import { describe, expect, test } from 'vitest';
import { browserAvailable } from '../helpers/browser.ts';
import { pageEngines } from '../helpers/database.ts';
import {
  NOTICE,
  PREFERENCES,
  freshPage,
  isRequestTo,
  widgetEnvironment,
  EVENTUALLY,
} from '../widget/fixtures.ts';

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');

/** What has focus, looking through shadow roots: its accessible label or text. */
function focused(page: Page): Promise<string> {
  return page.evaluate(() => {
    let active = document.activeElement;
    while (active?.shadowRoot?.activeElement) active = active.shadowRoot.activeElement;
    if (!active) return '';
    const label = active.closest('label')?.textContent ?? active.getAttribute('aria-labelledby') ?? active.textContent ?? '';
    return `${active.tagName.toLowerCase()}:${label.trim()}`;
  });
}

describe.skipIf(!browserAvailable).each(pageEngines)('widget accessibility (%s)', (engine) => {
  const environment = widgetEnvironment(engine);

  test('the whole choice can be made by keyboard, with focus moved in, visible, and restored', async () => {
    const { page, context } = await freshPage(environment.browser);
    await page.goto(`${environment.server.url}/demo`);
    await page.locator(NOTICE).waitFor();
    // Focus moves into the labelled notice once it is painted.
    await expect.poll(() => focused(page), EVENTUALLY).toBe('div:st');

    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('a:Oversikt over informasjonskapsler');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('button:Velg selv');
    const outline = await page.locator(`${NOTICE} button`).first().evaluate((element) => getComputedStyle(element).outlineStyle);
    expect(outline).toBe('solid');

    await page.keyboard.press('Enter');
    await page.locator(PREFERENCES).waitFor();
    // Functional is required, so its switch is locked on and skipped; focus lands on the first choice.
    expect(await focused(page)).toBe('input:Bruksanalyse');
    await page.keyboard.press('Space');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('input:Annonsemåling');
    await page.keyboard.press('Tab');
    expect(await focused(page)).toBe('button:Lagre valgene');
    const recorded = page.waitForResponse((response) => isRequestTo('/api/consent')(response.url()) && response.status() === 201);
    await page.keyboard.press('Enter');
    await recorded;
    expect(await page.evaluate(() => window.Samtykke!.get())).toEqual({ functional: true, analytics: true, ads: false });
    await page.locator(PREFERENCES).waitFor({ state: 'hidden' });

    // Reopened from the page's own settings button; Escape closes and focus returns to that button.
    const settings = page.getByRole('button', { name: 'Innstillinger for informasjonskapsler' });
    await settings.focus();
    await page.keyboard.press('Enter');
    await page.locator(PREFERENCES).waitFor();
    expect(await focused(page)).toBe('input:Bruksanalyse');
    await page.keyboard.press('Escape');
    await page.locator(PREFERENCES).waitFor({ state: 'hidden' });
    expect(await focused(page)).toBe('button:Innstillinger for informasjonskapsler');
    await context.close();
  });

  test('axe-core finds no violation with the notice open, nor with the preferences open', async () => {
    const { page, context } = await freshPage(environment.browser, { bypassCsp: true });
    await page.goto(`${environment.server.url}/demo`);
    await page.locator(NOTICE).waitFor();
    await page.addScriptTag({ path: AXE_SCRIPT });
    const violations = () =>
      page.evaluate(async () => {
        const axe = (window as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; nodes: Array<{ target: unknown }> }> }> } }).axe;
        const result = await axe.run();
        return result.violations.map((violation) => `${violation.id}: ${JSON.stringify(violation.nodes.map((node) => node.target))}`);
      });
    expect(await violations()).toEqual([]);
    await page.getByRole('button', { name: 'Velg selv', exact: true }).click();
    await page.locator(PREFERENCES).waitFor();
    expect(await violations()).toEqual([]);
    await context.close();
  });
});
