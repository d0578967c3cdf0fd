/** What the HTTP layer depends on, built once per process (and once per test) from config and database. */
import { ApiKeyUse } from './api/key-use.ts';
import { journalFile, type Config } from './config.ts';
import type { Db } from './db/create.ts';
import { ConsentWriter } from './collector/consent-writer.ts';
import { DecisionCache } from './collector/decision-cache.ts';
import { ConsentRecorder, openConsentJournal, type JournaledDecision } from './collector/consent-recorder.ts';
import { CountryDatabase } from './collector/countries.ts';
import { EventWriter, openEventJournal } from './collector/event-writer.ts';
import { RateLimiter } from './collector/rate-limiter.ts';
import { SiteActivity } from './collector/site-activity.ts';
import { startChangeFeed, type ChangeFeed } from './db/change-feed.ts';
import { DatabaseOutage } from './db/outage.ts';
import type { NewEvent } from './db/schema.ts';
import type { Journal } from './journal/journal.ts';
import { startCheckpointer, type Checkpointer } from './evidence/checkpointer.ts';
import { Metrics } from './metrics/metrics.ts';
import { serverSecret } from './queries/secrets.ts';
import { SiteDirectory } from './sites/directory.ts';

export interface AppDeps {
  readonly config: Config;
  readonly db: Db;
  readonly sites: SiteDirectory;
  readonly decisions: DecisionCache;
  readonly consentWriter: ConsentWriter;
  /** Decisions go through here: to the writer, or to the journal while the database does not answer. */
  readonly consentRecorder: ConsentRecorder;
  readonly eventWriter: EventWriter;
  /** Per client: its address and consent ID. */
  readonly rateLimiter: RateLimiter;
  /** Per network and site, a higher ceiling: many clients behind one address share it. */
  readonly networkRateLimiter: RateLimiter;
  /** Which origins sent and were refused, for the installation check. */
  readonly activity: SiteActivity;
  /** Key for pseudonymising client addresses; made once and kept in the database. */
  readonly clientKey: string;
  /** Places a client address in its country at ingest, so the address itself need not be kept. */
  readonly countries: CountryDatabase;
  /** Signs the chain heads outside the database; null when checkpoints have nowhere to go (see config). */
  readonly checkpointer: Checkpointer | null;
  readonly metrics: Metrics;
  /** What was acknowledged while the database did not answer, on local disk; null without a folder for them. */
  readonly journals: { readonly consent: Journal<JournaledDecision> | null; readonly events: Journal<NewEvent> | null };
  /** Whether the database answers: logged once per outage, and 503s meanwhile. */
  readonly outage: DatabaseOutage;
  /** What this process and the others on its PostgreSQL changed, so every cache follows within a second. */
  readonly changes: ChangeFeed;
  /** A collecting API key's requests, counted per minute before they reach the audit log. */
  readonly apiKeyUse: ApiKeyUse;
}

export async function createDeps(config: Config, db: Db): Promise<AppDeps> {
  const checkpointer = config.checkpoints ? await startCheckpointer(config.checkpoints) : null;
  // The writers report to the metrics, and the metrics read the writers: the metrics come first, reading them late.
  let eventWriter: EventWriter | undefined;
  let refusedFromJournal = 0;
  const journals: { consent: Journal<JournaledDecision> | null; events: Journal<NewEvent> | null } = { consent: null, events: null };
  const metrics = new Metrics({
    eventQueueDepth: () => eventWriter?.pending ?? 0,
    eventsRefused: () => (eventWriter?.refusedCount ?? 0) + refusedFromJournal,
    journalBytes: () => ({ consent: journals.consent?.pendingBytes ?? 0, events: journals.events?.pendingBytes ?? 0 }),
    checkpointAges: () => checkpointer?.unsignedAges() ?? new Map(),
    checkpointsUnlogged: () => checkpointer?.unloggedCount ?? 0,
  });
  if (config.journal) journals.events = await openEventJournal(journalFile(config.journal, 'events'), db, config.journal.eventLimitBytes, () => (refusedFromJournal += 1));
  eventWriter = new EventWriter(db, {
    queueLimit: config.eventQueueLimit,
    lingerMs: config.eventFlushMs,
    onCommitted: (rows, seconds) => metrics.committed('events', rows, seconds),
    journal: journals.events,
  });
  const consentWriter = new ConsentWriter(db, ({ siteId, head, count, seconds }) => {
    metrics.committed('consent', count, seconds);
    checkpointer?.noteHead(siteId, head, count);
  });
  if (config.journal) journals.consent = await openConsentJournal(journalFile(config.journal, 'consent'), db, consentWriter);
  const outage = new DatabaseOutage(db);
  const changes = await startChangeFeed(config.database);
  return {
    config,
    db,
    sites: new SiteDirectory(db, changes),
    decisions: new DecisionCache(db, changes),
    consentWriter,
    consentRecorder: new ConsentRecorder(consentWriter, outage, journals.consent),
    journals,
    eventWriter,
    rateLimiter: new RateLimiter(config.rateLimitPerMinute),
    networkRateLimiter: new RateLimiter(config.networkRateLimitPerMinute, { en: 'this network', nb: 'dette nettverket' }),
    activity: new SiteActivity(db),
    clientKey: await serverSecret(db, 'client_key'),
    countries: CountryDatabase.open(config.countryDatabase),
    checkpointer,
    metrics,
    outage,
    changes,
    apiKeyUse: new ApiKeyUse(db),
  };
}

/** Stops taking work and stores everything already accepted; the caller closes the database afterwards. */
export async function drainDeps(deps: AppDeps): Promise<void> {
  await Promise.all([deps.eventWriter.close(), deps.consentWriter.close()]);
  // What they still hold stays in their files, for the next start to store.
  await Promise.all([deps.journals.consent?.close(), deps.journals.events?.close()]);
  // After the consent writer: the last heads it stored are signed too.
  await deps.checkpointer?.close();
  // After the writers: the decisions they stored last are told to the other processes.
  await deps.changes.close();
  deps.outage.stop();
  await deps.activity.close();
  await deps.apiKeyUse.close();
}
