/**
 * The decision cache's reads: every consent ID asked for in one turn is read in one statement (a cold cache after a
 * start, or decisions another process recorded, would otherwise cost a query per ID), each gets its own latest
 * decision, and an ID asked for twice is read once.
 */
import type { KyselyPlugin, PluginTransformQueryArgs, PluginTransformResultArgs, QueryResult, RootOperationNode, UnknownRow } from 'kysely';
import { afterEach, describe, expect, it } from 'vitest';
import { DecisionCache } from '../../server/collector/decision-cache.ts';
import { seedDemo } from '../../server/demo/seed.ts';
import { appendConsentRecords } from '../../server/queries/consent-records.ts';
import { record } from '../admin/fixtures.ts';
import { createTestDatabase, engines, type TestDatabase } from '../helpers/database.ts';

/** Counts the statements a database handle sends. */
class StatementCounter implements KyselyPlugin {
  count = 0;
  transformQuery({ node }: PluginTransformQueryArgs): RootOperationNode {
    this.count += 1;
    return node;
  }
  async transformResult({ result }: PluginTransformResultArgs): Promise<QueryResult<UnknownRow>> {
    return result;
  }
}

describe.each(engines)('the decision cache on %s', (engine) => {
  let database: TestDatabase;
  afterEach(async () => {
    await database?.drop();
  });

  it('reads every consent ID asked for in one turn in one statement, each with its latest decision', async () => {
    database = await createTestDatabase(engine);
    const demo = await seedDemo(database.db, 'http://portal.test');
    const siteId = demo.sites.find((site) => site.key === 'min-side')!.id;
    const ids = Array.from({ length: 1_200 }, (_, index) => `consent-${index}`);
    const granted = (index: number) => index % 3 !== 0;
    const at = new Date();
    // Each ID decided twice: first the opposite, then the answer the cache must give.
    await appendConsentRecords(database.db, siteId, ids.map((id, index) => record(id, { analytics: !granted(index), ads: false }, { recordedAt: at })));
    await appendConsentRecords(database.db, siteId, ids.map((id, index) => record(id, { analytics: granted(index), ads: false }, { recordedAt: at })));

    const counter = new StatementCounter();
    const cache = new DecisionCache(database.db.withPlugin(counter));
    const asked = ids.slice(0, 60);
    const answers = await Promise.all([...asked, 'never-decided', asked[0]!].map((id) => cache.latest(siteId, id)));
    expect(counter.count).toBe(1);
    expect(answers.slice(0, 60).map((decision) => decision?.choices.analytics)).toEqual(asked.map((_, index) => granted(index)));
    expect(answers[60]).toBeNull();
    expect(answers[61]).toEqual(answers[0]);
    // Remembered: asked again, nothing is read.
    await cache.latest(siteId, asked[5]!);
    expect(counter.count).toBe(1);

    // More than one statement holds: 500 a statement.
    const many = await Promise.all(ids.slice(60).map((id) => cache.latest(siteId, id)));
    expect(counter.count).toBe(1 + 3);
    expect(many.map((decision) => decision?.choices.analytics)).toEqual(ids.slice(60).map((_, index) => granted(index + 60)));
  });
});
