/**
 * The daily retention job: deletes each organisation's analytics events (with their visits and rollups) and
 * consent records once they are older than its retention settings, sessions that have expired, and the
 * installation check's old hourly counts. Every run that deletes events or evidence is audited.
 */
import type { Db } from '../db/create.ts';
import { recordAudit } from '../queries/audit.ts';
import { pruneConsentChain } from '../queries/consent-records.ts';
import { dropEventPartitionsBefore, utcDay } from '../queries/event-partitions.ts';
import { deleteExpiredSessions } from '../queries/sessions.ts';
import { pruneSiteActivity } from '../queries/site-activity.ts';
import { deleteVisitsBefore } from '../queries/visits.ts';

const DAY_MS = 86_400_000;
/** The installation check reads the last day; a month more shows a pattern without keeping a history. */
const SITE_ACTIVITY_DAYS = 30;

export interface RetentionResult {
  readonly organisationId: number;
  readonly eventsDeleted: number;
  readonly consentRecordsDeleted: number;
}

/**
 * Each organisation's events go by whole UTC days: every day that ends within its retention cutoff, so nothing
 * is kept longer than promised (a day's visits may go up to a day early). Days past every organisation's cutoff
 * are dropped as partitions; an organisation that keeps less than another deletes its rows of the days between.
 */
export async function enforceRetention(db: Db, now: Date): Promise<RetentionResult[]> {
  const organisations = await db.selectFrom('organisations').select(['id', 'event_retention_days', 'consent_retention_days']).execute();
  const sites = await db.selectFrom('sites').select(['id', 'organisation_id']).execute();
  const cutoffDay = (retentionDays: number) => utcDay(now.getTime() - retentionDays * DAY_MS + DAY_MS);
  const cutoffs = organisations.map((organisation) => cutoffDay(organisation.event_retention_days));
  const droppedPerSite = cutoffs.length ? await dropEventPartitionsBefore(db, cutoffs.reduce((a, b) => (a < b ? a : b))) : new Map<number, number>();

  const results: RetentionResult[] = [];
  for (const organisation of organisations) {
    const siteIds = sites.filter((site) => site.organisation_id === organisation.id).map((site) => site.id);
    const day = cutoffDay(organisation.event_retention_days);
    let eventsDeleted = siteIds.reduce((sum, id) => sum + (droppedPerSite.get(id) ?? 0), 0);
    eventsDeleted += await deleteVisitsBefore(db, siteIds, day);
    if (siteIds.length) {
      const rows = await db.deleteFrom('events').where('site_id', 'in', siteIds).where('occurred_at', '<', new Date(`${day}T00:00:00Z`)).executeTakeFirst();
      eventsDeleted += Number(rows.numDeletedRows);
    }
    // The only deletion consent evidence ever sees; the records are otherwise append-only.
    const recordCutoff = new Date(now.getTime() - organisation.consent_retention_days * DAY_MS);
    let consentRecordsDeleted = 0;
    for (const siteId of siteIds) consentRecordsDeleted += await pruneConsentChain(db, siteId, recordCutoff);
    const result = { organisationId: organisation.id, eventsDeleted, consentRecordsDeleted };
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

