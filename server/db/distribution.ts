/**
 * Where each table goes on a distributed PostgreSQL (Citus): distributed by site_id and co-located, so one site's
 * rows of every such table sit on one node and a per-site statement or transaction runs there alone; or a reference
 * table, small and copied to every node, so any shard can join it. docs/scaling.md explains each choice, and
 * test/server/distribution-keys.test.ts fails for a table that is in neither place or whose keys do not fit it.
 * It lives here rather than in the test because it is a fact about the schema: the step that distributes the tables
 * reads it, and a new table is classified next to the others.
 */
import type { Database } from './schema.ts';

export type Placement = 'distributed' | 'reference';

/** Every distributed table carries it, and every key and foreign key between distributed tables includes it. */
export const DISTRIBUTION_COLUMN = 'site_id';

/** Kysely's own bookkeeping, created by the migrator rather than by a migration. */
type MigratorTable = 'kysely_migration' | 'kysely_migration_lock';

export const TABLE_PLACEMENT = {
  // The large per-site tables, and those written in the same statement or transaction as them.
  events: 'distributed',
  // The usage rollups: written in the same transaction as a site's events, read per site and period.
  visits: 'distributed',
  usage_daily: 'distributed',
  usage_sketches: 'distributed',
  consent_records: 'distributed',
  // Locked and moved in the same statement that appends a site's records: co-located, the append stays on one node.
  consent_chain_heads: 'distributed',
  // Stored by the collector every few seconds per site and read beside the records that cite them.
  shown_contents: 'distributed',
  // Upserted by every collector process every 10 seconds, for every active site.
  site_origin_activity: 'distributed',
  // Per site, read per site; a scan's results are written once, beside nothing else.
  scans: 'distributed',
  // Per site, read per site beside the site's visits and events.
  goals: 'distributed',
  funnels: 'distributed',

  // Small, changed by people rather than by traffic, and joined from every shard.
  organisations: 'reference',
  sites: 'reference',
  policy_versions: 'reference',
  inventory_items: 'reference',
  users: 'reference',
  sessions: 'reference',
  // Per organisation, and its site_id is null for organisation-wide entries, so it cannot be split by site.
  audit_log: 'reference',
  setup_tokens: 'reference',
  // Scheduled email reports: set up by people, a few mails per site and week.
  report_schedules: 'reference',
  report_recipients: 'reference',
  report_deliveries: 'reference',
  // Per organisation, looked up on every /api/v1 request: small, and changed by people.
  api_keys: 'reference',
  // Per organisation, and read by every login: small, rarely written.
  identity_providers: 'reference',
  oidc_login_attempts: 'reference',
  server_secrets: 'reference',
  kysely_migration: 'reference',
  kysely_migration_lock: 'reference',
} as const satisfies Partial<Record<keyof Database | MigratorTable, Placement>>;
