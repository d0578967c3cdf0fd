/**
 * Scheduled email reports, end to end against a real SMTP server: the scheduler mails last week's figures against
 * the week before, once per recipient and period however often it runs; the link in the mail unsubscribes without a
 * login (the page's button, and the one-click POST of RFC 8058); a mail server that refuses or is not there is
 * retried with growing waits, and the admin API shows each failure.
 */
import type { ParsedMail } from 'mailparser';
import type { AddressInfo } from 'node:net';
import type { SMTPServer } from 'smtp-server';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import type { NewEvent } from '../../server/db/schema.ts';
import type { ReportsStatus } from '../../server/admin/reports.ts';
import type { Wire } from '../../server/admin/contract.ts';
import { appendConsentRecords } from '../../server/queries/consent-records.ts';
import { insertEvents } from '../../server/queries/events.ts';
import { createGoal } from '../../server/queries/goals.ts';
import { runDueReports } from '../../server/reports/scheduler.ts';
import { eventRow, record } from '../admin/fixtures.ts';
import { signedInStaff, type StaffClient } from '../admin/helpers.ts';
import { createTestContext, type TestContext } from '../helpers/app.ts';
import { engines } from '../helpers/database.ts';
import { smtpUrl, startSmtp, stopSmtp, type SmtpState } from '../helpers/smtp.ts';

const MINUTE = 60_000;
/** Monday 30 November 2026, 01:00 UTC: the report of the week of 23–29 November is due. */
const DUE = new Date('2026-11-30T01:00:00Z');
const at = (iso: string) => new Date(iso);

