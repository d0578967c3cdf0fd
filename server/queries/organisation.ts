/** An organisation as the dashboard sees it: its sites (the tenant boundary of every admin route) and retention. */
import type { Db } from '../db/create.ts';
import { findActiveSite, type ActiveSite } from './sites.ts';

export interface SiteSummary {
  readonly id: number;
  readonly key: string;
  readonly name: string;
  readonly surface: 'web' | 'app';
  readonly policyVersion: number | null;
}

export interface Retention {
  readonly eventRetentionDays: number;
  readonly consentRetentionDays: number;
}

export async function listOrganisationSites(db: Db, organisationId: number): Promise<SiteSummary[]> {
  const rows = await db
    .selectFrom('sites')
    .leftJoin('policy_versions', (join) => join.onRef('policy_versions.site_id', '=', 'sites.id').on('policy_versions.published_at', 'is not', null))
    .select(['sites.id', 'sites.key', 'sites.name', 'sites.surface', (eb) => eb.fn.max('policy_versions.version').as('policy_version')])
    .where('sites.organisation_id', '=', organisationId)
    .groupBy(['sites.id', 'sites.key', 'sites.name', 'sites.surface'])
    .orderBy('sites.name')
    .execute();
  return rows.map((row) => ({ id: row.id, key: row.key, name: row.name, surface: row.surface, policyVersion: row.policy_version }));
}

/** The site only when it belongs to the organisation: the check every site-scoped admin route goes through. */
export async function findOrganisationSite(db: Db, organisationId: number, siteId: number): Promise<ActiveSite | null> {
  const row = await db.selectFrom('sites').select('key').where('id', '=', siteId).where('organisation_id', '=', organisationId).executeTakeFirst();
  return row ? findActiveSite(db, row.key) : null;
}

export async function getRetention(db: Db, organisationId: number): Promise<Retention> {
  const row = await db
    .selectFrom('organisations')
    .select(['event_retention_days', 'consent_retention_days'])
    .where('id', '=', organisationId)
    .executeTakeFirstOrThrow();
  return { eventRetentionDays: row.event_retention_days, consentRetentionDays: row.consent_retention_days };
}

export async function setRetention(db: Db, organisationId: number, retention: Retention): Promise<Retention> {
  await db
    .updateTable('organisations')
    .set({ event_retention_days: retention.eventRetentionDays, consent_retention_days: retention.consentRetentionDays })
    .where('id', '=', organisationId)
    .execute();
  return retention;
}
