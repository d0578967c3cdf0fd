/**
 * Reads the server's own /metrics (Prometheus text; it answers on loopback) for what only the server knows: how
 * many batches each writer committed, how many rows they held and how long storing them took, and the event queue.
 * With several worker processes each answers with its own counts: the scrape opens a new connection each time (the
 * cluster hands each connection to one worker) until it has heard every worker, named by X-Samtykke-Worker, and adds
 * their samples up.
 */
import http from 'node:http';

export type Writer = 'events' | 'consent';

/** Every sample by its series, e.g. `samtykke_commit_seconds_sum{writer="consent"}`. */
export type MetricSamples = ReadonlyMap<string, number>;

export interface Commits {
  readonly commits: number;
  readonly rows: number;
  readonly seconds: number;
  /** Cumulative commit counts by histogram bucket bound, in seconds. */
  readonly buckets: ReadonlyMap<number, number>;
}

export function parseMetrics(text: string): MetricSamples {
  const samples = new Map<string, number>();
  for (const line of text.split('\n')) {
    if (line === '' || line.startsWith('#')) continue;
    const space = line.lastIndexOf(' ');
    samples.set(line.slice(0, space), Number(line.slice(space + 1)));
  }
  return samples;
}

const WORKER_HEADER = 'x-samtykke-worker';
// The cluster does not hand connections out strictly in turn: a scrape tries this many connections to hear every worker.
const MAX_SCRAPES = 48;

function scrapeOnce(serverUrl: string): Promise<{ worker: string | null; text: string }> {
  return new Promise((resolve, reject) => {
    // agent: false is a new connection per scrape, so the cluster may hand it to another worker.
    const request = http.get(`${serverUrl}/metrics`, { agent: false }, (response) => {
      let text = '';
      response.setEncoding('utf8');
      response.on('data', (chunk: string) => (text += chunk));
      response.on('end', () => {
        if (response.statusCode !== 200) reject(new Error(`GET /metrics answered ${response.statusCode}: ${text}`));
        else resolve({ worker: (response.headers[WORKER_HEADER] as string | undefined) ?? null, text });
      });
    });
    request.on('error', reject);
  });
}

export interface ScrapedMetrics {
  readonly samples: MetricSamples;
  /** Worker processes heard; 1 when the server runs in one process. */
  readonly workers: number;
}

/**
 * Every worker's samples, added up, trying new connections until `expected` workers answered (or MAX_SCRAPES
 * connections were tried: then `workers` says how many were heard).
 */
export async function scrapeAllWorkers(serverUrl: string, expected = 1): Promise<ScrapedMetrics> {
  const byWorker = new Map<string, MetricSamples>();
  for (let scrape = 0; scrape < MAX_SCRAPES && byWorker.size < expected; scrape++) {
    const { worker, text } = await scrapeOnce(serverUrl);
    if (worker === null) return { samples: parseMetrics(text), workers: 1 };
    byWorker.set(worker, parseMetrics(text));
  }
  const sums = new Map<string, number>();
  for (const samples of byWorker.values()) for (const [series, value] of samples) sums.set(series, (sums.get(series) ?? 0) + value);
  return { samples: sums, workers: byWorker.size };
}

export async function scrapeMetrics(serverUrl: string, expectedWorkers = 1): Promise<MetricSamples> {
  return (await scrapeAllWorkers(serverUrl, expectedWorkers)).samples;
}

export function commitsOf(samples: MetricSamples, writer: Writer): Commits {
  const buckets = new Map<number, number>();
  const prefix = 'samtykke_commit_seconds_bucket{';
  for (const [series, value] of samples) {
    if (!series.startsWith(prefix) || !series.includes(`writer="${writer}"`)) continue;
    const bound = /le="([^"]+)"/.exec(series)?.[1];
    if (bound !== undefined) buckets.set(bound === '+Inf' ? Infinity : Number(bound), value);
  }
  return {
    commits: samples.get(`samtykke_commit_seconds_count{writer="${writer}"}`) ?? 0,
    rows: samples.get(`samtykke_batch_size_sum{writer="${writer}"}`) ?? 0,
    seconds: samples.get(`samtykke_commit_seconds_sum{writer="${writer}"}`) ?? 0,
    buckets,
  };
}

export function commitsBetween(before: Commits, after: Commits): Commits {
  const buckets = new Map<number, number>();
  for (const [bound, count] of after.buckets) buckets.set(bound, count - (before.buckets.get(bound) ?? 0));
  return { commits: after.commits - before.commits, rows: after.rows - before.rows, seconds: after.seconds - before.seconds, buckets };
}

/** The bucket bound that 99% of the commits stayed under, in ms: as coarse as the server's buckets. */
export function commitP99BoundMs(commits: Commits): number {
  const wanted = commits.commits * 0.99;
  const bounds = [...commits.buckets.keys()].sort((a, b) => a - b);
  const bound = bounds.find((candidate) => (commits.buckets.get(candidate) ?? 0) >= wanted);
  return bound === undefined ? NaN : bound * 1000;
}

export function eventQueueDepth(samples: MetricSamples): number {
  return samples.get('samtykke_event_queue_depth') ?? 0;
}
