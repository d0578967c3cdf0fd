/**
 * Scheduled email reports in the database: each site's schedule, its recipients, and the deliveries (one row per
 * recipient and period, which is what keeps a report from going out twice).
 */
import { randomBytes } from 'node:crypto';
import type { Selectable } from 'kysely';
import type { Db } from '../db/create.ts';
import type { ReportDeliveriesTable } from '../db/schema.ts';
import type { StaffLocale } from '../domain/consent.ts';
import { nextSendTime, type ReportDelivery, type ReportFrequency, type ReportPeriodKind, type ReportRecipient, type ReportSchedule } from '../domain/reports.ts';
import type { DateRange } from '../domain/stats.ts';

export async function readReportSchedule(db: Db, siteId: number): Promise<ReportSchedule> {
  const row = await db.selectFrom('report_schedules').selectAll().where('site_id', '=', siteId).executeTakeFirst();
  return row
    ? { siteId, frequency: row.frequency, language: row.language, nextSendAt: row.next_send_at }
    : { siteId, frequency: 'off', language: 'nb', nextSendAt: null };
}

/** Stores the schedule; the first report under a new frequency is the one of the period running now. */
export async function writeReportSchedule(db: Db, siteId: number, asked: { frequency: ReportFrequency; language: StaffLocale }, now: Date): Promise<ReportSchedule> {
  const current = await readReportSchedule(db, siteId);
  const nextSendAt =
    asked.frequency === 'off' ? null : asked.frequency === current.frequency && current.nextSendAt ? current.nextSendAt : nextSendTime(asked.frequency, now);
  const values = { frequency: asked.frequency, language: asked.language, next_send_at: nextSendAt, updated_at: now };
  await db
    .insertInto('report_schedules')
    .values({ site_id: siteId, ...values })
    .onConflict((oc) => oc.column('site_id').doUpdateSet(values))
    .execute();
  return { siteId, ...asked, nextSendAt };
}

export async function listReportRecipients(db: Db, siteId: number): Promise<ReportRecipient[]> {
  const rows = await db.selectFrom('report_recipients').select(['id', 'email', 'created_at', 'unsubscribed_at']).where('site_id', '=', siteId).orderBy('email').execute();
  return rows.map((row) => ({ id: row.id, email: row.email, createdAt: row.created_at, unsubscribedAt: row.unsubscribed_at }));
}

/** Null when the site already lists the address (subscribed or not: who unsubscribed is not signed up again by a colleague). */
export async function addReportRecipient(db: Db, siteId: number, email: string): Promise<ReportRecipient | null> {
  const row = await db
    .insertInto('report_recipients')
    .values({ site_id: siteId, email, token: randomBytes(32).toString('base64url') })
    .onConflict((oc) => oc.constraint('report_recipients_site_email_key').doNothing())
    .returning(['id', 'email', 'created_at', 'unsubscribed_at'])
    .executeTakeFirst();
  return row ? { id: row.id, email: row.email, createdAt: row.created_at, unsubscribedAt: row.unsubscribed_at } : null;
}

/** Removes the recipient with every delivery owed to it; null when the site has no such recipient. */
export async function removeReportRecipient(db: Db, siteId: number, recipientId: number): Promise<ReportRecipient | null> {
  const row = await db.deleteFrom('report_recipients').where('site_id', '=', siteId).where('id', '=', recipientId).returning(['id', 'email', 'created_at', 'unsubscribed_at']).executeTakeFirst();
  return row ? { id: row.id, email: row.email, createdAt: row.created_at, unsubscribedAt: row.unsubscribed_at } : null;
}

/** Who a report goes to now: the site's recipients who have not unsubscribed, with the token of their link. */
export interface SubscribedRecipient {
  readonly id: number;
  readonly email: string;
  readonly token: string;
}

