/** `samtykke site origins`, `site archive` and `site restore`, run as the real command on a database of their own. */
import { afterEach, describe, expect, it } from 'vitest';
import { findSiteByKey } from '../../server/queries/sites.ts';
import { engines } from '../helpers/database.ts';
import type { CliDatabase } from './cli-process.ts';
import { collectorVerdict, seededCliDatabase } from './fixtures.ts';

describe.each(engines)('samtykke site origins, archive and restore on %s', (engine) => {
  let database: CliDatabase;
  afterEach(() => database.drop());

  it('shows, adds and removes origins, normalising them, and refuses to remove one the site does not allow', async () => {
    database = await seededCliDatabase(engine, { withSite: true });
    const origins = (...args: string[]) => database.run('site', 'origins', ...args);

    expect(await origins('min-side')).toMatchObject({ code: 0, stdout: 'Site min-side allows 1 origin:\n  https://www.kunde.no\n' });

    const changed = await origins('min-side', '--add', 'http://localhost:5173', '--add', 'https://*.Kunde.no', '--remove', 'https://WWW.kunde.no/');
    expect(changed.code).toBe(0);
    expect(changed.stdout).toContain('Site min-side allows 2 origins:\n  http://localhost:5173\n  https://*.kunde.no\n');
    // On PostgreSQL a running server may be serving the site; on PGlite none can be, while the command holds the folder.
    expect(changed.stdout).toContain(engine === 'postgres' ? 'act on it within a second' : 'acts on it when it starts next');

    const missing = await origins('min-side', '--remove', 'https://nope.kunde.no', '--add', 'https://ny.kunde.no');
    expect(missing.code).toBe(2);
    expect(missing.stderr).toContain('https://nope.kunde.no is not among the origins of site min-side, so nothing was changed. Its origins are: http://localhost:5173, https://*.kunde.no');
    expect(await origins('min-side', '--add', 'https://kunde.no/sti')).toMatchObject({ code: 2, stderr: expect.stringContaining('an origin has no path') });
    expect(await origins('ukjent')).toMatchObject({ code: 2, stderr: expect.stringContaining('No site has the key "ukjent". The keys are: min-side') });

    await database.inspect(async (db) => {
      expect((await findSiteByKey(db, 'min-side'))!.allowedOrigins).toEqual(['http://localhost:5173', 'https://*.kunde.no']);
    });
  });

  it('archives a site so the collector refuses it while its evidence stays verifiable, and restores it', async () => {
    database = await seededCliDatabase(engine, { withSite: true });
    const archived = await database.run('site', 'archive', 'min-side');
    expect(archived.code).toBe(0);
    expect(archived.stdout).toContain('Its consent evidence and analytics stay readable');
    expect(archived.stdout).toContain('The collector now answers 410 site_archived');
    await database.inspect(async (db) => {
      expect((await findSiteByKey(db, 'min-side'))!.archivedAt).toBeInstanceOf(Date);
      expect(await collectorVerdict(db, 'min-side')).toBe('410 site_archived');
    });

    expect(await database.run('site', 'archive', 'min-side')).toMatchObject({ code: 0, stdout: expect.stringContaining('is archived already') });
    expect(await database.run('verify', '--all')).toMatchObject({ code: 0, stdout: expect.stringMatching(/no checkpoint log at .* yet.*\nOK      site min-side: 0 consent records, chain intact\n$/i) });

    expect(await database.run('site', 'restore', 'min-side')).toMatchObject({ code: 0, stdout: expect.stringContaining('Restored site min-side') });
    await database.inspect(async (db) => {
      expect((await findSiteByKey(db, 'min-side'))!.archivedAt).toBeNull();
      expect(await collectorVerdict(db, 'min-side')).toBe('open');
    });
    expect(await database.run('site', 'restore', 'min-side')).toMatchObject({ code: 0, stdout: expect.stringContaining('is not archived; nothing changed') });
  });
});
