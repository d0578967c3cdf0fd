/**
 * Group commit for consent evidence. Decisions arriving together for one site are chained and stored in one
 * statement, and each caller hears back only after that statement committed: one durable commit serves many
 * records, which is what lets evidence-grade writes keep up with a busy portal. The writer remembers the chain
 * head it last stored, so a batch costs one round trip; when another process moved the head meanwhile, the
 * batch is chained again under the head row's lock, after what that process stored.
 */
import { ApiError } from '../errors.ts';
import type { Db } from '../db/create.ts';
import { inTransaction } from '../db/transaction.ts';
import { databaseUnreachable, refusedForItsData } from '../db/errors.ts';
import { appendIfHeadUnchanged, chainAfter, readChainHead, type ChainHead, type StoredLink, type UnchainedRecord } from '../queries/consent-records.ts';

interface Waiting {
  readonly record: UnchainedRecord;
  resolve(link: StoredLink): void;
  reject(error: Error): void;
}

interface SiteChain {
  /** The head this writer last stored or read; null when it must be read again. */
  head: ChainHead | null;
  readonly waiting: Waiting[];
  draining: Promise<void> | null;
}

// Large enough to absorb a burst in one commit, small enough to keep each statement short.
const MAX_BATCH = 1_000;

export class ConsentWriter {
  private readonly chains = new Map<number, SiteChain>();
  private closed = false;

  constructor(
    private readonly db: Db,
    /** Told after each commit: the site's new head, how many records it added and how long storing took. */
    private readonly onStored: (stored: { siteId: number; head: ChainHead; count: number; seconds: number }) => void = () => {},
  ) {}

  append(siteId: number, record: UnchainedRecord): Promise<StoredLink> {
    if (this.closed) {
      return Promise.reject(new ApiError(503, 'overloaded', 'The collector is shutting down; try again shortly', undefined, 5));
    }
    let chain = this.chains.get(siteId);
    if (!chain) {
      chain = { head: null, waiting: [], draining: null };
      this.chains.set(siteId, chain);
    }
    const site = chain;
    return new Promise<StoredLink>((resolve, reject) => {
      site.waiting.push({ record, resolve, reject });
      site.draining ??= this.drain(siteId, site).finally(() => (site.draining = null));
    });
  }

  private async drain(siteId: number, chain: SiteChain): Promise<void> {
    while (chain.waiting.length > 0) await this.storeAnswering(siteId, chain, chain.waiting.splice(0, MAX_BATCH));
  }

  /**
   * Stores a batch and answers each caller. A batch the database refuses for what one record holds is halved, in
   * order, until that record stands alone and is refused with a 400: one bad decision cannot fail its neighbours.
   */
  private async storeAnswering(siteId: number, chain: SiteChain, batch: Waiting[]): Promise<void> {
    try {
      const links = await this.store(siteId, chain, batch.map((waiting) => waiting.record));
      batch.forEach((waiting, index) => waiting.resolve(links[index]!));
    } catch (error) {
      chain.head = null;
      if (refusedForItsData(error) && batch.length > 1) {
        const half = Math.ceil(batch.length / 2);
        await this.storeAnswering(siteId, chain, batch.slice(0, half));
        await this.storeAnswering(siteId, chain, batch.slice(half));
        return;
      }
      // An outage is logged once, by whoever hears of it (DatabaseOutage), not once per batch.
      if (!databaseUnreachable(error)) console.error(`Storing ${batch.length} consent records for site ${siteId} failed: ${(error as Error).message}`);
      const refusal = refusedForItsData(error)
        ? new ApiError(400, 'invalid_body', `The decision holds a value the database cannot store: ${(error as Error).message}`)
        : new ApiError(503, 'database_unavailable', 'The consent record could not be stored; nothing was recorded, try again', undefined, 5);
      refusal.cause = error;
      for (const waiting of batch) waiting.reject(refusal);
    }
  }

  private async store(siteId: number, chain: SiteChain, records: UnchainedRecord[]): Promise<StoredLink[]> {
    const started = performance.now();
    const stored = (links: StoredLink[], head: ChainHead) => {
      chain.head = head;
      this.onStored({ siteId, head, count: links.length, seconds: (performance.now() - started) / 1000 });
      return links;
    };
    // The fast path: one statement after the head this writer last stored, which holds while it is the only writer.
    const expected = chain.head ?? (await readChainHead(this.db, siteId));
    const optimistic = chainAfter(siteId, expected, records);
    const links = await appendIfHeadUnchanged(this.db, siteId, expected, optimistic.chained);
    if (links) return stored(links, optimistic.head);
    // Another process moved the head: wait for its lock and chain after what it stored. Retrying optimistically
    // instead lets two busy processes overtake each other for as long as both are busy.
    chain.head = null;
    const locked = await inTransaction(this.db, async (trx) => {
      const head = await readChainHead(trx, siteId, { lock: true });
      const next = chainAfter(siteId, head, records);
      const appended = await appendIfHeadUnchanged(trx, siteId, head, next.chained);
      if (!appended) throw new Error(`the chain head of site ${siteId} moved while it was locked`);
      return { links: appended, head: next.head };
    });
    return stored(locked.links, locked.head);
  }

  /** Refuses new records and waits until every accepted one has been stored or refused. */
  async close(): Promise<void> {
    this.closed = true;
    for (const chain of this.chains.values()) await chain.draining;
  }
}
