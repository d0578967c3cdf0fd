/** The consent evidence chain: `samtykke verify` names the first record that was edited, removed or reordered. */
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { verifyCommand } from '../../server/cli/verify.ts';
import { chainHash } from '../../server/domain/chain.ts';
import { appendConsentRecords, pruneConsentChain, toChainedContent, verifySiteChain } from '../../server/queries/consent-records.ts';
import { createTestContext, type TestContext } from '../helpers/app.ts';
import { engines } from '../helpers/database.ts';
import { consentRequest, newConsentId, post } from '../helpers/requests.ts';

describe.each(engines)('samtykke verify on %s', (engine) => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await createTestContext(engine);
    for (let i = 0; i < 6; i++) expect((await post(ctx.app, '/api/consent', consentRequest())).status).toBe(201);
  });
  afterEach(() => {
    vi.restoreAllMocks();
    return ctx.close();
  });

  /** Runs the command as the CLI does and returns its exit code and what it printed. */
  async function verify(site: string): Promise<{ code: number; output: string }> {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    vi.spyOn(console, 'error').mockImplementation((line: string) => void lines.push(line));
    const code = await verifyCommand.run(ctx.database.db, { site }, { config: ctx.deps.config, positionals: [] });
    vi.restoreAllMocks();
    return { code, output: lines.join('\n') };
  }

  const tamper = (statement: ReturnType<typeof sql>) => statement.execute(ctx.database.db);

  it('passes an intact chain', async () => {
    expect(await verify('min-side')).toEqual({
      code: 0,
      output: 'No checkpoint log: the chains are checked, but not against signed checkpoints.\nOK      site min-side: 6 consent records, chain intact',
    });
  });

  it('names an edited record', async () => {
    await tamper(sql`update consent_records set analytics = false, ads = false where seq = 3`);
    const result = await verify('min-side');
    expect(result.code).toBe(1);
    expect(result.output).toContain('record #3 was altered after it was stored');
    expect(result.output).toContain('(2 records before it verify)');
  });

  it('names a deleted record', async () => {
    await tamper(sql`delete from consent_records where seq = 4`);
    expect((await verify('min-side')).output).toContain('record #4 is missing (the next stored record is #5)');
  });

  it('names records cut off the end', async () => {
    await tamper(sql`delete from consent_records where seq = 6`);
    expect((await verify('min-side')).output).toContain('the chain head says #6 but the records end at #5');
  });

  it('names a record whose place was swapped, even with its hashes moved along', async () => {
    await tamper(sql`update consent_records set seq = -2 where seq = 2`);
    await tamper(sql`update consent_records set seq = 2 where seq = 5`);
    await tamper(sql`update consent_records set seq = 5 where seq = -2`);
    expect((await verify('min-side')).output).toContain('record #2 does not link to the record before it');
  });

  it('names a forged record inserted with a fresh hash', async () => {
    // A forger who recomputes the record's own hash still cannot make the next record point at it.
    const row = await ctx.database.db.selectFrom('consent_records').selectAll().where('seq', '=', 3).executeTakeFirstOrThrow();
    const forged = { ...toChainedContent(row), ads: !row.ads };
    await tamper(sql`update consent_records set ads = ${forged.ads}, hash = ${chainHash(row.prev_hash, forged)} where seq = 3`);
    expect((await verify('min-side')).output).toContain('record #4 does not link to the record before it');
  });

  it('refuses an unknown site', async () => {
    expect(await verify('nowhere')).toEqual({ code: 2, output: 'No site has the key "nowhere"' });
  });
});

describe.each(engines)('retention of consent evidence on %s', (engine) => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await createTestContext(engine);
  });
  afterEach(() => ctx.close());

  const DAY = 86_400_000;
  const cutoff = () => new Date(Date.now() - 800 * DAY);

  /** Appends records recorded `ages` days ago, in that order. */
  async function appendAged(siteId: number, ages: number[]): Promise<void> {
    await appendConsentRecords(
      ctx.database.db,
      siteId,
      ages.map((age) => ({
        consentId: newConsentId(), policyVersion: 1, functional: true, analytics: false, ads: false, action: 'reject_all' as const,
        source: 'banner' as const, locale: 'nb', pageUrl: null, browser: null, os: null, device: 'desktop', account: null,
        recordedAt: new Date(Date.now() - age * DAY), clientHash: 'aged', shownHash: null, gpc: false, stale: false,
      })),
    );
  }

  it('removes the oldest records and the rest still verifies from the remembered link', async () => {
    const site = ctx.demo.sites.find((candidate) => candidate.key === 'min-side')!;
    await appendAged(site.id, [900, 900, 850, 820, 10, 1, 0]);
    expect(await pruneConsentChain(ctx.database.db, site.id, cutoff())).toBe(4);
    expect(await verifySiteChain(ctx.database.db, site.id)).toEqual({ checked: 3, problem: null });
    expect(await pruneConsentChain(ctx.database.db, site.id, cutoff())).toBe(0);

    // New decisions keep chaining after pruning, and tampering after the anchor is still caught.
    expect((await post(ctx.app, '/api/consent', consentRequest())).status).toBe(201);
    expect(await verifySiteChain(ctx.database.db, site.id)).toEqual({ checked: 4, problem: null });
    await sql`delete from consent_records where seq = 5`.execute(ctx.database.db);
    expect((await verifySiteChain(ctx.database.db, site.id)).problem).toEqual({ kind: 'missing', expectedSeq: 5, foundSeq: 6 });
  });

  it('never removes a record younger than the cutoff, even one chained before an older one', async () => {
    const site = ctx.demo.sites.find((candidate) => candidate.key === 'min-side')!;
    await appendAged(site.id, [900, 10, 900, 900]);
    expect(await pruneConsentChain(ctx.database.db, site.id, cutoff())).toBe(1);
    const kept = await ctx.database.db.selectFrom('consent_records').select('seq').where('site_id', '=', site.id).orderBy('seq').execute();
    expect(kept.map((row) => row.seq)).toEqual([2, 3, 4]);
    expect(await verifySiteChain(ctx.database.db, site.id)).toEqual({ checked: 3, problem: null });
  });
});
