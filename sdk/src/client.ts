/**
 * The client an app holds: the user's consent ID and choices kept on the device, decisions recorded with the
 * collector, and usage events queued and sent in batches only while analytics are granted.
 *
 * One sender runs at a time and sends in order: decisions first (events are refused until the server knows the
 * decision that grants them), then events oldest first. What the server could not take now (no answer, 5xx, 429)
 * waits for its Retry-After, or for a doubling backoff when it gave none, and is sent again; nothing accepted is
 * dropped unless the server refuses it for good (reported to onError) or the user withdraws analytics.
 */
import { SamtykkeError } from './errors.js';
import { readLatestConsent } from './handoff.js';
import { EventQueue } from './queue.js';
import {
  CONSENT_ID_PATTERN,
  LARGEST_VERSION,
  MAX_EVENTS_PER_REQUEST,
  SITE_KEY_PATTERN,
  actionFor,
  checkAccount,
  checkAction,
  checkAddress,
  checkChoices,
  checkEventName,
  checkProps,
} from './rules.js';
import { memoryStorage, StoredValue, type StorageAdapter } from './storage.js';
import { postJson, type Outcome, type TransportOptions } from './transport.js';
import { CATEGORIES, LOCALES, type Category, type Choices, type ConsentAction, type DecisionBody, type EventProps, type Locale, type QueuedEvent } from './types.js';

export interface SamtykkeOptions {
  /** Where Samtykke runs: `https://consent.example.no`. */
  readonly endpoint: string;
  /** The site key of the app's site (an `app` site in Samtykke). */
  readonly site: string;
  /** The policy version the app's consent screen shows: decisions are made under it. */
  readonly policyVersion: number;
  /** The latest material policy version: a decision made under an earlier one is asked again. Default: 1. */
  readonly askedSince?: number;
  /** The policy makes functional required: a decision denying it is refused. Default: false. */
  readonly functionalRequired?: boolean;
  /** The language the consent screen was shown in. Default: nb. */
  readonly locale?: Locale;
  /** `app` (default) for an app's consent screen, `api` for a program recording decisions made elsewhere. */
  readonly source?: 'app' | 'api';
  /** The customer company the user belongs to, recorded with each decision. */
  readonly account?: string;
  /** Keeps the consent ID, the choices and the queue. Default: memoryStorage() (nothing survives a restart). */
  readonly storage?: StorageAdapter;
  /** Keeps the offline queue instead of `storage` (say, AsyncStorage when `storage` is SecureStore). */
  readonly queueStorage?: StorageAdapter;
  /** Most events kept waiting; past it new events are refused with queue_full. Default: 1000. */
  readonly maxQueuedEvents?: number;
  /** How long an event waits for others to join its batch. Default: 2000 ms. */
  readonly batchDelayMs?: number;
  /** Largest batch body, under the collector's SAMTYKKE_BODY_LIMIT (64 KiB by default). Default: 32768 bytes. */
  readonly maxBatchBytes?: number;
  /** Backoff after no answer or a 5xx without Retry-After: doubling from `minMs` up to `maxMs`. Default: 1 s to 5 min. */
  readonly retry?: { readonly minMs?: number; readonly maxMs?: number };
  /** A request without an answer after this long is given up and sent again later. Default: 15000 ms. */
  readonly requestTimeoutMs?: number;
  /** What the server refused and storage failures, reported as they happen (sending runs in the background). */
  readonly onError?: (error: SamtykkeError) => void;
  /**
   * A send did not get through and is tried again after `afterMs`: the server's Retry-After (`serverAsked`), or
   * the backoff after no answer. For logs and tests; nothing needs doing.
   */
  readonly onRetry?: (retry: { readonly afterMs: number; readonly reason: string; readonly serverAsked: boolean }) => void;
  /** The fetch to use. Default: the global one (React Native, Expo and Node 20+ have it). */
  readonly fetch?: typeof fetch;
  /** Makes a new consent ID (16–64 of A-Z a-z 0-9 _ -). Default: 128 random bits from crypto.getRandomValues. */
  readonly randomId?: () => string;
}

