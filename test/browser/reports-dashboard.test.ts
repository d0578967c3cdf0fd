/**
 * The Reports page in real Chromium: an analyst lists a recipient, switches the weekly report on, sends a test that
 * arrives at a real SMTP server, and reads a failed mail's error and next try; without a mail server the page says
 * so and the schedule cannot be switched on.
 */
import type { ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import type { Page } from 'playwright-core';
import type { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { runDueReports } from '../../server/reports/scheduler.ts';
import { startTestServer, type TestContext } from '../helpers/app.ts';
import { browserAvailable } from '../helpers/browser.ts';
import { dashboardSessions, type DashboardSessions } from '../helpers/dashboard.ts';
import { pageEngines } from '../helpers/database.ts';
import { smtpUrl, startSmtp, stopSmtp, until, type SmtpState } from '../helpers/smtp.ts';

async function openReports(page: Page): Promise<void> {
  await page.getByRole('navigation', { name: 'main' }).getByRole('link', { name: 'Rapporter', exact: true }).click();
  await page.getByRole('heading', { level: 1, name: 'Rapporter' }).waitFor();
  await expect.poll(() => page.locator('.loading').count()).toBe(0);
}

describe.skipIf(!browserAvailable).each(pageEngines)('the Reports page (%s)', (engine) => {
  let withSmtp: TestContext & { url: string };
  let withoutSmtp: TestContext & { url: string };
  let sessions: DashboardSessions;
  let bare: DashboardSessions;
  let smtp: SMTPServer;
  const mails: ParsedMail[] = [];
  const smtpState: SmtpState = { refusing: false };

  beforeAll(async () => {
    smtp = await startSmtp(mails, smtpState);
    withSmtp = await startTestServer(engine, { SAMTYKKE_SMTP_URL: smtpUrl((smtp.server.address() as AddressInfo).port) });
    withoutSmtp = await startTestServer(engine);
    sessions = dashboardSessions(withSmtp, 'reports.test');
    bare = dashboardSessions(withoutSmtp, 'reports.test');
  });
  afterAll(async () => {
    expect([...sessions.pageErrors, ...bare.pageErrors].filter((text) => !/status of (401|409)/.test(text))).toEqual([]);
    await sessions?.close();
    await bare?.close();
    await withSmtp?.close();
    await withoutSmtp?.close();
    await stopSmtp(smtp);
  });

  test('an analyst adds a recipient, switches the weekly report on, sends a test and sees a failed mail retried', async () => {
    const { page } = await sessions.signIn(['analyst']);
    await openReports(page);
    await expect.poll(() => page.locator('[data-smtp-missing]').count()).toBe(0);
    await page.getByLabel('E-post', { exact: true }).fill('anna@example.org');
    await page.getByRole('button', { name: 'Legg til mottaker' }).click();
    await page.getByRole('table', { name: 'Mottakere' }).getByRole('cell', { name: 'anna@example.org', exact: true }).waitFor();

    await page.getByLabel('Hvor ofte').selectOption('weekly');
    await page.getByRole('button', { name: 'Lagre planen' }).click();
    await page.getByRole('status').filter({ hasText: 'Lagret.' }).waitFor();
    await expect.poll(() => page.locator('[data-next-report]').textContent()).toMatch(/^Neste rapport sendes /);

    await page.getByRole('button', { name: 'Send prøverapport nå' }).click();
    await page.locator('[data-test-results]').filter({ hasText: 'Sendt til anna@example.org' }).waitFor();
    await until(() => mails.length === 1, 'the test report');
    expect(mails[0]!.subject).toMatch(/^Ukesrapport: /);

    // The scheduled mail meets a server that says "try later": the page shows the error and the next try.
    smtpState.refusing = true;
    smtpState.code = 451;
    const siteId = withSmtp.demo.sites[0]!.id;
    const due = (await withSmtp.database.db.selectFrom('report_schedules').select('next_send_at').where('site_id', '=', siteId).executeTakeFirstOrThrow()).next_send_at!;
    expect((await runDueReports(withSmtp.database.db, withSmtp.deps.config, new Date(due.getTime() + 1000))).failed).toBe(1);
    await page.reload();
    await page.getByRole('heading', { level: 1, name: 'Rapporter' }).waitFor();
    const deliveries = page.getByRole('table', { name: 'Utsendinger' });
    await deliveries.getByText('Venter').waitFor();
    expect(await deliveries.textContent()).toContain('451');
  });

  test('without a mail server the page says so, and the schedule stays off', async () => {
    const { page } = await bare.signIn(['analyst']);
    await openReports(page);
    await expect.poll(() => page.locator('[data-smtp-missing]').textContent()).toContain('SAMTYKKE_SMTP_URL');
    await page.getByLabel('Hvor ofte').selectOption('monthly');
    expect(await page.getByRole('button', { name: 'Lagre planen' }).isDisabled()).toBe(true);
    expect(await page.getByRole('button', { name: 'Send prøverapport nå' }).isDisabled()).toBe(true);
  });
});
