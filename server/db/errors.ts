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
