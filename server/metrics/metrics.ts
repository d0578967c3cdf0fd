/**
 * What the server counts for its operators, served at /metrics in Prometheus's text format (prom-client: the
 * format, label escaping and histogram buckets, maintained by the Prometheus community). One registry per process,
 * so tests and several servers in one process never add to each other's counts.
 */
import { Counter, Gauge, Histogram, Registry } from 'prom-client';

/** What the metrics read from the running parts when they are scraped, rather than being told at every change. */
export interface MetricSources {
  readonly eventQueueDepth: () => number;
  readonly eventsRefused: () => number;
  /** Bytes the outage journals hold that are not stored yet. */
  readonly journalBytes: () => { readonly consent: number; readonly events: number };
  /** Seconds since each site's newest unsigned record was stored, for sites with records not yet checkpointed. */
  readonly checkpointAges: () => ReadonlyMap<number, number>;
  readonly checkpointsUnlogged: () => number;
}

export class Metrics {
  readonly registry = new Registry();
  /**
   * Requests answered so far, by "method status route": counted in a map on the request path and handed to the
   * counter when it is scraped, since prom-client hashes a series' labels on every increment.
   */
  private readonly requestCounts = new Map<string, { readonly method: string; readonly route: string; readonly status: string; count: number }>();
  private readonly drops = new Counter({ name: 'samtykke_collector_drops_total', help: 'Collector requests that stored nothing, by reason', labelNames: ['reason'] as const, registers: [this.registry] });
  private readonly batchSizes = new Histogram({
    name: 'samtykke_batch_size',
    help: 'Rows per committed batch, by writer',
    labelNames: ['writer'] as const,
    buckets: [1, 10, 50, 100, 500, 1_000, 2_000],
    registers: [this.registry],
  });
  private readonly commitSeconds = new Histogram({
    name: 'samtykke_commit_seconds',
    help: 'Time to store and commit one batch, by writer',
    labelNames: ['writer'] as const,
    buckets: [0.001, 0.0025, 0.005, 0.01, 0.025, 0.05, 0.1, 0.25, 1],
    registers: [this.registry],
  });

  constructor(sources: MetricSources) {
    const requestCounts = this.requestCounts;
    new Counter({
      name: 'samtykke_http_requests_total',
      help: 'Requests answered, by route and status',
      labelNames: ['method', 'route', 'status'] as const,
      registers: [this.registry],
      collect() {
        this.reset();
        for (const { method, route, status, count } of requestCounts.values()) this.inc({ method, route, status }, count);
      },
    });
    new Gauge({ name: 'samtykke_event_queue_depth', help: 'Accepted events waiting to be stored', registers: [this.registry], collect() { this.set(sources.eventQueueDepth()); } });
    new Gauge({ name: 'samtykke_events_refused_total', help: 'Accepted events the database refused for what they held, dropped', registers: [this.registry], collect() { this.set(sources.eventsRefused()); } });
    new Gauge({
      name: 'samtykke_journal_bytes',
      help: 'Bytes of acknowledged decisions and events in the outage journal, waiting for the database',
      labelNames: ['kind'],
      registers: [this.registry],
      collect() {
        const held = sources.journalBytes();
        this.set({ kind: 'consent' }, held.consent);
        this.set({ kind: 'events' }, held.events);
      },
    });
    new Gauge({ name: 'samtykke_checkpoints_unlogged', help: 'Signed checkpoints the checkpoint log has not taken yet', registers: [this.registry], collect() { this.set(sources.checkpointsUnlogged()); } });
    new Gauge({
      name: 'samtykke_checkpoint_age_seconds',
      help: "Seconds since a site's oldest record not yet covered by a signed checkpoint was stored",
      labelNames: ['site_id'] as const,
      // Over several workers, the oldest wait is the one to alert on; the others' counts add up.
      aggregator: 'max',
      registers: [this.registry],
      collect() {
        this.reset();
        for (const [siteId, age] of sources.checkpointAges()) this.set({ site_id: String(siteId) }, age);
      },
    });
  }

  request(method: string, route: string, status: number): void {
    const series = `${method} ${status} ${route}`;
    const counted = this.requestCounts.get(series);
    if (counted) counted.count += 1;
    else this.requestCounts.set(series, { method, route, status: String(status), count: 1 });
  }

  drop(reason: string): void {
    this.drops.inc({ reason });
  }

  committed(writer: 'events' | 'consent', rows: number, seconds: number): void {
    this.batchSizes.observe({ writer }, rows);
    this.commitSeconds.observe({ writer }, seconds);
  }
}
