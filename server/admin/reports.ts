/**
 * /sites/:siteId/reports: a site's scheduled email report (its schedule and recipients), what was sent and what
 * failed, and a test send. Mail needs SAMTYKKE_SMTP_URL: without it a schedule cannot be switched on (409), so no
 * one waits for a report that cannot go out, and the status says why.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { REPORT_FREQUENCIES, REPORT_LANGUAGES, type ReportDelivery, type ReportRecipient, type ReportSchedule } from '../domain/reports.ts';
import { ApiError } from '../errors.ts';
import { addReportRecipient, listReportDeliveries, listReportRecipients, readReportSchedule, removeReportRecipient, writeReportSchedule } from '../queries/reports.ts';
import { sendTestReport, type TestSendResult } from '../reports/scheduler.ts';
import type { AppDeps } from '../services.ts';
import { requirePermission } from './auth.ts';
import type { AdminEnv } from './env.ts';
import { audit, ownedSite } from './scope.ts';
import { parseBody, pathId } from './validate.ts';

/** Deliveries the status shows: a year of weekly reports to a handful of recipients. */
const DELIVERIES_SHOWN = 100;

/** GET /api/admin/sites/:siteId/reports */
export interface ReportsStatus {
  /** False without SAMTYKKE_SMTP_URL: nothing is sent, and a schedule cannot be switched on. */
  readonly smtpConfigured: boolean;
  readonly schedule: ReportSchedule;
  readonly recipients: readonly ReportRecipient[];
  /** Newest period first. */
  readonly deliveries: readonly ReportDelivery[];
}

/** POST /api/admin/sites/:siteId/reports/test */
export interface TestSendResponse {
  readonly results: readonly TestSendResult[];
}

export const scheduleSchema = z.strictObject({ frequency: z.enum(REPORT_FREQUENCIES), language: z.enum(REPORT_LANGUAGES) });
export const recipientSchema = z.strictObject({ email: z.email().max(320) });
export const testSchema = z.strictObject({ frequency: z.enum(['weekly', 'monthly']), language: z.enum(REPORT_LANGUAGES) });

const NO_SMTP = {
  en: 'No mail server is set: set SAMTYKKE_SMTP_URL (and SAMTYKKE_SMTP_FROM) and restart the server to send reports',
  nb: 'Ingen e-posttjener er satt opp: sett SAMTYKKE_SMTP_URL (og SAMTYKKE_SMTP_FROM) og start serveren på nytt for å sende rapporter',
};

export function reportRoutes(deps: AppDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  // Whoever reads a site's usage may have it mailed, to themselves or colleagues: the same figures, on a schedule.
  const read = requirePermission('usage.read');

  app.get('/:siteId/reports', read, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const status: ReportsStatus = {
      smtpConfigured: deps.config.smtp !== null,
      schedule: await readReportSchedule(deps.db, site.id),
      recipients: await listReportRecipients(deps.db, site.id),
      deliveries: await listReportDeliveries(deps.db, site.id, DELIVERIES_SHOWN),
    };
    return c.json(status);
  });

  app.put('/:siteId/reports/schedule', read, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const asked = await parseBody(c, scheduleSchema);
    if (asked.frequency !== 'off' && !deps.config.smtp) throw new ApiError(409, 'conflict', NO_SMTP, 'frequency');
    const schedule = await writeReportSchedule(deps.db, site.id, asked, new Date());
    await audit(c, deps, { action: 'report.schedule', siteId: site.id, target: site.key, detail: { frequency: asked.frequency, language: asked.language } });
    return c.json(schedule);
  });

  app.post('/:siteId/reports/recipients', read, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const { email } = await parseBody(c, recipientSchema);
    const recipient = await addReportRecipient(deps.db, site.id, email);
    if (!recipient) {
      throw new ApiError(409, 'conflict', { en: `${email} is already on the list (if it unsubscribed, it stays off)`, nb: `${email} står allerede på listen (har adressen meldt seg av, forblir den avmeldt)` }, 'email');
    }
    await audit(c, deps, { action: 'report.recipient_add', siteId: site.id, target: email });
    return c.json(recipient, 201);
  });

  app.delete('/:siteId/reports/recipients/:recipientId', read, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const recipient = await removeReportRecipient(deps.db, site.id, pathId(c, 'recipientId'));
    if (!recipient) throw new ApiError(404, 'not_found', { en: 'No such recipient of this site\'s report', nb: 'Rapporten for nettstedet har ingen slik mottaker' });
    await audit(c, deps, { action: 'report.recipient_remove', siteId: site.id, target: recipient.email });
    return c.json(recipient);
  });

  app.post('/:siteId/reports/test', read, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const asked = await parseBody(c, testSchema);
    const smtp = deps.config.smtp;
    if (!smtp) throw new ApiError(409, 'conflict', NO_SMTP);
    const results = await sendTestReport(deps.db, { ...deps.config, smtp }, { id: site.id, name: site.name }, asked.frequency, asked.language, new Date());
    if (results.length === 0) throw new ApiError(409, 'conflict', { en: 'The report has no subscribed recipient to send to', nb: 'Rapporten har ingen påmeldt mottaker å sende til' });
    await audit(c, deps, { action: 'report.test', siteId: site.id, target: site.key, detail: { frequency: asked.frequency, failed: results.filter((result) => result.error).length } });
    const response: TestSendResponse = { results };
    return c.json(response);
  });
  return app;
}
