/**
 * The offline queue: every event the client accepted, kept through the storage adapter until the server took it,
 * so neither no network nor an app restart loses one. Sent oldest first, in batches of one visit each.
 */
import { SamtykkeError } from './errors.js';
import type { StoredValue } from './storage.js';
import type { QueuedEvent } from './types.js';

export class EventQueue {
  private events: QueuedEvent[] = [];

  constructor(
    private readonly stored: StoredValue<QueuedEvent[]>,
    private readonly limit: number,
  ) {}

  async load(): Promise<void> {
    const saved = await this.stored.read();
    this.events = Array.isArray(saved) ? saved : [];
  }

  get size(): number {
    return this.events.length;
  }

  /** Takes the event, or throws queue_full: a full queue refuses new events rather than dropping accepted ones. */
  add(event: QueuedEvent): Promise<void> {
    if (this.events.length >= this.limit) {
      throw new SamtykkeError('queue_full', `The offline queue holds ${this.limit} events already (maxQueuedEvents); this one was not queued`);
    }
    this.events.push(event);
    return this.save();
  }

  /** The oldest events that make one request: one visit, at most `maxEvents` and about `maxBytes` of JSON. */
  batch(maxEvents: number, maxBytes: number): QueuedEvent[] {
    const first = this.events[0];
    if (!first) return [];
    const batch: QueuedEvent[] = [];
    let bytes = 0;
    for (const event of this.events) {
      if (event.sessionId !== first.sessionId || batch.length >= maxEvents) break;
      bytes += JSON.stringify(event).length;
      if (batch.length > 0 && bytes > maxBytes) break;
      batch.push(event);
    }
    return batch;
  }

  /** Removes these events (the server took them, or refused them for good). */
  remove(events: readonly QueuedEvent[]): Promise<void> {
    const gone = new Set(events);
    this.events = this.events.filter((event) => !gone.has(event));
    return this.save();
  }

  /** Empties the queue: analytics were withdrawn, or the server says no decision grants them. Returns how many. */
  async clear(): Promise<number> {
    const count = this.events.length;
    this.events = [];
    await this.stored.write(null);
    return count;
  }

  private save(): Promise<void> {
    return this.stored.write(this.events.length ? [...this.events] : null);
  }
}
