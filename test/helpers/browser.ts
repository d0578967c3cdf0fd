/** Real headless Chromium for browser tests: required in CI, skipped with a notice where it is not installed. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { chromium, type BrowserContext } from 'playwright-core';
import { CHROMIUM_ARGS } from '../../server/scanner/crawl.ts';

export const CHROMIUM_PATH = process.env.CHROMIUM_PATH ?? '/usr/bin/chromium';

/** False only outside CI on a machine without Chromium; in CI a missing browser fails the run. */
export const browserAvailable: boolean = (() => {
  if (existsSync(CHROMIUM_PATH)) return true;
  if (process.env.CI) throw new Error(`Browser tests are required in CI but ${CHROMIUM_PATH} is missing (apt-get install chromium)`);
  console.warn(`Skipping browser tests: no Chromium at ${CHROMIUM_PATH} (apt-get install chromium)`);
  return false;
})();

// A desktop Chrome user agent: HeadlessChrome's own is (rightly) classed as a bot and not counted.
export const DESKTOP_USER_AGENT =
  'Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/130.0.0.0 Safari/537.36';

/** A fresh persistent profile per call, so no cookie or storage leaks between tests. */
export async function launchBrowser(options: { locale?: string; extraArgs?: string[] } = {}): Promise<{
  context: BrowserContext;
  close(): Promise<void>;
}> {
  const profile = mkdtempSync(path.join(tmpdir(), 'samtykke-chromium-'));
  const context = await chromium.launchPersistentContext(profile, {
    executablePath: CHROMIUM_PATH,
    headless: true,
    userAgent: DESKTOP_USER_AGENT,
    locale: options.locale ?? 'nb-NO',
    args: [...CHROMIUM_ARGS, ...(options.extraArgs ?? [])],
  });
  return {
    context,
    close: async () => {
      await context.close();
      rmSync(profile, { recursive: true, force: true });
    },
  };
}
