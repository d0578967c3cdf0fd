/** Policy versions of a site: drafts, publishing (material or wording fix), the version in force and the history. */
import { sql } from 'kysely';
import type { CurrentPolicy, PolicyEntry, PolicyRules, PolicyVersion } from '../domain/policy.ts';
import type { Db } from '../db/create.ts';
import type { PolicyVersionRow } from '../db/schema.ts';

export interface Publication {
  /** Material: every earlier decision stops counting. A wording fix keeps them. */
  readonly material: boolean;
  readonly publishedBy: string | null;
}

/** A site has at most one draft at a time: the partial unique index on drafts says so. */
export class DraftExistsError extends Error {
  constructor() {
    super('This site already has a draft; edit or discard it before starting another');
    this.name = 'DraftExistsError';
  }
}

const UNIQUE_VIOLATION = '23505';

// The next number in the same statement: two publishers racing for one number are told apart by the
// (site, version) unique key.
const nextVersion = (siteId: number) =>
  sql<number>`(select coalesce(max(version), 0) + 1 from policy_versions where site_id = ${siteId})`;

/** Publishes a new version in one statement (so it may run inside a caller's transaction): for new sites and seeds. */
export async function publishPolicyVersion(db: Db, siteId: number, rules: PolicyRules, publication: Publication): Promise<PolicyVersion> {
  const row = await db
    .insertInto('policy_versions')
    .values({
      site_id: siteId,
      version: nextVersion(siteId),
      texts: JSON.stringify(rules.texts),
      functional_required: rules.functionalRequired,
      consent_lifetime_months: rules.consentLifetimeMonths,
      published_at: sql`now()`,
      material: publication.material,
      published_by: publication.publishedBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
  return toPolicyVersion(row);
}

export async function createDraft(db: Db, siteId: number, rules: PolicyRules): Promise<PolicyEntry> {
  try {
    const row = await db
      .insertInto('policy_versions')
      .values({
        site_id: siteId,
        version: null,
        texts: JSON.stringify(rules.texts),
        functional_required: rules.functionalRequired,
        consent_lifetime_months: rules.consentLifetimeMonths,
      })
      .returningAll()
      .executeTakeFirstOrThrow();
    return toEntry(row, null);
  } catch (error) {
    if ((error as { code?: string }).code === UNIQUE_VIOLATION) throw new DraftExistsError();
    throw error;
  }
}

/** An update of one of the site's drafts: a published version never changes. */
const updateOfDraft = (db: Db, siteId: number, id: number) =>
  db.updateTable('policy_versions').where('id', '=', id).where('site_id', '=', siteId).where('published_at', 'is', null);

/** Only a draft can change: null when there is no such draft (it may have been published meanwhile). */
export async function updateDraft(db: Db, siteId: number, id: number, rules: PolicyRules): Promise<PolicyEntry | null> {
  const row = await updateOfDraft(db, siteId, id)
    .set({
      texts: JSON.stringify(rules.texts),
      functional_required: rules.functionalRequired,
      consent_lifetime_months: rules.consentLifetimeMonths,
      updated_at: sql`now()`,
    })
    .returningAll()
    .executeTakeFirst();
  return row ? toEntry(row, null) : null;
}

export async function discardDraft(db: Db, siteId: number, id: number): Promise<boolean> {
  const result = await db.deleteFrom('policy_versions').where('id', '=', id).where('site_id', '=', siteId).where('published_at', 'is', null).executeTakeFirst();
  return result.numDeletedRows > 0n;
}

/** Gives the draft the next number and publishes it, in one statement; null when it is not (or no longer) a draft. */
export async function publishDraft(db: Db, siteId: number, id: number, publication: Publication): Promise<PolicyVersion | null> {
  const row = await updateOfDraft(db, siteId, id)
    .set({
      version: nextVersion(siteId),
      published_at: sql`now()`,
      material: publication.material,
      published_by: publication.publishedBy,
      updated_at: sql`now()`,
    })
    .returningAll()
    .executeTakeFirst();
  return row ? toPolicyVersion(row) : null;
}

/** The newest published version with the latest material one, or null before the first is published. */
export async function currentPolicyVersion(db: Db, siteId: number): Promise<CurrentPolicy | null> {
  const row = await db
    .selectFrom('policy_versions')
    .selectAll()
    .select(
      sql<number>`(select max(version) from policy_versions m where m.site_id = policy_versions.site_id and m.material)`.as('asked_since'),
    )
    .where('site_id', '=', siteId)
    .where('published_at', 'is not', null)
    .orderBy('version', 'desc')
    .limit(1)
    .executeTakeFirst();
  if (!row) return null;
  // The first version is always published material, so asked_since exists whenever a version does.
  return { ...toPolicyVersion(row), askedSince: Number(row.asked_since ?? row.version) };
}

/** The draft first, then the published versions newest first. */
export async function listPolicyVersions(db: Db, siteId: number): Promise<PolicyEntry[]> {
  const rows = await db
    .selectFrom('policy_versions')
    .selectAll()
    .where('site_id', '=', siteId)
    .orderBy(sql`version desc nulls first`)
    .execute();
  const newest = rows.find((row) => row.version !== null)?.version ?? null;
  return rows.map((row) => toEntry(row, newest));
}

export async function findPolicyEntry(db: Db, siteId: number, id: number): Promise<PolicyEntry | null> {
  return (await listPolicyVersions(db, siteId)).find((entry) => entry.id === id) ?? null;
}

/** A published version by its number, for the content shown under it. */
export async function findPolicyVersion(db: Db, siteId: number, version: number): Promise<PolicyVersion | null> {
  const row = await db.selectFrom('policy_versions').selectAll().where('site_id', '=', siteId).where('version', '=', version).executeTakeFirst();
  return row ? toPolicyVersion(row) : null;
}

function toRules(row: PolicyVersionRow): PolicyRules {
  return { texts: row.texts, functionalRequired: row.functional_required, consentLifetimeMonths: row.consent_lifetime_months };
}

function toPolicyVersion(row: PolicyVersionRow): PolicyVersion {
  if (row.version === null || row.published_at === null || row.material === null) {
    throw new Error(`Policy version row ${row.id} is a draft, not a published version`);
  }
  return {
    ...toRules(row),
    id: row.id,
    version: row.version,
    publishedAt: row.published_at,
    publishedBy: row.published_by,
    material: row.material,
  };
}

function toEntry(row: PolicyVersionRow, newestVersion: number | null): PolicyEntry {
  return {
    ...toRules(row),
    id: row.id,
    version: row.version,
    state: row.version === null ? 'draft' : row.version === newestVersion ? 'published' : 'superseded',
    material: row.material,
    publishedAt: row.published_at,
    publishedBy: row.published_by,
    createdAt: row.created_at,
    updatedAt: row.updated_at,
  };
}
