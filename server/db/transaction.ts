/** Runs `work` in a transaction: the caller's own when it is already in one (a migration), a new one otherwise. */
import type { Db } from './create.ts';

export async function inTransaction<T>(db: Db, work: (trx: Db) => Promise<T>): Promise<T> {
  return db.isTransaction ? work(db) : db.transaction().execute(work);
}
