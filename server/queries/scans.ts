/** Cookie scans: queueing, claiming, progress, results, the history of a site, and each site's schedule. */
import { sql } from 'kysely';
import type { ScanDetail, ScanSchedule, ScanSummary } from '../admin/contract.ts';
import type { Db } from '../db/create.ts';
import type { ScansTable } from '../db/schema.ts';
import type { ScanScheduleKind, ScanTrigger } from '../domain/scan.ts';
import type { Finding, ScanCounts, ScanResult } from '../domain/scan-findings.ts';
import type { Selectable } from 'kysely';

type ScanRow = Selectable<ScansTable>;

export interface NewScan {
  readonly siteId: number;
  readonly trigger: ScanTrigger;
  readonly startedBy: string | null;
  readonly startUrls: readonly string[];
  readonly pageLimit: number;
}

/** A scan as the runner needs it. */
export interface ClaimedScan {
  readonly siteId: number;
  readonly id: number;
  readonly startUrls: readonly string[];
  readonly pageLimit: number;
}

const iso = (date: Date | null) => (date ? new Date(date).toISOString() : null);

function toSummary(row: Omit<ScanRow, 'result' | 'current_page' | 'runner'>): ScanSummary {
  return {
    id: row.id,
    status: row.status,
    trigger: row.trigger,
    startedBy: row.started_by,
    createdAt: iso(row.created_at)!,
    startedAt: iso(row.started_at),
    finishedAt: iso(row.finished_at),
    startUrls: row.start_urls,
    pageLimit: row.page_limit,
    pagesScanned: row.pages_scanned,
    counts: row.counts,
    error: row.error,
  };
}

const SUMMARY_COLUMNS = [
  'site_id',
  'id',
  'status',
  'trigger',
  'started_by',
  'created_at',
  'started_at',
  'finished_at',
  'start_urls',
  'page_limit',
  'pages_scanned',
  'counts',
  'error',
] as const;

export async function queueScan(db: Db, scan: NewScan): Promise<ScanSummary> {
  const row = await db
    .insertInto('scans')
    .values({
      site_id: scan.siteId,
      status: 'queued',
      trigger: scan.trigger,
      started_by: scan.startedBy,
      start_urls: [...scan.startUrls],
      page_limit: scan.pageLimit,
    })
    .returning(SUMMARY_COLUMNS)
    .executeTakeFirstOrThrow();
  return toSummary(row);
}

/**
 * The oldest queued scan, now running for `runner`; null when none waits. One statement, with `skip locked`, so
 * two servers on one database never take the same scan.
 */
export async function claimNextScan(db: Db, runner: string): Promise<ClaimedScan | null> {
  const { rows } = await sql<{ site_id: number; id: number; start_urls: string[]; page_limit: number }>`
    update scans set status = 'running', started_at = now(), runner = ${runner}
    where (site_id, id) = (select site_id, id from scans where status = 'queued' order by created_at, id limit 1 for update skip locked)
    returning site_id, id, start_urls, page_limit`.execute(db);
  const row = rows[0];
  return row ? { siteId: row.site_id, id: row.id, startUrls: row.start_urls, pageLimit: row.page_limit } : null;
}

/** A given queued scan, now running for `runner` (the command line runs its own at once). */
export async function claimScan(db: Db, siteId: number, id: number, runner: string): Promise<ClaimedScan | null> {
  const row = await db
    .updateTable('scans')
    .set({ status: 'running', started_at: new Date(), runner })
    .where('site_id', '=', siteId)
    .where('id', '=', id)
    .where('status', '=', 'queued')
    .returning(['site_id', 'id', 'start_urls', 'page_limit'])
    .executeTakeFirst();
  return row ? { siteId: row.site_id, id: row.id, startUrls: row.start_urls, pageLimit: row.page_limit } : null;
}

export async function noteScanProgress(db: Db, scan: ClaimedScan, pagesScanned: number, currentPage: string | null): Promise<void> {
  await db.updateTable('scans').set({ pages_scanned: pagesScanned, current_page: currentPage }).where('site_id', '=', scan.siteId).where('id', '=', scan.id).execute();
}

/** Stores a finished scan's result, all at once: a scan is either done with its whole result or failed with none. */
export async function finishScan(db: Db, scan: ClaimedScan, result: ScanResult, counts: ScanCounts): Promise<void> {
  await db
    .updateTable('scans')
    .set({ status: 'done', finished_at: new Date(), current_page: null, pages_scanned: result.pages.length, result: JSON.stringify(result), counts: JSON.stringify(counts) })
    .where('site_id', '=', scan.siteId)
    .where('id', '=', scan.id)
    .execute();
}

