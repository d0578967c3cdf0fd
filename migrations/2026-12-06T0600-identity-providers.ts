/**
 * Staff sign-in with an organisation's own identity provider (OpenID Connect): one provider per organisation, and
 * the sign-ins in flight between leaving for the provider and coming back.
 */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('identity_providers')
    .addColumn('organisation_id', 'integer', (c) => c.primaryKey().references('organisations.id').onDelete('cascade'))
    .addColumn('issuer', 'text', (c) => c.notNull())
    .addColumn('client_id', 'text', (c) => c.notNull())
    // Stored as given: whoever reads this table can already read everything the dashboard shows.
    .addColumn('client_secret', 'text', (c) => c.notNull())
    .addColumn('default_role', 'text', (c) => c.notNull().check(sql`default_role in ('admin', 'analyst', 'privacy_officer')`))
    // Lower-case domains whose addresses sign in here: the sign-in page finds the organisation by them.
    .addColumn('email_domains', sql`text[]`, (c) => c.notNull().defaultTo(sql`'{}'::text[]`))
    .addColumn('enabled', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('passwords_allowed', 'boolean', (c) => c.notNull().defaultTo(true))
    .addColumn('updated_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    // Turning passwords off while the provider is off would lock every user of the organisation out.
    .addCheckConstraint('identity_providers_sign_in_possible', sql`enabled or passwords_allowed`)
    .execute();

  // One row per browser sent to a provider: the PKCE verifier and nonce wait here for the callback, used once.
  await db.schema
    .createTable('oidc_login_attempts')
    // Only a hash of the state: the browser holds the state itself in a cookie, and a copy of this table is no use.
    .addColumn('state_hash', 'text', (c) => c.primaryKey())
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('code_verifier', 'text', (c) => c.notNull())
    .addColumn('nonce', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('oidc_login_attempts_expires_idx').on('oidc_login_attempts').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('oidc_login_attempts').execute();
  await db.schema.dropTable('identity_providers').execute();
}
