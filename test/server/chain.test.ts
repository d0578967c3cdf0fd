/** The consent evidence chain: `samtykke verify` names the first record that was edited, removed or reordered. */
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { verifyCommand } from '../../server/cli/verify.ts';
import { createTestContext, type TestContext } from '../helpers/app.ts';
import { engines } from '../helpers/database.ts';
import { consentRequest, post } from '../helpers/requests.ts';

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
    const code = await verifyCommand.run(ctx.database.db, { site });
    vi.restoreAllMocks();
    return { code, output: lines.join('\n') };
  }

  const tamper = (statement: ReturnType<typeof sql>) => statement.execute(ctx.database.db);

  it('passes an intact chain', async () => {
    expect(await verify('min-side')).toEqual({ code: 0, output: 'OK      site min-side: 6 consent records, chain intact' });
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
    const { chainHash } = await import('../../server/domain/chain.ts');
    const { toChainedContent } = await import('../../server/queries/consent-records.ts');
    const row = await ctx.database.db.selectFrom('consent_records').selectAll().where('seq', '=', 3).executeTakeFirstOrThrow();
    const forged = { ...toChainedContent(row), ads: !row.ads };
    await tamper(sql`update consent_records set ads = ${forged.ads}, hash = ${chainHash(row.prev_hash, forged)} where seq = 3`);
    expect((await verify('min-side')).output).toContain('record #4 does not link to the record before it');
  });

  it('refuses an unknown site', async () => {
    expect(await verify('nowhere')).toEqual({ code: 2, output: 'No site has the key "nowhere"' });
  });
});
