/**
 * Sign-in with a company account in real Chromium: an admin sets the identity provider up on the dashboard's page,
 * then a colleague signs in through a real OpenID Connect provider (oidc-provider, on another site than Samtykke)
 * and lands in the dashboard; a blocked colleague is sent back with the reason.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { createUser } from '../../server/queries/users.ts';
import { TEST_PASSWORD } from '../admin/helpers.ts';
import { startTestServer, type TestContext } from '../helpers/app.ts';
import { axeViolations } from '../helpers/axe.ts';
import { browserAvailable, launchBrowser } from '../helpers/browser.ts';
import { dashboardSessions, type DashboardSessions } from '../helpers/dashboard.ts';
import { pageEngines } from '../helpers/database.ts';
import { startOidcProvider, type OidcTestProvider } from '../helpers/oidc-provider.ts';

const SECRET = 'the browser test client secret';

describe.skipIf(!browserAvailable).each(pageEngines)('sign-in with a company account in Chromium (%s)', (engine) => {
  let server: TestContext & { url: string };
  let provider: OidcTestProvider;
  let sessions: DashboardSessions;
  const browsers: Array<{ close(): Promise<void> }> = [];

  beforeAll(async () => {
    server = await startTestServer(engine);
    provider = await startOidcProvider({
      clients: [{ clientId: 'samtykke-dashboard', clientSecret: SECRET, redirectUris: [`${server.url}/api/admin/session/oidc/callback`] }],
      // The development login form's login is the account; it arrives filled in with Samtykke's login_hint.
      accounts: [
        { login: 'kari@bedrift.test', email: 'kari@bedrift.test', emailVerified: true, name: 'Kari Nordmann' },
        { login: 'sperret@bedrift.test', email: 'sperret@bedrift.test', emailVerified: true },
      ],
    });
    sessions = dashboardSessions(server, 'sso-browser.test');
  });
  afterAll(async () => {
    // The sign-in page's first look for a session is answered 401, which the console reports.
    expect(sessions.pageErrors.filter((text) => !/status of 401/.test(text))).toEqual([]);
    await sessions?.close();
    for (const browser of browsers) await browser.close();
    await provider?.close();
    await server?.close();
  });

  /** A colleague's own browser: the sign-in page, the address, the company button, the provider's form. */
  const signInWithCompanyAccount = async (email: string) => {
    const browser = await launchBrowser();
    browsers.push(browser);
    const page = await browser.context.newPage();
    await page.goto(`${server.url}/dashboard/`);
    await page.getByLabel('E-post').fill(email);
    await page.getByRole('button', { name: 'Fortsett med jobbkontoen' }).click();
    // The provider's own page, on its own site.
    await page.waitForURL(`${provider.issuer}/**`);
    expect(await page.locator('input[name="login"]').inputValue()).toBe(email);
    await page.locator('input[name="password"]').fill('the password only the provider checks');
    await page.getByRole('button', { name: 'Sign-in' }).click();
    await page.waitForURL(`${server.url}/dashboard/**`);
    return page;
  };

  test('an admin sets up the provider on its page, and what the page shows back keeps the secret hidden', async () => {
    const { page } = await sessions.signIn(['admin']);
    await page.getByRole('link', { name: 'Innlogging' }).click();
    const form = page.getByRole('form', { name: 'Identitetsleverandør (OpenID Connect)' });
    expect(await form.getByLabel('Omdirigerings-URI å registrere hos leverandøren').inputValue()).toBe(`${server.url}/api/admin/session/oidc/callback`);
    await form.getByLabel('Utsteder-URL (issuer)').fill(provider.issuer);
    await form.getByLabel('Klient-ID').fill('samtykke-dashboard');
    await form.getByLabel('Klienthemmelighet').fill(SECRET);
    await form.getByLabel('Rolle for nye brukere').selectOption('analyst');
    await form.getByLabel('E-postdomener').fill('bedrift.test');
    await form.getByRole('button', { name: 'Lagre' }).click();
    await form.getByRole('status').getByText('Lagret').waitFor();
    expect(await form.getByLabel('Klienthemmelighet').inputValue()).toBe('');
    expect(await form.textContent()).toContain('En hemmelighet er lagret');
    expect(await axeViolations(page)).toEqual([]);
  });

  test('a colleague signs in through the provider and lands in the dashboard with a new account', async () => {
    const page = await signInWithCompanyAccount('kari@bedrift.test');
    await page.getByRole('navigation', { name: 'main' }).waitFor();
    expect(await page.locator('.account').textContent()).toContain('kari@bedrift.test');
    // The default role: an analyst sees usage, not the user list.
    await page.getByRole('heading', { name: 'Bruksanalyse' }).waitFor();
    expect(await page.getByRole('link', { name: 'Brukere' }).count()).toBe(0);
    const user = await server.database.db.selectFrom('users').select(['name', 'roles']).where('email', '=', 'kari@bedrift.test').executeTakeFirstOrThrow();
    expect(user).toEqual({ name: 'Kari Nordmann', roles: ['analyst'] });
  });

  test('a blocked colleague is sent back to the sign-in page with the reason', async () => {
    const user = await createUser(server.database.db, { organisationId: server.demo.organisationId, email: 'sperret@bedrift.test', name: 'Sperret', roles: ['analyst'], password: TEST_PASSWORD });
    await server.database.db.updateTable('users').set({ blocked_at: new Date() }).where('id', '=', user.id).execute();
    const page = await signInWithCompanyAccount('sperret@bedrift.test');
    await page.getByRole('alert').getByText('Kontoen er sperret; spør en administrator i organisasjonen din.').waitFor();
    // The code is taken out of the address, so a reload does not say it again.
    expect(new URL(page.url()).search).toBe('');
    expect(await page.getByRole('navigation', { name: 'main' }).count()).toBe(0);
    expect(await axeViolations(page)).toEqual([]);
  });
});
