/**
 * Loaded into the server under test with `--import` (never by the server itself): once a second it appends one
 * JSON line to BENCH_PROBE_LOG with that second's garbage-collection pauses and event-loop delay, so a latency
 * climb can be told apart from the database's. The timer is unref'd, so it never keeps the server alive.
 */
import { appendFileSync } from 'node:fs';
import { monitorEventLoopDelay, PerformanceObserver, type NodeGCPerformanceDetail } from 'node:perf_hooks';

export interface ProbeSecond {
  /** Date.now() at the end of the second. */
  readonly t: number;
  readonly pid: number;
  readonly gcCount: number;
  /** Pause time of all collections in the second, and of the major (mark-sweep-compact) ones. */
  readonly gcMs: number;
  readonly gcMajorMs: number;
  readonly gcMaxMs: number;
  readonly loopDelayP99Ms: number;
  readonly loopDelayMaxMs: number;
  readonly heapUsedMiB: number;
}

// perf_hooks.constants.NODE_PERFORMANCE_GC_MAJOR
const GC_MAJOR = 4;
// The histogram holds the time between its timer's turns, resolution included: reported as the excess over it.
const RESOLUTION_MS = 2;

const logPath = process.env.BENCH_PROBE_LOG;
if (logPath) {
  let gcCount = 0;
  let gcMs = 0;
  let gcMajorMs = 0;
  let gcMaxMs = 0;
  new PerformanceObserver((list) => {
    for (const entry of list.getEntries()) {
      gcCount += 1;
      gcMs += entry.duration;
      gcMaxMs = Math.max(gcMaxMs, entry.duration);
      if (((entry as PerformanceEntry & { detail?: NodeGCPerformanceDetail }).detail)?.kind === GC_MAJOR) gcMajorMs += entry.duration;
    }
  }).observe({ entryTypes: ['gc'] });
  const delay = monitorEventLoopDelay({ resolution: RESOLUTION_MS });
  delay.enable();
  setInterval(() => {
    const second: ProbeSecond = {
      t: Date.now(),
      pid: process.pid,
      gcCount,
      gcMs,
      gcMajorMs,
      gcMaxMs,
      loopDelayP99Ms: Math.max(0, delay.percentile(99) / 1e6 - RESOLUTION_MS),
      loopDelayMaxMs: Math.max(0, delay.max / 1e6 - RESOLUTION_MS),
      heapUsedMiB: process.memoryUsage().heapUsed / 2 ** 20,
    };
    appendFileSync(logPath, `${JSON.stringify(second)}\n`);
    gcCount = gcMs = gcMajorMs = gcMaxMs = 0;
    delay.reset();
  }, 1000).unref();
}
