/**
 * What the collector acknowledged while the database did not answer, kept on local disk until it is stored.
 *
 * Entries are lines of JSON appended to one file; an append resolves only after the file was synced, so a
 * request answered "journaled" survives `kill -9` and a power cut. Appends arriving together share one write and
 * one sync. While the journal holds entries, callers append there too (see `holding`), so stored order is
 * arrival order. A replay loop hands entries to `store`, oldest first; after each stored batch, the byte offset
 * it reached is appended to a cursor file beside the journal (synced), so a restart resumes where storing
 * stopped. Once everything is stored, both files are emptied.
 */
import { open, readFile, type FileHandle } from 'node:fs/promises';
import { mkdirSync } from 'node:fs';
import path from 'node:path';
import { tryLockFile, type DataDirLock } from '../db/data-dir-lock.ts';
import { ApiError } from '../errors.ts';

export interface JournalOptions<T> {
  readonly file: string;
  /** Bytes the journal may hold before appends are refused with 503; null for no limit. */
  readonly limitBytes: number | null;
  /** What the entries are, for log lines: "consent decisions". */
  readonly label: string;
  /** An entry as JSON and back: dates, say, as milliseconds, so an entry keeps its original times exactly. */
  readonly encode: (entry: T) => unknown;
  readonly decode: (json: unknown) => T;
  /** Stores entries in order. Throwing (the database is still down) keeps them for the next attempt. */
  readonly store: (entries: T[]) => Promise<void>;
  readonly batchSize: number;
  /** Pause between attempts to store while they fail. */
  readonly retryMs?: number;
}

interface Line<T> {
  readonly entry: T;
  /** The journal's byte offset at the end of this entry's line. */
  readonly end: number;
}

interface Waiting<T> {
  readonly entries: readonly T[];
  /** Each entry's line, newline included. */
  readonly lines: readonly Buffer[];
  readonly bytes: number;
  resolve(): void;
  reject(error: Error): void;
}

/** The entries after `from`; a last line without its newline was never synced, so never acknowledged. */
// How long a journal waits for the process holding its file before start-up fails with a message naming it.
const HOLDER_WAIT_MS = 120_000;

/**
 * A journal file is one process's at a time. A worker of an earlier start whose primary was killed goes on storing
 * what it journaled until it is done; the next start's worker for the same slot waits for it instead of appending
 * to, and emptying, a file the other still uses.
 */
async function lockJournalFile(file: string, label: string): Promise<DataDirLock> {
  const lockPath = `${file}.lock`;
  const deadline = Date.now() + HOLDER_WAIT_MS;
  let told = false;
  for (;;) {
    const taken = tryLockFile(lockPath, `A Samtykke process is using the ${label} journal ${path.basename(file)}; delete this file only when no Samtykke process runs`);
    if (!('holder' in taken)) return taken;
    const { holder } = taken;
    if (Date.now() > deadline) {
      throw new Error(`The ${label} journal ${file} is still held by ${holder.description} (pid ${holder.pid}) after ${HOLDER_WAIT_MS / 1000} s; stop that process, then start again`);
    }
    if (!told) console.error(`The ${label} journal ${file} is held by ${holder.description} (pid ${holder.pid}), which is still storing it; waiting for it to finish`);
    told = true;
    await new Promise((resolve) => setTimeout(resolve, 200));
  }
}

function parseLines<T>(text: Buffer, from: number, decode: (json: unknown) => T): Line<T>[] {
  const lines: Line<T>[] = [];
  let start = from;
  for (let end = text.indexOf(10, start); end !== -1; end = text.indexOf(10, start)) {
    lines.push({ entry: decode(JSON.parse(text.subarray(start, end).toString('utf8'))), end: end + 1 });
    start = end + 1;
  }
  return lines;
}

