/**
 * Witnesses: where signed checkpoints go besides the log, so a copy lives where whoever runs the database cannot
 * reach it. The URL witness is here; the email witness, which batches, is in email-witness.ts.
 */
import type { SignedCheckpoint } from '../domain/checkpoint.ts';

export interface CheckpointWitness {
  /** Checkpoints just signed; sent now or kept for a batch. Never rejects: a failure is logged and kept for the next try. */
  take(checkpoints: readonly SignedCheckpoint[]): Promise<void>;
  /** Sends what it still holds; the server is stopping. */
  close(): Promise<void>;
}

/** Checkpoints waiting for the witness are kept up to this many; past it the oldest go (the log keeps them all). */
const MAX_UNWITNESSED = 10_000;

/** POSTs `{"checkpoints": [...]}` with every checkpoint it has not confirmed yet, oldest first, on each checkpoint. */
export class UrlWitness implements CheckpointWitness {
  private unwitnessed: SignedCheckpoint[] = [];

  constructor(private readonly url: string) {}

  async take(checkpoints: readonly SignedCheckpoint[]): Promise<void> {
    this.unwitnessed = [...this.unwitnessed, ...checkpoints].slice(-MAX_UNWITNESSED);
    try {
      const response = await fetch(this.url, {
        method: 'POST',
        headers: { 'content-type': 'application/json' },
        body: JSON.stringify({ checkpoints: this.unwitnessed }),
        signal: AbortSignal.timeout(10_000),
      });
      if (!response.ok) throw new Error(`it answered ${response.status}`);
      this.unwitnessed = [];
    } catch (error) {
      console.error(`The checkpoint witness ${this.url} did not take ${this.unwitnessed.length} checkpoints (kept for the next try): ${(error as Error).message}`);
    }
  }

  /** Nothing to do: the checkpoints signed on closing were just sent, with any still unconfirmed. */
  async close(): Promise<void> {}
}
