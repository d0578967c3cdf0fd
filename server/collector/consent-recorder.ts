/**
 * Where a decision goes: chained and stored at once by the consent writer, or, while the database does not answer,
 * appended to the consent journal (server/journal) and chained when it answers again, in the order the decisions
 * arrived and each with its original time. Once the journal holds decisions, new ones queue behind them there.
 */
import type { Db } from '../db/create.ts';
import { databaseUnreachable } from '../db/errors.ts';
import type { DatabaseOutage } from '../db/outage.ts';
import { ApiError } from '../errors.ts';
import { Journal } from '../journal/journal.ts';
import { storedDecisionKeys, type StoredLink, type UnchainedRecord } from '../queries/consent-records.ts';
import { forgetClosedConsentDays } from '../queries/consent-stats.ts';
import type { ConsentWriter } from './consent-writer.ts';

export interface JournaledDecision {
  readonly siteId: number;
  readonly record: UnchainedRecord;
}

export type Recorded = { readonly stored: StoredLink } | { readonly journaled: true };

/** Decisions per replayed batch: the writer's largest batch. */
const REPLAY_BATCH = 1_000;

export class ConsentRecorder {
  constructor(
    private readonly writer: ConsentWriter,
    private readonly outage: DatabaseOutage,
    /** Null where there is no folder to keep one in: decisions are then refused with 503 during an outage. */
    private readonly journal: Journal<JournaledDecision> | null,
  ) {}

  async record(siteId: number, record: UnchainedRecord): Promise<Recorded> {
    if (this.journal?.holding) return this.toJournal(this.journal, { siteId, record });
    try {
      return { stored: await this.writer.append(siteId, record) };
    } catch (error) {
      if (!(error instanceof ApiError && error.code === 'database_unavailable')) throw error;
      if (databaseUnreachable(error.cause)) this.outage.noticed(error.cause as Error);
      if (!this.journal) throw error;
      return this.toJournal(this.journal, { siteId, record });
    }
  }

  private async toJournal(journal: Journal<JournaledDecision>, decision: JournaledDecision): Promise<Recorded> {
    await journal.append([decision]);
    return { journaled: true };
  }
}

const decisionKey = (siteId: number, consentId: string, recordedAt: Date) => `${siteId}|${consentId}|${recordedAt.getTime()}`;

/**
 * The consent journal: replayed through the writer, so replayed decisions are chained like any other. Decisions
 * an interrupted replay stored already are skipped, so each is stored once.
 */
export function openConsentJournal(file: string, db: Db, writer: ConsentWriter): Promise<Journal<JournaledDecision>> {
  return Journal.open<JournaledDecision>({
    file,
    limitBytes: null,
    label: 'consent decisions',
    batchSize: REPLAY_BATCH,
    encode: ({ siteId, record }) => ({ siteId, record: { ...record, recordedAt: record.recordedAt.getTime() } }),
    decode: (json) => {
      const { siteId, record } = json as { siteId: number; record: UnchainedRecord & { recordedAt: number } };
      return { siteId, record: { ...record, recordedAt: new Date(record.recordedAt) } };
    },
    async store(decisions) {
      const stored = await storedDecisionKeys(
        db,
        decisions.map(({ siteId, record }) => ({ siteId, consentId: record.consentId, recordedAt: record.recordedAt })),
      );
      const fresh = decisions.filter(({ siteId, record }) => !stored.has(decisionKey(siteId, record.consentId, record.recordedAt)));
      // In order: the writer chains each site's decisions in the order they are handed to it.
      const outcomes = await Promise.allSettled(fresh.map(({ siteId, record }) => writer.append(siteId, record)));
      const failed = outcomes.find((outcome): outcome is PromiseRejectedResult => outcome.status === 'rejected' && !(outcome.reason instanceof ApiError && outcome.reason.status === 400));
      if (failed) throw failed.reason;
      outcomes.forEach((outcome, index) => {
        // Refused for what it holds: no retry can store it. The edge checks make this all but impossible.
        if (outcome.status === 'rejected') console.error(`A journaled decision of site ${fresh[index]!.siteId} was refused by the database: ${(outcome.reason as Error).message}`);
      });
      // Replayed decisions carry their original times: days the overview counted already count again.
      for (const { siteId, record } of fresh) forgetClosedConsentDays(db, siteId, record.recordedAt);
    },
  });
}