export async function subscribedRecipients(db: Db, siteId: number): Promise<SubscribedRecipient[]> {
  return db.selectFrom('report_recipients').select(['id', 'email', 'token']).where('site_id', '=', siteId).where('unsubscribed_at', 'is', null).orderBy('id').execute();
}

/** What the unsubscribe page shows for a token: the address and the site's name; null for a token nobody holds. */
export interface UnsubscribeTarget {
  readonly email: string;
  readonly siteName: string;
  readonly unsubscribedAt: Date | null;
}

export async function findUnsubscribeTarget(db: Db, token: string): Promise<UnsubscribeTarget | null> {
  const row = await db
    .selectFrom('report_recipients as r')
    .innerJoin('sites as s', 's.id', 'r.site_id')
    .select(['r.email', 's.name', 'r.unsubscribed_at'])
    .where('r.token', '=', token)
    .executeTakeFirst();
  return row ? { email: row.email, siteName: row.name, unsubscribedAt: row.unsubscribed_at } : null;
}

/** Stops the mail to the token's holder, the deliveries still owed included; null for a token nobody holds. */
export async function unsubscribeRecipient(db: Db, token: string, now: Date): Promise<UnsubscribeTarget | null> {
  return db.transaction().execute(async (trx) => {
    const recipient = await trx.selectFrom('report_recipients').select(['id', 'unsubscribed_at']).where('token', '=', token).forUpdate().executeTakeFirst();
    if (!recipient) return null;
    if (recipient.unsubscribed_at === null) {
      await trx.updateTable('report_recipients').set({ unsubscribed_at: now }).where('id', '=', recipient.id).execute();
    }
    await trx
      .updateTable('report_deliveries')
      .set({ status: 'cancelled', next_attempt_at: null, claimed_until: null })
      .where('recipient_id', '=', recipient.id)
      .where('status', '=', 'pending')
      .execute();
    return findUnsubscribeTarget(trx, token);
  });
}

function toDelivery(row: Selectable<ReportDeliveriesTable> & { email: string }): ReportDelivery {
  return {
    id: row.id,
    recipientId: row.recipient_id,
    email: row.email,
    frequency: row.frequency,
    period: { from: row.period_from, to: row.period_to },
    status: row.status,
    attempts: row.attempts,
    lastAttemptAt: row.last_attempt_at,
    lastError: row.last_error,
    nextAttemptAt: row.next_attempt_at,
    sentAt: row.sent_at,
  };
}

/** The site's latest deliveries, newest period first: what went out, what is owed, and why a mail failed. */
export async function listReportDeliveries(db: Db, siteId: number, limit: number): Promise<ReportDelivery[]> {
  const rows = await db
    .selectFrom('report_deliveries as d')
    .innerJoin('report_recipients as r', 'r.id', 'd.recipient_id')
    .selectAll('d')
    .select('r.email')
    .where('d.site_id', '=', siteId)
    .orderBy('d.period_from', 'desc')
    .orderBy('r.email')
    .limit(limit)
    .execute();
  return rows.map(toDelivery);
}

/** Schedules whose report is due at `now`, of sites still collecting. */
export async function dueReportSchedules(db: Db, now: Date): Promise<ReportSchedule[]> {
  const rows = await db
    .selectFrom('report_schedules as r')
    .innerJoin('sites as s', 's.id', 'r.site_id')
    .select(['r.site_id', 'r.frequency', 'r.language', 'r.next_send_at'])
    .where('r.frequency', '<>', 'off')
    .where('r.next_send_at', '<=', now)
    .where('s.archived_at', 'is', null)
    .execute();
  return rows.map((row) => ({ siteId: row.site_id, frequency: row.frequency, language: row.language, nextSendAt: row.next_send_at }));
}

/**
 * Owes the period's report to every subscribed recipient and moves the schedule on, in one transaction. The
 * unique key on (recipient, frequency, period) makes a second planning of the same period, by another process or
 * after a restart, add nothing.
 */
