/** Organisations, sites and policy versions: creating them and reading what the collector and declaration need. */
import { GENESIS_HASH } from '../domain/chain.ts';
import type { Localized, Surface } from '../domain/consent.ts';
import type { PolicyTexts, PolicyVersion } from '../domain/policy.ts';
import type { Db } from '../db/create.ts';
import type { PolicyVersionRow } from '../db/schema.ts';

export interface Site {
  readonly id: number;
  readonly organisationId: number;
  readonly key: string;
  readonly name: string;
  readonly surface: Surface;
  readonly allowedOrigins: readonly string[];
}

/** A site with the policy version its visitors decide under now (the newest published one). */
export interface ActiveSite extends Site {
  readonly policy: PolicyVersion | null;
}

export async function createOrganisation(db: Db, name: string): Promise<{ id: number; name: string }> {
  return db.insertInto('organisations').values({ name }).returning(['id', 'name']).executeTakeFirstOrThrow();
}

export async function createSite(
  db: Db,
  site: { organisationId: number; key: string; name: string; surface: Surface; allowedOrigins: string[] },
): Promise<Site> {
  const row = await db
    .insertInto('sites')
    .values({
      organisation_id: site.organisationId,
      key: site.key,
      name: site.name,
      surface: site.surface,
      allowed_origins: site.allowedOrigins,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  await db.insertInto('consent_chain_heads').values({ site_id: row.id, seq: 0, hash: GENESIS_HASH }).execute();
  return toSite(row);
}

export interface NewPolicyVersion {
  readonly texts: Localized<PolicyTexts>;
  readonly functionalRequired: boolean;
  readonly consentLifetimeMonths: number;
}

/** Publishes the next version number; every decision made under an earlier one becomes stale. */
export async function publishPolicyVersion(db: Db, siteId: number, policy: NewPolicyVersion): Promise<PolicyVersion> {
  return db.transaction().execute(async (trx) => {
    const latest = await trx
      .selectFrom('policy_versions')
      .select((eb) => eb.fn.max('version').as('version'))
      .where('site_id', '=', siteId)
      .executeTakeFirst();
    const row = await trx
      .insertInto('policy_versions')
      .values({
        site_id: siteId,
        version: (latest?.version ?? 0) + 1,
        texts: JSON.stringify(policy.texts),
        functional_required: policy.functionalRequired,
        consent_lifetime_months: policy.consentLifetimeMonths,
        published_at: new Date(),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toPolicyVersion(row);
  });
}

export async function findActiveSite(db: Db, key: string): Promise<ActiveSite | null> {
  const site = await db.selectFrom('sites').selectAll().where('key', '=', key).executeTakeFirst();
  if (!site) return null;
  const policy = await db
    .selectFrom('policy_versions')
    .selectAll()
    .where('site_id', '=', site.id)
    .where('published_at', 'is not', null)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  return { ...toSite(site), policy: policy ? toPolicyVersion(policy) : null };
}

function toSite(row: { id: number; organisation_id: number; key: string; name: string; surface: Surface; allowed_origins: string[] }): Site {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    key: row.key,
    name: row.name,
    surface: row.surface,
    allowedOrigins: row.allowed_origins,
  };
}

export function toPolicyVersion(row: PolicyVersionRow): PolicyVersion {
  return {
    version: row.version,
    texts: row.texts,
    functionalRequired: row.functional_required,
    consentLifetimeMonths: row.consent_lifetime_months,
    publishedAt: row.published_at,
  };
}
