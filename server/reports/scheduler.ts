/**
 * Sends the email reports: plans each due schedule's report as one delivery per recipient and period, then sends
 * what is owed, retrying a mail the SMTP server did not take with growing waits (domain/reports.ts). It runs in the
 * process that runs the retention job (the only one, or the primary of several workers); deliveries are rows with
 * a unique key per recipient and period and are claimed under row locks, so a second server on the same database
 * or a restart sends nothing twice.
 */
import type { SendMailOptions } from 'nodemailer';
import type { Config, SmtpConfig } from '../config.ts';
import type { Db } from '../db/create.ts';
import type { StaffLocale } from '../domain/consent.ts';
import { completedPeriod, nextRetry, nextSendTime, type ReportPeriodKind } from '../domain/reports.ts';
import type { DateRange } from '../domain/stats.ts';
import { claimDueDelivery, dueReportSchedules, markDeliveryFailed, markDeliverySent, planReportDeliveries, subscribedRecipients } from '../queries/reports.ts';
import { findSiteById } from '../queries/sites.ts';
import { createMailTransport, mailServerName } from '../smtp.ts';
import { renderReport } from './render.ts';
import { reportSummary, type ReportSummary } from './summary.ts';

const CHECK_MS = 60_000;
/** Longer than the SMTP timeouts together (server/smtp.ts): a delivery is not taken again while its try may still run. */
const CLAIM_LEASE_MS = 5 * 60_000;

/** The path of the page a recipient unsubscribes on; the token is theirs alone. */
export function unsubscribeUrl(publicUrl: string, token: string): string {
  return `${publicUrl}/reports/unsubscribe/${token}`;
}

/** Figures of one site and period, computed once however many recipients get them. */
type SummaryCache = Map<string, Promise<ReportSummary | null>>;

function summaryFor(db: Db, cache: SummaryCache, siteId: number, frequency: ReportPeriodKind, period: DateRange): Promise<ReportSummary | null> {
  const key = `${siteId}|${frequency}|${period.from.toISOString()}`;
  let summary = cache.get(key);
  if (!summary) {
    summary = findSiteById(db, siteId).then((site) => (site ? reportSummary(db, { id: site.id, name: site.name }, frequency, period) : null));
    cache.set(key, summary);
  }
  return summary;
}

/** One recipient's mail, with the one-click unsubscribe of RFC 8058 beside the link in the text. */
function reportMail(config: Config & { smtp: SmtpConfig }, summary: ReportSummary, language: StaffLocale, recipient: { email: string; token: string }): SendMailOptions {
  const unsubscribe = unsubscribeUrl(config.publicUrl, recipient.token);
  const rendered = renderReport(summary, language, { unsubscribe, dashboard: `${config.publicUrl}/dashboard/` });
  return {
    from: config.smtp.from,
    to: recipient.email,
    subject: rendered.subject,
    text: rendered.text,
    html: rendered.html,
    headers: {
      'List-Unsubscribe': `<${unsubscribe}>`,
      'List-Unsubscribe-Post': 'List-Unsubscribe=One-Click',
      // Tells auto-responders not to answer (RFC 3834).
      'Auto-Submitted': 'auto-generated',
    },
  };
}

export interface ReportRun {
  readonly planned: number;
  readonly sent: number;
  readonly failed: number;
}

/** Plans the reports due at `now` and sends every delivery owed by then; each failed mail is stored with its error. */
export async function runDueReports(db: Db, config: Config, now: Date): Promise<ReportRun> {
  const run = { planned: 0, sent: 0, failed: 0 };
  if (!config.smtp) return run;
  const mailing = { ...config, smtp: config.smtp };
  for (const schedule of await dueReportSchedules(db, now)) {
    if (schedule.frequency === 'off') continue;
    // After a long stop, the latest period only: a pile of old reports tells nobody anything.
    const kind = schedule.frequency;
    run.planned += await planReportDeliveries(db, { ...schedule, frequency: kind }, completedPeriod(kind, now), nextSendTime(kind, now), now);
  }
  const cache: SummaryCache = new Map();
  const transport = createMailTransport(config.smtp);
  try {
    for (let delivery = await claimDueDelivery(db, now, CLAIM_LEASE_MS); delivery; delivery = await claimDueDelivery(db, now, CLAIM_LEASE_MS)) {
      try {
        const summary = await summaryFor(db, cache, delivery.siteId, delivery.frequency, delivery.period);
        if (!summary) throw new Error('The site no longer exists');
        await transport.sendMail(reportMail(mailing, summary, delivery.language, delivery));
        await markDeliverySent(db, delivery.id, now);
        run.sent++;
      } catch (error) {
        const retryAt = nextRetry(delivery.attempts, now);
        await markDeliveryFailed(db, delivery.id, `${mailServerName(config.smtp)}: ${(error as Error).message}`, retryAt);
        run.failed++;
      }
    }
  } finally {
    transport.close();
  }
  return run;
}

/** What a test send did per recipient: null when the mail server took it, or its error. */
export interface TestSendResult {
  readonly email: string;
  readonly error: string | null;
}

/** The last complete period's report, sent now to every subscribed recipient, outside the schedule (nothing is stored). */
export async function sendTestReport(
  db: Db,
  config: Config & { smtp: SmtpConfig },
  site: { id: number; name: string },
  frequency: ReportPeriodKind,
  language: StaffLocale,
  now: Date,
): Promise<TestSendResult[]> {
  const recipients = await subscribedRecipients(db, site.id);
  if (recipients.length === 0) return [];
  const summary = await reportSummary(db, site, frequency, completedPeriod(frequency, now));
  const transport = createMailTransport(config.smtp);
  try {
    const results: TestSendResult[] = [];
    for (const recipient of recipients) {
      try {
        await transport.sendMail(reportMail(config, summary, language, recipient));
        results.push({ email: recipient.email, error: null });
      } catch (error) {
        results.push({ email: recipient.email, error: `${mailServerName(config.smtp)}: ${(error as Error).message}` });
      }
    }
    return results;
  } finally {
    transport.close();
  }
}

export interface ReportScheduler {
  stop(): Promise<void>;
}

/** Checks every minute; a run that fails (the database is away) is logged and the next minute tries again. */
export function startReportScheduler(db: Db, config: Config): ReportScheduler {
  let running: Promise<void> = Promise.resolve();
  const tick = () => {
    running = running
      .then(() => runDueReports(db, config, new Date()))
      .then(
        () => undefined,
        (error: Error) => console.error(`The email reports could not be sent: ${error.message}`),
      );
  };
  if (!config.smtp) return { stop: () => running };
  const timer = setInterval(tick, CHECK_MS);
  timer.unref();
  tick();
  return {
    async stop() {
      clearInterval(timer);
      await running;
    },
  };
}
