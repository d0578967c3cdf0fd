/** Policy versions of a site: publishing the next one, reading the current one and the history. */
import { sql } from 'kysely';
import type { Localized } from '../domain/consent.ts';
import type { PolicyTexts, PolicyVersion } from '../domain/policy.ts';
import type { Db } from '../db/create.ts';
import type { PolicyVersionRow } from '../db/schema.ts';

export interface NewPolicyVersion {
  readonly texts: Localized<PolicyTexts>;
  readonly functionalRequired: boolean;
  readonly consentLifetimeMonths: number;
}

/**
 * Publishes the next version number in one statement (so it may run inside a caller's transaction); two
 * publishers racing for one number are told apart by the (site, version) unique key. Every decision made under an
 * earlier version becomes stale.
 */
export async function publishPolicyVersion(db: Db, siteId: number, policy: NewPolicyVersion): Promise<PolicyVersion> {
  const row = await db
    .insertInto('policy_versions')
    .columns(['site_id', 'version', 'texts', 'functional_required', 'consent_lifetime_months', 'published_at'])
    .expression((eb) =>
      eb
        .selectFrom('policy_versions')
        .select([
          sql.lit(siteId).as('site_id'),
          sql<number>`coalesce(max(version), 0) + 1`.as('version'),
          sql`${JSON.stringify(policy.texts)}::jsonb`.as('texts'),
          sql`${policy.functionalRequired}::boolean`.as('functional_required'),
          sql`${policy.consentLifetimeMonths}::integer`.as('consent_lifetime_months'),
          sql`now()`.as('published_at'),
        ])
        .where('site_id', '=', siteId),
    )
    .returningAll()
    .executeTakeFirstOrThrow();
  return toPolicyVersion(row);
}

/** The newest published version, or null before the first is published. */
export async function currentPolicyVersion(db: Db, siteId: number): Promise<PolicyVersion | null> {
  const row = await db
    .selectFrom('policy_versions')
    .selectAll()
    .where('site_id', '=', siteId)
    .where('published_at', 'is not', null)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return row ? toPolicyVersion(row) : null;
}

export async function listPolicyVersions(db: Db, siteId: number): Promise<PolicyVersion[]> {
  const rows = await db.selectFrom('policy_versions').selectAll().where('site_id', '=', siteId).orderBy('version', 'desc').execute();
  return rows.map(toPolicyVersion);
}

function toPolicyVersion(row: PolicyVersionRow): PolicyVersion {
  return {
    version: row.version,
    texts: row.texts,
    functionalRequired: row.functional_required,
    consentLifetimeMonths: row.consent_lifetime_months,
    publishedAt: row.published_at,
  };
}
