/** Dashboard accounts: staff users with roles, their sessions, and the audit log of every change and export. */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('users')
    .addColumn('id', 'integer', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    // Stored lower-cased so one address is one account whatever case it is typed in.
    .addColumn('email', 'text', (c) => c.notNull().unique().check(sql`email = lower(email)`))
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('roles', sql`text[]`, (c) =>
      c.notNull().check(sql`cardinality(roles) > 0 and roles <@ array['admin', 'analyst', 'privacy_officer']::text[]`),
    )
    .addColumn('password_hash', 'text', (c) => c.notNull())
    .addColumn('blocked_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('users_organisation_idx').on('users').column('organisation_id').execute();

  // Only a hash of the session token is stored: a copy of this table does not let anyone log in.
  await db.schema
    .createTable('sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('user_id', 'integer', (c) => c.notNull().references('users.id').onDelete('cascade'))
    .addColumn('csrf_token', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('sessions_user_idx').on('sessions').column('user_id').execute();

  await db.schema
    .createTable('audit_log')
    .addColumn('id', 'bigint', (c) => c.primaryKey().generatedAlwaysAsIdentity())
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    // Kept when a user is deleted: the log must still say who it was.
    .addColumn('user_id', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('user_email', 'text')
    .addColumn('action', 'text', (c) => c.notNull())
    .addColumn('site_id', 'integer', (c) => c.references('sites.id').onDelete('set null'))
    .addColumn('target', 'text')
    .addColumn('detail', 'jsonb')
    .addColumn('client_hash', 'text')
    .addColumn('occurred_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('audit_log_organisation_idx').on('audit_log').columns(['organisation_id', 'id desc']).execute();

  // Consent-record search by customer account.
  await db.schema.createIndex('consent_records_account_idx').on('consent_records').columns(['site_id', 'account']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('consent_records_account_idx').execute();
  for (const table of ['audit_log', 'sessions', 'users']) await db.schema.dropTable(table).execute();
}
