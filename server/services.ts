/** What the HTTP layer depends on, built once per process (and once per test) from config and database. */
import type { Config } from './config.ts';
import type { Db } from './db/create.ts';
import { ConsentWriter } from './collector/consent-writer.ts';
import { DecisionCache } from './collector/decision-cache.ts';
import { EventWriter } from './collector/event-writer.ts';
import { RateLimiter } from './collector/rate-limiter.ts';
import { SiteActivity } from './collector/site-activity.ts';
import { startChangeFeed, type ChangeFeed } from './db/change-feed.ts';
import { DatabaseOutage } from './db/outage.ts';
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
  readonly eventWriter: EventWriter;
  /** Per client: its address and consent ID. */
  readonly rateLimiter: RateLimiter;
  /** Per network and site, a higher ceiling: many clients behind one address share it. */
  readonly networkRateLimiter: RateLimiter;
  /** Which origins sent and were refused, for the installation check. */
  readonly activity: SiteActivity;
  /** Key for pseudonymising client addresses; made once and kept in the database. */
  readonly clientKey: string;
  /** Signs the chain heads outside the database; null when checkpoints have nowhere to go (see config). */
  readonly checkpointer: Checkpointer | null;
  readonly metrics: Metrics;
  /** Whether the database answers: logged once per outage, and 503s meanwhile. */
  readonly outage: DatabaseOutage;
  /** What this process and the others on its PostgreSQL changed, so every cache follows within a second. */
  readonly changes: ChangeFeed;
}

export async function createDeps(config: Config, db: Db): Promise<AppDeps> {
  const checkpointer = config.checkpoints ? await startCheckpointer(config.checkpoints) : null;
  // The writers report to the metrics, and the metrics read the writers: the metrics come first, reading them late.
  let eventWriter: EventWriter | undefined;
  const metrics = new Metrics({
    eventQueueDepth: () => eventWriter?.pending ?? 0,
    eventsRefused: () => eventWriter?.refusedCount ?? 0,
    checkpointAges: () => checkpointer?.unsignedAges() ?? new Map(),
    checkpointsUnlogged: () => checkpointer?.unloggedCount ?? 0,
  });
  eventWriter = new EventWriter(db, {
    queueLimit: config.eventQueueLimit,
    lingerMs: config.eventFlushMs,
    onCommitted: (rows, seconds) => metrics.committed('events', rows, seconds),
  });
  const changes = await startChangeFeed(config.database);
  return {
    config,
    db,
    sites: new SiteDirectory(db, changes),
    decisions: new DecisionCache(db, changes),
    consentWriter: new ConsentWriter(db, ({ siteId, head, count, seconds }) => {
      metrics.committed('consent', count, seconds);
      checkpointer?.noteHead(siteId, head, count);
    }),
    eventWriter,
    rateLimiter: new RateLimiter(config.rateLimitPerMinute),
    networkRateLimiter: new RateLimiter(config.networkRateLimitPerMinute, { en: 'this network', nb: 'dette nettverket' }),
    activity: new SiteActivity(db),
    clientKey: await serverSecret(db, 'client_key'),
    checkpointer,
    metrics,
    outage: new DatabaseOutage(db),
    changes,
  };
}

/** Stops taking work and stores everything already accepted; the caller closes the database afterwards. */
export async function drainDeps(deps: AppDeps): Promise<void> {
  await Promise.all([deps.eventWriter.close(), deps.consentWriter.close()]);
  // After the consent writer: the last heads it stored are signed too.
  await deps.checkpointer?.close();
  // After the writers: the decisions they stored last are told to the other processes.
  await deps.changes.close();
  deps.outage.stop();
  await deps.activity.close();
}
