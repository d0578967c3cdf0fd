/** Organisations (the tenants): creating and finding them, their sites as the dashboard lists them, and retention. */
import type { Surface } from '../domain/consent.ts';
import type { SiteFeatures } from '../domain/sites.ts';
import type { Db } from '../db/create.ts';
import { FEATURE_COLUMNS, featuresOf } from './sites.ts';

export interface Organisation {
  readonly id: number;
  readonly name: string;
}

export interface SiteSummary {
  readonly id: number;
  readonly key: string;
  readonly name: string;
  readonly surface: Surface;
  readonly allowedOrigins: readonly string[];
  readonly archivedAt: Date | null;
  readonly policyVersion: number | null;
  readonly features: SiteFeatures;
}

/** An organisation as `org list` shows it: with how many sites (archived ones included) and users it has. */
export interface OrganisationOverview extends Organisation {
  readonly siteCount: number;
  readonly userCount: number;
}

export interface Retention {
  readonly eventRetentionDays: number;
  readonly consentRetentionDays: number;
}

export async function createOrganisation(db: Db, name: string): Promise<Organisation> {
  return db.insertInto('organisations').values({ name }).returning(['id', 'name']).executeTakeFirstOrThrow();
}

export async function listOrganisations(db: Db): Promise<Organisation[]> {
  return db.selectFrom('organisations').select(['id', 'name']).orderBy('id').execute();
}

export async function listOrganisationOverviews(db: Db): Promise<OrganisationOverview[]> {
  const rows = await db
    .selectFrom('organisations')
    .select((eb) => [
      'organisations.id',
      'organisations.name',
      eb.selectFrom('sites').select(eb.fn.countAll<number>().as('count')).whereRef('sites.organisation_id', '=', 'organisations.id').as('site_count'),
      eb.selectFrom('users').select(eb.fn.countAll<number>().as('count')).whereRef('users.organisation_id', '=', 'organisations.id').as('user_count'),
    ])
    .orderBy('organisations.id')
    .execute();
  return rows.map((row) => ({ id: row.id, name: row.name, siteCount: Number(row.site_count), userCount: Number(row.user_count) }));
}

export async function organisationName(db: Db, organisationId: number): Promise<string> {
  const row = await db.selectFrom('organisations').select('name').where('id', '=', organisationId).executeTakeFirstOrThrow();
  return row.name;
}

/** Whether the server has been set up: the demo or a first organisation exists. */
export async function hasOrganisation(db: Db): Promise<boolean> {
  return (await db.selectFrom('organisations').select('id').limit(1).executeTakeFirst()) !== undefined;
}

/** By id ("3") or by exact name ("Kunde AS"), as the command line names one; null when none or several match. */
export async function findOrganisation(db: Db, reference: string): Promise<Organisation | null> {
  const query = db.selectFrom('organisations').select(['id', 'name']);
  const rows = await (/^\d+$/.test(reference) ? query.where('id', '=', Number(reference)) : query.where('name', '=', reference)).limit(2).execute();
  return rows.length === 1 ? rows[0]! : null;
}

/**
 * Active sites first, by name; archived ones after them, still listed so their evidence stays reachable. With
 * `onlySiteId`, just that one (still only within the organisation), as a change answers with it.
 */
const FEATURE_SELECTION = Object.values(FEATURE_COLUMNS).map((column) => `sites.${column}` as const);

export async function listOrganisationSites(db: Db, organisationId: number, onlySiteId?: number): Promise<SiteSummary[]> {
  let query = db
    .selectFrom('sites')
    .leftJoin('policy_versions', (join) => join.onRef('policy_versions.site_id', '=', 'sites.id').on('policy_versions.published_at', 'is not', null))
    .select([
      'sites.id',
      'sites.key',
      'sites.name',
      'sites.surface',
      'sites.allowed_origins',
      'sites.archived_at',
      ...FEATURE_SELECTION,
      (eb) => eb.fn.max('policy_versions.version').as('policy_version'),
    ])
    .where('sites.organisation_id', '=', organisationId)
    .groupBy(['sites.id', 'sites.key', 'sites.name', 'sites.surface', 'sites.allowed_origins', 'sites.archived_at', ...FEATURE_SELECTION])
    .orderBy((eb) => eb('sites.archived_at', 'is not', null))
    .orderBy('sites.name');
  if (onlySiteId !== undefined) query = query.where('sites.id', '=', onlySiteId);
  const rows = await query.execute();
  return rows.map((row) => ({
    id: row.id,
    key: row.key,
    name: row.name,
    surface: row.surface,
    allowedOrigins: row.allowed_origins,
    archivedAt: row.archived_at,
    features: featuresOf(row),
    policyVersion: row.policy_version,
  }));
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
