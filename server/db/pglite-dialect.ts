/** A Kysely dialect over embedded PGlite: one in-process connection, handed out one holder at a time. */
import type { PGlite } from '@electric-sql/pglite';
import {
  CompiledQuery,
  PostgresAdapter,
  PostgresIntrospector,
  PostgresQueryCompiler,
  type DatabaseConnection,
  type Dialect,
  type Driver,
  type Kysely,
  type QueryResult,
  type TransactionSettings,
} from 'kysely';

class PgliteConnection implements DatabaseConnection {
  constructor(private readonly pglite: PGlite) {}

  async executeQuery<R>(compiled: CompiledQuery): Promise<QueryResult<R>> {
    const result = await this.pglite.query<R>(compiled.sql, [...compiled.parameters]);
    return {
      rows: result.rows,
      ...(result.affectedRows !== undefined && /^\s*(insert|update|delete|merge)/i.test(compiled.sql)
        ? { numAffectedRows: BigInt(result.affectedRows) }
        : {}),
    };
  }

  // PGlite has no server-side cursor; callers page with keyset queries instead, which work on both engines.
  // eslint-disable-next-line require-yield
  async *streamQuery<R>(): AsyncIterableIterator<QueryResult<R>> {
    throw new Error('Streaming queries are not supported on PGlite: page through results with a keyset query');
  }
}

/** Hands the single connection to one caller at a time, so a transaction never interleaves with another query. */
class ConnectionLock {
  private tail: Promise<void> = Promise.resolve();
  private releaseCurrent: (() => void) | null = null;

  async acquire(): Promise<void> {
    const previous = this.tail;
    let release!: () => void;
    this.tail = new Promise<void>((resolve) => (release = resolve));
    await previous;
    this.releaseCurrent = release;
  }

  release(): void {
    const release = this.releaseCurrent;
    this.releaseCurrent = null;
    release?.();
  }
}

class PgliteDriver implements Driver {
  private readonly lock = new ConnectionLock();
  private readonly connection: PgliteConnection;

  constructor(
    private readonly pglite: PGlite,
    private readonly afterClose: () => void,
  ) {
    this.connection = new PgliteConnection(pglite);
  }

  async init(): Promise<void> {
    await this.pglite.waitReady;
  }

  async acquireConnection(): Promise<DatabaseConnection> {
    await this.lock.acquire();
    return this.connection;
  }

  async beginTransaction(connection: DatabaseConnection, settings: TransactionSettings): Promise<void> {
    const isolation = settings.isolationLevel ? ` isolation level ${settings.isolationLevel}` : '';
    await connection.executeQuery(CompiledQuery.raw(`begin${isolation}`));
  }

  async commitTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('commit'));
  }

  async rollbackTransaction(connection: DatabaseConnection): Promise<void> {
    await connection.executeQuery(CompiledQuery.raw('rollback'));
  }

  async releaseConnection(): Promise<void> {
    this.lock.release();
  }

  async destroy(): Promise<void> {
    await this.lock.acquire();
    if (!this.pglite.closed) await this.pglite.close();
    this.afterClose();
  }
}

export class PgliteDialect implements Dialect {
  /** `afterClose` runs once PGlite has closed its files on destroy(): where the data folder's lock is released. */
  constructor(
    private readonly pglite: PGlite,
    private readonly afterClose: () => void = () => {},
  ) {}
  createAdapter() {
    return new PostgresAdapter();
  }
  createDriver(): Driver {
    return new PgliteDriver(this.pglite, this.afterClose);
  }
  createQueryCompiler() {
    return new PostgresQueryCompiler();
  }
  createIntrospector(db: Kysely<unknown>) {
    return new PostgresIntrospector(db);
  }
}