export interface DecideOptions {
  /** Default: named from the choices and the previous ones, as the web banner names them. */
  readonly action?: ConsentAction;
  /** The screen the decision was made on, kept as evidence (`app://min-side/innstillinger` or `innstillinger`). */
  readonly screen?: string;
}

export interface ScreenOptions {
  /** Where the user came from: an http(s) page that opened the app (a deep link), or a screen. */
  readonly referrer?: string;
  readonly props?: EventProps;
}

export interface TrackOptions {
  /** The screen it happened on. Default: the last screen passed to screen(). */
  readonly screen?: string;
  readonly props?: EventProps;
}

export interface Samtykke {
  /** This device's pseudonymous consent ID, made on first use and kept in storage. */
  readonly consentId: string;
  /** The current choices, or null when the user must be asked (never asked, or asked again since askedSince). */
  choices(): Choices | null;
  /** Whether the current choices grant the category (false when there are none). */
  allows(category: Category): boolean;
  /**
   * Records a decision: applied at once (listeners, allows()), kept in storage, and sent to the server in the
   * background until it is recorded. Denying analytics empties the event queue and calls off any event sending,
   * a retry included. Throws invalid_decision for what the server would refuse; resolves once stored on the device.
   */
  decide(choices: Choices, options?: DecideOptions): Promise<void>;
  /** Calls the listener with the new choices on every change (null: ask again). Returns the unsubscribe. */
  onChange(listener: (choices: Choices | null) => void): () => void;
  /**
   * A screen was shown (a pageview of its path). Throws consent_required without analytics, invalid_event for what
   * the server would refuse, queue_full when the queue is full; resolves once the event is stored on the device.
   */
  screen(address: string, options?: ScreenOptions): Promise<void>;
  /** Something happened (a custom event): throws and resolves as screen() does. */
  track(name: string, options?: TrackOptions): Promise<void>;
  /**
   * Takes the server's latest decision for this consent ID when it differs: one the user made on a web page the app
   * opened in a WebView (see requestHandoff), say. Call it when such a WebView closes or the app comes to the
   * foreground. The device's own decisions not yet recorded stay in force (they are newer); listeners hear of a
   * change; withdrawn analytics empty the queue as decide() does. Resolves with the choices now in force.
   */
  refresh(): Promise<Choices | null>;
  /** Sends what waits now (after connectivity returns, say), unless the server asked to wait longer. */
  flush(): Promise<void>;
  /** What has not reached the server yet. */
  pending(): { readonly decisions: number; readonly events: number };
  /** Stops sending and timers; what waits stays in storage for the next start. */
  close(): Promise<void>;
}

/** What the client keeps about the user between starts. */
interface StoredConsent {
  readonly consentId: string;
  readonly choices: Choices | null;
  readonly policyVersion: number | null;
  /** Decisions not yet recorded by the server, oldest first. */
  readonly pending: readonly DecisionBody[];
}

/** A visit ends after this long without an event, as the server's own visits do. */
const VISIT_IDLE_MS = 30 * 60_000;

