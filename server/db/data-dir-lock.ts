/**
 * One process at a time in a PGlite data folder. PGlite has no lock of its own: a second process that opens the
 * folder works on its own copy of the files (what it writes never reaches the first, and it reads stale data) and
 * the two may corrupt the folder. A lock file, created atomically, names its holder so a refusal can say whom to stop.
 */
import { closeSync, openSync, readFileSync, statSync, unlinkSync, writeSync } from 'node:fs';
import { hostname } from 'node:os';
import path from 'node:path';

export const LOCK_FILE_NAME = 'samtykke.lock';

/** What the lock file holds (JSON): enough to find the holder and judge whether it still runs. */
export interface LockHolder {
  readonly pid: number;
  readonly hostname: string;
  /** ISO 8601. */
  readonly startedAt: string;
  /** Who holds it, as a person recognises it: "server listening on http://localhost:8080", "samtykke user add". */
  readonly description: string;
}

export interface DataDirLock {
  readonly lockPath: string;
  /** Removes the lock file if it is still ours; safe to call more than once. */
  release(): void;
}

/** The folder is open in another process (or already in this one); the message says what to do. */
export class DataDirInUseError extends Error {
  constructor(
    readonly dataDir: string,
    readonly lockPath: string,
    readonly holder: LockHolder,
  ) {
    super(inUseMessage(dataDir, lockPath, holder));
    this.name = 'DataDirInUseError';
  }
}

// The locks this process (this JavaScript thread) holds, by path, with the content it wrote: a lock file naming our
// own pid is ours only if listed here.
const heldHere = new Map<string, { readonly content: string }>();
let releasingOnExit = false;

// A holder writes the file in the same synchronous step that creates it, so an unreadable file is either being
// written this very moment or was left by a crash between the two; a short wait tells them apart.
const UNREADABLE_RETRIES = 5;
const UNREADABLE_WAIT_MS = 20;
// Each round either takes the lock, refuses, or clears a stale file; more rounds mean others keep racing for it.
const MAX_ROUNDS = 20;

/** A short form of how this process was started: "server/main.ts", "node_modules/vitest/…/forks.js". */
export function describeThisProcess(): string {
  const script = process.argv[1] ? path.relative(process.cwd(), process.argv[1]) || process.argv[1] : process.argv0;
  const words = process.argv.slice(2);
  const firstOption = words.findIndex((word) => word.startsWith('-'));
  return [script, ...(firstOption < 0 ? words : words.slice(0, firstOption))].join(' ');
}

/**
 * Takes `<dataDir>/samtykke.lock`, or throws DataDirInUseError while a live process holds it. A lock left by a
 * process that no longer runs is taken over. The lock is released by `release()` and, failing that, when this
 * process exits (not on SIGKILL or a crash of the machine: the next opener then finds a dead pid and takes over).
 */
export function lockDataDir(dataDir: string, description: string = describeThisProcess()): DataDirLock {
  // Resolved, so two spellings of one folder are one lock in this process too.
  const lockPath = path.resolve(dataDir, LOCK_FILE_NAME);
  const taken = tryLockFile(lockPath, 'Samtykke holds this PGlite data folder; delete this file only when no Samtykke process runs', description);
  if ('holder' in taken) throw new DataDirInUseError(dataDir, lockPath, taken.holder);
  return taken;
}

/**
 * Takes the lock file at `lockPath` (any file one process at a time may use), or answers with the live process that
 * holds it. `about` is written into the file for whoever finds it. Released like lockDataDir's.
 */
export function tryLockFile(lockPath: string, about: string, description: string = describeThisProcess()): DataDirLock | { readonly holder: LockHolder } {
  const ours: LockHolder = { pid: process.pid, hostname: hostname(), startedAt: new Date().toISOString(), description };
  const content = `${JSON.stringify({ ...ours, about }, null, 2)}\n`;
  let unreadableSeen = 0;
  for (let round = 0; round < MAX_ROUNDS; round++) {
    if (createExclusive(lockPath, content)) return holdLock(lockPath, content);
    const found = readLockFile(lockPath);
    if (found === null) continue; // Released between our attempt and the read: try again.
    const holder = parseHolder(found);
    if (holder === null && unreadableSeen++ < UNREADABLE_RETRIES && recentlyWritten(lockPath)) {
      sleepSync(UNREADABLE_WAIT_MS);
      continue;
    }
    if (holder !== null && isHeld(lockPath, holder)) return { holder };
    // Stale: remove it only if it is still the file we judged, so a lock another process just took survives.
    // Two processes taking over one stale lock in the same instant could still both pass; an accepted edge.
    if (readLockFile(lockPath) === found) removeFile(lockPath);
  }
  throw new Error(`Could not take the lock ${lockPath}: other processes keep creating and removing it. Start one Samtykke process at a time on its folder.`);
}

