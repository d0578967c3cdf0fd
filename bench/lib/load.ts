/**
 * Load generation from a second process: autocannon runs in bench/lib/load-worker.ts and reports back which
 * requests were answered 2xx, by number, so a scenario can check each acknowledged request against storage.
 */
import { fileURLToPath } from 'node:url';
import { spawnChild } from './child.ts';
import { RequestSet } from './request-set.ts';

/** Marks where a request body carries its own number. */
export const REQUEST_NUMBER = '{{n}}';

export interface LoadPlan {
  /** The server's origin, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  readonly method: 'GET' | 'POST';
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Request n sends bodies[n % length] with every REQUEST_NUMBER replaced by n. */
  readonly bodies: readonly string[];
  readonly connections: number;
  readonly durationSeconds: number;
}

export interface StatusCounts {
  readonly success: number;
  readonly tooManyRequests: number;
  readonly unavailable: number;
  readonly other: number;
}

export interface LoadResult {
  readonly durationSeconds: number;
  /** Answers of any status per second. */
  readonly answeredPerSecond: number;
  readonly latencyMs: { readonly p50: number; readonly p99: number };
  readonly status: StatusCounts;
  /** Connection errors and timeouts: requests that got no answer at all. */
  readonly errors: number;
  /** Numbers of the requests answered 2xx. */
  readonly acknowledged: RequestSet;
  /** The first answer that was not 2xx, so a refusal names its reason. */
  readonly firstRefusal: { readonly status: number; readonly body: string } | null;
}

/** What crosses the IPC channel: the acknowledged set travels as base64. */
export type WireLoadResult = Omit<LoadResult, 'acknowledged'> & { readonly acknowledged: string };

const workerEntry = fileURLToPath(new URL('./load-worker.ts', import.meta.url));

export async function runLoad(plan: LoadPlan): Promise<LoadResult> {
  if (plan.bodies.length === 0 && plan.method === 'POST') throw new Error('A POST load plan needs at least one body');
  const worker = spawnChild(workerEntry);
  let result: WireLoadResult;
  try {
    await worker.nextMessage<{ ready: true }>();
    result = await worker.request<WireLoadResult>(plan);
  } catch (error) {
    worker.kill();
    throw error;
  }
  await worker.stop();
  return { ...result, acknowledged: RequestSet.fromBase64(result.acknowledged) };
}
