/** Where each site's chain starts after retention removed its oldest records, so the rest still verifies. */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('consent_chain_heads')
    .addColumn('pruned_seq', 'bigint', (c) => c.notNull().defaultTo(0))
    .addColumn('pruned_hash', 'text', (c) => c.notNull().defaultTo('0'.repeat(64)))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('consent_chain_heads').dropColumn('pruned_seq').dropColumn('pruned_hash').execute();
}
