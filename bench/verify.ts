/**
 * The verify benchmark (issue 10): a site with a million real chained consent records on PostgreSQL (chained by
 * the server's own code, in batches as the collector's group commit stores them), then `verify`'s walk over them:
 * records per second, against reading the same records without checking them, measured in the same run.
 */
import { sql } from 'kysely';
import { createDb } from '../server/db/create.ts';
import { migrateToLatest } from '../server/db/migrate.ts';
import { seedDemo } from '../server/demo/seed.ts';
import { appendConsentRecords, readChainPage, verifySiteChain, type UnchainedRecord } from '../server/queries/consent-records.ts';
import { createBenchDatabase, DEFAULT_DATABASE_URL } from './lib/databases.ts';
import { progressLog } from './lib/progress.ts';
import type { ScenarioReport } from './lib/report.ts';
import { BENCH_PUBLIC_URL } from './lib/samtykke.ts';
import { positiveInteger, type Scenario } from './lib/scenario.ts';

const BATCH = 5_000;
const TARGET_PER_SECOND = 100_000;

function decision(index: number, recordedAt: Date): UnchainedRecord {
  const analytics = index % 3 !== 0;
  const ads = index % 5 === 0;
  return {
    consentId: `bench-consent-${String(index).padStart(10, '0')}`,
    policyVersion: 1,
    functional: true,
    analytics,
    ads,
    action: analytics && ads ? 'accept_all' : analytics || ads ? 'custom' : 'reject_all',
    source: 'banner',
    locale: 'nb',
    pageUrl: `https://portal.test/side-${index % 40}`,
    browser: 'Chrome',
    os: 'Windows',
    device: 'desktop',
    account: index % 7 === 0 ? `Kunde ${index % 100} AS` : null,
    recordedAt,
    clientHash: `network-${index % 1000}`,
    shownHash: 'a'.repeat(64),
    gpc: false,
    stale: false,
  };
}

async function run(values: Record<string, string | boolean | undefined>, env: { databaseUrl: string | undefined }): Promise<ScenarioReport> {
  const records = positiveInteger(values, 'records', 1_000_000);
  const progress = progressLog('verify');
  const database = await createBenchDatabase('postgres', env.databaseUrl ?? DEFAULT_DATABASE_URL);
  const db = await createDb(database.config);
  try {
    await migrateToLatest(db);
    const siteId = (await seedDemo(db, BENCH_PUBLIC_URL)).sites[0]!.id;
    const started = Date.now() - records;
    for (let from = 0; from < records; from += BATCH) {
      const batch = Array.from({ length: Math.min(BATCH, records - from) }, (_, offset) => decision(from + offset, new Date(started + from + offset)));
      await appendConsentRecords(db, siteId, batch);
      if ((from / BATCH) % 40 === 0) progress(`chained ${(from + batch.length).toLocaleString('en-US')} of ${records.toLocaleString('en-US')} records`);
    }
    await sql`analyze consent_records`.execute(db);
    const total = Number((await sql<{ n: string }>`select count(*) as n from consent_records where site_id = ${siteId}`.execute(db)).rows[0]!.n);

    let readStarted = performance.now();
    let read = 0;
    for (let afterSeq = 0; ; ) {
      const page = await readChainPage(db, siteId, afterSeq, BATCH);
      read += page.length;
      if (page.length < BATCH) break;
      afterSeq = page.at(-1)!.seq;
    }
    const readSeconds = (performance.now() - readStarted) / 1000;
    progress(`read ${read.toLocaleString('en-US')} records in ${readSeconds.toFixed(1)} s`);

    readStarted = performance.now();
    const report = await verifySiteChain(db, siteId);
    const verifySeconds = (performance.now() - readStarted) / 1000;
    if (report.problem || report.checked !== total) throw new Error(`verify found ${JSON.stringify(report)} over ${total} records`);
    progress(`verified ${report.checked.toLocaleString('en-US')} records in ${verifySeconds.toFixed(1)} s`);
    const readRate = read / readSeconds;
    const verifyRate = report.checked / verifySeconds;
    return {
      settings: { records: total },
      figures: [
        { key: 'postgres.read.records_per_s', label: 'reading the records in chain order, unchecked (reference)', value: Math.round(readRate), unit: 'records/s', ratio: 1 },
        {
          key: 'postgres.verify.records_per_s',
          label: 'verify: every record hashed and linked',
          value: Math.round(verifyRate),
          unit: 'records/s',
          ratio: verifyRate / readRate,
          target: { kind: 'min', value: TARGET_PER_SECOND, of: 'value' },
        },
      ],
      notes: [database.description, `${total.toLocaleString('en-US')} records chained by the server's own code, ${BATCH.toLocaleString('en-US')} per commit.`],
    };
  } finally {
    await db.destroy();
    await database.drop();
  }
}

export const verifyScenario: Scenario = {
  summary: 'verify: consent records per second through the chain check, on PostgreSQL',
  help: ['--records N   chained consent records (default 1000000)'],
  options: { records: { type: 'string' } },
  run,
};
