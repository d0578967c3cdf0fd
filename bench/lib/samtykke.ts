/** The real Samtykke server (server/main.ts) in a child process, started on a benchmark database and stopped with SIGTERM. */
import { createServer } from 'node:net';
import os from 'node:os';
import { fileURLToPath } from 'node:url';
import { spawnChild } from './child.ts';
import type { BenchDatabase } from './databases.ts';

export interface SamtykkeProcess {
  /** Where it listens. */
  readonly url: string;
  /** Where it says it lives: the origin the demo sites allow, the same on every start on one database. */
  readonly publicUrl: string;
  /** Worker processes it should run: SAMTYKKE_WORKERS, by default the core count on PostgreSQL and 1 on PGlite. */
  readonly workers: number;
  /** SIGTERM: the server stops accepting, stores everything it accepted, and must exit 0. */
  stop(): Promise<void>;
}

export interface SamtykkeOptions {
  /** Writes a V8 CPU profile of the server into this folder when it exits. */
  readonly profileDir?: string;
  /** Loads bench/lib/server-probe.ts into the server, which appends its GC pauses and event-loop delay here each second. */
  readonly probeLog?: string;
  /** SAMTYKKE_WORKERS; unset leaves the server's default (the core count on PostgreSQL). */
  readonly workers?: number;
}

const mainEntry = fileURLToPath(new URL('../../server/main.ts', import.meta.url));
const probeEntry = fileURLToPath(new URL('./server-probe.ts', import.meta.url));
const STARTUP_LIMIT_MS = 60_000;

/**
 * The demo seeds the public URL into the sites' allowed origins on the first start; a fixed one keeps them
 * valid when the server starts again on another port, as it would behind a proxy.
 */
export const BENCH_PUBLIC_URL = 'http://samtykke.bench.test';

function freePort(): Promise<number> {
  return new Promise((resolve, reject) => {
    const probe = createServer();
    probe.once('error', reject);
    probe.listen(0, '127.0.0.1', () => {
      const address = probe.address();
      probe.close(() => (typeof address === 'object' && address ? resolve(address.port) : reject(new Error('No free port'))));
    });
  });
}

async function waitUntilHealthy(url: string, exited: Promise<never>): Promise<void> {
  const deadline = Date.now() + STARTUP_LIMIT_MS;
  while (Date.now() < deadline) {
    const healthy = await Promise.race([
      exited,
      fetch(`${url}/healthz`).then(
        (response) => response.ok,
        () => false,
      ),
    ]);
    if (healthy) return;
    await new Promise((resolve) => setTimeout(resolve, 100));
  }
  throw new Error(`The Samtykke server at ${url} did not answer /healthz within ${STARTUP_LIMIT_MS / 1000} s`);
}

export async function startSamtykke(database: BenchDatabase, options: SamtykkeOptions = {}): Promise<SamtykkeProcess> {
  const port = await freePort();
  const url = `http://127.0.0.1:${port}`;
  const child = spawnChild(mainEntry, {
    quiet: true,
    nodeFlags: [
      ...(options.profileDir ? ['--cpu-prof', `--cpu-prof-dir=${options.profileDir}`] : []),
      ...(options.probeLog ? ['--import', probeEntry] : []),
    ],
    env: {
      ...database.env,
      ...(options.probeLog ? { BENCH_PROBE_LOG: options.probeLog } : {}),
      ...(options.workers ? { SAMTYKKE_WORKERS: String(options.workers) } : {}),
      PORT: String(port),
      HOST: '127.0.0.1',
      SAMTYKKE_PUBLIC_URL: BENCH_PUBLIC_URL,
      // All load comes from one address; the per-client limit would measure the limiter, not the collector.
      SAMTYKKE_RATE_LIMIT: '0',
      SAMTYKKE_DEMO: 'true',
    },
  });
  try {
    await waitUntilHealthy(url, child.exited);
  } catch (error) {
    child.kill();
    throw error;
  }
  const workers = database.engine === 'postgres' ? (options.workers ?? os.availableParallelism()) : 1;
  return { url, publicUrl: BENCH_PUBLIC_URL, workers, stop: () => child.stop() };
}
