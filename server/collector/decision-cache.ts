/**
 * The latest decision per consent ID, kept in memory so enforcing consent on every event costs no query.
 * Decisions recorded by this process are seen at once; ones read from the database are trusted for a few
 * seconds, which bounds how long a decision recorded by another collector process takes to be enforced here.
 */
import type { Decision } from '../domain/consent.ts';
import type { Db } from '../db/create.ts';
import { latestDecision } from '../queries/consent-records.ts';

interface Entry {
  readonly decision: Decision | null;
  readonly storedAt: number;
  /** Recorded here: authoritative until evicted. Read from the database: fresh for READ_TTL_MS only. */
  readonly recorded: boolean;
}

const READ_TTL_MS = 5_000;
const MAX_ENTRIES = 200_000;

export class DecisionCache {
  private readonly entries = new Map<string, Entry>();

  constructor(private readonly db: Db) {}

  async latest(siteId: number, consentId: string): Promise<Decision | null> {
    const key = `${siteId}:${consentId}`;
    const entry = this.entries.get(key);
    const now = Date.now();
    if (entry && (entry.recorded || now - entry.storedAt < READ_TTL_MS)) return entry.decision;
    const decision = await latestDecision(this.db, siteId, consentId);
    // A decision recorded while the read was under way is newer than anything the read could have seen.
    const current = this.entries.get(key);
    if (current?.recorded) return current.decision;
    this.set(key, { decision, storedAt: now, recorded: false });
    return decision;
  }

  remember(siteId: number, consentId: string, decision: Decision): void {
    this.set(`${siteId}:${consentId}`, { decision, storedAt: Date.now(), recorded: true });
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
