/** Analytics events: the batched insert the collector's writer uses. */
import type { Db } from '../db/create.ts';
import type { NewEvent } from '../db/schema.ts';

// 19 columns × 1,000 rows stays well under PostgreSQL's 65,535 bind parameters per statement.
export const EVENT_INSERT_CHUNK = 1_000;

export async function insertEvents(db: Db, rows: readonly NewEvent[]): Promise<void> {
  if (rows.length === 0) return;
  await db.transaction().execute(async (trx) => {
    for (let start = 0; start < rows.length; start += EVENT_INSERT_CHUNK) {
      await trx.insertInto('events').values(rows.slice(start, start + EVENT_INSERT_CHUNK)).execute();
    }
  });
}
