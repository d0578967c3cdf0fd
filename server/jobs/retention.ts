/**
 * The daily retention job: deletes each organisation's analytics events and consent records once they are older
 * than its retention settings, sessions that have expired, and the installation check's old hourly counts. Every
 * run that deletes events or evidence is audited.
 */
import type { Db } from '../db/create.ts';
import { recordAudit } from '../queries/audit.ts';
import { pruneConsentChain } from '../queries/consent-records.ts';
import { deleteExpiredSessions } from '../queries/sessions.ts';
import { pruneSiteActivity } from '../queries/site-activity.ts';

const DAY_MS = 86_400_000;
/** The installation check reads the last day; a month more shows a pattern without keeping a history. */
const SITE_ACTIVITY_DAYS = 30;

export interface RetentionResult {
  readonly organisationId: number;
  readonly eventsDeleted: number;
  readonly consentRecordsDeleted: number;
}

export async function enforceRetention(db: Db, now: Date): Promise<RetentionResult[]> {
  const organisations = await db.selectFrom('organisations').select(['id', 'event_retention_days', 'consent_retention_days']).execute();
  const results: RetentionResult[] = [];
  for (const organisation of organisations) {
    const siteIds = db.selectFrom('sites').select('id').where('organisation_id', '=', organisation.id);
    const events = await db
      .deleteFrom('events')
      .where('site_id', 'in', siteIds)
      .where('occurred_at', '<', new Date(now.getTime() - organisation.event_retention_days * DAY_MS))
      .executeTakeFirst();
    // The only deletion consent evidence ever sees; the records are otherwise append-only.
    const recordCutoff = new Date(now.getTime() - organisation.consent_retention_days * DAY_MS);
    let consentRecordsDeleted = 0;
    for (const site of await siteIds.execute()) consentRecordsDeleted += await pruneConsentChain(db, site.id, recordCutoff);
    const result = {
      organisationId: organisation.id,
      eventsDeleted: Number(events.numDeletedRows),
      consentRecordsDeleted,
    };
    if (result.eventsDeleted || result.consentRecordsDeleted) {
      await recordAudit(db, {
        organisationId: organisation.id,
        userId: null,
        userEmail: null,
        action: 'retention.enforce',
        detail: {
          eventsDeleted: result.eventsDeleted,
          consentRecordsDeleted: result.consentRecordsDeleted,
          eventRetentionDays: organisation.event_retention_days,
          consentRetentionDays: organisation.consent_retention_days,
        },
      });
    }
    results.push(result);
  }
  await deleteExpiredSessions(db, now);
  await pruneSiteActivity(db, new Date(now.getTime() - SITE_ACTIVITY_DAYS * DAY_MS));
  return results;
}

export interface RetentionJob {
  stop(): void;
}

/** Runs now and then once a day; a failed run is reported and retried on the next day, never hidden. */
export function startRetentionJob(db: Db, intervalMs = DAY_MS): RetentionJob {
  const run = () =>
    enforceRetention(db, new Date()).then(
      (results) => {
        const events = results.reduce((sum, result) => sum + result.eventsDeleted, 0);
        const records = results.reduce((sum, result) => sum + result.consentRecordsDeleted, 0);
        if (events || records) console.log(`Retention: deleted ${events} events and ${records} consent records past their retention`);
      },
      (error: unknown) => console.error('Retention job failed; it runs again in a day:', error),
    );
  void run();
  const timer = setInterval(run, intervalMs);
  // Never the reason the process stays alive.
  timer.unref();
  return { stop: () => clearInterval(timer) };
}

