/**
 * The bounded, batching event writer. Accepted events wait in memory and are stored in multi-row inserts. When
 * the database stops answering, the waiting events move to the event journal (server/journal), and so do new
 * ones until it has stored them all; without a journal, or with the journal full, new events are refused with
 * 503 rather than accepted and lost, and a failed batch stays at the head of the queue and is retried.
 */
import { ApiError } from '../errors.ts';
import type { Db } from '../db/create.ts';
import type { NewEvent } from '../db/schema.ts';
import { databaseUnreachable, storeRefusingBadRows } from '../db/errors.ts';
import { Journal } from '../journal/journal.ts';
import { insertEvents } from '../queries/events.ts';

export interface EventWriterOptions {
  readonly queueLimit: number;
  /** Rows per flush: one round trip amortised over many events. */
  readonly batchSize?: number;
  /** How long a lone event may wait for company before it is flushed. */
  readonly lingerMs?: number;
  /** Pause before retrying a failed flush. */
  readonly retryMs?: number;
  /** Told after each stored batch: its rows and how long storing it took. */
  readonly onCommitted?: (rows: number, seconds: number) => void;
  /** Where events go while the database does not answer (openEventJournal). */
  readonly journal?: Journal<NewEvent> | null;
}

/** Where an accepted event is: waiting in memory to be stored, or synced to the journal. */
export type Taken = 'queued' | 'journaled';

/** Stores events, dropping and reporting any the database refuses for what they hold. */
async function storeEvents(db: Db, rows: readonly NewEvent[], refuse: (row: NewEvent, error: Error) => void): Promise<void> {
  await storeRefusingBadRows(rows, (batch) => insertEvents(db, batch), refuse);
}

function reportRefused(row: NewEvent, error: Error): void {
  console.error(`An accepted event of site ${row.site_id} was refused by the database and dropped: ${error.message}`);
}

/** The event journal, with a size limit: past it, events are refused with 503 until the database is back. */
export function openEventJournal(file: string, db: Db, limitBytes: number, onRefused: () => void): Promise<Journal<NewEvent>> {
  return Journal.open<NewEvent>({
    file,
    limitBytes,
    label: 'events',
    batchSize: 2_000,
    encode: (row) => ({ ...row, occurred_at: new Date(row.occurred_at).getTime() }),
    decode: (json) => {
      const row = json as NewEvent & { occurred_at: number };
      return { ...row, occurred_at: new Date(row.occurred_at) };
    },
    store: (rows) =>
      storeEvents(db, rows, (row, error) => {
        onRefused();
        reportRefused(row, error);
      }),
  });
}

export class EventWriter {
  private queue: NewEvent[] = [];
  private flushing: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private failing = false;
  private closed = false;
  /** Accepted events the database refused for what they hold (see flushLoop). */
  private refused = 0;
  /** Set by close(): when a database that stays down stops the retries. */
  private giveUpAt: number | null = null;
  private readonly batchSize: number;
  private readonly lingerMs: number;
  private readonly retryMs: number;

  constructor(
    private readonly db: Db,
    private readonly options: EventWriterOptions,
  ) {
    this.batchSize = options.batchSize ?? 2_000;
    this.lingerMs = options.lingerMs ?? 20;
    this.retryMs = options.retryMs ?? 1_000;
  }

  /** Events waiting to be stored. */
  get pending(): number {
    return this.queue.length;
  }

  /** Accepted events the database refused for what they held, and dropped (see flushLoop). */
  get refusedCount(): number {
    return this.refused;
  }

  /**
   * Takes the rows into memory, or into the journal while it holds events (the database did not answer), or
   * refuses them with a 503: never accepts what it cannot keep.
   */
  async take(rows: readonly NewEvent[]): Promise<Taken> {
    const journal = this.options.journal;
    if (journal?.holding) {
      await journal.append(rows);
      return 'journaled';
    }
    this.enqueue(rows);
    return 'queued';
  }

  /** Takes the rows into memory or throws a 503. */
  enqueue(rows: readonly NewEvent[]): void {
    if (this.closed) throw new ApiError(503, 'overloaded', 'The collector is shutting down; send again shortly', undefined, 5);
    if (this.failing) {
      throw new ApiError(503, 'database_unavailable', 'Events cannot be stored right now; send them again later', undefined, 10);
    }
    if (this.queue.length + rows.length > this.options.queueLimit) {
      throw new ApiError(503, 'overloaded', 'The collector is at capacity; send the events again shortly', undefined, 2);
    }
    for (const row of rows) this.queue.push(row);
    this.schedule();
  }

  private schedule(): void {
    if (this.flushing) return;
    if (this.queue.length >= this.batchSize) {
      this.startFlush();
    } else if (!this.timer) {
      this.timer = setTimeout(() => this.startFlush(), this.lingerMs);
    }
  }

  private startFlush(): void {
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    if (this.flushing || this.queue.length === 0) return;
    this.flushing = this.flushLoop().finally(() => {
      this.flushing = null;
      if (this.queue.length > 0 && !this.closed) this.schedule();
    });
  }

  /**
   * Stores the queue's head batch by batch. A row the database refuses for what it holds is dropped and reported,
   * and everything beside it is stored (storeRefusingBadRows). Input is checked at the edge (edge-input.ts), so this
   * is the guard behind it: without it one row would stop the writer.
   */
  private async flushLoop(): Promise<void> {
    while (this.queue.length > 0) {
      const batch = this.queue.slice(0, this.batchSize);
      const started = performance.now();
      try {
        await storeEvents(this.db, batch, (row, error) => {
          this.refused += 1;
          reportRefused(row, error);
        });
        this.options.onCommitted?.(batch.length, (performance.now() - started) / 1000);
        this.queue.splice(0, batch.length);
        this.failing = false;
      } catch (error) {
        if (databaseUnreachable(error) && (await this.moveToJournal())) continue;
        if (!this.failing) console.error(`Storing ${batch.length} events failed; ${this.queue.length} wait for a retry:`, (error as Error).message);
        this.failing = true;
        await new Promise((resolve) => setTimeout(resolve, this.retryMs));
        if (this.giveUpAt !== null && Date.now() > this.giveUpAt) throw error;
      }
    }
  }

  /** The waiting events go to the journal, which stores them once the database answers; false when it cannot take them. */
  private async moveToJournal(): Promise<boolean> {
    const journal = this.options.journal;
    if (!journal) return false;
    const moving = this.queue.length;
    try {
      await journal.append(this.queue.slice(0, moving));
    } catch (error) {
      console.error(`${moving} events could not move to the journal: ${(error as Error).message}`);
      return false;
    }
    this.queue.splice(0, moving);
    this.failing = false;
    return true;
  }

  /**
   * Refuses new events and stores every accepted one. While the database is down it keeps retrying for up to
   * `timeoutMs`, then fails loudly with the number of events it could not store.
   */
  async close(timeoutMs = 60_000): Promise<void> {
    this.closed = true;
    this.giveUpAt = Date.now() + timeoutMs;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    try {
      while (this.queue.length > 0 || this.flushing) {
        if (!this.flushing) this.startFlush();
        await this.flushing;
      }
    } catch (error) {
      throw new Error(`${this.queue.length} accepted events could not be stored before shutdown`, { cause: error });
    }
  }
}