function isHeld(lockPath: string, holder: LockHolder): boolean {
  // Another machine (a shared folder, another container) cannot be asked whether its process runs: assume it does.
  if (holder.hostname !== hostname()) return true;
  // Our own pid in a file we did not write is a previous process that had the same pid (containers restart with the
  // same pids), so it is stale; in a file we did write, the folder is already open in this process.
  if (holder.pid === process.pid) return heldHere.has(lockPath);
  return isAlive(holder.pid);
}

/** Whether a process of this machine runs (one of another user's counts as running). */
export function isAlive(pid: number): boolean {
  try {
    process.kill(pid, 0);
    return true;
  } catch (error) {
    // EPERM: the process exists but belongs to another user. Only "no such process" means it is gone.
    return (error as NodeJS.ErrnoException).code !== 'ESRCH';
  }
}

function holdLock(lockPath: string, content: string): DataDirLock {
  const held = { content };
  heldHere.set(lockPath, held);
  if (!releasingOnExit) {
    // 'exit' handlers must be synchronous, which is why this whole module uses synchronous file calls.
    process.on('exit', () => heldHere.forEach((held, heldPath) => releaseLock(heldPath, held)));
    releasingOnExit = true;
  }
  return { lockPath, release: () => releaseLock(lockPath, held) };
}

/** Only the holding it was taken as: a second release() after the folder was locked again leaves the new lock be. */
function releaseLock(lockPath: string, held: { readonly content: string }): void {
  if (heldHere.get(lockPath) !== held) return;
  heldHere.delete(lockPath);
  // Someone may have deleted our file by hand and started another holder since: leave theirs alone.
  if (readLockFile(lockPath) === held.content) removeFile(lockPath);
}

/** Creates the file only if it does not exist ('wx' is O_CREAT | O_EXCL: atomic, one winner), with its content. */
function createExclusive(lockPath: string, content: string): boolean {
  let descriptor: number;
  try {
    descriptor = openSync(lockPath, 'wx');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new Error(`Cannot create the lock file ${lockPath}: ${(error as Error).message}. Check that this user may write to ${path.dirname(lockPath)}.`);
  }
  try {
    writeSync(descriptor, content);
  } finally {
    closeSync(descriptor);
  }
  return true;
}

function readLockFile(lockPath: string): string | null {
  try {
    return readFileSync(lockPath, 'utf8');
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return null;
    throw error;
  }
}

function removeFile(lockPath: string): void {
  try {
    unlinkSync(lockPath);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code !== 'ENOENT') throw error;
  }
}

function parseHolder(text: string): LockHolder | null {
  let value: Partial<Record<keyof LockHolder, unknown>>;
  try {
    value = JSON.parse(text) as typeof value;
  } catch {
    return null;
  }
  const { pid, hostname: host, startedAt, description } = value ?? {};
  // A pid of 0 or below would make process.kill signal a whole process group and always answer "alive".
  if (!Number.isInteger(pid) || (pid as number) <= 0 || typeof host !== 'string') return null;
  return {
    pid: pid as number,
    hostname: host,
    startedAt: typeof startedAt === 'string' ? startedAt : 'an unknown time',
    description: typeof description === 'string' ? description : 'an unnamed process',
  };
}

function recentlyWritten(lockPath: string): boolean {
  try {
    return Date.now() - statSync(lockPath).mtimeMs < 1_000;
  } catch {
    return false;
  }
}

function sleepSync(ms: number): void {
  Atomics.wait(new Int32Array(new SharedArrayBuffer(4)), 0, 0, ms);
}

function inUseMessage(dataDir: string, lockPath: string, holder: LockHolder): string {
  if (holder.pid === process.pid && holder.hostname === hostname()) {
    return `The data folder ${dataDir} is already open in this process (${holder.description}, since ${holder.startedAt}). Destroy that database (db.destroy()) before opening the folder again.`;
  }
  const onThisHost = holder.hostname === hostname();
  const where = onThisHost ? 'on this machine' : `on the machine or container "${holder.hostname}", which cannot be checked from here`;
  const stop = onThisHost ? `Ctrl-C in its terminal, or kill ${holder.pid}` : `on ${holder.hostname}`;
  return [
    `The data folder ${dataDir} is in use by ${holder.description} (pid ${holder.pid} ${where}, since ${holder.startedAt}).`,
    'Embedded PGlite lets only one process open a data folder at a time.',
    `Stop it first (${stop}), then run this again; or run Samtykke on PostgreSQL (DATABASE_URL) so the command line can work beside a running server.`,
    `If no Samtykke process is running, delete ${lockPath}.`,
  ].join('\n');
}
