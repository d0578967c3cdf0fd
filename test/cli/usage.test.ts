/** How `samtykke` answers a command line it cannot run: the help, a usage line, exit code 2, and no database opened. */
import { existsSync, mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, describe, expect, it } from 'vitest';
import { runCli } from './cli-process.ts';

describe('samtykke command lines', () => {
  const parent = mkdtempSync(path.join(tmpdir(), 'samtykke-usage-'));
  // Never created: every case below is refused before the database is opened.
  const dataDir = path.join(parent, 'data');
  afterAll(() => rmSync(parent, { recursive: true, force: true }));
  const cli = (...args: string[]) => runCli({ DATABASE_URL: '', SAMTYKKE_DATA_DIR: dataDir }, ...args);

  it('lists the commands, and gives each its usage and help', async () => {
    const [bare, help, siteAddHelp] = await Promise.all([cli(), cli('help'), cli('site', 'add', '--help')]);
    expect(bare.code).toBe(2);
    expect(bare.stderr).toContain('Usage: npm run samtykke -- <command> [options]');
    expect(help.code).toBe(0);
    for (const name of ['org add', 'org list', 'user add', 'site add', 'site list', 'site origins', 'site archive', 'site restore', 'verify', 'migrate']) {
      expect(help.stdout).toMatch(new RegExp(`^  ${name} +\\S`, 'm'));
    }
    expect(siteAddHelp.code).toBe(0);
    expect(siteAddHelp.stdout).toMatch(/^Usage: npm run samtykke -- site add --org ID\|NAME --key KEY --name NAME --surface web\|app \[--origin ORIGIN \.\.\.\]\n/);
    expect(siteAddHelp.stdout).toContain('--origin');
    expect(existsSync(dataDir)).toBe(false);
  });

  it('refuses unknown commands, unknown options and the wrong number of arguments with exit code 2', async () => {
    const cases: Array<[string[], string]> = [
      [['frobnicate'], 'Unknown command "frobnicate".'],
      [['org'], '"org" needs one more word: the org commands are org add, org list.'],
      [['site', 'delete', 'min-side'], 'Unknown command "site delete": the site commands are site add, site list, site origins, site archive, site restore.'],
      [['org', 'add'], 'org add needs NAME\nUsage: npm run samtykke -- org add NAME'],
      [['org', 'add', 'Kunde', 'AS'], 'Unexpected argument "AS" (put quotes around a value with spaces in it)\nUsage: npm run samtykke -- org add NAME'],
      [['org', 'list', 'everything'], 'Unexpected argument \'everything\''],
      [['site', 'archive'], 'site archive needs KEY\nUsage: npm run samtykke -- site archive KEY'],
      [['site', 'add', '--org', '1', '--colour', 'blue'], "Unknown option '--colour'"],
      [['site', 'origins', 'min-side', '--add'], "Option '--add <value>' argument missing"],
    ];
    const results = await Promise.all(cases.map(([args]) => cli(...args)));
    results.forEach((result, index) => {
      expect(result, cases[index]![0].join(' ')).toMatchObject({ code: 2, stdout: '', stderr: expect.stringContaining(cases[index]![1]) });
      expect(result.stderr).not.toMatch(/^\s+at /m);
    });
    expect(existsSync(dataDir)).toBe(false);
  });
});
