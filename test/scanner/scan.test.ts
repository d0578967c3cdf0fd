/**
 * Cookie scans from start to end, in real Chromium against real pages: the fixture site's findings exactly (through
 * the command line, as a customer's CI runs it), the demo sites clean, a scan process that dies, and the server's
 * queue and schedules (on every engine).
 */
import { execFileSync } from 'node:child_process';
import { afterAll, beforeAll, describe, expect, it, vi } from 'vitest';
import type { ScanDetail } from '../../server/admin/contract.ts';
import { scanCommand } from '../../server/cli/scan.ts';
import { loadConfig } from '../../server/config.ts';
import type { Finding } from '../../server/domain/scan-findings.ts';
import { claimNextScan, findScan, listScans, queueScan, readScanSchedule, sitesDueForScan, writeScanSchedule } from '../../server/queries/scans.ts';
import { runScan } from '../../server/scanner/runner.ts';
import { startScanService } from '../../server/scanner/service.ts';
import { createTestContext, startTestServer, type TestContext } from '../helpers/app.ts';
import { browserAvailable, CHROMIUM_PATH } from '../helpers/browser.ts';
import { OPEN_COOKIE_DATABASE } from '../helpers/cookie-database.ts';
import { engines, pageEngines } from '../helpers/database.ts';
import { FIXTURE_SITE_KEY, startScanFixture, type ScanFixture } from '../helpers/scan-fixture-site.ts';

const SCANNER_ENV = { SAMTYKKE_CHROMIUM_PATH: CHROMIUM_PATH, SAMTYKKE_COOKIE_DATABASE: OPEN_COOKIE_DATABASE, SAMTYKKE_SCAN_PAGE_SECONDS: '10' };

/** Runs `scan` as the command line does, with its printed JSON and exit code. */
async function scanFromCommandLine(server: TestContext, values: Record<string, string | string[] | boolean>): Promise<{ code: number; detail: ScanDetail }> {
  const printed: string[] = [];
  const log = vi.spyOn(console, 'log').mockImplementation((line: string) => void printed.push(line));
  const progress = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  try {
    const code = await scanCommand.run(server.database.db, { json: true, ...values }, { config: server.deps.config, positionals: [] });
    return { code, detail: JSON.parse(printed.join('\n')) as ScanDetail };
  } finally {
    log.mockRestore();
    progress.mockRestore();
  }
}

const keysOf = (findings: readonly Finding[], type?: Finding['type']) => findings.filter((finding) => !type || finding.type === type).map((finding) => finding.key).sort();