export async function planReportDeliveries(db: Db, schedule: ReportSchedule & { frequency: ReportPeriodKind }, period: DateRange, nextSendAt: Date, now: Date): Promise<number> {
  return db.transaction().execute(async (trx) => {
    const recipients = await subscribedRecipients(trx, schedule.siteId);
    let planned = 0;
    if (recipients.length > 0) {
      const inserted = await trx
        .insertInto('report_deliveries')
        .values(
          recipients.map((recipient) => ({
            site_id: schedule.siteId,
            recipient_id: recipient.id,
            frequency: schedule.frequency,
            period_from: period.from,
            period_to: period.to,
            next_attempt_at: now,
          })),
        )
        .onConflict((oc) => oc.constraint('report_deliveries_once_key').doNothing())
        .returning('id')
        .execute();
      planned = inserted.length;
    }
    await trx
      .updateTable('report_schedules')
      .set({ next_send_at: nextSendAt })
      .where('site_id', '=', schedule.siteId)
      .where('frequency', '=', schedule.frequency)
      .where('next_send_at', '<=', now)
      .execute();
    return planned;
  });
}

/** A delivery taken for sending, with what the mail needs. */
export interface ClaimedDelivery {
  readonly id: number;
  readonly siteId: number;
  readonly email: string;
  readonly token: string;
  readonly language: StaffLocale;
  readonly frequency: ReportPeriodKind;
  readonly period: DateRange;
  /** Tries so far, this one included. */
  readonly attempts: number;
}

/**
 * Takes the next delivery due at `now` for `leaseMs`, counting the try: row locks keep two processes from taking the
 * same one, and a process that dies while sending leaves it to be taken again once the lease has passed.
 */
export async function claimDueDelivery(db: Db, now: Date, leaseMs: number): Promise<ClaimedDelivery | null> {
  return db.transaction().execute(async (trx) => {
    const due = await trx
      .selectFrom('report_deliveries')
      .select('id')
      .where('status', '=', 'pending')
      .where('next_attempt_at', '<=', now)
      .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<=', now)]))
      .orderBy('next_attempt_at')
      .orderBy('id')
      .limit(1)
      .forUpdate()
      .skipLocked()
      .executeTakeFirst();
    if (!due) return null;
    const row = await trx
      .updateTable('report_deliveries as d')
      .from('report_recipients as r')
      .set((eb) => ({ claimed_until: new Date(now.getTime() + leaseMs), attempts: eb('d.attempts', '+', 1), last_attempt_at: now }))
      .whereRef('r.id', '=', 'd.recipient_id')
      .where('d.id', '=', due.id)
      .returning(['d.id', 'd.site_id', 'd.frequency', 'd.period_from', 'd.period_to', 'd.attempts', 'r.email', 'r.token'])
      .executeTakeFirstOrThrow();
    const schedule = await readReportSchedule(trx, row.site_id);
    return {
      id: row.id,
      siteId: row.site_id,
      email: row.email,
      token: row.token,
      language: schedule.language,
      frequency: row.frequency,
      period: { from: row.period_from, to: row.period_to },
      attempts: row.attempts,
    };
  });
}

export async function markDeliverySent(db: Db, id: number, now: Date): Promise<void> {
  await db.updateTable('report_deliveries').set({ status: 'sent', sent_at: now, next_attempt_at: null, claimed_until: null, last_error: null }).where('id', '=', id).execute();
}

/** A failed try: retried at `retryAt`, or failed for good when it is null. */
export async function markDeliveryFailed(db: Db, id: number, error: string, retryAt: Date | null): Promise<void> {
  await db
    .updateTable('report_deliveries')
    .set({ status: retryAt ? 'pending' : 'failed', last_error: error, next_attempt_at: retryAt, claimed_until: null })
    .where('id', '=', id)
    // An unsubscribe while it was being sent has cancelled it: that stays.
    .where('status', '=', 'pending')
    .execute();
}
