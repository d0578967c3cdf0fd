/**
 * Tells the other server processes on one PostgreSQL what this one changed, so that their caches follow within a
 * moment instead of when an entry expires: PostgreSQL LISTEN/NOTIFY on one channel, over a connection of the feed's
 * own (a pooled connection would lose its LISTEN the moment it went back to the pool). On PGlite there is only ever
 * one process, and the feed does nothing.
 */
import { randomBytes } from 'node:crypto';
import pg from 'pg';
import type { DatabaseConfig } from '../config.ts';

export const CHANGE_CHANNEL = 'samtykke_changes';
/** How the feed's connection shows in pg_stat_activity. */
export const FEED_APPLICATION_NAME = 'samtykke change feed';

export type Change =
  | { readonly kind: 'decision'; readonly siteId: number; readonly consentId: string }
  | { readonly kind: 'site'; readonly key: string };

export interface ChangeListener {
  /** Another process changed this. */
  changed(change: Change): void;
  /** Changes may have been missed (the feed's connection was lost and is back): drop whatever could be stale. */
  missed(): void;
}

export interface ChangeFeed {
  /** Tells the other processes, soon (changes published together go out in one round trip). Never throws. */
  publish(change: Change): void;
  subscribe(listener: ChangeListener): void;
  /** Sends what is still waiting, then closes the connection. */
  close(): Promise<void>;
}

/** One process alone on its database: nobody to tell, nothing to hear. */
export const LOCAL_ONLY: ChangeFeed = { publish() {}, subscribe() {}, close: async () => {} };

/** The feed for this database: listening before it returns when the database answers, and retrying when not. */
export async function startChangeFeed(database: DatabaseConfig): Promise<ChangeFeed> {
  if (database.engine !== 'postgres') return LOCAL_ONLY;
  const feed = new PostgresChangeFeed(database.url);
  await feed.connect();
  return feed;
}

/**
 * What goes over the channel: who sent it (so a process skips its own) and what changed, as compact lists, since
 * a busy collector publishes hundreds of decisions per round trip.
 */
interface Message {
  readonly from: string;
  /** [siteId, consentId] */
  readonly d?: Array<[number, string]>;
  /** Site keys. */
  readonly s?: string[];
}

// PostgreSQL refuses a payload of 8000 bytes or more; what does not fit goes in the next notification.
const MAX_PAYLOAD_BYTES = 7_900;
// Waiting changes while the connection is down; past this the oldest are dropped (the others will have lost their
// own connections in an outage long enough for this, and drop everything when they are back).
const MAX_WAITING = 100_000;
const RECONNECT_FIRST_MS = 250;
const RECONNECT_MAX_MS = 5_000;
// A connection that died without a word (a cut network) is found by this; keepAlive alone takes minutes.
const HEARTBEAT_MS = 10_000;
const QUERY_TIMEOUT_MS = 5_000;

class PostgresChangeFeed implements ChangeFeed {
  private readonly id = randomBytes(8).toString('base64url');
  private readonly listeners: ChangeListener[] = [];
  private waiting: Change[] = [];
  private client: pg.Client | null = null;
  private sending: Promise<void> | null = null;
  private reconnectMs = RECONNECT_FIRST_MS;
  private reconnectTimer: NodeJS.Timeout | null = null;
  private heartbeat: NodeJS.Timeout | null = null;
  private lostSince: number | null = null;
  private connecting = false;
  private closed = false;

  constructor(private readonly url: string) {}

  subscribe(listener: ChangeListener): void {
    this.listeners.push(listener);
  }

  publish(change: Change): void {
    if (this.closed) return;
    this.waiting.push(change);
    if (this.waiting.length > MAX_WAITING) this.waiting.splice(0, this.waiting.length - MAX_WAITING);
    this.sending ??= this.send().finally(() => (this.sending = null));
  }

  async close(): Promise<void> {
    if (this.closed) return;
    // The last receipts were written just before: let what they published go out first.
    await this.sending;
    this.closed = true;
    if (this.reconnectTimer) clearTimeout(this.reconnectTimer);
    if (this.heartbeat) clearInterval(this.heartbeat);
    const client = this.client;
    this.client = null;
    await client?.end().catch(() => {});
  }

