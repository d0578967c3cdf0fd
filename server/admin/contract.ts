/** The admin API's wire types: the server's domain objects as JSON carries them (dates become ISO strings). */
import type { Permission, StaffUser } from '../domain/roles.ts';
import type { SiteSummary } from '../queries/organisation.ts';

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

export type { AuditLogItem } from '../queries/audit.ts';
export type { Retention, SiteSummary } from '../queries/organisation.ts';
export type { ConsentRecordView, HistoryEntry } from '../queries/record-search.ts';
