/**
 * Journals of worker slots a start does not run: SAMTYKKE_WORKERS was lowered after an outage, or the server moved
 * to one process. The primary stores what they hold before any worker serves, so nothing they acknowledged waits
 * for a start with more workers, and it is chained before anything newer.
 */
import { readdirSync, statSync } from 'node:fs';
import path from 'node:path';
import { journalFile, type JournalConfig } from '../config.ts';
import { ConsentWriter } from '../collector/consent-writer.ts';
import { openConsentJournal } from '../collector/consent-recorder.ts';
import { openEventJournal } from '../collector/event-writer.ts';
import type { Db } from '../db/create.ts';

// The database answered the migrations a moment ago; a journal that still cannot be stored after this is left for
// the next start, with a line that says so, rather than keep the server from serving.
const STORE_LIMIT_MS = 120_000;

/** Slots at or past `workers` whose journals hold entries. */
export function strandedSlots(journal: JournalConfig, workers: number): number[] {
  let names: string[];
  try {
    names = readdirSync(journal.folder);
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') return [];
    throw error;
  }
  const slots = new Set<number>();
  for (const name of names) {
    const slot = Number(name.match(/^(?:consent|events)-(\d+)\.ndjson$/)?.[1] ?? -1);
    if (slot >= workers && statSync(path.join(journal.folder, name)).size > 0) slots.add(slot);
  }
  return [...slots].sort((a, b) => a - b);
}

/** Stores every stranded slot's decisions (chained in the order they were journaled) and events. */
export async function storeStrandedJournals(journal: JournalConfig, workers: number, db: Db): Promise<void> {
  for (const slot of strandedSlots(journal, workers)) {
    const writer = new ConsentWriter(db);
    let refused = 0;
    const consent = await openConsentJournal(journalFile(journal, 'consent', slot), db, writer);
    const events = await openEventJournal(journalFile(journal, 'events', slot), db, journal.eventLimitBytes, () => (refused += 1));
    const stored = (await consent.untilStored(STORE_LIMIT_MS)) && (await events.untilStored(STORE_LIMIT_MS));
    await Promise.all([consent.close(), events.close()]);
    await writer.close();
    if (stored) {
      console.log(`Stored the outage journals of worker slot ${slot}, which this start does not run${refused > 0 ? ` (${refused} events refused by the database, dropped)` : ''}`);
    } else {
      console.error(`The outage journals of worker slot ${slot} in ${journal.folder} could not all be stored yet; the next start tries again`);
    }
  }
}
