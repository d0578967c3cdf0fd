/**
 * Signed checkpoints: what the chain alone cannot show (records cut off the end with the head moved back, a chain
 * recomputed from scratch, a record inserted or a pair reordered with every hash recomputed) is named by verify
 * once the chain is held against checkpoints signed outside the database; a forged checkpoint is named too.
 */
import { createPublicKey } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, writeFile } from 'node:fs/promises';
import { createServer } from 'node:http';
import type { AddressInfo } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { sql } from 'kysely';
import { afterEach, beforeEach, describe, expect, it, vi } from 'vitest';
import { verifyCommand } from '../../server/cli/verify.ts';
import { chainHash } from '../../server/domain/chain.ts';
import { checkpointSignatureValid, type SignedCheckpoint } from '../../server/domain/checkpoint.ts';
import { readCheckpointLog } from '../../server/evidence/checkpoint-log.ts';
import { toChainedContent } from '../../server/queries/consent-records.ts';
import { createTestContext, type TestContext } from '../helpers/app.ts';
import { engines } from '../helpers/database.ts';
import { signedInStaff } from '../admin/helpers.ts';
import { consentRequest, post } from '../helpers/requests.ts';

describe.each(engines)('signed chain checkpoints on %s', (engine) => {
  let ctx: TestContext;
  let folder: string;
  let siteId: number;
  let witnessed: SignedCheckpoint[];
  let witness: ReturnType<typeof createServer>;
  const keyPath = () => path.join(folder, 'keys', 'checkpoint-key.pem');
  const logFile = () => path.join(folder, 'checkpoints.ndjson');

  beforeEach(async () => {
    folder = await mkdtemp(path.join(os.tmpdir(), 'samtykke-checkpoints-'));
    // A real second server receives the checkpoints, as a witness the database operator cannot reach would.
    witnessed = [];
    witness = createServer((request, response) => {
      let body = '';
      request.on('data', (chunk: Buffer) => (body += chunk.toString('utf8')));
      request.on('end', () => {
        witnessed.push(...(JSON.parse(body) as { checkpoints: SignedCheckpoint[] }).checkpoints);
        response.writeHead(204).end();
      });
    });
    await new Promise<void>((resolve) => witness.listen(0, '127.0.0.1', resolve));
    ctx = await createTestContext(engine, {
      SAMTYKKE_CHECKPOINT_KEY: keyPath(),
      SAMTYKKE_CHECKPOINT_LOG: logFile(),
      SAMTYKKE_CHECKPOINT_EVERY: '1',
      SAMTYKKE_CHECKPOINT_WITNESS_URL: `http://127.0.0.1:${(witness.address() as AddressInfo).port}/checkpoints`,
    });
    siteId = ctx.demo.sites.find((site) => site.key === 'min-side')!.id;
    for (let i = 0; i < 6; i++) expect((await post(ctx.app, '/api/consent', consentRequest())).status).toBe(201);
    // Signs what moved since and waits until the log and the witness have it.
    await ctx.deps.checkpointer!.close();
  });
  afterEach(async () => {
    vi.restoreAllMocks();
    await ctx.close();
    await new Promise<void>((resolve) => witness.close(() => resolve()));
    await rm(folder, { recursive: true, force: true });
  });

  async function verify(): Promise<{ code: number; output: string }> {
    const lines: string[] = [];
    vi.spyOn(console, 'log').mockImplementation((line: string) => void lines.push(line));
    vi.spyOn(console, 'error').mockImplementation((line: string) => void lines.push(line));
    const code = await verifyCommand.run(ctx.database.db, { site: 'min-side' }, { config: ctx.deps.config, positionals: [] });
    vi.restoreAllMocks();
    return { code, output: lines.join('\n') };
  }

  const tamper = (statement: ReturnType<typeof sql>) => statement.execute(ctx.database.db);

  /** What someone with write access to the database can do: recompute every hash from `fromSeq` on, and the head. */
  async function recomputeChain(): Promise<void> {
    const rows = await ctx.database.db.selectFrom('consent_records').selectAll().where('site_id', '=', siteId).orderBy('seq').execute();
    let prevHash = '0'.repeat(64);
    for (const row of rows) {
      const hash = chainHash(prevHash, toChainedContent(row));
      await tamper(sql`update consent_records set prev_hash = ${prevHash}, hash = ${hash} where site_id = ${siteId} and seq = ${row.seq}`);
      prevHash = hash;
    }
    await tamper(sql`update consent_chain_heads set seq = ${rows.at(-1)!.seq}, hash = ${prevHash} where site_id = ${siteId}`);
  }

  it('creates the key outside the database, signs every commit, and sends each checkpoint to the witness', async () => {
    expect((await stat(keyPath())).mode & 0o777).toBe(0o600);
    const publicKey = createPublicKey(await readFile(keyPath().replace(/\.pem$/, '.pub.pem'), 'utf8'));
    const logged = await readCheckpointLog(logFile());
    expect(logged.filter((checkpoint) => checkpoint.siteId === siteId).map((checkpoint) => checkpoint.seq)).toEqual([1, 2, 3, 4, 5, 6]);
    expect(logged.every((checkpoint) => checkpointSignatureValid(publicKey, checkpoint))).toBe(true);
    expect(witnessed.map(({ seq, hash }) => ({ seq, hash }))).toEqual(logged.map(({ seq, hash }) => ({ seq, hash })));
    expect(await verify()).toEqual({ code: 0, output: 'OK      site min-side: 6 consent records, chain intact, held against 6 signed checkpoints' });
  });

  it('names records cut off the end, with the head moved back to match', async () => {
    await tamper(sql`delete from consent_records where site_id = ${siteId} and seq > 4`);
    await recomputeChain();
    const result = await verify();
    expect(result.code).toBe(1);
    expect(result.output).toMatch(/saw record #6, but the records end at #4/);
  });

  it('names a chain recomputed from scratch after an edit', async () => {
    await tamper(sql`update consent_records set ads = not ads where site_id = ${siteId} and seq = 3`);
    await recomputeChain();
    expect((await verify()).output).toMatch(/record #3 does not have the hash signed at .* \(the chain was recomputed/);
  });

  it('names a record inserted, and a pair reordered, with every hash recomputed', async () => {
    await tamper(sql`update consent_records set seq = seq + 100 where site_id = ${siteId} and seq >= 4`);
    await tamper(sql`update consent_records set seq = seq - 99 where site_id = ${siteId} and seq >= 104`);
    await tamper(sql`insert into consent_records (site_id, seq, consent_id, policy_version, functional, analytics, ads, action, source, locale, page_url,
        browser, os, device, account, recorded_at, client_hash, shown_hash, gpc, stale, prev_hash, hash)
      select site_id, 4, 'inserted-consent-id-0001', policy_version, functional, false, false, 'reject_all', source, locale, page_url,
        browser, os, device, account, recorded_at, client_hash, shown_hash, gpc, stale, prev_hash, hash from consent_records where site_id = ${siteId} and seq = 3`);
    await recomputeChain();
    expect((await verify()).output).toMatch(/record #4 does not have the hash signed/);

    await tamper(sql`delete from consent_records where site_id = ${siteId} and seq = 4`);
    await tamper(sql`update consent_records set seq = seq - 1 where site_id = ${siteId} and seq > 4`);
    await tamper(sql`update consent_records set seq = -2 where site_id = ${siteId} and seq = 2`);
    await tamper(sql`update consent_records set seq = 2 where site_id = ${siteId} and seq = 3`);
    await tamper(sql`update consent_records set seq = 3 where site_id = ${siteId} and seq = -2`);
    await recomputeChain();
    expect((await verify()).output).toMatch(/record #2 does not have the hash signed/);
  });

  it('names an altered field that was not recomputed, and a checkpoint the key did not sign', async () => {
    await tamper(sql`update consent_records set analytics = not analytics where site_id = ${siteId} and seq = 5`);
    expect((await verify()).output).toContain('record #5 was altered after it was stored');
    await tamper(sql`update consent_records set analytics = not analytics where site_id = ${siteId} and seq = 5`);

    const lines = (await readFile(logFile(), 'utf8')).trim().split('\n');
    const last = JSON.parse(lines.at(-1)!) as SignedCheckpoint;
    await writeFile(logFile(), [...lines.slice(0, -1), JSON.stringify({ ...last, seq: last.seq - 1 })].join('\n') + '\n');
    const result = await verify();
    expect(result.code).toBe(1);
    expect(result.output).toContain(`the checkpoint on line ${lines.length} of the log is not signed by this key`);
  });

  it('checks an exported evidence file with no database: intact, an edited line, the newest lines cut off', async () => {
    const officer = await signedInStaff(ctx, ['privacy_officer']);
    const exported = await officer.get(`/api/admin/records/export.ndjson?site=${siteId}`);
    expect(exported.status).toBe(200);
    const lines = (await exported.text()).trim().split('\n');
    expect(lines).toHaveLength(6);
    const file = path.join(folder, 'records.ndjson');
    const offline = async (content: string[]) => {
      await writeFile(file, content.join('\n') + '\n');
      const output: string[] = [];
      vi.spyOn(console, 'log').mockImplementation((line: string) => void output.push(line));
      vi.spyOn(console, 'error').mockImplementation((line: string) => void output.push(line));
      const run = verifyCommand.offline({ export: file, checkpoints: logFile(), 'public-key': keyPath().replace(/\.pem$/, '.pub.pem') });
      const code = await run!();
      vi.restoreAllMocks();
      return { code, output: output.join('\n') };
    };
    // Nothing of the database is needed from here on: it is gone.
    await ctx.close();
    ctx = await createTestContext(engine);

    expect(await offline(lines)).toEqual({ code: 0, output: 'OK      site min-side: 6 exported consent records, chain intact, held against 6 signed checkpoints' });
    const edited = JSON.parse(lines[2]!) as Record<string, unknown>;
    expect(await offline([...lines.slice(0, 2), JSON.stringify({ ...edited, analytics: !edited.analytics }), ...lines.slice(3)])).toMatchObject({
      code: 1,
      output: expect.stringContaining('record #3 was altered after it was stored'),
    });
    expect(await offline(lines.slice(0, 4))).toMatchObject({ code: 1, output: expect.stringContaining('saw record #6, but the records end at #4') });
  });
});
