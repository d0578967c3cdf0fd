/**
 * The WebView hand-off as a site's switch, off by default: only the pages an app opens need the code that takes the
 * app's decision, and every other site's visitors would pay for its bytes on every page view.
 */
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sites').addColumn('app_handoff', 'boolean', (c) => c.notNull().defaultTo(false)).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('sites').dropColumn('app_handoff').execute();
}
