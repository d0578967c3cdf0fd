/** Server-made secrets, created on first use and kept in the database so restarts and replicas share them. */
import { randomBytes } from 'node:crypto';
import type { Db } from '../db/create.ts';

export async function serverSecret(db: Db, name: string): Promise<string> {
  await db
    .insertInto('server_secrets')
    .values({ name, value: randomBytes(32).toString('base64url') })
    .onConflict((oc) => oc.column('name').doNothing())
    .execute();
  const row = await db.selectFrom('server_secrets').select('value').where('name', '=', name).executeTakeFirstOrThrow();
  return row.value;
}
