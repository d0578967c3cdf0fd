/** The admin API's wire types: the server's domain objects as JSON carries them (dates become ISO strings). */
import type { BannerLabels, BannerSettings, BannerTheme } from '../domain/banner.ts';
import type { Localized } from '../domain/consent.ts';
import type { Permission, StaffUser } from '../domain/roles.ts';
import type { ShownContent } from '../domain/shown-content.ts';
import type { ScanScheduleKind, ScanStatus, ScanTrigger } from '../domain/scan.ts';
import type { ScanCounts, ScanResult } from '../domain/scan-findings.ts';
import type { SiteSummary } from '../queries/organisation.ts';
import type { HistoryEntry } from '../queries/record-search.ts';
import type { InstallActivity } from '../queries/site-activity.ts';

export type Wire<T> = T extends Date
  ? string
  : T extends ReadonlyArray<infer Item>
    ? Wire<Item>[]
    : T extends object
      ? { [K in keyof T]: Wire<T[K]> }
      : T;

/** GET /api/admin/session and POST /api/admin/session/login */
export interface SessionInfo {
  readonly user: StaffUser;
  readonly permissions: readonly Permission[];
  readonly csrfToken: string;
  readonly sites: readonly SiteSummary[];
}

/** GET /api/admin/sites/:siteId/install/check: whether the site's pages reach the collector. */
export interface InstallCheck extends InstallActivity {
  readonly allowedOrigins: readonly string[];
  readonly archived: boolean;
}

/** GET /api/admin/setup */
export interface SetupStatus {
  readonly needed: boolean;
}

/** POST /api/admin/setup: the printed token, the organisation and its first admin. */
export interface SetupRequest {
  readonly token: string;
  readonly organisation: string;
  readonly name: string;
  readonly email: string;
  readonly password: string;
}

export type { AuditLogItem } from '../queries/audit.ts';
export type { InstallGuide, Snippet, SnippetId } from '../sites/install.ts';
export type { InstallActivity, RefusedOrigin, Sighting } from '../queries/site-activity.ts';
export type { Retention, SiteSummary } from '../queries/organisation.ts';
export type { ConsentRecordView, HistoryEntry } from '../queries/record-search.ts';

/** GET /api/admin/records/:recordId: one record, and the content its user was shown with whether it still matches. */
export interface RecordDetail {
  readonly record: HistoryEntry;
  /** null for records from before contents were kept, or whose content row is gone. */
  readonly shown: {
    readonly hash: string;
    /** The stored text's SHA-256, recomputed now, equals the hash the chained record carries. */
    readonly matches: boolean;
    /** The stored text as read; null when it no longer parses (it was altered). */
    readonly content: ShownContent | null;
  } | null;
}

/** GET /api/admin/sites/:siteId/banner */
export interface BannerState extends BannerSettings {
  readonly defaults: { readonly theme: BannerTheme; readonly labels: Required<Localized<BannerLabels>> };
}

/** One scan as the history lists it: GET /api/admin/sites/:siteId/scans (newest first), and the answer to starting one. */
export interface ScanSummary {
  readonly id: number;
  readonly status: ScanStatus;
  readonly trigger: ScanTrigger;
  /** Who started it from the dashboard; null for the schedule and the command line. */
  readonly startedBy: string | null;
  readonly createdAt: string;
  readonly startedAt: string | null;
  readonly finishedAt: string | null;
  readonly startUrls: readonly string[];
  readonly pageLimit: number;
  /** Pages visited so far (while running) or in all. */
  readonly pagesScanned: number;
  /** A finished scan's findings by type, and against the site's previous finished scan what is new and what is gone. */
  readonly counts: ScanCounts | null;
  /** Why it failed, in words an admin can act on. */
  readonly error: string | null;
}

/** GET /api/admin/sites/:siteId/scans/:scanId: the summary, the page being visited while it runs, the results once done. */
export interface ScanDetail extends ScanSummary {
  readonly currentPage: string | null;
  readonly result: ScanResult | null;
}

/** POST /api/admin/sites/:siteId/scans: start URLs default to the schedule's, else the site's exact allowed origins. */
export interface StartScanRequest {
  readonly urls?: readonly string[];
  readonly pages?: number;
}

/** GET and PUT /api/admin/sites/:siteId/scan-schedule */
export interface ScanSchedule {
  readonly schedule: ScanScheduleKind;
  /** Start URLs for scheduled scans (and the dashboard's default); empty means the site's exact allowed origins. */
  readonly urls: readonly string[];
  readonly pageLimit: number;
  /** When the next scheduled scan is due; null when off. */
  readonly nextAt: string | null;
}
