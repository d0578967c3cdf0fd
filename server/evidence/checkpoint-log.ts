/**
 * The checkpoint log: one signed checkpoint per line (NDJSON), appended and synced to disk, in a file outside the
 * database. Appends of one short line are atomic, so several processes on one machine can share the file.
 */
import type { KeyObject } from 'node:crypto';
import { open, readFile } from 'node:fs/promises';
import { z } from 'zod';
import { checkpointSignatureValid, type Checkpoint, type SignedCheckpoint } from '../domain/checkpoint.ts';

const signedCheckpointSchema = z.strictObject({
  siteId: z.number().int().positive(),
  seq: z.number().int().positive(),
  hash: z.string().regex(/^[0-9a-f]{64}$/),
  at: z.iso.datetime(),
  signature: z.string().regex(/^[A-Za-z0-9+/]+=*$/),
}) satisfies z.ZodType<SignedCheckpoint>;

/** The log's lines for these checkpoints; witnesses send the same, so their copies read like the log. */
export function checkpointLogLines(checkpoints: readonly SignedCheckpoint[]): string {
  return checkpoints.map((checkpoint) => `${JSON.stringify(checkpoint)}\n`).join('');
}

export async function appendCheckpoints(file: string, checkpoints: readonly SignedCheckpoint[]): Promise<void> {
  if (checkpoints.length === 0) return;
  const handle = await open(file, 'a', 0o644);
  try {
    await handle.write(checkpointLogLines(checkpoints));
    await handle.datasync();
  } finally {
    await handle.close();
  }
}

/** Every checkpoint of the log with its line number; a line that is not one is an error naming it. */
export async function readCheckpointLog(file: string): Promise<Array<SignedCheckpoint & { readonly line: number }>> {
  const text = await readFile(file, 'utf8').catch((error: NodeJS.ErrnoException) => {
    throw new Error(`Cannot read the checkpoint log ${file}: ${error.message}`);
  });
  const checkpoints: Array<SignedCheckpoint & { line: number }> = [];
  text.split('\n').forEach((raw, index) => {
    if (raw.trim() === '') return;
    let parsed: unknown;
    try {
      parsed = JSON.parse(raw);
    } catch {
      throw new Error(`${file}, line ${index + 1}: not JSON`);
    }
    const result = signedCheckpointSchema.safeParse(parsed);
    if (!result.success) throw new Error(`${file}, line ${index + 1}: not a checkpoint (${result.error.issues[0]?.path.join('.')}: ${result.error.issues[0]?.message})`);
    checkpoints.push({ ...result.data, line: index + 1 });
  });
  return checkpoints;
}

export interface CheckedCheckpoints {
  /** Checkpoints with a valid signature, per site. */
  readonly bySite: ReadonlyMap<number, Checkpoint[]>;
  /** Lines whose signature this key did not make: forged, or altered after signing. */
  readonly forged: ReadonlyArray<{ readonly line: number; readonly siteId: number }>;
}

/** The log's checkpoints sorted into those the public key signed and those it did not. */
export async function readSignedCheckpoints(file: string, publicKey: KeyObject): Promise<CheckedCheckpoints> {
  const bySite = new Map<number, Checkpoint[]>();
  const forged: Array<{ line: number; siteId: number }> = [];
  for (const { line, signature, ...checkpoint } of await readCheckpointLog(file)) {
    if (!checkpointSignatureValid(publicKey, { ...checkpoint, signature })) forged.push({ line, siteId: checkpoint.siteId });
    else if (bySite.has(checkpoint.siteId)) bySite.get(checkpoint.siteId)!.push(checkpoint);
    else bySite.set(checkpoint.siteId, [checkpoint]);
  }
  return { bySite, forged };
}
