/**
 * A PostgreSQL cluster of the test's own, made with initdb and run with pg_ctl as user postgres, on its own port
 * and in its own folder, so a test can stop and start it: never the shared server on 5432.
 */
import { execFile, execFileSync } from 'node:child_process';
import { chownSync, existsSync, mkdtempSync, readdirSync, rmSync } from 'node:fs';
import { createServer } from 'node:net';
import os from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';

const run = promisify(execFile);

export interface PrivatePostgres {
  readonly url: string;
  start(): Promise<void>;
  stop(): Promise<void>;
  destroy(): Promise<void>;
}

const ROOT = '/usr/lib/postgresql';

/** The newest installed server's binaries (Debian keeps them per version under /usr/lib/postgresql), or null. */
function findBinaries(): string | null {
  const versions = existsSync(ROOT) ? readdirSync(ROOT).filter((name) => existsSync(path.join(ROOT, name, 'bin', 'initdb'))) : [];
  return versions.length ? path.join(ROOT, versions.sort((a, b) => Number(b) - Number(a))[0]!, 'bin') : null;
}

/** Like the browser: without the server binaries these tests are skipped outside CI, and fail inside it. */
export const privatePostgresAvailable = findBinaries() !== null || Boolean(process.env.CI);

function binaries(): string {
  const bin = findBinaries();
  if (!bin) throw new Error(`No PostgreSQL server binaries under ${ROOT}: apt-get install postgresql`);
  return bin;
}

async function freePort(): Promise<number> {
  const server = createServer();
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  const { port } = server.address() as { port: number };
  await new Promise<void>((resolve) => server.close(() => resolve()));
  return port;
}

export async function startPrivatePostgres(): Promise<PrivatePostgres> {
  const bin = binaries();
  const folder = mkdtempSync(path.join(os.tmpdir(), 'samtykke-private-pg-'));
  // PostgreSQL will not run as root: as root, the cluster belongs to and runs as postgres.
  const asRoot = process.getuid?.() === 0;
  if (asRoot) {
    const uid = Number(execFileSync('id', ['-u', 'postgres'], { encoding: 'utf8' }));
    const gid = Number(execFileSync('id', ['-g', 'postgres'], { encoding: 'utf8' }));
    chownSync(folder, uid, gid);
  }
  const pg = (program: string, args: string[]) => (asRoot ? run('runuser', ['-u', 'postgres', '--', path.join(bin, program), ...args]) : run(path.join(bin, program), args));
  const data = path.join(folder, 'data');
  await pg('initdb', ['-D', data, '-A', 'trust', '-U', 'postgres', '--no-sync']);
  const port = await freePort();
  const options = `-p ${port} -k ${folder} -c listen_addresses=127.0.0.1 -c fsync=off`;
  const postgres: PrivatePostgres = {
    url: `postgres://postgres@127.0.0.1:${port}/postgres`,
    start: async () => void (await pg('pg_ctl', ['-D', data, '-l', path.join(folder, 'server.log'), '-o', options, '-w', 'start'])),
    stop: async () => void (await pg('pg_ctl', ['-D', data, '-m', 'fast', '-w', 'stop'])),
    destroy: async () => {
      await postgres.stop().catch(() => undefined);
      rmSync(folder, { recursive: true, force: true });
    },
  };
  await postgres.start();
  return postgres;
}