function randomHex(bytes: number): string {
  const crypto = (globalThis as { crypto?: { getRandomValues?<T extends Uint8Array>(array: T): T } }).crypto;
  if (typeof crypto?.getRandomValues !== 'function') {
    throw new SamtykkeError(
      'no_random',
      'crypto.getRandomValues is missing: in React Native import "react-native-get-random-values" before the client (Expo: it ships with expo-crypto), or pass randomId',
    );
  }
  return Array.from(crypto.getRandomValues(new Uint8Array(bytes)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}

/** A visit's identifier: no secret, so any randomness will do where crypto is missing. */
function newSessionId(): string {
  try {
    return randomHex(11);
  } catch {
    return `${Date.now().toString(36)}${Math.random().toString(36).slice(2, 12)}`;
  }
}

function invalidOption(name: string, message: string): SamtykkeError {
  return new SamtykkeError('invalid_options', `${name}: ${message}`, name);
}

function checkOptions(options: SamtykkeOptions): void {
  if (typeof options.endpoint !== 'string' || !/^https?:\/\/[^/]+/.test(options.endpoint)) throw invalidOption('endpoint', 'must be the http(s) address Samtykke runs at, such as https://consent.example.no');
  if (typeof options.site !== 'string' || !SITE_KEY_PATTERN.test(options.site)) throw invalidOption('site', 'must be a site key such as "min-side-app"');
  for (const name of ['policyVersion', 'askedSince'] as const) {
    const version = options[name];
    if ((name === 'policyVersion' || version !== undefined) && !(Number.isInteger(version) && version! >= 1 && version! <= LARGEST_VERSION)) throw invalidOption(name, 'must be a published policy version (a whole number from 1)');
  }
  if (options.locale !== undefined && !LOCALES.includes(options.locale)) throw invalidOption('locale', `must be one of ${LOCALES.join(', ')}`);
  if (options.source !== undefined && options.source !== 'app' && options.source !== 'api') throw invalidOption('source', 'must be app or api');
  if (options.account !== undefined) checkAccount(options.account);
  if (typeof (options.fetch ?? globalThis.fetch) !== 'function') throw invalidOption('fetch', 'there is no global fetch here: pass one');
}

class SamtykkeClient implements Samtykke {
  private stored!: StoredConsent;
  private readonly listeners = new Set<(choices: Choices | null) => void>();
  private readonly transport: TransportOptions;
  private readonly consentStore: StoredValue<StoredConsent>;
  private readonly queue: EventQueue;
  private sessionId: string;
  private lastEventAt = 0;
  private currentScreen: string | undefined;
  /** Events per request: halved when the server finds a batch too large. */
  private batchLimit = MAX_EVENTS_PER_REQUEST;

  private sending: Promise<void> | null = null;
  private sendAgain = false;
  private wakeTimer: ReturnType<typeof setTimeout> | null = null;
  /** Not before this time (the server's Retry-After, or the backoff): flush() keeps to it. */
  private notBefore = 0;
  /** The Retry-After time alone, which flush() keeps to. */
  private serverWaitUntil = 0;
  private failures = 0;
  private eventsInFlight: AbortController | null = null;
  private readonly closing = new AbortController();

  constructor(private readonly options: SamtykkeOptions) {
    const storage = options.storage ?? memoryStorage();
    this.consentStore = new StoredValue(storage, `samtykke.${options.site}.consent`);
    this.queue = new EventQueue(new StoredValue(options.queueStorage ?? storage, `samtykke.${options.site}.events`), options.maxQueuedEvents ?? 1000);
    this.transport = { endpoint: options.endpoint.replace(/\/+$/, ''), fetch: options.fetch ?? globalThis.fetch.bind(globalThis), timeoutMs: options.requestTimeoutMs ?? 15_000 };
    this.sessionId = newSessionId();
  }

  async load(): Promise<void> {
    let saved: StoredConsent | null;
    try {
      [saved] = await Promise.all([this.consentStore.read(), this.queue.load()]);
    } catch (error) {
      throw new SamtykkeError('storage', `The storage adapter could not be read: ${(error as Error).message}`, undefined, undefined, { cause: error });
    }
    if (saved && typeof saved.consentId === 'string' && Array.isArray(saved.pending)) {
      this.stored = saved;
    } else {
      const consentId = this.options.randomId?.() ?? randomHex(16);
      if (!CONSENT_ID_PATTERN.test(consentId)) throw invalidOption('randomId', 'must return 16 to 64 characters of A-Z, a-z, 0-9, _ or -');
      this.stored = { consentId, choices: null, policyVersion: null, pending: [] };
      await this.persist();
    }
    if (this.stored.pending.length || this.queue.size) void this.pump();
  }

  get consentId(): string {
    return this.stored.consentId;
  }

  choices(): Choices | null {
    const { choices, policyVersion } = this.stored;
    if (choices === null || policyVersion === null || policyVersion < (this.options.askedSince ?? 1)) return null;
    return choices;
  }

  allows(category: Category): boolean {
    return this.choices()?.[category] === true;
  }

  onChange(listener: (choices: Choices | null) => void): () => void {
    this.listeners.add(listener);
    return () => void this.listeners.delete(listener);
  }

  decide(choices: Choices, options: DecideOptions = {}): Promise<void> {
    checkChoices(choices, this.options.functionalRequired ?? false);
    const clean: Choices = { functional: choices.functional, analytics: choices.analytics, ads: choices.ads };
    const action = options.action ?? actionFor(clean, this.choices());
    checkAction(action, clean);
    if (options.screen !== undefined) checkAddress('url', options.screen, 'invalid_decision');
    const body: DecisionBody = {
      site: this.options.site,
      consentId: this.stored.consentId,
      policyVersion: this.options.policyVersion,
      choices: clean,
      action,
      source: this.options.source ?? 'app',
      locale: this.options.locale ?? 'nb',
      ...(options.screen !== undefined ? { url: options.screen } : {}),
      ...(this.options.account !== undefined ? { account: this.options.account } : {}),
    };
    this.stored = { ...this.stored, choices: clean, policyVersion: this.options.policyVersion, pending: [...this.stored.pending, body] };
    // Withdrawn analytics stop at once: nothing queued is sent, and a request under way is called off.
    const cleared = clean.analytics ? Promise.resolve(0) : this.stopEvents();
    this.notify();
    const stored = Promise.all([this.persist(), cleared]).then(() => undefined);
    void stored.then(() => this.pump(), () => this.pump());
    return stored;
  }

  async refresh(): Promise<Choices | null> {
    const latest = await readLatestConsent({ endpoint: this.transport.endpoint, site: this.options.site, consentId: this.stored.consentId, fetch: this.transport.fetch });
    // A decision still on its way from this device is newer than anything the server holds.
    if (latest === null || this.stored.pending.length > 0) return this.choices();
    // A lapsed decision (its lifetime passed, or the policy asks again) means asking the user again.
    const choices = latest.current ? latest.choices : null;
    const known = this.stored.choices;
    const same = choices === null || known === null ? choices === known : CATEGORIES.every((category) => choices[category] === known[category]);
    if (same && latest.policyVersion === this.stored.policyVersion) return this.choices();
    this.stored = { ...this.stored, choices: choices && { functional: choices.functional, analytics: choices.analytics, ads: choices.ads }, policyVersion: latest.policyVersion };
    if (!choices?.analytics) await this.stopEvents();
    this.notify();
    await this.persist();
    return this.choices();
  }

  screen(address: string, options: ScreenOptions = {}): Promise<void> {
    checkAddress('url', address, 'invalid_event');
    if (options.referrer !== undefined && options.referrer !== '') checkAddress('referrer', options.referrer, 'invalid_event');
    if (options.props !== undefined) checkProps(options.props, 'invalid_event');
    // Remembered without consent too: a track() after the user grants analytics happens on this screen.
    this.currentScreen = address;
    this.requireAnalytics();
    return this.enqueue({ type: 'pageview', url: address, ...(options.referrer ? { referrer: options.referrer } : {}), ...(options.props ? { props: options.props } : {}) });
  }

  track(name: string, options: TrackOptions = {}): Promise<void> {
    checkEventName(name);
    const screen = options.screen ?? this.currentScreen;
    if (screen === undefined) throw new SamtykkeError('invalid_event', 'url: track() needs the screen it happened on: call screen() first or pass { screen }', 'url');
    checkAddress('url', screen, 'invalid_event');
    if (options.props !== undefined) checkProps(options.props, 'invalid_event');
    this.requireAnalytics();
    return this.enqueue({ type: 'custom', name: name.trim(), url: screen, ...(options.props ? { props: options.props } : {}) });
  }

  flush(): Promise<void> {
    // The server's Retry-After holds; the client's own backoff and the batch delay do not.
    if (Date.now() < this.serverWaitUntil) return this.sending ?? Promise.resolve();
    this.clearWake();
    this.notBefore = 0;
    return this.pump();
  }

  pending(): { decisions: number; events: number } {
    return { decisions: this.stored.pending.length, events: this.queue.size };
  }

  async close(): Promise<void> {
    this.closing.abort();
    this.clearWake();
    await this.sending;
  }

  private requireAnalytics(): void {
    if (this.allows('analytics')) return;
    const why = this.choices() === null ? 'no current decision (ask the user first)' : 'the user has not granted analytics';
    throw new SamtykkeError('consent_required', `Events need analytics consent: ${why}; nothing was queued`);
  }

  private enqueue(event: Omit<QueuedEvent, 'time' | 'sessionId'>): Promise<void> {
    const now = Date.now();
    if (now - this.lastEventAt > VISIT_IDLE_MS && this.lastEventAt !== 0) this.sessionId = newSessionId();
    this.lastEventAt = now;
    const stored = this.queue.add({ ...event, time: now, sessionId: this.sessionId }).catch((error: unknown) => {
      throw new SamtykkeError('storage', `The event is queued in memory but could not be stored: ${(error as Error).message}`, undefined, undefined, { cause: error });
    });
    this.scheduleBatch();
    return stored;
  }

  /** A full batch goes at once, unless the server asked to wait; otherwise after the batch delay. */
  private scheduleBatch(): void {
    if (this.closing.signal.aborted) return;
    if (this.queue.size >= this.batchLimit && Date.now() >= this.notBefore) void this.pump();
    else if (!this.wakeTimer) this.wake(this.options.batchDelayMs ?? 2_000);
  }

  private async stopEvents(): Promise<number> {
    this.eventsInFlight?.abort();
    return this.queue.clear();
  }

  private notify(): void {
    const choices = this.choices();
    for (const listener of this.listeners) {
      try {
        listener(choices);
      } catch (error) {
        console.error('Samtykke: an onChange listener threw', error);
      }
    }
  }

  private persist(): Promise<void> {
    return this.consentStore.write(this.stored).catch((error: unknown) => {
      const failure = new SamtykkeError('storage', `The consent could not be stored on the device: ${(error as Error).message}`, undefined, undefined, { cause: error });
      this.report(failure);
      throw failure;
    });
  }

  private report(error: SamtykkeError): void {
    if (this.options.onError) this.options.onError(error);
    else console.warn(`Samtykke: ${error.message}`);
  }

  private wake(afterMs: number): void {
    this.clearWake();
    if (this.closing.signal.aborted) return;
    this.wakeTimer = setTimeout(() => {
      this.wakeTimer = null;
      void this.pump();
    }, afterMs);
  }

  private clearWake(): void {
    if (this.wakeTimer) clearTimeout(this.wakeTimer);
    this.wakeTimer = null;
  }

  /** Starts the sender, or asks the running one to look again once it is done. */
  private pump(): Promise<void> {
    if (this.closing.signal.aborted) return Promise.resolve();
    if (this.sending) {
      this.sendAgain = true;
      return this.sending;
    }
    this.sending = this.sendAll()
      .catch((error: unknown) => this.report(error instanceof SamtykkeError ? error : new SamtykkeError('storage', (error as Error).message, undefined, undefined, { cause: error })))
      .finally(() => {
        this.sending = null;
        if (this.sendAgain) {
          this.sendAgain = false;
          if (!this.wakeTimer) void this.pump();
        }
      });
    return this.sending;
  }

  private async sendAll(): Promise<void> {
    while (!this.closing.signal.aborted) {
      const waitMs = this.notBefore - Date.now();
      if (waitMs > 0) return this.wake(waitMs);
      const decision = this.stored.pending[0];
      if (decision) {
        if (!(await this.settleDecision(decision, await postJson(this.transport, '/api/consent', decision, this.closing.signal)))) return;
        continue;
      }
      if (this.queue.size === 0) return;
      if (!this.allows('analytics')) {
        await this.queue.clear();
        return;
      }
      const batch = this.queue.batch(this.batchLimit, this.options.maxBatchBytes ?? 32_768);
      const inFlight = new AbortController();
      const stop = () => inFlight.abort();
      this.closing.signal.addEventListener('abort', stop);
      this.eventsInFlight = inFlight;
      const outcome = await postJson(this.transport, '/api/events', this.eventsBody(batch), inFlight.signal);
      this.eventsInFlight = null;
      this.closing.signal.removeEventListener('abort', stop);
      if (!(await this.settleEvents(batch, outcome))) return;
    }
  }

  private eventsBody(batch: readonly QueuedEvent[]): unknown {
    return {
      site: this.options.site,
      consentId: this.stored.consentId,
      sessionId: batch[0]!.sessionId,
      // The same clock as the events' times: the server corrects both by its error.
      sentAt: Date.now(),
      events: batch.map(({ sessionId: _visit, ...event }) => event),
    };
  }

  /** Waits before the next attempt: the server's Retry-After, or the doubling backoff. False: stop sending for now. */
  private retryLater(outcome: Extract<Outcome, { kind: 'retry' }>): false {
    this.failures += 1;
    const { minMs = 1_000, maxMs = 300_000 } = this.options.retry ?? {};
    const waitMs = outcome.afterMs ?? Math.min(maxMs, minMs * 2 ** (this.failures - 1));
    this.notBefore = Date.now() + waitMs;
    this.serverWaitUntil = outcome.afterMs === null ? 0 : this.notBefore;
    this.wake(waitMs);
    this.options.onRetry?.({ afterMs: waitMs, reason: outcome.reason, serverAsked: outcome.afterMs !== null });
    return false;
  }

  private sent(): void {
    this.failures = 0;
    this.serverWaitUntil = 0;
  }

  private async settleDecision(decision: DecisionBody, outcome: Outcome): Promise<boolean> {
    if (outcome.kind === 'aborted') return false;
    if (outcome.kind === 'retry') return this.retryLater(outcome);
    if (outcome.kind === 'done') this.sent();
    else this.report(this.refusal(outcome, 'The decision was refused by the server and is not recorded', 0));
    this.stored = { ...this.stored, pending: this.stored.pending.filter((waiting) => waiting !== decision) };
    await this.persist();
    return true;
  }

  private async settleEvents(batch: QueuedEvent[], outcome: Outcome): Promise<boolean> {
    // Called off by a withdrawal (the queue is empty now) or by close(): the loop looks again, or ends.
    if (outcome.kind === 'aborted') return true;
    if (outcome.kind === 'retry') return this.retryLater(outcome);
    if (outcome.kind === 'done') {
      this.sent();
      await this.queue.remove(batch);
      return true;
    }
    if (outcome.status === 403 && (outcome.code === 'consent_required' || outcome.code === 'consent_stale')) {
      // The server holds no decision that grants analytics (expired, asked again since): ask the user again.
      const dropped = await this.queue.clear();
      this.report(this.refusal(outcome, 'The server holds no consent for these events; the queue is emptied and the user must be asked again', dropped));
      this.stored = { ...this.stored, choices: null, policyVersion: null };
      this.notify();
      await this.persist();
      return true;
    }
    const index = /^events\.(\d+)\b/.exec(outcome.field ?? '')?.[1];
    const culprit = index === undefined ? undefined : batch[Number(index)];
    if (culprit) {
      await this.queue.remove([culprit]);
      this.report(this.refusal(outcome, 'The server refused one event; the others are sent again', 1));
      return true;
    }
    if ((outcome.status === 413 || outcome.status === 400) && batch.length > 1) {
      this.batchLimit = Math.max(1, Math.floor(batch.length / 2));
      return true;
    }
    await this.queue.remove(batch);
    this.report(this.refusal(outcome, 'The server refused these events', batch.length));
    return true;
  }

  private refusal(outcome: Extract<Outcome, { kind: 'refused' }>, what: string, dropped: number): SamtykkeError {
    return new SamtykkeError('refused', `${what}: ${outcome.status} ${outcome.code ?? ''} ${outcome.message}`.replace(/\s+/g, ' '), outcome.field, { status: outcome.status, code: outcome.code, dropped });
  }
}

/** Reads what the device kept (or makes a consent ID), and starts sending what waited from the last run. */
export async function createSamtykke(options: SamtykkeOptions): Promise<Samtykke> {
  checkOptions(options);
  const client = new SamtykkeClient(options);
  await client.load();
  return client;
}
