/**
 * Benchmark processes: the servers under test and the load generator each run in their own Node process, so
 * the load never competes with a server for one event loop. Children run TypeScript through tsx; bench
 * children talk over the IPC channel, the real server is watched through its health endpoint.
 */
import { fork, type ChildProcess } from 'node:child_process';
import path from 'node:path';

export interface ChildOptions {
  readonly env?: Record<string, string>;
  /** Extra Node flags, e.g. --cpu-prof for a profile of the server. */
  readonly nodeFlags?: readonly string[];
  /** Drop the child's stdout (its stderr always shows). */
  readonly quiet?: boolean;
}

export interface Child {
  readonly name: string;
  /** Resolves with the child's next message; rejects when it sends `{error}` or exits first. */
  nextMessage<T>(): Promise<T>;
  /** Sends a message and waits for the answer. */
  request<Answer>(message: unknown): Promise<Answer>;
  /** Rejects as soon as the child exits, for racing against a wait. */
  readonly exited: Promise<never>;
  /** SIGTERM, then waits for the exit; a child that exits with an error fails loudly. */
  stop(): Promise<void>;
  /** For cleanup after a failure. */
  kill(): void;
}

export function spawnChild(entry: string, options: ChildOptions = {}): Child {
  const name = path.basename(entry);
  const child: ChildProcess = fork(entry, {
    execArgv: ['--import', 'tsx', ...(options.nodeFlags ?? [])],
    env: { ...process.env, ...options.env },
    stdio: ['ignore', options.quiet ? 'ignore' : 'inherit', 'inherit', 'ipc'],
  });
  const exit = new Promise<{ code: number | null; signal: string | null }>((resolve) =>
    child.once('exit', (code, signal) => resolve({ code, signal })),
  );
  const describe = ({ code, signal }: { code: number | null; signal: string | null }) => `${name} exited with ${signal ?? `code ${code}`}`;
  const exited = exit.then((how) => Promise.reject(new Error(`${describe(how)}; see its output above`)));
  exited.catch(() => {});

  const nextMessage = <T>() =>
    Promise.race([
      exited,
      new Promise<T>((resolve, reject) => {
        child.once('message', (message) => {
          const failure = (message as { error?: string } | null)?.error;
          failure ? reject(new Error(`${name}: ${failure}`)) : resolve(message as T);
        });
      }),
    ]);

  return {
    name,
    nextMessage,
    request: <Answer>(message: unknown) => {
      const answer = nextMessage<Answer>();
      child.send(message as object);
      return answer;
    },
    exited,
    stop: async () => {
      if (child.exitCode === null && child.signalCode === null) child.kill('SIGTERM');
      const how = await exit;
      if (how.code !== 0) throw new Error(`${describe(how)} instead of stopping cleanly; see its output above`);
    },
    kill: () => {
      child.kill('SIGKILL');
    },
  };
}

/** The child side: answers the parent's messages with `handle`, or with the error it threw. */
export function answerParent(handle: (message: unknown) => Promise<unknown>): void {
  process.on('message', (message) => {
    handle(message).then(
      (answer) => process.send!(answer as object),
      (error: unknown) => process.send!({ error: error instanceof Error ? (error.stack ?? error.message) : String(error) }),
    );
  });
}

export function tellParent(message: unknown): void {
  if (!process.send) throw new Error('This file is a benchmark child process; run it through npm run bench');
  process.send(message as object);
}

/** The child side of stop(): runs `shutdown` on SIGTERM and exits 0 only if it succeeded. */
export function onTerminate(shutdown: () => Promise<void>): void {
  process.once('SIGTERM', () => {
    shutdown().then(
      () => process.exit(0),
      (error: unknown) => {
        console.error('Shutdown failed:', error);
        process.exit(1);
      },
    );
  });
}
