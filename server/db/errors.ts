/** What a database error says about retrying: PostgreSQL's SQLSTATE codes, the same from pg and from PGlite. */

function sqlState(error: unknown): string | undefined {
  const code = (error as { code?: unknown } | null)?.code;
  return typeof code === 'string' && /^[0-9A-Z]{5}$/.test(code) ? code : undefined;
}

/**
 * The database refused what a row holds (class 22, data exception: a NUL, invalid JSON, a number out of range):
 * the same row fails however often it is sent, so retrying it only blocks what comes after.
 */
export function refusedForItsData(error: unknown): boolean {
  return sqlState(error)?.startsWith('22') ?? false;
}

/** Node's codes for a database that cannot be reached, beside PostgreSQL's for a connection it ended or refused. */
const UNREACHABLE = new Set(['ECONNREFUSED', 'ECONNRESET', 'ETIMEDOUT', 'EPIPE', 'EHOSTUNREACH', 'ENOTFOUND', 'EAI_AGAIN']);

/**
 * The database did not answer (down, restarting, unreachable), as opposed to refusing what was sent: class 08
 * (connection exception), 57P01–57P03 (shut down, crashed, starting up), or a socket that failed.
 */
export function databaseUnreachable(error: unknown): boolean {
  const code = (error as { code?: unknown } | null)?.code;
  if (typeof code === 'string' && (UNREACHABLE.has(code) || code.startsWith('08') || /^57P0[123]$/.test(code))) return true;
  // pg says so only in words when a connection ends under a query.
  return error instanceof Error && /Connection terminated|connection timeout/i.test(error.message);
}

/**
 * Stores rows, halving a batch the database refuses for what a row holds until that row stands alone; it is then
 * handed to `refuse` and everything beside it is stored. Any other failure is thrown.
 */
export async function storeRefusingBadRows<T>(rows: readonly T[], store: (rows: readonly T[]) => Promise<void>, refuse: (row: T, error: Error) => void): Promise<void> {
  try {
    await store(rows);
  } catch (error) {
    if (!refusedForItsData(error)) throw error;
    if (rows.length === 1) return refuse(rows[0]!, error as Error);
    const half = Math.ceil(rows.length / 2);
    await storeRefusingBadRows(rows.slice(0, half), store, refuse);
    await storeRefusingBadRows(rows.slice(half), store, refuse);
  }
}
