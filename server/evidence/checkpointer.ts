/**
 * Signs each site's chain head every N records and every T seconds (when it moved), appends the signed
 * checkpoints to the checkpoint log, and hands them to the witnesses that are set (a URL, an email address): a copy
 * where whoever runs the database cannot reach it. Heads come from the consent writer after each commit, so a
 * checkpoint never names a record that is not durably stored.
 */
import type { CheckpointConfig } from '../config.ts';
import { signCheckpoint, type SignedCheckpoint } from '../domain/checkpoint.ts';
import type { ChainHead } from '../queries/consent-records.ts';
import { appendCheckpoints } from './checkpoint-log.ts';
import { EmailWitness } from './email-witness.ts';
import { loadOrCreateSigningKey, type SigningKey } from './signing-key.ts';
import { UrlWitness, type CheckpointWitness } from './witness.ts';

interface SiteState {
  head: ChainHead;
  /** Records stored since the last checkpoint of this site. */
  unsigned: number;
  signedSeq: number;
  /** When the oldest of those was stored (ms), or null when every stored record is signed. */
  unsignedSince: number | null;
}

export class Checkpointer {
  private readonly sites = new Map<number, SiteState>();
  private readonly timer: NodeJS.Timeout;
  private writing: Promise<void> = Promise.resolve();
  /** Signed, not yet in the log: a failed append keeps them for the next. */
  private unlogged: SignedCheckpoint[] = [];

  constructor(
    private readonly key: SigningKey,
    private readonly settings: CheckpointConfig,
    private readonly witnesses: readonly CheckpointWitness[],
  ) {
    this.timer = setInterval(() => this.checkpointMoved(), settings.intervalMs);
    this.timer.unref();
  }

  /** The consent writer committed `count` records of a site, ending at `head`. */
  noteHead(siteId: number, head: ChainHead, count: number): void {
    const state = this.sites.get(siteId) ?? { head, unsigned: 0, signedSeq: 0, unsignedSince: null };
    if (head.seq >= state.head.seq) state.head = head;
    state.unsigned += count;
    state.unsignedSince ??= Date.now();
    this.sites.set(siteId, state);
    if (state.unsigned >= this.settings.everyRecords) this.checkpoint([siteId]);
  }

  /** Every site whose head moved since its last checkpoint. */
  private checkpointMoved(): void {
    this.checkpoint([...this.sites.keys()]);
  }

  private checkpoint(siteIds: readonly number[]): void {
    const at = new Date().toISOString();
    const signed: SignedCheckpoint[] = [];
    for (const siteId of siteIds) {
      const state = this.sites.get(siteId)!;
      if (state.head.seq <= state.signedSeq) continue;
      signed.push(signCheckpoint(this.key.privateKey, { siteId, seq: state.head.seq, hash: state.head.hash, at }));
      state.signedSeq = state.head.seq;
      state.unsigned = 0;
      state.unsignedSince = null;
    }
    if (signed.length === 0) return;
    this.unlogged.push(...signed);
    this.writing = this.writing.then(async () => {
      await this.writeUnlogged();
      for (const witness of this.witnesses) await witness.take(signed);
    });
  }

  /** Appends what the log has not taken yet (an earlier append may have taken these already). */
  private async writeUnlogged(): Promise<void> {
    const batch = [...this.unlogged];
    if (batch.length === 0) return;
    try {
      await appendCheckpoints(this.settings.logFile, batch);
      this.unlogged.splice(0, batch.length);
    } catch (error) {
      console.error(`${batch.length} checkpoints could not be written to ${this.settings.logFile} (kept for the next try): ${(error as Error).message}`);
    }
  }

  /** Signed checkpoints the log has not taken yet (it failed; they are written with the next). */
  get unloggedCount(): number {
    return this.unlogged.length;
  }

  /** Seconds since each site's oldest record not yet signed was stored, for the sites that have one. */
  unsignedAges(now = Date.now()): Map<number, number> {
    const ages = new Map<number, number>();
    for (const [siteId, state] of this.sites) if (state.unsignedSince !== null) ages.set(siteId, (now - state.unsignedSince) / 1000);
    return ages;
  }

  /** Signs every head that moved, and waits until the log (and the witnesses) have them. */
  async close(): Promise<void> {
    clearInterval(this.timer);
    this.checkpointMoved();
    await this.writing;
    for (const witness of this.witnesses) await witness.close();
  }
}

/** Loads (or on the first start creates) the signing key, says so when it was created, and starts signing. */
export async function startCheckpointer(config: CheckpointConfig): Promise<Checkpointer> {
  const key = await loadOrCreateSigningKey(config.keyPath);
  if (key.created) {
    console.log(
      [
        `Created the checkpoint signing key ${key.path} (public half: ${key.publicKeyPath}).`,
        '  It signs the consent chain outside the database, so that records cut off or rewritten there are found by verify.',
        '  Keep a copy where the database operators cannot reach it, and give auditors the public half; whoever holds',
        '  the private key can sign checkpoints. Set SAMTYKKE_CHECKPOINT_KEY to keep it outside the data folder.',
      ].join('\n'),
    );
  }
  const witnesses: CheckpointWitness[] = [];
  if (config.witnessUrl) witnesses.push(new UrlWitness(config.witnessUrl));
  if (config.witnessEmail) witnesses.push(new EmailWitness(config.witnessEmail, key.publicKey));
  return new Checkpointer(key, config, witnesses);
}