describe.each(engines)('scheduled email reports on %s', (engine) => {
  let context: TestContext;
  let analyst: StaffClient;
  let siteId: number;
  let smtp: SMTPServer;
  let smtpPort: number;
  let mails: ParsedMail[];
  const smtpState: SmtpState = { refusing: false };

  beforeEach(async () => {
    mails = [];
    smtpState.refusing = false;
    smtp = await startSmtp(mails, smtpState);
    smtpPort = (smtp.server.address() as AddressInfo).port;
    context = await createTestContext(engine, { SAMTYKKE_SMTP_URL: smtpUrl(smtpPort), SAMTYKKE_SMTP_FROM: 'Samtykke <reports@example.com>' });
    siteId = context.demo.sites[0]!.id;
    analyst = await signedInStaff(context, ['analyst']);
  });
  afterEach(async () => {
    await context.close();
    await stopSmtp(smtp);
  });

  const path = `/api/admin/sites/`;
  async function status(): Promise<Wire<ReportsStatus>> {
    const response = await analyst.get(`${path}${siteId}/reports`);
    expect(response.status).toBe(200);
    return (await response.json()) as Wire<ReportsStatus>;
  }

  async function subscribe(...emails: string[]): Promise<void> {
    for (const email of emails) expect((await analyst.send('POST', `${path}${siteId}/reports/recipients`, { email })).status).toBe(201);
    const response = await analyst.send('PUT', `${path}${siteId}/reports/schedule`, { frequency: 'weekly', language: 'en' });
    expect(response.status).toBe(200);
    // The schedule's first report is next Monday's; the tests set the clock to a Monday of their own.
    await context.database.db.updateTable('report_schedules').set({ next_send_at: DUE }).where('site_id', '=', siteId).execute();
  }

  /** Last week (23–29 Nov): three visitors, four pageviews, two campaigns; the week before: one of each. */
  async function seedTwoWeeks(): Promise<void> {
    const db = context.database.db;
    const event = (consentId: string, sessionId: string, occurred: string, fields: Partial<NewEvent> = {}) => eventRow(siteId, consentId, sessionId, at(occurred), fields);
    await insertEvents(db, [
      event('visitor-a', 'a1', '2026-11-23T09:00:00Z', { utm_campaign: 'vinter' }),
      event('visitor-a', 'a1', '2026-11-23T09:01:00Z', { path: '/pris', utm_campaign: 'vinter' }),
      event('visitor-b', 'b1', '2026-11-26T12:00:00Z'),
      event('visitor-c', 'c1', '2026-11-29T23:30:00Z', { path: '/kontakt', utm_campaign: 'sommer<b>' }),
      event('visitor-d', 'd1', '2026-11-18T10:00:00Z', { utm_campaign: 'vinter' }),
      // Outside both weeks: counted in neither.
      event('visitor-e', 'e1', '2026-11-30T00:10:00Z'),
    ]);
    const decision = (id: string, analytics: boolean, recordedAt: string) => record(id, { analytics, ads: false }, { recordedAt: at(recordedAt) });
    await appendConsentRecords(db, siteId, [
      decision('visitor-d', true, '2026-11-18T09:59:00Z'),
      decision('visitor-x', false, '2026-11-19T09:00:00Z'),
      decision('visitor-a', true, '2026-11-23T08:59:00Z'),
      decision('visitor-b', true, '2026-11-26T11:59:00Z'),
      decision('visitor-y', false, '2026-11-27T10:00:00Z'),
      decision('visitor-c', true, '2026-11-29T23:29:00Z'),
    ]);
    await createGoal(db, siteId, { name: 'Saw <prices>', kind: 'pageview', path: '/pris' });
    await db.updateTable('sites').set({ name: 'Min <Side> & Co' }).where('id', '=', siteId).execute();
  }

  /** The unsubscribe link of a mail, as a path of the app under test (its public URL is http://portal.test). */
  function unsubscribePath(mail: ParsedMail): string {
    const header = mail.headerLines.find((line) => line.key === 'list-unsubscribe')!.line;
    // A long header is folded onto a second line.
    const url = header.match(/^List-Unsubscribe:\s+<(\S+)>$/)![1]!;
    expect(mail.text).toContain(url);
    expect(mail.html).toContain(`href="${url}"`);
    return new URL(url).pathname;
  }

  it('mails last week against the week before, in HTML and text, once per recipient and week', async () => {
    await seedTwoWeeks();
    await subscribe('anna@example.org', 'bo@example.org');
    // Two processes find the report due at once (a second server on the database): it goes out once.
    const runs = await Promise.all([0, 1].map(() => runDueReports(context.database.db, context.deps.config, new Date(DUE.getTime() + MINUTE))));
    expect(runs.reduce((total, run) => ({ planned: total.planned + run.planned, sent: total.sent + run.sent, failed: total.failed + run.failed }))).toEqual({ planned: 2, sent: 2, failed: 0 });
    expect(mails.map((mail) => mail.to && 'text' in mail.to && mail.to.text).sort()).toEqual(['anna@example.org', 'bo@example.org']);

    const mail = mails[0]!;
    expect(mail.from?.value).toEqual([{ name: 'Samtykke', address: 'reports@example.com' }]);
    expect(mail.subject).toBe('Weekly report: Min <Side> & Co (2026-11-23 – 2026-11-29)');
    expect(mail.text).toContain('Period: 2026-11-23 – 2026-11-29 (compared with 2026-11-16 – 2026-11-22)');
    for (const line of [
      'Visitors: 3 (previous period: 1, +200 %)',
      'Visits: 3 (previous period: 1, +200 %)',
      'Pageviews: 4 (previous period: 1, +300 %)',
      'Analytics consent: 75 % (4 consent decisions) (previous period: 50 % (2 consent decisions), +25 pp)',
      '/: 2 (previous period: 1, +100 %)',
      '/pris: 1 (previous period: 0, new)',
      '/kontakt: 1 (previous period: 0, new)',
      'vinter: 1 (previous period: 1, ±0 %)',
      'sommer<b>: 1 (previous period: 0, new)',
      'Saw <prices>: 1 (33.3 %) (previous period: 0 (0 %), new)',
    ]) {
      expect(mail.text).toContain(line);
    }
    // The HTML part holds the same figures, every outside value escaped.
    const html = String(mail.html);
    expect(html).toContain('Min &#60;Side&#62; &#38; Co');
    expect(html).toContain('sommer&#60;b&#62;');
    expect(html).toContain('Saw &#60;prices&#62;');
    expect(html).not.toMatch(/<b>|<prices>|<Side>/);
    expect(html).toMatch(/Pageviews<\/td><td[^>]*>4<\/td><td[^>]*>1<\/td><td[^>]*>\+300 %<\/td>/);
    expect(html).toMatch(/Analytics consent<\/td><td[^>]*>75 % \(4 consent decisions\)<\/td><td[^>]*>50 % \(2 consent decisions\)<\/td><td[^>]*>\+25 pp<\/td>/);
    expect(mail.headerLines.find((line) => line.key === 'list-unsubscribe-post')?.line).toBe('List-Unsubscribe-Post: List-Unsubscribe=One-Click');
    expect(unsubscribePath(mail)).not.toBe(unsubscribePath(mails[1]!));

    // Later runs, in this process or another after a restart, owe nothing more for that week.
    expect(await runDueReports(context.database.db, context.deps.config, new Date(DUE.getTime() + 2 * MINUTE))).toEqual({ planned: 0, sent: 0, failed: 0 });
    await context.database.db.updateTable('report_schedules').set({ next_send_at: DUE }).where('site_id', '=', siteId).execute();
    expect(await runDueReports(context.database.db, context.deps.config, new Date(DUE.getTime() + 3 * MINUTE))).toEqual({ planned: 0, sent: 0, failed: 0 });
    expect(mails).toHaveLength(2);
    const shown = await status();
    expect(shown.schedule.nextSendAt).toBe('2026-12-07T01:00:00.000Z');
    expect(shown.deliveries.map((delivery) => [delivery.email, delivery.status, delivery.attempts, delivery.period.from])).toEqual([
      ['anna@example.org', 'sent', 1, '2026-11-23T00:00:00.000Z'],
      ['bo@example.org', 'sent', 1, '2026-11-23T00:00:00.000Z'],
    ]);
  });

  it('unsubscribes from the link without a login, by the page\'s button or one click, and mails them no more', async () => {
    await subscribe('anna@example.org', 'bo@example.org', 'cem@example.org');
    await runDueReports(context.database.db, context.deps.config, new Date(DUE.getTime() + MINUTE));
    const linkOf = (email: string) => unsubscribePath(mails.find((mail) => mail.to && 'text' in mail.to && mail.to.text === email)!);

    // Anna opens the link: the page asks, and opening it changed nothing.
    const page = await context.app.request(linkOf('anna@example.org'), { headers: { 'accept-language': 'en' } });
    expect(page.status).toBe(200);
    expect(page.headers.get('cache-control')).toBe('no-store');
    const form = await page.text();
    expect(form).toContain('Stop sending the email report for');
    expect(form).toContain('anna@example.org');
    expect(form).toMatch(/<form method="post">/);
    expect((await status()).recipients.every((recipient) => recipient.unsubscribedAt === null)).toBe(true);
    // …and presses the button, which posts the form to the same address.
    const pressed = await context.app.request(linkOf('anna@example.org'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded', 'accept-language': 'nb' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(pressed.status).toBe(200);
    expect(await pressed.text()).toContain('anna@example.org får ikke lenger e-postrapporten');
    // Bo's mail program unsubscribes with one click (RFC 8058), with no page in between.
    const oneClick = await context.app.request(linkOf('bo@example.org'), {
      method: 'POST',
      headers: { 'content-type': 'application/x-www-form-urlencoded' },
      body: 'List-Unsubscribe=One-Click',
    });
    expect(oneClick.status).toBe(200);
    // The link again shows it is done; a made-up token finds nobody.
    expect(await (await context.app.request(linkOf('bo@example.org'))).text()).toContain('no longer gets the email report');
    expect((await context.app.request(`/reports/unsubscribe/${'A'.repeat(43)}`)).status).toBe(404);
    expect((await context.app.request('/reports/unsubscribe/short', { method: 'POST' })).status).toBe(404);

    const recipients = (await status()).recipients;
    expect(recipients.map((recipient) => [recipient.email, recipient.unsubscribedAt !== null])).toEqual([
      ['anna@example.org', true],
      ['bo@example.org', true],
      ['cem@example.org', false],
    ]);
    // The next week's report goes to Cem alone.
    mails.length = 0;
    const nextWeek = new Date(DUE.getTime() + 7 * 86_400_000 + MINUTE);
    expect(await runDueReports(context.database.db, context.deps.config, nextWeek)).toEqual({ planned: 1, sent: 1, failed: 0 });
    expect(mails.map((mail) => mail.to && 'text' in mail.to && mail.to.text)).toEqual(['cem@example.org']);
    // A colleague cannot sign an address that unsubscribed up again.
    expect((await analyst.send('POST', `${path}${siteId}/reports/recipients`, { email: 'anna@example.org' })).status).toBe(409);
  });

  it('retries a mail the server refuses (451) or that finds no server, with growing waits, and shows each failure', async () => {
    await subscribe('anna@example.org');
    smtpState.refusing = true;
    smtpState.code = 451;
    const first = new Date(DUE.getTime() + MINUTE);
    expect(await runDueReports(context.database.db, context.deps.config, first)).toEqual({ planned: 1, sent: 0, failed: 1 });
    let delivery = (await status()).deliveries[0]!;
    expect(delivery).toMatchObject({ status: 'pending', attempts: 1, lastAttemptAt: first.toISOString(), nextAttemptAt: new Date(first.getTime() + MINUTE).toISOString() });
    expect(delivery.lastError).toContain(`127.0.0.1:${smtpPort}`);
    expect(delivery.lastError).toContain('451');
    expect(delivery.lastError).not.toContain('p@ss');
    // Not before its time.
    expect(await runDueReports(context.database.db, context.deps.config, new Date(first.getTime() + 30_000))).toEqual({ planned: 0, sent: 0, failed: 0 });

    // The server is gone altogether.
    await stopSmtp(smtp);
    const second = new Date(first.getTime() + MINUTE);
    expect(await runDueReports(context.database.db, context.deps.config, second)).toEqual({ planned: 0, sent: 0, failed: 1 });
    delivery = (await status()).deliveries[0]!;
    expect(delivery).toMatchObject({ status: 'pending', attempts: 2, nextAttemptAt: new Date(second.getTime() + 5 * MINUTE).toISOString() });
    expect(delivery.lastError).toMatch(/ECONNREFUSED/);

    // Back, and taking mail: the next try sends it, once.
    smtpState.refusing = false;
    smtp = await startSmtp(mails, smtpState, smtpPort);
    const third = new Date(second.getTime() + 5 * MINUTE);
    expect(await runDueReports(context.database.db, context.deps.config, third)).toEqual({ planned: 0, sent: 1, failed: 0 });
    expect(mails).toHaveLength(1);
    expect((await status()).deliveries[0]).toMatchObject({ status: 'sent', attempts: 3, lastError: null, nextAttemptAt: null, sentAt: third.toISOString() });
  });

  it('gives a mail up after its last try, and says so', async () => {
    await subscribe('anna@example.org');
    smtpState.refusing = true;
    let now = new Date(DUE.getTime() + MINUTE);
    for (let attempt = 1; attempt <= 6; attempt++) {
      expect((await runDueReports(context.database.db, context.deps.config, now)).failed).toBe(1);
      now = new Date(now.getTime() + 7 * 3_600_000);
    }
    expect((await status()).deliveries[0]).toMatchObject({ status: 'failed', attempts: 6, nextAttemptAt: null });
    expect(await runDueReports(context.database.db, context.deps.config, now)).toEqual({ planned: 0, sent: 0, failed: 0 });
    expect(mails).toHaveLength(0);
  });

  it('sends a test report now, outside the schedule, and refuses bad input with 4xx', async () => {
    const bad = async (method: 'POST' | 'PUT' | 'DELETE', route: string, body: unknown, expected: number, field?: string) => {
      const response = await analyst.send(method, `${path}${siteId}/reports${route}`, body);
      expect(response.status, `${method} ${route} ${JSON.stringify(body)}`).toBe(expected);
      const { error } = (await response.json()) as { error: { field?: string } };
      if (field) expect(error.field).toBe(field);
    };
    await bad('PUT', '/schedule', { frequency: 'daily', language: 'en' }, 400, 'frequency');
    await bad('PUT', '/schedule', { frequency: 'weekly', language: 'de' }, 400, 'language');
    await bad('PUT', '/schedule', { frequency: 'weekly', language: 'en', extra: 1 }, 400);
    await bad('POST', '/recipients', { email: 'not an address' }, 400, 'email');
    await bad('POST', '/recipients', {}, 400, 'email');
    await bad('DELETE', '/recipients/999999', undefined, 404);
    await bad('POST', '/test', { frequency: 'weekly', language: 'en' }, 409);
    await bad('POST', '/test', { frequency: 'yearly', language: 'en' }, 400, 'frequency');
    expect((await analyst.send('POST', `${path}${siteId}/reports/recipients`, { email: 'anna@example.org' })).status).toBe(201);
    await bad('POST', '/recipients', { email: 'anna@example.org' }, 409, 'email');

    const sent = await analyst.send('POST', `${path}${siteId}/reports/test`, { frequency: 'monthly', language: 'nb' });
    expect(sent.status).toBe(200);
    expect(await sent.json()).toEqual({ results: [{ email: 'anna@example.org', error: null }] });
    expect(mails).toHaveLength(1);
    expect(mails[0]!.subject).toMatch(/^Månedsrapport: /);
    expect((await status()).deliveries).toEqual([]);

    const [recipient] = (await status()).recipients;
    expect((await analyst.send('DELETE', `${path}${siteId}/reports/recipients/${recipient!.id}`)).status).toBe(200);
    expect((await status()).recipients).toEqual([]);
  });
});

describe.each(engines)('email reports without a mail server on %s', (engine) => {
  let context: TestContext;
  beforeEach(async () => {
    context = await createTestContext(engine);
  });
  afterEach(() => context.close());

  it('says SMTP is not set and refuses to switch a schedule on (409), but lists recipients', async () => {
    const analyst = await signedInStaff(context, ['analyst']);
    const siteId = context.demo.sites[0]!.id;
    const on = await analyst.send('PUT', `/api/admin/sites/${siteId}/reports/schedule`, { frequency: 'monthly', language: 'nb' });
    expect(on.status).toBe(409);
    expect(((await on.json()) as { error: { message: string } }).error.message).toContain('SAMTYKKE_SMTP_URL');
    expect((await analyst.send('PUT', `/api/admin/sites/${siteId}/reports/schedule`, { frequency: 'off', language: 'nb' })).status).toBe(200);
    expect((await analyst.send('POST', `/api/admin/sites/${siteId}/reports/recipients`, { email: 'anna@example.org' })).status).toBe(201);
    const status = (await (await analyst.get(`/api/admin/sites/${siteId}/reports`)).json()) as Wire<ReportsStatus>;
    expect(status.smtpConfigured).toBe(false);
    expect(status.schedule).toEqual({ siteId, frequency: 'off', language: 'nb', nextSendAt: null });
    expect(await runDueReports(context.database.db, context.deps.config, new Date())).toEqual({ planned: 0, sent: 0, failed: 0 });
  });
});
