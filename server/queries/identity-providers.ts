/** Organisations' identity providers, the sign-ins in flight to them, and finding whose provider an address uses. */
import { createHash } from 'node:crypto';
import { sql, type Selectable } from 'kysely';
import type { IdentityProviderClient, IdentityProviderSettings } from '../domain/identity-provider.ts';
import { emailDomainOf } from '../domain/identity-provider.ts';
import type { Role, StaffUser } from '../domain/roles.ts';
import type { Db } from '../db/create.ts';
import type { IdentityProvidersTable } from '../db/schema.ts';
import { toStaffUser } from './users.ts';

export interface IdentityProviderChanges {
  readonly issuer: string;
  readonly clientId: string;
  /** Undefined keeps the stored secret. */
  readonly clientSecret?: string;
  readonly defaultRole: Role;
  readonly emailDomains: readonly string[];
  readonly enabled: boolean;
  readonly passwordsAllowed: boolean;
}

/** The first save has no secret to keep. */
export class MissingClientSecretError extends Error {
  constructor() {
    super('The client secret is needed the first time the provider is saved');
    this.name = 'MissingClientSecretError';
  }
}

type Row = Selectable<IdentityProvidersTable>;

function toSettings(row: Row): IdentityProviderSettings {
  return {
    organisationId: row.organisation_id,
    issuer: row.issuer,
    clientId: row.client_id,
    defaultRole: row.default_role,
    emailDomains: row.email_domains,
    enabled: row.enabled,
    passwordsAllowed: row.passwords_allowed,
    updatedAt: row.updated_at,
  };
}

export async function getIdentityProvider(db: Db, organisationId: number): Promise<IdentityProviderSettings | null> {
  const row = await db.selectFrom('identity_providers').selectAll().where('organisation_id', '=', organisationId).executeTakeFirst();
  return row ? toSettings(row) : null;
}

/** For the sign-in flow only: the one place the client secret is read. Null unless the provider is enabled. */
export async function findEnabledProviderClient(db: Db, organisationId: number): Promise<IdentityProviderClient | null> {
  const row = await db
    .selectFrom('identity_providers')
    .selectAll()
    .where('organisation_id', '=', organisationId)
    .where('enabled', '=', true)
    .executeTakeFirst();
  return row ? { ...toSettings(row), clientSecret: row.client_secret } : null;
}

export async function saveIdentityProvider(db: Db, organisationId: number, changes: IdentityProviderChanges): Promise<IdentityProviderSettings> {
  const values = {
    issuer: changes.issuer,
    client_id: changes.clientId,
    default_role: changes.defaultRole,
    email_domains: [...new Set(changes.emailDomains)],
    enabled: changes.enabled,
    passwords_allowed: changes.passwordsAllowed,
    updated_at: new Date(),
    ...(changes.clientSecret === undefined ? {} : { client_secret: changes.clientSecret }),
  };
  return db.transaction().execute(async (trx) => {
    const updated = await trx.updateTable('identity_providers').set(values).where('organisation_id', '=', organisationId).returningAll().executeTakeFirst();
    if (updated) return toSettings(updated);
    if (changes.clientSecret === undefined) throw new MissingClientSecretError();
    const inserted = await trx
      .insertInto('identity_providers')
      .values({ ...values, organisation_id: organisationId, client_secret: changes.clientSecret })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toSettings(inserted);
  });
}

/** Removes the provider; the organisation's users sign in with passwords again. */
export async function deleteIdentityProvider(db: Db, organisationId: number): Promise<boolean> {
  const result = await db.deleteFrom('identity_providers').where('organisation_id', '=', organisationId).executeTakeFirst();
  await db.deleteFrom('oidc_login_attempts').where('organisation_id', '=', organisationId).execute();
  return Number(result.numDeletedRows) > 0;
}

/** Domains of these that another organisation's provider already claims: each domain leads to one provider. */
export async function domainsClaimedElsewhere(db: Db, organisationId: number, domains: readonly string[]): Promise<string[]> {
  if (domains.length === 0) return [];
  const rows = await db
    .selectFrom('identity_providers')
    .select('email_domains')
    .where('organisation_id', '<>', organisationId)
    .where(sql<boolean>`email_domains && ${sql.val([...domains])}::text[]`)
    .execute();
  const claimed = new Set(rows.flatMap((row) => row.email_domains));
  return domains.filter((domain) => claimed.has(domain));
}

/**
 * Whose provider a typed address signs in with: the organisation that listed the address's domain, or else the
 * organisation of the account that has the address. Null when neither has an enabled provider.
 */
export async function findProviderOrganisation(db: Db, email: string): Promise<number | null> {
  const byDomain = await db
    .selectFrom('identity_providers')
    .select('organisation_id')
    .where('enabled', '=', true)
    .where(sql<boolean>`${emailDomainOf(email)} = any(email_domains)`)
    .executeTakeFirst();
  if (byDomain) return byDomain.organisation_id;
  const byAccount = await db
    .selectFrom('users')
    .innerJoin('identity_providers', 'identity_providers.organisation_id', 'users.organisation_id')
    .select('users.organisation_id')
    .where('users.email', '=', email.trim().toLowerCase())
    .where('identity_providers.enabled', '=', true)
    .executeTakeFirst();
  return byAccount?.organisation_id ?? null;
}

/** False only while the organisation's provider is enabled and its admin turned passwords off. */
export async function passwordsAllowed(db: Db, organisationId: number): Promise<boolean> {
  const row = await db
    .selectFrom('identity_providers')
    .select(['enabled', 'passwords_allowed'])
    .where('organisation_id', '=', organisationId)
    .executeTakeFirst();
  return !row || !row.enabled || row.passwords_allowed;
}

/** Any organisation's account with this address, blocked or not: the provider's word is matched against it. */
export async function findStaffUserByEmail(db: Db, email: string): Promise<StaffUser | null> {
  const row = await db.selectFrom('users').selectAll().where('email', '=', email.trim().toLowerCase()).executeTakeFirst();
  return row ? toStaffUser(row) : null;
}

export interface LoginAttempt {
  readonly organisationId: number;
  readonly codeVerifier: string;
  readonly nonce: string;
}

function stateHash(state: string): string {
  return createHash('sha256').update(state).digest('hex');
}

/** Remembers a browser sent to the provider; clears attempts nobody came back from while at it. */
export async function openLoginAttempt(db: Db, state: string, attempt: LoginAttempt, expiresAt: Date): Promise<void> {
  await db.deleteFrom('oidc_login_attempts').where('expires_at', '<=', new Date()).execute();
  await db
    .insertInto('oidc_login_attempts')
    .values({ state_hash: stateHash(state), organisation_id: attempt.organisationId, code_verifier: attempt.codeVerifier, nonce: attempt.nonce, expires_at: expiresAt })
    .execute();
}

/** The attempt with this state, removed as it is read so a callback works once; null if unknown or expired. */
export async function takeLoginAttempt(db: Db, state: string): Promise<LoginAttempt | null> {
  const row = await db
    .deleteFrom('oidc_login_attempts')
    .where('state_hash', '=', stateHash(state))
    .returning(['organisation_id', 'code_verifier', 'nonce', 'expires_at'])
    .executeTakeFirst();
  if (!row || row.expires_at <= new Date()) return null;
  return { organisationId: row.organisation_id, codeVerifier: row.code_verifier, nonce: row.nonce };
}