export async function failScan(db: Db, scan: Pick<ClaimedScan, 'siteId' | 'id'>, error: string): Promise<void> {
  await db
    .updateTable('scans')
    .set({ status: 'failed', finished_at: new Date(), current_page: null, error })
    .where('site_id', '=', scan.siteId)
    .where('id', '=', scan.id)
    .execute();
}

/**
 * Running scans whose runner is gone: on this host with a process that no longer runs, or started longer ago than
 * any scan may take. They fail with `reason`; their results were never written, so nothing is half-stored.
 */
export async function failAbandonedScans(db: Db, isAbandoned: (runner: string | null, startedAt: Date | null) => boolean, reason: string): Promise<number> {
  const running = await db.selectFrom('scans').select(['site_id', 'id', 'runner', 'started_at']).where('status', '=', 'running').execute();
  const abandoned = running.filter((row) => isAbandoned(row.runner, row.started_at));
  for (const row of abandoned) await failScan(db, { siteId: row.site_id, id: row.id }, reason);
  return abandoned.length;
}

export async function listScans(db: Db, siteId: number, limit = 50): Promise<ScanSummary[]> {
  const rows = await db.selectFrom('scans').select(SUMMARY_COLUMNS).where('site_id', '=', siteId).orderBy('id', 'desc').limit(limit).execute();
  return rows.map(toSummary);
}

export async function findScan(db: Db, siteId: number, id: number): Promise<ScanDetail | null> {
  const row = await db.selectFrom('scans').selectAll().where('site_id', '=', siteId).where('id', '=', id).executeTakeFirst();
  return row ? { ...toSummary(row), currentPage: row.current_page, result: row.result } : null;
}

/** The findings of the site's latest finished scan before `beforeId`, or null when it has none. */
export async function previousFindings(db: Db, siteId: number, beforeId: number): Promise<Finding[] | null> {
  const row = await db
    .selectFrom('scans')
    .select('result')
    .where('site_id', '=', siteId)
    .where('id', '<', beforeId)
    .where('status', '=', 'done')
    .orderBy('id', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row?.result ? [...row.result.findings] : null;
}

/** Whether the site has a scan queued or running: a second one would only repeat it. */
export async function hasPendingScan(db: Db, siteId: number): Promise<boolean> {
  const row = await db.selectFrom('scans').select('id').where('site_id', '=', siteId).where('status', 'in', ['queued', 'running']).limit(1).executeTakeFirst();
  return row !== undefined;
}

const SCHEDULE_DAYS: Readonly<Record<Exclude<ScanScheduleKind, 'off'>, number>> = { daily: 1, weekly: 7 };

export async function readScanSchedule(db: Db, siteId: number): Promise<ScanSchedule> {
  const site = await db.selectFrom('sites').select(['scan_schedule', 'scan_urls', 'scan_page_limit']).where('id', '=', siteId).executeTakeFirstOrThrow();
  const last = await db.selectFrom('scans').select('created_at').where('site_id', '=', siteId).where('trigger', '=', 'schedule').orderBy('id', 'desc').limit(1).executeTakeFirst();
  const nextAt =
    site.scan_schedule === 'off' ? null : last ? new Date(new Date(last.created_at).getTime() + SCHEDULE_DAYS[site.scan_schedule] * 86_400_000) : new Date();
  return { schedule: site.scan_schedule, urls: site.scan_urls, pageLimit: site.scan_page_limit, nextAt: iso(nextAt) };
}

export async function writeScanSchedule(db: Db, siteId: number, schedule: Omit<ScanSchedule, 'nextAt'>): Promise<ScanSchedule> {
  await db
    .updateTable('sites')
    .set({ scan_schedule: schedule.schedule, scan_urls: [...schedule.urls], scan_page_limit: schedule.pageLimit })
    .where('id', '=', siteId)
    .execute();
  return readScanSchedule(db, siteId);
}

/** Sites whose schedule is due at `now` (never scanned by it, or its interval passed) and that have nothing pending. */
export async function sitesDueForScan(db: Db, now: Date): Promise<Array<{ siteId: number; urls: string[]; pageLimit: number }>> {
  const { rows } = await sql<{ id: number; scan_urls: string[]; scan_page_limit: number }>`
    select s.id, s.scan_urls, s.scan_page_limit from sites s
    where s.scan_schedule <> 'off' and s.archived_at is null
      and not exists (select 1 from scans p where p.site_id = s.id and p.status in ('queued', 'running'))
      and coalesce((select max(l.created_at) from scans l where l.site_id = s.id and l.trigger = 'schedule'), '-infinity'::timestamptz)
        <= ${now}::timestamptz - (case s.scan_schedule when 'daily' then interval '1 day' else interval '7 days' end)`.execute(db);
  return rows.map((row) => ({ siteId: row.id, urls: row.scan_urls, pageLimit: row.scan_page_limit }));
}
