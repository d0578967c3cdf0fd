/**
 * The latest decision per consent ID, kept in memory so enforcing consent on every event costs no query.
 * Decisions recorded by this process are seen at once. A decision recorded by another process arrives over the
 * change feed (within a second) and drops the entry here, whichever process recorded it; ones read from the
 * database are also trusted for a few seconds only, which bounds the delay while the feed is not connected.
 * Reads that miss together go to the database together: one statement for every consent ID asked for in the same
 * turn of the event loop, so a cold cache (a start, another process's decisions) costs a query per turn, not per ID.
 */
import type { Decision } from '../domain/consent.ts';
import { LOCAL_ONLY, type ChangeFeed } from '../db/change-feed.ts';
import type { Db } from '../db/create.ts';
import { databaseUnreachable } from '../db/errors.ts';
import { latestDecisions, type ConsentKey } from '../queries/consent-records.ts';

interface Entry {
  readonly decision: Decision | null;
  readonly storedAt: number;
  /**
   * Recorded here: authoritative until evicted or another process records one. Read from the database: fresh for
   * READ_TTL_MS only, or until another process records one.
   */
  readonly recorded: boolean;
}

const READ_TTL_MS = 5_000;
// Consent IDs per statement: a turn with more asks again for the rest.
const READ_BATCH = 500;
const MAX_ENTRIES = 200_000;
// How long a change heard from another process outranks a decision this process is about to remember: both
// committed, and the other's notice can overtake this process's own receipt.
const HEARD_WINS_MS = 1_000;

export class DecisionCache {
  private readonly entries = new Map<string, Entry>();
  /** Reads under way, by key: one that another process's change overtook is answered, but not kept. */
  private readonly reading = new Map<string, symbol>();
  /** Keys another process changed lately, oldest first. */
  private readonly heard = new Map<string, number>();
  /** Reads waiting for this turn's statement, by key: asked for twice, read once. */
  private readonly unread = new Map<string, { readonly key: ConsentKey; readonly answer: Promise<Decision | null>; resolve(decision: Decision | null): void; reject(error: Error): void }>();

  constructor(
    private readonly db: Db,
    private readonly changes: ChangeFeed = LOCAL_ONLY,
  ) {
    changes.subscribe({
      changed: (change) => {
        if (change.kind === 'decision') this.changedElsewhere(`${change.siteId}:${change.consentId}`);
      },
      missed: () => {
        this.entries.clear();
        this.reading.clear();
      },
    });
  }

  async latest(siteId: number, consentId: string): Promise<Decision | null> {
    const key = `${siteId}:${consentId}`;
    const entry = this.entries.get(key);
    const now = Date.now();
    if (entry && (entry.recorded || now - entry.storedAt < READ_TTL_MS)) return entry.decision;
    const read = Symbol(key);
    this.reading.set(key, read);
    let decision: Decision | null;
    let overtaken: boolean;
    try {
      decision = await this.read(key, { siteId, consentId });
    } catch (error) {
      // While the database does not answer, what was last read for this ID stands in (see docs/scaling.md).
      if (entry && databaseUnreachable(error)) return entry.decision;
      throw error;
    } finally {
      overtaken = this.reading.get(key) !== read;
      if (!overtaken) this.reading.delete(key);
    }
    // A decision recorded while the read was under way is newer than anything the read could have seen.
    const current = this.entries.get(key);
    if (current?.recorded) return current.decision;
    // Another process changed it meanwhile: the answer may predate that, so it serves this request only.
    if (!overtaken) this.set(key, { decision, storedAt: now, recorded: false });
    return decision;
  }

  /** The consent ID's latest decision, read with every other read asked for in this turn. */
  private read(cacheKey: string, key: ConsentKey): Promise<Decision | null> {
    const waiting = this.unread.get(cacheKey);
    if (waiting) return waiting.answer;
    if (this.unread.size === 0) setImmediate(() => void this.readWaiting());
    let resolve!: (decision: Decision | null) => void;
    let reject!: (error: Error) => void;
    const answer = new Promise<Decision | null>((resolveRead, rejectRead) => {
      resolve = resolveRead;
      reject = rejectRead;
    });
    this.unread.set(cacheKey, { key, answer, resolve, reject });
    return answer;
  }

  private async readWaiting(): Promise<void> {
    const waiting = [...this.unread];
    this.unread.clear();
    const batches: Array<typeof waiting> = [];
    for (let from = 0; from < waiting.length; from += READ_BATCH) batches.push(waiting.slice(from, from + READ_BATCH));
    await Promise.all(
      batches.map(async (batch) => {
        try {
          const found = await latestDecisions(this.db, batch.map(([, read]) => read.key));
          for (const [cacheKey, read] of batch) read.resolve(found.get(cacheKey) ?? null);
        } catch (error) {
          for (const [, read] of batch) read.reject(error as Error);
        }
      }),
    );
  }

  /** A decision this process stored: enforced here at once, and told to the other processes. */
  remember(siteId: number, consentId: string, decision: Decision): void {
    const key = `${siteId}:${consentId}`;
    // Another process's decision for this ID arrived moments ago, perhaps ahead of this one's own receipt: which is
    // the newer only the chain knows, so the next lookup asks the database.
    const recorded = !this.heardLately(key);
    this.set(key, { decision, storedAt: recorded ? Date.now() : 0, recorded });
    this.changes.publish({ kind: 'decision', siteId, consentId });
  }

  private changedElsewhere(key: string): void {
    const now = Date.now();
    this.entries.delete(key);
    this.reading.delete(key);
    this.heard.delete(key);
    this.heard.set(key, now);
    for (const [oldest, at] of this.heard) {
      if (now - at < HEARD_WINS_MS && this.heard.size <= MAX_ENTRIES) break;
      this.heard.delete(oldest);
    }
  }

  private heardLately(key: string): boolean {
    const at = this.heard.get(key);
    return at !== undefined && Date.now() - at < HEARD_WINS_MS;
  }

  private set(key: string, entry: Entry): void {
    this.entries.delete(key);
    if (this.entries.size >= MAX_ENTRIES) {
      // Maps iterate in insertion order, and set() re-inserts on every write: the first key is the stalest.
      const stalest = this.entries.keys().next().value;
      if (stalest !== undefined) this.entries.delete(stalest);
    }
    this.entries.set(key, entry);
  }
}
