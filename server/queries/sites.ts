/** Sites: creating, renaming, setting origins, archiving, and reading one with its current policy. */
import { DEFAULT_BANNER, type BannerSettings } from '../domain/banner.ts';
import { GENESIS_HASH } from '../domain/chain.ts';
import type { Surface } from '../domain/consent.ts';
import type { Site, SiteFeatures, SiteWithPolicy } from '../domain/sites.ts';
import type { Db } from '../db/create.ts';
import type { SiteRow } from '../db/schema.ts';
import { currentPolicyVersion } from './policies.ts';

export interface NewSite {
  readonly organisationId: number;
  readonly key: string;
  readonly name: string;
  readonly surface: Surface;
  readonly allowedOrigins: readonly string[];
  /** Features left out keep the column's default: off. */
  readonly features?: Partial<SiteFeatures>;
}

/** The column of `sites` each feature is stored in. */
export const FEATURE_COLUMNS = {
  consentMode: 'consent_mode',
  declarationEmbed: 'declaration_embed',
  engagement: 'engagement',
  outboundLinks: 'outbound_links',
  fileDownloads: 'file_downloads',
  notFoundPages: 'not_found_pages',
  appHandoff: 'app_handoff',
} as const satisfies Record<keyof SiteFeatures, keyof SiteRow>;

type FeatureColumn = (typeof FEATURE_COLUMNS)[keyof SiteFeatures];

export function featuresOf(row: Pick<SiteRow, FeatureColumn>): SiteFeatures {
  return Object.fromEntries(Object.entries(FEATURE_COLUMNS).map(([feature, column]) => [feature, row[column]])) as unknown as SiteFeatures;
}

/** The columns of the features given; the others are left as they are. */
function featureColumns(features: Partial<SiteFeatures>): Partial<Record<FeatureColumn, boolean>> {
  return Object.fromEntries(Object.entries(features).map(([feature, on]) => [FEATURE_COLUMNS[feature as keyof SiteFeatures], on]));
}

export interface SiteChanges {
  readonly name?: string;
  readonly allowedOrigins?: readonly string[];
  readonly banner?: BannerSettings;
  readonly features?: Partial<SiteFeatures>;
}

/** Site keys are unique across the whole server: they name the site in every public URL. */
export class DuplicateSiteKeyError extends Error {
  constructor(readonly key: string) {
    super(`A site with the key "${key}" already exists`);
    this.name = 'DuplicateSiteKeyError';
  }
}

const UNIQUE_VIOLATION = '23505';

/** Creates the site and the head of its consent chain. */
export async function createSite(db: Db, site: NewSite): Promise<Site> {
  const taken = await db.selectFrom('sites').select('id').where('key', '=', site.key).executeTakeFirst();
  if (taken) throw new DuplicateSiteKeyError(site.key);
  try {
    const row = await db
      .insertInto('sites')
      .values({
        organisation_id: site.organisationId,
        key: site.key,
        name: site.name,
        surface: site.surface,
        allowed_origins: [...site.allowedOrigins],
        ...featureColumns(site.features ?? {}),
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    await db.insertInto('consent_chain_heads').values({ site_id: row.id, seq: 0, hash: GENESIS_HASH }).execute();
    return toSite(row);
  } catch (error) {
    // Two creators racing for one key: the unique index decides, and the loser hears why.
    if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw new DuplicateSiteKeyError(site.key);
    throw error;
  }
}

export async function updateSite(db: Db, siteId: number, changes: SiteChanges): Promise<Site | null> {
  const row = await db
    .updateTable('sites')
    .set({
      ...(changes.name !== undefined ? { name: changes.name } : {}),
      ...(changes.allowedOrigins !== undefined ? { allowed_origins: [...changes.allowedOrigins] } : {}),
      ...(changes.banner !== undefined ? { banner: JSON.stringify(changes.banner) } : {}),
      ...featureColumns(changes.features ?? {}),
    })
    .where('id', '=', siteId)
    .returningAll()
    .executeTakeFirst();
  return row ? toSite(row) : null;
}

/** Archiving keeps everything stored; restoring lets the collector take the site again. */
export async function setSiteArchived(db: Db, siteId: number, archived: boolean): Promise<Site | null> {
  const row = await db
    .updateTable('sites')
    .set({ archived_at: archived ? new Date() : null })
    .where('id', '=', siteId)
    .returningAll()
    .executeTakeFirst();
  return row ? toSite(row) : null;
}

export async function findSiteById(db: Db, siteId: number): Promise<Site | null> {
  const row = await db.selectFrom('sites').selectAll().where('id', '=', siteId).executeTakeFirst();
  return row ? toSite(row) : null;
}

export async function findSiteByKey(db: Db, key: string): Promise<SiteWithPolicy | null> {
  const row = await db.selectFrom('sites').selectAll().where('key', '=', key).executeTakeFirst();
  return row ? withPolicy(db, row) : null;
}

/** The site only when it belongs to the organisation: the check every site-scoped admin route goes through. */
export async function findOrganisationSite(db: Db, organisationId: number, siteId: number): Promise<SiteWithPolicy | null> {
  const row = await db.selectFrom('sites').selectAll().where('id', '=', siteId).where('organisation_id', '=', organisationId).executeTakeFirst();
  return row ? withPolicy(db, row) : null;
}

/** Every site, or one organisation's, by key: for the command line. */
export async function listSites(db: Db, organisationId?: number): Promise<Site[]> {
  let query = db.selectFrom('sites').selectAll().orderBy('key');
  if (organisationId !== undefined) query = query.where('organisation_id', '=', organisationId);
  return (await query.execute()).map(toSite);
}

/** The allowed origins of every site the collector still takes: enough to answer a CORS preflight, which names no site. */
export async function activeSiteOrigins(db: Db): Promise<string[]> {
  const rows = await db.selectFrom('sites').select('allowed_origins').where('archived_at', 'is', null).execute();
  return rows.flatMap((row) => row.allowed_origins);
}

async function withPolicy(db: Db, row: SiteRow): Promise<SiteWithPolicy> {
  return { ...toSite(row), policy: await currentPolicyVersion(db, row.id) };
}

function toSite(row: SiteRow): Site {
  return {
    id: row.id,
    organisationId: row.organisation_id,
    key: row.key,
    name: row.name,
    surface: row.surface,
    allowedOrigins: row.allowed_origins,
    archivedAt: row.archived_at,
    banner: row.banner ?? DEFAULT_BANNER,
    features: featuresOf(row),
  };
}