export class Journal<T> {
  private readonly waiting: Waiting<T>[] = [];
  private writing: Promise<void> | null = null;
  private replaying: Promise<void> | null = null;
  private timer: NodeJS.Timeout | null = null;
  private closed = false;
  /** Whether "waiting for the database" was logged since entries were last stored: once per outage, not per try. */
  private waitLogged = false;
  private readonly retryMs: number;

  private constructor(
    private readonly options: JournalOptions<T>,
    private readonly lock: DataDirLock,
    private readonly journal: FileHandle,
    private readonly cursor: FileHandle,
    /** Entries in the file not stored yet, oldest first. */
    private readonly unstored: Line<T>[],
    /** Bytes in the journal file. */
    private size: number,
    /** Offset up to which the file's entries are stored. */
    private storedThrough: number,
  ) {
    this.retryMs = options.retryMs ?? 1_000;
  }

  /** Opens the journal, picking up what an earlier process left unstored; replay starts at once. */
  static async open<T>(options: JournalOptions<T>): Promise<Journal<T>> {
    mkdirSync(path.dirname(options.file), { recursive: true });
    const lock = await lockJournalFile(options.file, options.label);
    const cursorFile = `${options.file}.stored`;
    const text = await readFile(options.file).catch(missingAsEmpty);
    const offsets = (await readFile(cursorFile).catch(missingAsEmpty)).toString('utf8').split('\n').filter((line) => /^\d+$/.test(line));
    const storedThrough = Math.min(Number(offsets.at(-1) ?? 0), text.length);
    const lines = parseLines(text, storedThrough, options.decode);
    // A torn last line (the process died inside a write) is cut off, so the next append starts a line of its own.
    const size = lines.at(-1)?.end ?? storedThrough;
    const journal = await open(options.file, 'a+');
    if (size < text.length) await journal.truncate(size);
    const cursor = await open(cursorFile, 'a');
    const opened = new Journal(options, lock, journal, cursor, lines, size, storedThrough);
    if (lines.length > 0) {
      console.error(`The ${options.label} journal ${options.file} holds ${lines.length} not stored yet; storing them now`);
      opened.replaySoon(0);
    }
    return opened;
  }

  /** Entries wait here to be stored: new ones must come here too, behind them, to keep their order. */
  get holding(): boolean {
    return this.unstored.length > 0 || this.waiting.length > 0 || this.writing !== null;
  }

  /** Bytes of entries not stored yet. */
  get pendingBytes(): number {
    return this.size - this.storedThrough;
  }

  get pendingEntries(): number {
    return this.unstored.length;
  }

  /** Resolves true once everything appended so far is stored, or false when `timeoutMs` passed first. */
  async untilStored(timeoutMs: number): Promise<boolean> {
    const deadline = Date.now() + timeoutMs;
    while (this.holding) {
      if (Date.now() > deadline) return false;
      await new Promise((resolve) => setTimeout(resolve, 100));
    }
    return true;
  }

  /** Resolves once the entries are synced to disk; refuses with 503 past the size limit or after close. */
  append(entries: readonly T[]): Promise<void> {
    if (this.closed) return Promise.reject(new ApiError(503, 'overloaded', 'The collector is shutting down; try again shortly', undefined, 5));
    const lines = entries.map((entry) => Buffer.from(JSON.stringify(this.options.encode(entry)) + '\n', 'utf8'));
    const bytes = lines.reduce((sum, line) => sum + line.length, 0);
    const queuedBytes = this.waiting.reduce((sum, waiting) => sum + waiting.bytes, 0);
    const limit = this.options.limitBytes;
    if (limit !== null && this.pendingBytes + queuedBytes + bytes > limit) {
      return Promise.reject(
        new ApiError(503, 'database_unavailable', `The database does not answer and the ${this.options.label} journal is full; send again later`, undefined, 30),
      );
    }
    return new Promise<void>((resolve, reject) => {
      this.waiting.push({ entries, lines, bytes, resolve, reject });
      this.startWriting();
    });
  }

