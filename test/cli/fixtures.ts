/** What the CLI tests start from and how they read the outcome: a seeded database, the collector's verdict, table rows. */
import { PGlite } from '@electric-sql/pglite';
import type { Db } from '../../server/db/create.ts';
import { migrateToLatest } from '../../server/db/migrate.ts';
import { ApiError } from '../../server/errors.ts';
import { createOrganisation } from '../../server/queries/organisation.ts';
import { createSiteWithContent } from '../../server/sites/create.ts';
import { SiteDirectory } from '../../server/sites/directory.ts';
import { templateContent } from '../../server/sites/template.ts';
import { migratedPgliteDump, type Engine } from '../helpers/database.ts';
import { createCliDatabase, type CliDatabase } from './cli-process.ts';

/** A migrated database with Kunde AS (id 1) and, when asked, its web site min-side allowing https://www.kunde.no. */
export async function seededCliDatabase(engine: Engine, { withSite }: { withSite: boolean }): Promise<CliDatabase> {
  const database = await createCliDatabase(engine);
  // A PGlite folder starts as a copy of the migrated template, seconds faster than initdb and every migration.
  if (database.dataDir) await (await PGlite.create(database.dataDir, { loadDataDir: await migratedPgliteDump() })).close();
  await database.inspect(async (db) => {
    await migrateToLatest(db);
    const organisation = await createOrganisation(db, 'Kunde AS');
    if (!withSite) return;
    const site = { organisationId: organisation.id, key: 'min-side', name: 'Min side', surface: 'web', allowedOrigins: ['https://www.kunde.no'] } as const;
    await createSiteWithContent(db, site, templateContent('web', organisation.name));
  });
  return database;
}

/** How the collector (and the widget script) treats the site: 'open', or the status and code it refuses with. */
export async function collectorVerdict(db: Db, key: string): Promise<string> {
  try {
    await new SiteDirectory(db).published(key);
    return 'open';
  } catch (error) {
    if (error instanceof ApiError) return `${error.status} ${error.code}`;
    throw error;
  }
}

/** A list command's table, split into cells as a script would (on two or more spaces). */
export function tableRows(stdout: string): string[][] {
  return stdout.trim().split('\n').map((line) => line.split(/\s{2,}/));
}
