/**
 * The real server in a child process on a free port, for tests of what start-up prints and holds: compiled, as
 * `npm start` runs it (test/global-setup.ts builds it once for the run).
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { createServer } from 'node:net';
import { SERVER_ENTRY } from '../../server/build.ts';

export interface ServerProcess {
  readonly url: string;
  readonly port: number;
  readonly pid: number;
  /** Everything the server printed so far (stdout and stderr). */
  output(): string;
  /** Waits until the output matches, and returns the match. */
  waitForOutput(pattern: RegExp, timeoutMs?: number): Promise<RegExpMatchArray>;
  /** SIGTERM, then waits for the exit code. */
  stop(): Promise<number | null>;
}

/** A port no one listens on right now (the OS picks it), for a server that takes its port from PORT. */
export async function freePort(): Promise<number> {
  const probe = createServer();
  await new Promise<void>((resolve) => probe.listen(0, '127.0.0.1', resolve));
  const { port } = probe.address() as { port: number };
  await new Promise<void>((resolve) => probe.close(() => resolve()));
  return port;
}

/**
 * Starts the server with `env` on top of this process's environment (DATABASE_URL cleared unless given, so the
 * default is PGlite in the SAMTYKKE_DATA_DIR the caller passes; without one, nothing is kept on disk) and waits
 * until it listens. The demo comes without its made-up traffic unless asked: the tests count what they send.
 */
export async function startServerProcess(env: Record<string, string>, options: { readonly port?: number } = {}): Promise<ServerProcess> {
  // A given port: a server started again where its clients expect it (test/sdk's offline queue).
  const port = options.port ?? (await freePort());
  const url = `http://127.0.0.1:${port}`;
  const child: ChildProcess = spawn(process.execPath, ['--enable-source-maps', SERVER_ENTRY], {
    env: { ...process.env, DATABASE_URL: '', SAMTYKKE_DATA_DIR: ':memory:', SAMTYKKE_PUBLIC_URL: url, SAMTYKKE_DEMO_TRAFFIC: 'false', ...env, PORT: String(port), HOST: '127.0.0.1' },
    stdio: ['ignore', 'pipe', 'pipe'],
  });
  let printed = '';
  const listeners = new Set<() => void>();
  const collect = (chunk: Buffer) => {
    printed += chunk.toString('utf8');
    for (const listener of listeners) listener();
  };
  child.stdout!.on('data', collect);
  child.stderr!.on('data', collect);
  const exit = new Promise<number | null>((resolve) => child.once('exit', (code) => resolve(code)));

  function waitForOutput(pattern: RegExp, timeoutMs = 30_000): Promise<RegExpMatchArray> {
    return new Promise((resolve, reject) => {
      const check = () => {
        const match = printed.match(pattern);
        if (!match) return;
        done();
        resolve(match);
      };
      const timer = setTimeout(() => {
        done();
        reject(new Error(`The server did not print ${pattern} within ${timeoutMs} ms; it printed:\n${printed}`));
      }, timeoutMs);
      const exited = () => {
        done();
        reject(new Error(`The server exited before printing ${pattern}; it printed:\n${printed}`));
      };
      const done = () => {
        clearTimeout(timer);
        listeners.delete(check);
        child.off('exit', exited);
      };
      listeners.add(check);
      child.once('exit', exited);
      check();
    });
  }

  await waitForOutput(/Samtykke is listening/);
  return {
    url,
    port,
    pid: child.pid!,
    output: () => printed,
    waitForOutput,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      return exit;
    },
  };
}
