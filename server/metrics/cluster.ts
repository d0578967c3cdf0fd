/**
 * /metrics over several worker processes: whichever worker a scrape reaches asks the primary, which gathers every
 * worker's registry (prom-client's AggregatorRegistry, over the cluster's IPC channel) and answers with their sum.
 * Without this a scrape saw the one worker that happened to answer it.
 */
import cluster from 'node:cluster';
import { randomUUID } from 'node:crypto';
import { AggregatorRegistry, type Registry } from 'prom-client';

const ASK = 'samtykke:metrics';
const ANSWER = 'samtykke:metrics-answer';
const ANSWER_TIMEOUT_MS = 5_000;

interface Answer {
  readonly type: typeof ANSWER;
  readonly id: string;
  readonly text?: string;
  readonly error?: string;
}

/** In the primary: answers workers that ask for the whole cluster's metrics. */
export function gatherWorkerMetrics(): void {
  const aggregator = new AggregatorRegistry();
  cluster.on('message', (worker, message: { type?: string; id?: string }) => {
    if (message?.type !== ASK || typeof message.id !== 'string') return;
    const id = message.id;
    aggregator.clusterMetrics().then(
      (text) => worker.send({ type: ANSWER, id, text } satisfies Answer),
      (error: Error) => worker.send({ type: ANSWER, id, error: error.message } satisfies Answer),
    );
  });
}

/** In a worker: offers its registry to the primary's gathering. */
export function offerWorkerMetrics(registry: Registry): void {
  // Constructing one is what makes prom-client answer the primary's requests in this process.
  new AggregatorRegistry();
  AggregatorRegistry.setRegistries([registry]);
}

/** In a worker: every worker's metrics, added up by the primary. */
export function clusterMetrics(): Promise<string> {
  const id = randomUUID();
  return new Promise((resolve, reject) => {
    const timer = setTimeout(() => {
      process.off('message', listen);
      reject(new Error(`the primary did not gather the workers' metrics within ${ANSWER_TIMEOUT_MS / 1000} s`));
    }, ANSWER_TIMEOUT_MS);
    function listen(message: Answer): void {
      if (message?.type !== ANSWER || message.id !== id) return;
      clearTimeout(timer);
      process.off('message', listen);
      if (message.error !== undefined) reject(new Error(`gathering the workers' metrics failed: ${message.error}`));
      else resolve(message.text!);
    }
    process.on('message', listen);
    process.send!({ type: ASK, id });
  });
}
