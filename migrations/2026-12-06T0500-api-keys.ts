/** API keys per organisation (scopes, an optional site, an expiry; the secret only as a hash), and the audit log naming a key. */
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('api_keys')
    .addColumn('id', 'serial', (c) => c.primaryKey())
    .addColumn('organisation_id', 'integer', (c) => c.notNull().references('organisations.id').onDelete('cascade'))
    .addColumn('name', 'text', (c) => c.notNull())
    // Public, random and unique: each request looks its key up by it, then compares the hash in constant time.
    .addColumn('prefix', 'text', (c) => c.notNull().unique())
    // SHA-256 of the whole key; the key itself is shown once and never stored.
    .addColumn('secret_hash', 'text', (c) => c.notNull())
    .addColumn('scopes', sql`text[]`, (c) =>
      c.notNull().check(sql`cardinality(scopes) > 0 and scopes <@ array['usage:read', 'records:read', 'collect']::text[]`),
    )
    .addColumn('site_id', 'integer', (c) => c.references('sites.id').onDelete('cascade'))
    .addColumn('expires_at', 'timestamptz')
    // Kept when the user is deleted: the key still works until revoked, and the log still says who made it.
    .addColumn('created_by', 'integer', (c) => c.references('users.id').onDelete('set null'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('revoked_at', 'timestamptz')
    .addColumn('last_used_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('api_keys_organisation_idx').on('api_keys').columns(['organisation_id', 'id']).execute();

  // A key's uses are logged with the key, not a user: user_id is already nullable.
  await db.schema
    .alterTable('audit_log')
    .addColumn('api_key_id', 'integer', (c) => c.references('api_keys.id').onDelete('set null'))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('audit_log').dropColumn('api_key_id').execute();
  await db.schema.dropTable('api_keys').execute();
}
