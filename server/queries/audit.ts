/** The audit log: every change and every export in the dashboard, who did it, when, and for which site. */
import type { Db } from '../db/create.ts';
import { apiKeyLabel } from '../domain/api-keys.ts';

export const AUDIT_ACTIONS = [
  'setup.complete',
  'login',
  'login.failed',
  'logout',
  'user.create',
  'user.block',
  'user.unblock',
  'user.roles',
  'site.create',
  'site.update',
  'site.banner',
  'site.archive',
  'site.restore',
  'inventory.create',
  'inventory.update',
  'inventory.retire',
  'policy.draft',
  'policy.discard',
  'policy.publish',
  'records.export',
  'subject.export',
  'subject.erase_events',
  'retention.update',
  'retention.enforce',
  'scan.start',
  'scan.schedule',
  'report.schedule',
  'report.recipient_add',
  'report.recipient_remove',
  'report.test',
  'goal.create',
  'goal.update',
  'goal.delete',
  'funnel.create',
  'funnel.update',
  'funnel.delete',
  'api_key.create',
  'api_key.revoke',
  // One row per request of a reading key; a collecting key's requests are counted per site and minute (api/key-use.ts).
  'api_key.use',
  'api_key.collect',
  'sso.update',
  'sso.delete',
] as const;
export type AuditAction = (typeof AUDIT_ACTIONS)[number];

export interface AuditEntry {
  readonly organisationId: number;
  readonly userId: number | null;
  readonly userEmail: string | null;
  readonly action: AuditAction;
  readonly siteId?: number | null;
  readonly target?: string | null;
  readonly detail?: Record<string, unknown>;
  readonly clientHash?: string | null;
  /** The API key that acted, when no user did. */
  readonly apiKeyId?: number | null;
}

export interface AuditLogItem {
  readonly id: number;
  readonly occurredAt: Date;
  readonly userEmail: string | null;
  /** The API key that acted, as `name (sk_prefix)`. */
  readonly apiKey: string | null;
  readonly action: string;
  readonly siteKey: string | null;
  readonly target: string | null;
  readonly detail: Record<string, unknown> | null;
}

export async function recordAudit(db: Db, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      organisation_id: entry.organisationId,
      user_id: entry.userId,
      user_email: entry.userEmail,
      action: entry.action,
      site_id: entry.siteId ?? null,
      target: entry.target ?? null,
      detail: entry.detail ? JSON.stringify(entry.detail) : null,
      client_hash: entry.clientHash ?? null,
      api_key_id: entry.apiKeyId ?? null,
    })
    .execute();
}

/** Newest first, keyset-paged by id. */
export async function listAudit(db: Db, organisationId: number, options: { before?: number; limit: number }): Promise<AuditLogItem[]> {
  let query = db
    .selectFrom('audit_log')
    .leftJoin('sites', 'sites.id', 'audit_log.site_id')
    .leftJoin('api_keys', 'api_keys.id', 'audit_log.api_key_id')
    .select([
      'api_keys.name as api_key_name',
      'api_keys.prefix as api_key_prefix',
      'audit_log.id',
      'audit_log.occurred_at',
      'audit_log.user_email',
      'audit_log.action',
      'sites.key as site_key',
      'audit_log.target',
      'audit_log.detail',
    ])
    .where('audit_log.organisation_id', '=', organisationId)
    .orderBy('audit_log.id', 'desc')
    .limit(options.limit);
  if (options.before !== undefined) query = query.where('audit_log.id', '<', options.before);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: row.id,
    occurredAt: row.occurred_at,
    userEmail: row.user_email,
    apiKey: row.api_key_name !== null && row.api_key_prefix !== null ? apiKeyLabel({ name: row.api_key_name, prefix: row.api_key_prefix }) : null,
    action: row.action,
    siteKey: row.site_key,
    target: row.target,
    detail: row.detail,
  }));
}