  /** One attempt; on failure the next is scheduled, with a growing pause. */
  async connect(): Promise<void> {
    this.reconnectTimer = null;
    if (this.closed || this.connecting || this.client) return;
    this.connecting = true;
    const client = new pg.Client({ connectionString: this.url, application_name: FEED_APPLICATION_NAME, keepAlive: true, connectionTimeoutMillis: QUERY_TIMEOUT_MS, query_timeout: QUERY_TIMEOUT_MS });
    client.on('notification', (message) => {
      if (message.channel === CHANGE_CHANNEL && message.payload) this.receive(message.payload);
    });
    client.on('error', (error) => this.lost(client, error));
    client.on('end', () => this.lost(client, new Error('the connection was closed')));
    try {
      await client.connect();
      await client.query(`listen ${CHANGE_CHANNEL}`);
    } catch (error) {
      this.connecting = false;
      this.lost(client, error as Error);
      return;
    }
    this.connecting = false;
    if (this.closed) return void client.end().catch(() => {});
    this.client = client;
    this.reconnectMs = RECONNECT_FIRST_MS;
    this.heartbeat = setInterval(() => void client.query('select 1').catch((error: Error) => this.lost(client, error)), HEARTBEAT_MS);
    this.heartbeat.unref();
    if (this.lostSince !== null) {
      const seconds = ((Date.now() - this.lostSince) / 1000).toFixed(0);
      console.error(`The change feed listens again after ${seconds} s; cached decisions and sites were dropped, since changes made meanwhile by other processes were missed`);
      this.lostSince = null;
    }
    // Whatever this process cached before now may have changed unheard: before the first connection too, when the
    // database did not answer at start-up.
    for (const listener of this.listeners) listener.missed();
    if (this.waiting.length > 0) this.sending ??= this.send().finally(() => (this.sending = null));
  }

  private lost(client: pg.Client, error: Error): void {
    if (this.closed) return;
    if (this.client === client) {
      this.client = null;
      if (this.heartbeat) clearInterval(this.heartbeat);
      this.heartbeat = null;
    }
    client.removeAllListeners();
    client.on('error', () => {}); // Whatever else the dead connection reports changes nothing.
    void client.end().catch(() => {});
    if (this.lostSince === null) {
      this.lostSince = Date.now();
      console.error(
        `The change feed lost its PostgreSQL connection (${error.message}); reconnecting. Until it is back, changes made by other processes reach this one only as its cached entries expire`,
      );
    }
    if (this.reconnectTimer === null && this.client === null && !this.connecting) {
      this.reconnectTimer = setTimeout(() => void this.connect(), this.reconnectMs);
      this.reconnectTimer.unref();
      this.reconnectMs = Math.min(this.reconnectMs * 2, RECONNECT_MAX_MS);
    }
  }

  /** Sends everything waiting, in as few notifications as fit, in one statement; on failure it waits for the next connection. */
  private async send(): Promise<void> {
    // Let the changes of this turn of the event loop (a group commit's receipts) gather first.
    await new Promise((resolve) => setImmediate(resolve));
    while (this.waiting.length > 0 && this.client) {
      const client = this.client;
      const changes = this.waiting;
      this.waiting = [];
      try {
        await client.query('select pg_notify($1, payload) from unnest($2::text[]) as payload', [CHANGE_CHANNEL, this.payloads(changes)]);
      } catch (error) {
        // Kept for the next connection, in front of what arrived meanwhile.
        this.waiting = [...changes, ...this.waiting].slice(-MAX_WAITING);
        this.lost(client, error as Error);
        return;
      }
    }
  }

  private payloads(changes: readonly Change[]): string[] {
    const payloads: string[] = [];
    let decisions: Array<[number, string]> = [];
    let sites: string[] = [];
    // Measured as the finished JSON would be: the envelope, plus each entry with its comma.
    const envelope = Buffer.byteLength(JSON.stringify({ from: this.id, d: [], s: [] }));
    let bytes = envelope;
    const flush = () => {
      if (decisions.length === 0 && sites.length === 0) return;
      payloads.push(JSON.stringify({ from: this.id, ...(decisions.length && { d: decisions }), ...(sites.length && { s: sites }) } satisfies Message));
      decisions = [];
      sites = [];
      bytes = envelope;
    };
    for (const change of changes) {
      const entry: [number, string] | string = change.kind === 'decision' ? [change.siteId, change.consentId] : change.key;
      const size = Buffer.byteLength(JSON.stringify(entry)) + 1;
      if (bytes + size > MAX_PAYLOAD_BYTES) flush();
      if (typeof entry === 'string') sites.push(entry);
      else decisions.push(entry);
      bytes += size;
    }
    flush();
    return payloads;
  }

  private receive(payload: string): void {
    let message: Message;
    try {
      message = JSON.parse(payload) as Message;
    } catch {
      return; // Not ours: something else notified on the channel.
    }
    if (message.from === this.id) return;
    const changes: Change[] = [];
    for (const entry of Array.isArray(message.d) ? message.d : []) {
      if (Array.isArray(entry) && typeof entry[0] === 'number' && typeof entry[1] === 'string') changes.push({ kind: 'decision', siteId: entry[0], consentId: entry[1] });
    }
    for (const key of Array.isArray(message.s) ? message.s : []) {
      if (typeof key === 'string') changes.push({ kind: 'site', key });
    }
    for (const change of changes) for (const listener of this.listeners) listener.changed(change);
  }
}
