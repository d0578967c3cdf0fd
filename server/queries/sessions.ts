/** Dashboard sessions: a random token in the cookie, only its hash in the database, checked on every request. */
import { createHash, randomBytes } from 'node:crypto';
import type { StaffUser } from '../domain/roles.ts';
import type { Db } from '../db/create.ts';
import { toStaffUser } from './users.ts';

export const SESSION_HOURS = 12;

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function openSession(db: Db, userId: number): Promise<{ token: string; csrfToken: string; expiresAt: Date }> {
  const token = randomBytes(32).toString('base64url');
  const csrfToken = randomBytes(24).toString('base64url');
  const expiresAt = new Date(Date.now() + SESSION_HOURS * 3600_000);
  await db.insertInto('sessions').values({ token_hash: tokenHash(token), user_id: userId, csrf_token: csrfToken, expires_at: expiresAt }).execute();
  return { token, csrfToken, expiresAt };
}

/**
 * The user behind a session token, read fresh on every request so a block or role change takes effect on the
 * very next one. Null for unknown, expired or blocked.
 */
export async function resolveSession(db: Db, token: string): Promise<{ user: StaffUser; csrfToken: string } | null> {
  const row = await db
    .selectFrom('sessions')
    .innerJoin('users', 'users.id', 'sessions.user_id')
    .selectAll('users')
    .select('sessions.csrf_token')
    .where('sessions.token_hash', '=', tokenHash(token))
    .where('sessions.expires_at', '>', new Date())
    .where('users.blocked_at', 'is', null)
    .executeTakeFirst();
  if (!row) return null;
  const { csrf_token: csrfToken, ...user } = row;
  return { user: toStaffUser(user), csrfToken };
}

export async function closeSession(db: Db, token: string): Promise<void> {
  await db.deleteFrom('sessions').where('token_hash', '=', tokenHash(token)).execute();
}

export async function deleteExpiredSessions(db: Db, now: Date): Promise<number> {
  const result = await db.deleteFrom('sessions').where('expires_at', '<=', now).executeTakeFirst();
  return Number(result.numDeletedRows);
}