describe.skipIf(!browserAvailable).each(pageEngines)('a cookie scan in Chromium on %s', (engine) => {
  let server: TestContext & { url: string };
  let fixture: ScanFixture;
  beforeAll(async () => {
    server = await startTestServer(engine, SCANNER_ENV);
    fixture = await startScanFixture(server.url);
  });
  afterAll(async () => {
    await fixture?.close();
    await server?.close();
  });

  it('finds the demo sites clean from their demo pages: nothing undeclared, nothing before consent', async () => {
    for (const key of ['min-bedrift', 'min-side']) {
      const { code, detail } = await scanFromCommandLine(server, { site: key });
      const findings = detail.result!.findings;
      expect(code, `${key}: ${JSON.stringify(findings, null, 1)}`).toBe(0);
      expect(keysOf(findings, 'violation'), key).toEqual([]);
      expect(keysOf(findings, 'undeclared'), key).toEqual([]);
      expect(keysOf(findings, 'expiry_mismatch'), key).toEqual([]);
      // Only what a page does on a click (the ad-conversion beacon on "Buy") is not seen.
      expect(findings.filter((finding) => finding.type === 'declared_not_seen').map((finding) => finding.name), key).toEqual(['ad-conversion']);
      expect(detail.result!.pages.some((page) => page.banner), key).toBe(true);
      expect(detail.result!.suggestionsUnavailable).toBeNull();
    }
  });

  it('reports exactly what the fixture site does wrong, with the Open Cookie Database\'s suggestion, and exits 1', async () => {
    const site = server.demo.sites.find((candidate) => candidate.key === FIXTURE_SITE_KEY)!;
    const directory = server.deps.sites;
    const current = (await directory.find(FIXTURE_SITE_KEY))!;
    await directory.update(current, { allowedOrigins: [fixture.url] });
    // The fixture does not use the demo's analytics cookie, pixel or beacon: without them the inventory is exactly
    // what the fixture's pages should do (the session and consent cookies, the analytics queue after accept).
    const items = await server.database.db.selectFrom('inventory_items').select(['id', 'name']).where('site_id', '=', site.id).where('retired_at', 'is', null).execute();
    for (const item of items.filter(({ name }) => ['_pa_*', 'p.gif', 'ad-conversion'].includes(name))) await directory.retireInventoryItem(current, item.id);

    const { code, detail } = await scanFromCommandLine(server, { site: FIXTURE_SITE_KEY, url: [`${fixture.url}/`], pages: '20' });
    expect(code).toBe(1);
    expect(detail).toMatchObject({ status: 'done', trigger: 'cli', startUrls: [`${fixture.url}/`] });
    const result = detail.result!;
    const host = new URL(fixture.url).hostname;
    const thirdParty = new URL(fixture.thirdPartyUrl).host;
    expect(keysOf(result.findings)).toEqual(
      [
        `undeclared:cookie:_ga@${host}`,
        `violation:before_choice:cookie:_ga@${host}`,
        `violation:after_reject:cookie:_ga@${host}`,
        `undeclared:pixel:${thirdParty}/pixel.gif`,
        `violation:before_choice:pixel:${thirdParty}/pixel.gif`,
        `violation:after_reject:pixel:${thirdParty}/pixel.gif`,
      ].sort(),
    );
    const ga = result.findings.find((finding) => finding.key === `undeclared:cookie:_ga@${host}`);
    expect(ga).toMatchObject({ suggestion: { platform: 'Google Analytics', category: 'analytics' }, proposed: { name: '_ga', category: 'analytics', retention: { en: '2 years' } } });
    const gaBeforeChoice = result.findings.find((finding) => finding.key === `violation:before_choice:cookie:_ga@${host}`);
    expect(gaBeforeChoice).toMatchObject({ pages: [`${fixture.url}/undeclared-cookie`], causes: [expect.stringContaining(`${fixture.url}/ga.js`)] });
    const pixel = result.findings.find((finding) => finding.key === `violation:before_choice:pixel:${thirdParty}/pixel.gif`);
    expect(pixel).toMatchObject({ category: 'unknown', pages: [`${fixture.url}/pixel`], causes: [expect.stringContaining(`${fixture.url}/pixel`)] });
    // The HttpOnly session cookie and the analytics queue (after accept only) were seen, so they are no findings.
    const visits = (path: string) => result.pages.find((page) => page.url === `${fixture.url}${path}`)!.visits;
    expect(visits('/httponly').every((visit) => visit.cookies.includes('portal_session'))).toBe(true);
    expect(visits('/after-accept').map((visit) => visit.storage.length > 0)).toEqual([false, false, true]);
    // The link to another site was counted, never followed; robots.txt kept one page out.
    expect(result.externalLinks).toBeGreaterThanOrEqual(1);
    expect(fixture.thirdPartyRequests).not.toContain('/elsewhere');
    expect(result.skipped).toContainEqual(expect.objectContaining({ url: `${fixture.url}/robots-blocked`, reason: 'robots' }));
    expect(visits('/no-banner')).toHaveLength(1);

    // Declared from its suggestion, the cookie is no longer undeclared, and the next scan (of its page alone, to keep
    // the test short) says what was resolved.
    await directory.addInventoryItem(current, (ga as Extract<Finding, { type: 'undeclared' }>).proposed);
    const again = await scanFromCommandLine(server, { site: FIXTURE_SITE_KEY, url: [`${fixture.url}/undeclared-cookie`], pages: '1' });
    const findings = again.detail.result!.findings;
    expect(keysOf(findings, 'undeclared')).toEqual([]);
    // Still set before any choice: still a violation, now of its declared item. Declared as analytics, the widget
    // deletes it when analytics is rejected, so the violation after reject all is resolved.
    expect(keysOf(findings, 'violation')).toEqual([`violation:before_choice:cookie:_ga@${host}`]);
    expect(findings.find((finding) => finding.type === 'violation')).toMatchObject({ itemId: expect.any(Number), category: 'analytics' });
    const resolved = again.detail.result!.resolved!.map((finding) => finding.key);
    expect(resolved).toEqual(expect.arrayContaining([`undeclared:cookie:_ga@${host}`, `violation:after_reject:cookie:_ga@${host}`]));
    expect(resolved).not.toContain(`violation:before_choice:cookie:_ga@${host}`);
  });

  it('refuses a start URL outside the site\'s origins and an impossible page limit, storing nothing', async () => {
    const before = (await listScans(server.database.db, server.demo.sites[0]!.id)).length;
    await expect(scanFromCommandLine(server, { site: 'min-bedrift', url: ['https://elsewhere.example/'] })).rejects.toThrow(/not on the site's allowed origins/);
    await expect(scanFromCommandLine(server, { site: 'min-bedrift', pages: '0' })).rejects.toThrow(/page limit must be a whole number from 1 to 1000, got 0/);
    await expect(scanFromCommandLine(server, { site: 'min-bedrift', pages: '10000' })).rejects.toThrow(/from 1 to 1000, got 10000/);
    expect(await listScans(server.database.db, server.demo.sites[0]!.id)).toHaveLength(before);
  });

  it('ends a scan whose process dies as failed, with a message, and the server goes on', async () => {
    const site = server.demo.sites[0]!;
    await queueScan(server.database.db, { siteId: site.id, trigger: 'dashboard', startedBy: null, startUrls: [`${server.url}/demo`], pageLimit: 20 });
    const scan = (await claimNextScan(server.database.db, 'test'))!;
    const running = runScan(server.database.db, server.deps.config, scan);
    // The scan's process, killed as a crashing browser would take it down.
    await expect.poll(() => scanProcesses().length, { timeout: 10_000 }).toBeGreaterThan(0);
    for (const pid of scanProcesses()) process.kill(pid, 'SIGKILL');
    const outcome = await running.outcome;
    expect(outcome).toMatchObject({ status: 'failed', error: expect.stringMatching(/ended without a result \(SIGKILL\)/) });
    expect(await findScan(server.database.db, site.id, scan.id)).toMatchObject({ status: 'failed', result: null, error: outcome.status === 'failed' ? outcome.error : '' });
    expect((await fetch(`${server.url}/healthz`)).status).toBe(200);
  });
});

/** The scan processes this test process started (node running scan-process.ts). */
function scanProcesses(): number[] {
  return execFileSync('ps', ['-e', '-o', 'pid=,ppid=,args='], { encoding: 'utf8' })
    .split('\n')
    .map((line) => line.trim().split(/\s+/))
    .filter(([, ppid, ...args]) => Number(ppid) === process.pid && args.join(' ').includes('scan-process.ts'))
    .map(([pid]) => Number(pid));
}

describe.each(engines)('the scan queue and schedules on %s', (engine) => {
  let context: TestContext;
  beforeAll(async () => {
    // A browser that cannot start: each scan fails at once, which is all the queue needs here.
    context = await createTestContext(engine, { ...SCANNER_ENV, SAMTYKKE_CHROMIUM_PATH: '/nonexistent/chromium' });
  });
  afterAll(() => context.close());

  it('runs queued scans one at a time, fails a browser that cannot start with what to do, and queues due schedules', async () => {
    const db = context.database.db;
    const [bedrift, side] = context.demo.sites;
    await writeScanSchedule(db, bedrift!.id, { schedule: 'daily', urls: ['http://portal.test/demo'], pageLimit: 5 });
    // Never scanned: due now; the other demo site's schedule is off.
    expect((await sitesDueForScan(db, new Date())).map((due) => due.siteId)).toEqual([bedrift!.id]);
    const config = loadConfig({ ...SCANNER_ENV, SAMTYKKE_CHROMIUM_PATH: '/nonexistent/chromium', SAMTYKKE_PUBLIC_URL: 'http://portal.test', SAMTYKKE_DATA_DIR: ':memory:' });
    await queueScan(db, { siteId: side!.id, trigger: 'dashboard', startedBy: 'admin@demo.samtykke.local', startUrls: ['http://portal.test/demo/min-side'], pageLimit: 3 });
    const service = await startScanService(db, config);
    try {
      await expect.poll(async () => (await listScans(db, side!.id))[0]?.status, { timeout: 20_000, interval: 200 }).toBe('failed');
      await expect.poll(async () => (await listScans(db, bedrift!.id))[0]?.status, { timeout: 20_000, interval: 200 }).toBe('failed');
    } finally {
      await service.stop();
    }
    const [failed] = await listScans(db, side!.id);
    expect(failed!.error).toMatch(/\/nonexistent\/chromium.*(apt-get install chromium|SAMTYKKE_CHROMIUM_PATH)/s);
    const [scheduled] = await listScans(db, bedrift!.id);
    expect(scheduled).toMatchObject({ trigger: 'schedule', startUrls: ['http://portal.test/demo'], pageLimit: 5 });
    // Scanned today: due again tomorrow.
    expect(await sitesDueForScan(db, new Date())).toEqual([]);
    expect(await sitesDueForScan(db, new Date(Date.now() + 86_400_000 + 1_000))).toHaveLength(1);
    expect((await readScanSchedule(db, bedrift!.id)).nextAt).not.toBeNull();
  });
});
