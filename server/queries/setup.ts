/**
 * The first run of a server without the demo: a one-time setup token, printed at start-up, lets one person create
 * the first organisation and its admin. Only the token's hash is stored, and any unused token is valid until an
 * organisation exists; completing set-up removes them all.
 */
import { createHash, randomBytes } from 'node:crypto';
import { sql } from 'kysely';
import type { StaffUser } from '../domain/roles.ts';
import type { Db } from '../db/create.ts';
import { createOrganisation, hasOrganisation, type Organisation } from './organisation.ts';
import { createUser } from './users.ts';

function tokenHash(token: string): string {
  return createHash('sha256').update(token).digest('hex');
}

export async function createSetupToken(db: Db): Promise<string> {
  const token = randomBytes(32).toString('base64url');
  await db.insertInto('setup_tokens').values({ token_hash: tokenHash(token) }).execute();
  return token;
}

export interface FirstAdmin {
  readonly organisation: string;
  readonly name: string;
  readonly email: string;
  readonly password: string;
}

export type SetupResult =
  | { readonly done: true; readonly organisation: Organisation; readonly user: StaffUser }
  | { readonly done: false; readonly reason: 'already_set_up' | 'invalid_token' };

/** Creates the organisation and its first admin, once: concurrent attempts with different tokens wait for each other. */
export async function completeSetup(db: Db, token: string, admin: FirstAdmin): Promise<SetupResult> {
  return db.transaction().execute(async (trx) => {
    await sql`lock table setup_tokens in exclusive mode`.execute(trx);
    if (await hasOrganisation(trx)) return { done: false, reason: 'already_set_up' };
    const used = await trx.deleteFrom('setup_tokens').where('token_hash', '=', tokenHash(token)).returning('token_hash').executeTakeFirst();
    if (!used) return { done: false, reason: 'invalid_token' };
    const organisation = await createOrganisation(trx, admin.organisation);
    const user = await createUser(trx, { organisationId: organisation.id, email: admin.email, name: admin.name, roles: ['admin'], password: admin.password });
    await trx.deleteFrom('setup_tokens').execute();
    return { done: true, organisation, user };
  });
}
