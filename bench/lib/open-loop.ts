/**
 * Open-loop load: requests leave on a fixed schedule whatever the server answers, from a second process
 * (bench/lib/open-loop-worker.ts). A closed loop (autocannon) waits for each answer before the next request, so a
 * slow server is sent less and its stall never shows in the latency ("coordinated omission"); here each latency is
 * measured from the time the request was due, so a stall counts against every request scheduled during it.
 */
import { fileURLToPath } from 'node:url';
import { spawnChild } from './child.ts';
import type { StatusCounts } from './load.ts';
import { RequestSet } from './request-set.ts';

export interface OpenLoopPlan {
  /** The server's origin, e.g. http://127.0.0.1:8080. */
  readonly url: string;
  readonly path: string;
  readonly headers: Readonly<Record<string, string>>;
  /** Request n POSTs bodies[n % length] with every REQUEST_NUMBER replaced by n. */
  readonly bodies: readonly string[];
  readonly ratePerSecond: number;
  readonly durationSeconds: number;
  /** Latency is also reported per window of this many seconds, so a climb over the hold shows. */
  readonly windowSeconds: number;
  /** Requests due while every socket is busy wait for one, their wait counted in their latency. */
  readonly maxSockets: number;
  /** How long to wait for the last answers after the last request went out; the rest count as no answer. */
  readonly drainSeconds: number;
}

export interface LatencySummary {
  readonly p50: number;
  readonly p99: number;
  readonly max: number;
}

export interface OpenLoopWindow {
  /** Seconds from the start of the schedule to the start of this window. */
  readonly startSeconds: number;
  /** Requests due in this window, and the latency of those answered. */
  readonly due: number;
  readonly latencyMs: LatencySummary;
}

export interface OpenLoopResult {
  /** When the schedule started (Date.now()), to line windows up with what was sampled meanwhile. */
  readonly startedAtEpochMs: number;
  readonly durationSeconds: number;
  readonly ratePerSecond: number;
  readonly sent: number;
  /** 2xx answers per second, over the schedule or until the last answer when that came later. */
  readonly achievedPerSecond: number;
  /** From the time each request was due to the end of its answer. */
  readonly latencyMs: LatencySummary;
  /** From the time each request was due to the time it was written: the generator's own lateness, part of the latency. */
  readonly sendLagMs: LatencySummary;
  readonly windows: readonly OpenLoopWindow[];
  readonly status: StatusCounts;
  /** Requests that got no answer: connection errors, and answers still missing when the drain time ran out. */
  readonly errors: number;
  readonly socketsOpened: number;
  readonly acknowledged: RequestSet;
  readonly firstRefusal: { readonly status: number; readonly body: string } | null;
}

export type WireOpenLoopResult = Omit<OpenLoopResult, 'acknowledged'> & { readonly acknowledged: string };

const workerEntry = fileURLToPath(new URL('./open-loop-worker.ts', import.meta.url));

export async function runOpenLoop(plan: OpenLoopPlan): Promise<OpenLoopResult> {
  if (plan.bodies.length === 0) throw new Error('An open-loop plan needs at least one body');
  const worker = spawnChild(workerEntry);
  let result: WireOpenLoopResult;
  try {
    await worker.nextMessage<{ ready: true }>();
    result = await worker.request<WireOpenLoopResult>(plan);
  } catch (error) {
    worker.kill();
    throw error;
  }
  await worker.stop();
  return { ...result, acknowledged: RequestSet.fromBase64(result.acknowledged) };
}

/** Nearest-rank percentiles of an unsorted list (sorted in place). */
export function summarise(values: Float64Array | number[]): LatencySummary {
  if (values.length === 0) return { p50: 0, p99: 0, max: 0 };
  const sorted = values instanceof Float64Array ? values.sort() : Float64Array.from(values).sort();
  const at = (p: number) => sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(p * sorted.length) - 1))]!;
  return { p50: at(0.5), p99: at(0.99), max: sorted[sorted.length - 1]! };
}
