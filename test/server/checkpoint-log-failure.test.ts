/**
 * A checkpoint log that cannot be written (here: its path is a folder, as a wrong mount or a full disk would refuse
 * it): the checkpoints signed meanwhile are kept, counted in /metrics, logged once per failed append, and written
 * with the next append once the log can take them, so none is missing from it.
 */
import { mkdir, mkdtemp, rm } from 'node:fs/promises';
import os from 'node:os';
import path from 'node:path';
import { afterEach, beforeEach, expect, it, vi } from 'vitest';
import { readCheckpointLog } from '../../server/evidence/checkpoint-log.ts';
import { createTestContext, type TestContext } from '../helpers/app.ts';
import { consentRequest, post } from '../helpers/requests.ts';

let ctx: TestContext;
let folder: string;

beforeEach(async () => {
  folder = await mkdtemp(path.join(os.tmpdir(), 'samtykke-checkpoint-log-'));
});
afterEach(async () => {
  vi.restoreAllMocks();
  await ctx?.close();
  await rm(folder, { recursive: true, force: true });
});

it('keeps the checkpoints a failing log refused and writes them with the next append', async () => {
  const logFile = path.join(folder, 'checkpoints.ndjson');
  await mkdir(logFile);
  ctx = await createTestContext('pglite', {
    SAMTYKKE_CHECKPOINT_KEY: path.join(folder, 'checkpoint-key.pem'),
    SAMTYKKE_CHECKPOINT_LOG: logFile,
    SAMTYKKE_CHECKPOINT_EVERY: '1',
  });
  const logged = vi.spyOn(console, 'error').mockImplementation(() => undefined);
  for (let i = 0; i < 3; i++) expect((await post(ctx.app, '/api/consent', consentRequest())).status).toBe(201);
  const checkpointer = ctx.deps.checkpointer!;
  await expect.poll(() => logged.mock.calls.some(([line]) => String(line).includes(`could not be written to ${logFile}`))).toBe(true);
  expect(checkpointer.unloggedCount).toBeGreaterThanOrEqual(1);
  const metrics = await ctx.deps.metrics.registry.metrics();
  expect(metrics).toMatch(new RegExp(`samtykke_checkpoints_unlogged ${checkpointer.unloggedCount}\\b`));

  // The log can be written again: the next append takes what waited too.
  await rm(logFile, { recursive: true });
  expect((await post(ctx.app, '/api/consent', consentRequest())).status).toBe(201);
  await checkpointer.close();
  expect(checkpointer.unloggedCount).toBe(0);
  const siteId = ctx.demo.sites.find((site) => site.key === 'min-side')!.id;
  const seqs = (await readCheckpointLog(logFile)).filter((checkpoint) => checkpoint.siteId === siteId).map((checkpoint) => checkpoint.seq);
  // Every head signed while the log refused is in it, in order, up to the last record.
  expect(seqs).toEqual([...seqs].sort((a, b) => a - b));
  expect(seqs.at(-1)).toBe(4);
  expect(seqs.length).toBeGreaterThanOrEqual(2);
});