  /** Writes and the emptying of the files run one at a time: a truncation racing a write would lose the write. */
  private startWriting(): void {
    if (this.writing || this.waiting.length === 0) return;
    this.writing = this.writeWaiting().finally(() => {
      this.writing = null;
      this.startWriting();
    });
  }

  /** One write and one sync for everything that arrived meanwhile. */
  private async writeWaiting(): Promise<void> {
    while (this.waiting.length > 0) {
      const group = this.waiting.splice(0);
      const bytes = Buffer.concat(group.flatMap((waiting) => waiting.lines));
      try {
        await this.journal.write(bytes, 0, bytes.length, null);
        await this.journal.datasync();
      } catch (error) {
        // Nothing of the group is acknowledged; a partly written tail is cut off at the next open.
        console.error(`Writing ${group.length} requests to the ${this.options.label} journal failed: ${(error as Error).message}`);
        const refusal = new ApiError(503, 'database_unavailable', 'The database does not answer and the journal cannot be written; nothing was recorded, try again', undefined, 10);
        for (const waiting of group) waiting.reject(refusal);
        continue;
      }
      let offset = this.size;
      for (const waiting of group) {
        waiting.entries.forEach((entry, index) => {
          offset += waiting.lines[index]!.length;
          this.unstored.push({ entry, end: offset });
        });
      }
      this.size += bytes.length;
      for (const waiting of group) waiting.resolve();
      this.replaySoon(0);
    }
  }

  private replaySoon(delayMs: number): void {
    if (this.replaying || this.timer || this.closed) return;
    this.timer = setTimeout(() => {
      this.timer = null;
      this.replaying ??= this.replay()
        .catch((error: Error) => {
          // The cursor could not be written: what was stored may be stored again (decisions are skipped then).
          console.error(`The ${this.options.label} journal could not note what it stored: ${error.message}`);
          setImmediate(() => this.replaySoon(this.retryMs));
        })
        .finally(() => (this.replaying = null));
    }, delayMs);
    this.timer.unref();
  }

  /** Stores batch after batch until the journal is empty or storing fails, which tries again after a pause. */
  private async replay(): Promise<void> {
    while (this.unstored.length > 0 && !this.closed) {
      const batch = this.unstored.slice(0, this.options.batchSize);
      try {
        await this.options.store(batch.map((line) => line.entry));
      } catch (error) {
        if (!this.waitLogged) console.error(`${this.unstored.length} journaled ${this.options.label} wait for the database: ${(error as Error).message}`);
        this.waitLogged = true;
        // Once this replay has ended and cleared `replaying`, which keeps a second replay from starting meanwhile.
        setImmediate(() => this.replaySoon(this.retryMs));
        return;
      }
      this.storedThrough = batch.at(-1)!.end;
      await this.cursor.write(`${this.storedThrough}\n`);
      await this.cursor.datasync();
      this.unstored.splice(0, batch.length);
      this.waitLogged = false;
    }
    if (this.unstored.length === 0 && !this.holding) await this.empty();
  }

  /** Everything is stored: both files start again from nothing, unless an append came in meanwhile. */
  private async empty(): Promise<void> {
    if (this.size === 0 || this.writing || this.waiting.length > 0) return;
    this.writing = (async () => {
      await this.journal.truncate(0);
      await this.cursor.truncate(0);
      this.size = 0;
      this.storedThrough = 0;
    })().finally(() => {
      this.writing = null;
      this.startWriting();
    });
    await this.writing;
    console.error(`The ${this.options.label} journal is stored; it is empty again`);
  }

  /** Stops replaying (what is unstored stays in the file for the next start) and closes the files. */
  async close(): Promise<void> {
    this.closed = true;
    if (this.timer) clearTimeout(this.timer);
    this.timer = null;
    await this.writing;
    await this.replaying;
    await this.journal.close();
    await this.cursor.close();
    this.lock.release();
  }
}

function missingAsEmpty(error: NodeJS.ErrnoException): Buffer {
  if (error.code === 'ENOENT') return Buffer.alloc(0);
  throw error;
}
