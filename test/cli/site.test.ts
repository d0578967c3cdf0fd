/** `samtykke site add` and `site list`, run as the real command on a database of their own. */
import { afterEach, describe, expect, it } from 'vitest';
import { listActiveInventory } from '../../server/queries/inventory.ts';
import { createOrganisation } from '../../server/queries/organisation.ts';
import { findSiteByKey, listSites, setSiteArchived } from '../../server/queries/sites.ts';
import { createSiteWithContent } from '../../server/sites/create.ts';
import { templateContent } from '../../server/sites/template.ts';
import { engines } from '../helpers/database.ts';
import { CLI_PUBLIC_URL, type CliDatabase } from './cli-process.ts';
import { collectorVerdict, seededCliDatabase, tableRows } from './fixtures.ts';

describe.each(engines)('samtykke site add and site list on %s', (engine) => {
  let database: CliDatabase;
  afterEach(() => database.drop());

  it('adds a web site and an app that work at once, prints the tag, and refuses bad input naming what is wrong', async () => {
    database = await seededCliDatabase(engine, { withSite: false });
    const add = (...args: string[]) => database.run('site', 'add', ...args);

    const web = await add('--org', 'Kunde AS', '--key', 'min-side', '--name', 'Min side', '--surface', 'web', '--origin', 'https://WWW.Kunde.no/', '--origin', 'https://*.kunde.no');
    expect(web.code).toBe(0);
    expect(web.stdout).toContain('Created site min-side (Min side, web) in Kunde AS');
    expect(web.stdout).toContain('Allowed origins: https://www.kunde.no, https://*.kunde.no');
    expect(web.stdout).toContain(`<script src="${CLI_PUBLIC_URL}/sites/min-side/widget.js" async></script>`);
    expect(web.stdout).toContain(`${CLI_PUBLIC_URL} is the address browsers and apps must reach this server at (SAMTYKKE_PUBLIC_URL)`);

    const app = await add('--org', '1', '--key', 'app', '--name', 'Appen', '--surface', 'app');
    expect(app.code).toBe(0);
    expect(app.stdout).toContain(`POST ${CLI_PUBLIC_URL}/api/consent`);
    expect(app.stdout).not.toContain('<script');

    const base = ['--org', 'Kunde AS', '--name', 'Ny', '--surface', 'web'];
    expect(await add(...base, '--key', 'min-side')).toMatchObject({ code: 2, stderr: expect.stringContaining('A site with the key "min-side" already exists') });
    expect(await add(...base, '--key', 'Min_Side')).toMatchObject({ code: 2, stderr: expect.stringContaining('"Min_Side" is not a site key') });
    expect(await add('--org', 'Kunde AS', '--name', 'Ny', '--key', 'ny', '--surface', 'desktop')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--surface must be web or app, not "desktop"'),
    });
    expect(await add(...base, '--key', 'ny', '--org', 'Ukjent')).toMatchObject({ code: 2, stderr: expect.stringContaining('No organisation "Ukjent". Known: 1 (Kunde AS)') });
    expect(await add('--org', 'Kunde AS', '--surface', 'web')).toMatchObject({
      code: 2,
      stderr: expect.stringContaining('--key and --name are required\nUsage: npm run samtykke -- site add --org ID|NAME'),
    });
    const badOrigins = ['https://kunde.no/sider', 'https://kunde.no?ref=1', 'kunde.no', 'ftp://kunde.no', '*.no', 'https://www.*.kunde.no'];
    const refused = await add(...base, '--key', 'ny', ...badOrigins.flatMap((origin) => ['--origin', origin]));
    expect(refused.code).toBe(2);
    // Every bad origin is named in one run, each with the problem the dashboard would show.
    expect(refused.stderr.trim().split('\n')).toEqual([
      '"https://kunde.no/sider": an origin has no path, query or fragment; write https://kunde.no',
      '"https://kunde.no?ref=1": an origin has no path, query or fragment; write https://kunde.no',
      '"kunde.no" needs a scheme: write https://kunde.no',
      '"ftp://kunde.no" must start with https:// or http://',
      '"*.no" needs a scheme: write https://*.no',
      '"https://www.*.kunde.no": a wildcard may only stand first, as in https://*.example.com',
    ]);

    await database.inspect(async (db) => {
      expect((await listSites(db)).map((site) => site.key)).toEqual(['app', 'min-side']);
      const site = (await findSiteByKey(db, 'min-side'))!;
      expect(site).toMatchObject({ surface: 'web', allowedOrigins: ['https://www.kunde.no', 'https://*.kunde.no'], archivedAt: null, policy: { version: 1 } });
      expect((await listActiveInventory(db, site.id)).map((item) => item.name)).toEqual(['samtykke']);
      expect(await collectorVerdict(db, 'min-side')).toBe('open');
      expect(await collectorVerdict(db, 'app')).toBe('open');
    });
  });

  it('lists every site, or one organisation\'s, with status, policy version and origins', async () => {
    database = await seededCliDatabase(engine, { withSite: true });
    await database.inspect(async (db) => {
      const other = await createOrganisation(db, 'Annen AS');
      const app = await createSiteWithContent(db, { organisationId: other.id, key: 'app', name: 'Appen', surface: 'app', allowedOrigins: [] }, templateContent('app', 'Annen AS'));
      await setSiteArchived(db, app.id, true);
    });
    const today = new Date().toISOString().slice(0, 10);

    const all = await database.run('site', 'list');
    expect(all.code).toBe(0);
    expect(tableRows(all.stdout)).toEqual([
      ['KEY', 'NAME', 'SURFACE', 'ORGANISATION', 'STATUS', 'POLICY', 'ORIGINS'],
      ['min-side', 'Min side', 'web', 'Kunde AS', 'active', '1', 'https://www.kunde.no'],
      ['app', 'Appen', 'app', 'Annen AS', `archived ${today}`, '1', '-'],
    ]);
    const one = await database.run('site', 'list', '--org', 'Annen AS');
    expect(tableRows(one.stdout).map((row) => row[0])).toEqual(['KEY', 'app']);
    expect(await database.run('site', 'list', '--org', '9')).toMatchObject({ code: 2, stderr: expect.stringContaining('No organisation "9". Known: 1 (Kunde AS), 2 (Annen AS)') });
  });
});
