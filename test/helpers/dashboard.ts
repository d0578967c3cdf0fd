/** Signing a new staff user in to the real dashboard in its own Chromium, collecting every script error it shows. */
import type { BrowserContext, Page } from 'playwright-core';
import type { Role } from '../../server/domain/roles.ts';
import { createUser } from '../../server/queries/users.ts';
import { TEST_PASSWORD } from '../admin/helpers.ts';
import type { TestContext } from './app.ts';
import { launchBrowser } from './browser.ts';

export interface DashboardSessions {
  /** Script errors and Content-Security-Policy refusals in any dashboard page; none are expected. */
  readonly pageErrors: string[];
  signIn(roles: Role[]): Promise<{ page: Page; email: string }>;
  close(): Promise<void>;
}

export function dashboardSessions(server: TestContext & { url: string }, emailDomain: string): DashboardSessions {
  const browsers: Array<{ context: BrowserContext; close(): Promise<void> }> = [];
  const pageErrors: string[] = [];
  let users = 0;
  return {
    pageErrors,
    async signIn(roles) {
      const email = `${roles.join('-')}-${++users}@${emailDomain}`;
      await createUser(server.database.db, { organisationId: server.demo.organisationId, email, name: email, roles, password: TEST_PASSWORD });
      const browser = await launchBrowser();
      browsers.push(browser);
      const page = await browser.context.newPage();
      page.on('console', (message) => {
        if (message.type() === 'error') pageErrors.push(message.text());
      });
      page.on('pageerror', (error) => pageErrors.push(error.message));
      await page.goto(`${server.url}/dashboard/`);
      await page.getByLabel('E-post').fill(email);
      await page.getByLabel('Passord').fill(TEST_PASSWORD);
      await page.getByRole('button', { name: 'Logg inn' }).click();
      await page.getByRole('navigation', { name: 'main' }).waitFor();
      return { page, email };
    },
    async close() {
      for (const browser of browsers) await browser.close();
    },
  };
}
