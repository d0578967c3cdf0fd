/** The demo organisation's admin account, so `npm start` gives a dashboard one can sign in to at once. */
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/create.ts';
import { createUser } from '../queries/users.ts';

export const DEMO_ADMIN_EMAIL = 'admin@demo.samtykke.local';

/**
 * Creates the demo admin with a fresh random password and returns it, or null when the account exists already
 * (its password was printed when it was made; add another admin with `samtykke user add` if it is lost).
 */
export async function createDemoAdmin(db: Db, organisationId: number): Promise<{ email: string; password: string } | null> {
  const existing = await db.selectFrom('users').select('id').where('email', '=', DEMO_ADMIN_EMAIL).executeTakeFirst();
  if (existing) return null;
  const password = randomBytes(12).toString('base64url');
  await createUser(db, { organisationId, email: DEMO_ADMIN_EMAIL, name: 'Demo admin', roles: ['admin', 'analyst', 'privacy_officer'], password });
  return { email: DEMO_ADMIN_EMAIL, password };
}
