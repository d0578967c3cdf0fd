/**
 * A themed banner in real Chromium, in each position on a phone and a desktop: axe-core finds nothing, the three
 * notice buttons are exactly as large as each other (the theme has no way to make one more prominent), the logo
 * shows, and the notice stays on screen.
 */
import { createRequire } from 'node:module';
import { describe, expect, test } from 'vitest';
import { BANNER_POSITIONS, DEFAULT_THEME } from '../../server/domain/banner.ts';
import { browserAvailable } from '../helpers/browser.ts';
import { pageEngines } from '../helpers/database.ts';
import { NOTICE, freshPage, routePage, widgetEnvironment } from '../widget/fixtures.ts';

const AXE_SCRIPT = createRequire(import.meta.url).resolve('axe-core/axe.min.js');
const SITE = 'min-side';
const VIEWPORTS = [
  { width: 375, height: 667 },
  { width: 1280, height: 800 },
] as const;
// A 1×1 transparent PNG for the logo.
const LOGO = Buffer.from('iVBORw0KGgoAAAANSUhEUgAAAAEAAAABCAYAAAAfFcSJAAAADUlEQVR42mNkYPhfDwAChwGA60e6kgAAAABJRU5ErkJggg==', 'base64');

describe.skipIf(!browserAvailable).each(pageEngines)('a themed banner (%s)', (engine) => {
  const environment = widgetEnvironment(engine);

  for (const position of BANNER_POSITIONS) {
    test(`${position}: accessible, equal buttons and on screen at ${VIEWPORTS.map((viewport) => viewport.width).join(' and ')} px`, async () => {
      const site = environment.server.demo.sites.find((candidate) => candidate.key === SITE)!;
      const logoUrl = `${environment.server.url}/logo.png`;
      await environment.server.deps.sites.update(site, {
        banner: { theme: { ...DEFAULT_THEME, position, accent: '#6b1d4f', background: '#fffaf0', text: '#222222', radius: 16, logoUrl }, labels: {} },
      });
      for (const viewport of VIEWPORTS) {
        const { page, context, errors } = await freshPage(environment.browser, { bypassCsp: true });
        await page.setViewportSize(viewport);
        await page.route(logoUrl, (route) => route.fulfill({ status: 200, contentType: 'image/png', body: LOGO }));
        await routePage(
          page,
          '/portal',
          `<!doctype html><html lang="nb"><head><meta name="viewport" content="width=device-width, initial-scale=1"><title>Portal</title>
          <script src="/sites/${SITE}/widget.js" async></script></head><body><main><h1>Portal</h1><p>Innhold.</p></main></body></html>`,
        );
        await page.goto(`${environment.server.url}/portal`);
        await page.locator(NOTICE).waitFor();
        await page.locator(`${NOTICE} img`).waitFor();
        expect(await page.locator(`${NOTICE} img`).evaluate((image: HTMLImageElement) => [image.alt, image.complete && image.naturalWidth])).toEqual(['', 1]);

        const where = `${position} at ${viewport.width} px`;
        const buttons = await page.locator(`${NOTICE} button`).evaluateAll((elements) =>
          elements.map((element) => {
            const { width, height } = element.getBoundingClientRect();
            return { label: element.textContent, width, height, background: getComputedStyle(element).backgroundColor };
          }),
        );
        expect(buttons.map((button) => button.label), where).toEqual(['Velg selv', 'Godta alle', 'Avvis alle']);
        for (const button of buttons) {
          expect(Math.abs(button.width - buttons[0]!.width), `${where}: width of ${button.label}`).toBeLessThanOrEqual(1);
          expect(Math.abs(button.height - buttons[0]!.height), `${where}: height of ${button.label}`).toBeLessThanOrEqual(1);
          expect(button.background, `${where}: ${button.label}`).toBe(buttons[0]!.background);
        }

        const notice = await page.locator(NOTICE).evaluate((element) => {
          const { left, top, right, bottom } = element.getBoundingClientRect();
          return { left, top, right, bottom, width: innerWidth, height: innerHeight };
        });
        expect(notice.left, where).toBeGreaterThanOrEqual(0);
        expect(notice.top, where).toBeGreaterThanOrEqual(0);
        expect(notice.right, where).toBeLessThanOrEqual(notice.width);
        expect(notice.bottom, where).toBeLessThanOrEqual(notice.height);

        await page.addScriptTag({ path: AXE_SCRIPT });
        const violations = await page.evaluate(async () => {
          const axe = (window as unknown as { axe: { run(): Promise<{ violations: Array<{ id: string; nodes: Array<{ target: unknown }> }> }> } }).axe;
          const result = await axe.run();
          return result.violations.map((violation) => `${violation.id}: ${JSON.stringify(violation.nodes.map((node) => node.target))}`);
        });
        expect(violations, where).toEqual([]);
        expect(errors).toEqual([]);
        await context.close();
      }
    });
  }
});
