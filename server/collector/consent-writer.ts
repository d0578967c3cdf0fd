/**
 * Group commit for consent evidence. Decisions arriving together for one site are chained and stored in one
 * transaction, and each caller hears back only after that transaction committed: one durable commit serves
 * many records, which is what lets evidence-grade writes keep up with a busy portal.
 */
import { ApiError } from '../errors.ts';
import type { Db } from '../db/create.ts';
import { appendConsentRecords, type StoredLink, type UnchainedRecord } from '../queries/consent-records.ts';

interface Waiting {
  readonly record: UnchainedRecord;
  resolve(link: StoredLink): void;
  reject(error: Error): void;
}

// Large enough to absorb a burst in one commit, small enough to keep each transaction short.
const MAX_BATCH = 1_000;

export class ConsentWriter {
  private readonly waiting = new Map<number, Waiting[]>();
  private readonly draining = new Map<number, Promise<void>>();
  private closed = false;

  constructor(private readonly db: Db) {}

  append(siteId: number, record: UnchainedRecord): Promise<StoredLink> {
    if (this.closed) {
      return Promise.reject(new ApiError(503, 'overloaded', 'The collector is shutting down; try again shortly', undefined, 5));
    }
    return new Promise<StoredLink>((resolve, reject) => {
      const queue = this.waiting.get(siteId) ?? [];
      queue.push({ record, resolve, reject });
      this.waiting.set(siteId, queue);
      if (!this.draining.has(siteId)) {
        this.draining.set(
          siteId,
          this.drain(siteId).finally(() => this.draining.delete(siteId)),
        );
      }
    });
  }

  private async drain(siteId: number): Promise<void> {
    for (;;) {
      const queue = this.waiting.get(siteId);
      if (!queue || queue.length === 0) {
        this.waiting.delete(siteId);
        return;
      }
      const batch = queue.splice(0, MAX_BATCH);
      try {
        const links = await appendConsentRecords(
          this.db,
          siteId,
          batch.map((waiting) => waiting.record),
        );
        batch.forEach((waiting, index) => waiting.resolve(links[index]!));
      } catch (error) {
        console.error(`Storing ${batch.length} consent records for site ${siteId} failed: ${(error as Error).message}`);
        const unavailable = new ApiError(
          503,
          'database_unavailable',
          'The consent record could not be stored; nothing was recorded, try again',
          undefined,
          5,
        );
        for (const waiting of batch) waiting.reject(unavailable);
      }
    }
  }

  /** Refuses new records and waits until every accepted one has been stored or refused. */
  async close(): Promise<void> {
    this.closed = true;
    while (this.draining.size > 0) await Promise.all(this.draining.values());
  }
}
