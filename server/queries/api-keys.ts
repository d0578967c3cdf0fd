/** An organisation's API keys: creating, listing, revoking, finding one by its prefix, and noting its use. */
import { sql } from 'kysely';
import type { ApiKey, ApiKeyScope } from '../domain/api-keys.ts';
import type { Db } from '../db/create.ts';
import type { ApiKeysTable } from '../db/schema.ts';
import type { Selectable } from 'kysely';
import { recordAudit, type AuditEntry } from './audit.ts';

export interface NewApiKey {
  readonly organisationId: number;
  readonly name: string;
  readonly prefix: string;
  readonly secretHash: string;
  readonly scopes: readonly ApiKeyScope[];
  readonly siteId: number | null;
  readonly expiresAt: Date | null;
  readonly createdBy: number;
}

export async function createApiKey(db: Db, key: NewApiKey): Promise<ApiKey> {
  const row = await db
    .insertInto('api_keys')
    .values({
      organisation_id: key.organisationId,
      name: key.name,
      prefix: key.prefix,
      secret_hash: key.secretHash,
      scopes: [...new Set(key.scopes)],
      site_id: key.siteId,
      expires_at: key.expiresAt,
      created_by: key.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toApiKey(row);
}

/** Newest first, revoked and expired ones included: the list is also the record of what existed. */
export async function listApiKeys(db: Db, organisationId: number): Promise<ApiKey[]> {
  const rows = await db.selectFrom('api_keys').selectAll().where('organisation_id', '=', organisationId).orderBy('id', 'desc').execute();
  return rows.map(toApiKey);
}

/** Revokes a key of this organisation; revoking it again keeps the first time. Null for another organisation's key. */
export async function revokeApiKey(db: Db, organisationId: number, keyId: number, now: Date): Promise<ApiKey | null> {
  const row = await db
    .updateTable('api_keys')
    .set({ revoked_at: sql<Date>`coalesce(revoked_at, ${now})` })
    .where('id', '=', keyId)
    .where('organisation_id', '=', organisationId)
    .returningAll()
    .executeTakeFirst();
  return row ? toApiKey(row) : null;
}

/** For authentication only: the one place the secret's hash is read. Revoked and expired keys are found too, to say so. */
export async function findApiKeyByPrefix(db: Db, prefix: string): Promise<{ key: ApiKey; secretHash: string } | null> {
  const row = await db.selectFrom('api_keys').selectAll().where('prefix', '=', prefix).executeTakeFirst();
  return row ? { key: toApiKey(row), secretHash: row.secret_hash } : null;
}

/** A use of a key in the audit log, with the key's last use moved forward (never back: counts may arrive late). */
export async function recordApiKeyUse(db: Db, entry: AuditEntry & { readonly apiKeyId: number }, usedAt: Date): Promise<void> {
  await recordAudit(db, entry);
  await db
    .updateTable('api_keys')
    .set({ last_used_at: sql<Date>`greatest(coalesce(last_used_at, ${usedAt}), ${usedAt})` })
    .where('id', '=', entry.apiKeyId)
    .execute();
}

function toApiKey(row: Selectable<ApiKeysTable>): ApiKey {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    name: row.name,
    prefix: row.prefix,
    scopes: row.scopes,
    siteId: row.site_id,
    expiresAt: row.expires_at,
    createdBy: row.created_by,
    createdAt: row.created_at,
    revokedAt: row.revoked_at,
    lastUsedAt: row.last_used_at,
  };
}
