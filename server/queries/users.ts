/** Dashboard users of an organisation: creating, finding for login, listing and blocking. */
import { hashPassword } from '../domain/password.ts';
import type { Role, StaffUser } from '../domain/roles.ts';
import type { Db } from '../db/create.ts';
import type { UserRow } from '../db/schema.ts';

export interface NewUser {
  readonly organisationId: number;
  readonly email: string;
  readonly name: string;
  readonly roles: readonly Role[];
  readonly password: string;
}

export class DuplicateEmailError extends Error {
  constructor(readonly email: string) {
    super(`A user with the email ${email} already exists`);
    this.name = 'DuplicateEmailError';
  }
}

export async function createUser(db: Db, user: NewUser): Promise<StaffUser> {
  const email = user.email.trim().toLowerCase();
  const existing = await db.selectFrom('users').select('id').where('email', '=', email).executeTakeFirst();
  if (existing) throw new DuplicateEmailError(email);
  const row = await db
    .insertInto('users')
    .values({
      organisation_id: user.organisationId,
      email,
      name: user.name,
      roles: [...new Set(user.roles)],
      password_hash: await hashPassword(user.password),
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toStaffUser(row);
}

/** For login only: the one place the password hash is read. */
export async function findLoginCandidate(db: Db, email: string): Promise<{ user: StaffUser; passwordHash: string } | null> {
  const row = await db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
  return row ? { user: toStaffUser(row), passwordHash: row.password_hash } : null;
}

export async function listUsers(db: Db, organisationId: number): Promise<StaffUser[]> {
  const rows = await db.selectFrom('users').selectAll().where('organisation_id', '=', organisationId).orderBy('email').execute();
  return rows.map(toStaffUser);
}

/** Blocks or unblocks a user of this organisation; blocking also ends every session the user holds. */
export async function setUserBlocked(db: Db, organisationId: number, userId: number, blocked: boolean): Promise<StaffUser | null> {
  return db.transaction().execute(async (trx) => {
    const row = await trx
      .updateTable('users')
      .set({ blocked_at: blocked ? new Date() : null })
      .where('id', '=', userId)
      .where('organisation_id', '=', organisationId)
      .returningAll()
      .executeTakeFirst();
    if (row && blocked) await trx.deleteFrom('sessions').where('user_id', '=', userId).execute();
    return row ? toStaffUser(row) : null;
  });
}

export async function setUserRoles(db: Db, organisationId: number, userId: number, roles: readonly Role[]): Promise<StaffUser | null> {
  const row = await db
    .updateTable('users')
    .set({ roles: [...new Set(roles)] })
    .where('id', '=', userId)
    .where('organisation_id', '=', organisationId)
    .returningAll()
    .executeTakeFirst();
  return row ? toStaffUser(row) : null;
}

export function toStaffUser(row: UserRow): StaffUser {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    email: row.email,
    name: row.name,
    roles: row.roles,
    blockedAt: row.blocked_at,
    createdAt: row.created_at,
  };
}
