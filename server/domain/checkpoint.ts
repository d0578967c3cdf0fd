/**
 * Signed checkpoints of the consent chain: "at this time, site S's chain ended with record #seq, whose hash is H",
 * signed with an Ed25519 key the database does not hold. The chain alone shows an edit in the middle; someone
 * who can write to the database could still cut off the newest records and move the head back, or recompute
 * every hash from scratch. A checkpoint kept outside the database catches both: the records it names must still
 * be there, with the hash it signed.
 */
import { sign, verify, type KeyObject } from 'node:crypto';

export interface Checkpoint {
  readonly siteId: number;
  readonly seq: number;
  readonly hash: string;
  /** When it was signed, ISO 8601 UTC. */
  readonly at: string;
}

export interface SignedCheckpoint extends Checkpoint {
  /** Ed25519 over checkpointMessage(), base64. */
  readonly signature: string;
}

/** What is signed: a fixed-order JSON array with a version tag, so no other message can pass for a checkpoint. */
function checkpointMessage(checkpoint: Checkpoint): Buffer {
  return Buffer.from(JSON.stringify(['samtykke-checkpoint-v1', checkpoint.siteId, checkpoint.seq, checkpoint.hash, checkpoint.at]), 'utf8');
}

export function signCheckpoint(privateKey: KeyObject, checkpoint: Checkpoint): SignedCheckpoint {
  const { siteId, seq, hash, at } = checkpoint;
  return { siteId, seq, hash, at, signature: sign(null, checkpointMessage(checkpoint), privateKey).toString('base64') };
}

export function checkpointSignatureValid(publicKey: KeyObject, checkpoint: SignedCheckpoint): boolean {
  return verify(null, checkpointMessage(checkpoint), publicKey, Buffer.from(checkpoint.signature, 'base64'));
}
