/**
 * What PostgreSQL says about itself during a load, for finding what makes latency climb: the chain-head row's
 * updates and dead tuples (one row updated at every commit), vacuums of it, checkpoints, WAL written, and what the
 * database's busy backends wait for. Checkpoints and WAL are counted for the whole server, other databases included.
 */
import pg from 'pg';

export interface PostgresCounters {
  readonly headsUpdates: number;
  /** Updates that stayed on the row's page without a new index entry (heap-only tuples). */
  readonly headsHotUpdates: number;
  readonly headsDeadTuples: number;
  readonly headsVacuums: number;
  readonly headsBytes: number;
  readonly checkpoints: number;
  readonly walBytes: number;
}

/** Busy backends of the benchmark database by what they wait for (`CPU` when nothing). */
export type WaitCounts = Readonly<Record<string, number>>;

const COUNTERS = `
  select coalesce(t.n_tup_upd, 0) as heads_updates, coalesce(t.n_tup_hot_upd, 0) as heads_hot_updates,
    coalesce(t.n_dead_tup, 0) as heads_dead_tuples, coalesce(t.autovacuum_count + t.vacuum_count, 0) as heads_vacuums,
    pg_relation_size('consent_chain_heads') as heads_bytes,
    (select checkpoints_timed + checkpoints_req from pg_stat_bgwriter) as checkpoints,
    pg_wal_lsn_diff(pg_current_wal_lsn(), '0/0') as wal_bytes
  from (select 1) as one left join pg_stat_user_tables t on t.relname = 'consent_chain_heads'`;

const WAITS = `
  select coalesce(wait_event_type || ':' || wait_event, 'CPU') as wait, count(*)::int as count
  from pg_stat_activity
  where datname = current_database() and state = 'active' and pid <> pg_backend_pid() and backend_type = 'client backend'
  group by 1`;

export class PostgresStats {
  private constructor(private readonly client: pg.Client) {}

  static async open(url: string): Promise<PostgresStats> {
    const client = new pg.Client({ connectionString: url });
    await client.connect();
    return new PostgresStats(client);
  }

  async counters(): Promise<PostgresCounters> {
    const { rows } = await this.client.query(COUNTERS);
    const row = rows[0] as Record<string, string | number>;
    const number = (name: string) => Number(row[name]);
    return {
      headsUpdates: number('heads_updates'),
      headsHotUpdates: number('heads_hot_updates'),
      headsDeadTuples: number('heads_dead_tuples'),
      headsVacuums: number('heads_vacuums'),
      headsBytes: number('heads_bytes'),
      checkpoints: number('checkpoints'),
      walBytes: number('wal_bytes'),
    };
  }

  async waits(): Promise<WaitCounts> {
    const { rows } = await this.client.query<{ wait: string; count: number }>(WAITS);
    return Object.fromEntries(rows.map((row) => [row.wait, row.count]));
  }

  close(): Promise<void> {
    return this.client.end();
  }
}
