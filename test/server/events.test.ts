/** POST /api/events and GET /p.gif: consent enforced on the server, attribution only with ads, batching that loses nothing. */
import { sql } from 'kysely';
import { afterAll, afterEach, beforeAll, beforeEach, describe, expect, it } from 'vitest';
import { EventWriter } from '../../server/collector/event-writer.ts';
import { DEMO_POLICY_TEXTS } from '../../server/demo/content.ts';
import type { Choices } from '../../server/domain/consent.ts';
import { appendConsentRecords } from '../../server/queries/consent-records.ts';
import { createTestContext, type TestContext } from '../helpers/app.ts';
import { engines } from '../helpers/database.ts';
import { consentRequest, errorOf, eventsRequest, newConsentId, post } from '../helpers/requests.ts';
import { publishVersion } from '../helpers/policies.ts';

const ALL: Choices = { functional: true, analytics: true, ads: true };
const ANALYTICS_ONLY: Choices = { functional: true, analytics: true, ads: false };
const NONE: Choices = { functional: true, analytics: false, ads: false };

/** A decision recorded and the events stored, on whichever context the describe block holds now. */
function collectorSteps(context: () => TestContext) {
  return {
    async decide(choices: Choices, site = 'min-side'): Promise<string> {
      const consentId = newConsentId();
      const action = choices.analytics && choices.ads ? 'accept_all' : choices.analytics || choices.ads ? 'custom' : 'reject_all';
      const response = await post(context().app, '/api/consent', consentRequest({ site, consentId, choices, action }));
      expect(response.status).toBe(201);
      return consentId;
    },
    /** Every accepted event, once the writer has flushed (it takes nothing after). */
    async storedEvents() {
      await context().deps.eventWriter.close();
      return context().database.db.selectFrom('events').selectAll().orderBy('id').execute();
    },
  };
}

describe.each(engines)('analytics events on %s', (engine) => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await createTestContext(engine);
  });
  afterEach(() => ctx.close());

  const { decide, storedEvents } = collectorSteps(() => ctx);

  it('stores a pageview with attribution when analytics and ads are granted', async () => {
    const consentId = await decide(ALL);
    const response = await post(ctx.app, '/api/events', eventsRequest(consentId));
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 1 });
    const [event] = await storedEvents();
    expect(event).toMatchObject({
      consent_id: consentId,
      type: 'pageview',
      path: '/abonnement',
      referrer_host: 'google.com',
      utm_source: 'news',
      utm_campaign: 'winter',
      ad_click: 'gclid',
      browser: 'Chrome',
      device: 'desktop',
    });
    expect(event!.session_id).toMatch(/^[A-Za-z0-9_-]{16,}$/);
  });

  it('strips UTM parameters and click IDs before storing when ads are not granted', async () => {
    const consentId = await decide(ANALYTICS_ONLY);
    expect((await post(ctx.app, '/api/events', eventsRequest(consentId))).status).toBe(202);
    const [event] = await storedEvents();
    expect(event).toMatchObject({ path: '/abonnement', utm_source: null, utm_medium: null, utm_campaign: null, utm_term: null, utm_content: null, ad_click: null });
    expect(JSON.stringify(event)).not.toMatch(/winter|abc123|gclid/);
  });

  it('refuses events with 403 and stores nothing without a decision, after a refusal and after withdrawal', async () => {
    const unknown = await post(ctx.app, '/api/events', eventsRequest(newConsentId()));
    expect(unknown.status).toBe(403);
    expect(await errorOf(unknown)).toMatchObject({ code: 'consent_required', message: expect.stringMatching(/No consent decision/) });

    const refused = await decide(NONE);
    const afterRefusal = await post(ctx.app, '/api/events', eventsRequest(refused));
    expect(afterRefusal.status).toBe(403);
    expect((await errorOf(afterRefusal)).message).toMatch(/does not grant analytics/);

    const consentId = await decide(ALL);
    expect((await post(ctx.app, '/api/events', eventsRequest(consentId))).status).toBe(202);
    const withdrawal = consentRequest({ consentId, action: 'withdraw', source: 'preferences', choices: NONE });
    expect((await post(ctx.app, '/api/consent', withdrawal)).status).toBe(201);
    expect((await post(ctx.app, '/api/events', eventsRequest(consentId))).status).toBe(403);

    const stored = await storedEvents();
    expect(stored.map((event) => event.consent_id)).toEqual([consentId]);
  });

  it('enforces decisions recorded by another process, read from the database', async () => {
    const consentId = newConsentId();
    const site = ctx.demo.sites.find((candidate) => candidate.key === 'min-side')!;
    // Written straight through the chain, as another collector process would: this process's cache never saw it.
    await appendConsentRecords(ctx.database.db, site.id, [
      {
        consentId, policyVersion: 1, ...ANALYTICS_ONLY, action: 'custom', source: 'api', locale: 'nb', pageUrl: null,
        browser: null, os: null, device: 'desktop', account: null, recordedAt: new Date(), clientHash: 'other', shownHash: null, gpc: false, stale: false,
      },
    ]);
    expect((await post(ctx.app, '/api/events', eventsRequest(consentId))).status).toBe(202);
  });

  it('refuses events under a decision older than the consent lifetime', async () => {
    const consentId = await decide(ALL);
    const site = ctx.demo.sites.find((candidate) => candidate.key === 'min-side')!;
    await publishVersion(ctx.deps, site, { texts: DEMO_POLICY_TEXTS, functionalRequired: true, consentLifetimeMonths: 1 });
    const longAgo = new Date(Date.now() - 40 * 24 * 3600 * 1000);
    ctx.deps.decisions.remember(site.id, consentId, { policyVersion: 1, choices: ALL, recordedAt: longAgo });
    const response = await post(ctx.app, '/api/events', eventsRequest(consentId));
    expect(response.status).toBe(403);
    expect((await errorOf(response)).message).toMatch(/expired/);
  });

  it('keeps a consent decision per site', async () => {
    const consentId = await decide(ALL, 'min-bedrift');
    expect((await post(ctx.app, '/api/events', eventsRequest(consentId, { site: 'min-side' }))).status).toBe(403);
    expect((await post(ctx.app, '/api/events', eventsRequest(consentId, { site: 'min-bedrift' }))).status).toBe(202);
  });

  it('stores custom events with their properties and the client-kept session', async () => {
    const consentId = await decide(ANALYTICS_ONLY);
    const response = await post(ctx.app, '/api/events', {
      site: 'min-side',
      consentId,
      sessionId: 'visit-0001-abcd',
      events: [
        { type: 'pageview', url: 'https://portal.test/' },
        { type: 'custom', name: 'invoice_downloaded', url: 'https://portal.test/fakturaer', props: { format: 'pdf', count: 2, paid: true } },
      ],
    });
    expect(response.status).toBe(202);
    const events = await storedEvents();
    expect(events.map((event) => [event.type, event.name, event.path, event.session_id])).toEqual([
      ['pageview', null, '/', 'visit-0001-abcd'],
      ['custom', 'invoice_downloaded', '/fakturaer', 'visit-0001-abcd'],
    ]);
    expect(events[1]!.props).toEqual({ format: 'pdf', count: 2, paid: true });
  });

  it('does not count bots, and says so', async () => {
    const consentId = await decide(ALL);
    const response = await post(ctx.app, '/api/events', eventsRequest(consentId), { 'user-agent': 'Mozilla/5.0 (compatible; Googlebot/2.1; +http://www.google.com/bot.html)' });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 0, ignored: { count: 1, reason: 'bot' } });
    expect(await storedEvents()).toEqual([]);
  });

  it('stores every event accepted under concurrent load, in batches', async () => {
    const consentIds = await Promise.all(Array.from({ length: 20 }, () => decide(ANALYTICS_ONLY)));
    const responses = await Promise.all(
      Array.from({ length: 200 }, (_, index) =>
        post(ctx.app, '/api/events', {
          site: 'min-side',
          consentId: consentIds[index % consentIds.length],
          events: Array.from({ length: 10 }, (_, n) => ({ type: 'custom', name: `load_${index}_${n}`, url: 'https://portal.test/load' })),
        }),
      ),
    );
    let accepted = 0;
    for (const response of responses) {
      expect(response.status).toBe(202);
      accepted += ((await response.json()) as { accepted: number }).accepted;
    }
    const stored = await storedEvents();
    expect(accepted).toBe(2_000);
    expect(stored).toHaveLength(2_000);
    expect(new Set(stored.map((event) => event.name)).size).toBe(2_000);
  });

  it('answers 503 with Retry-After while the database refuses writes, then stores everything it accepted', async () => {
    const consentId = await decide(ANALYTICS_ONLY);
    await sql`alter table events rename to events_away`.execute(ctx.database.db);
    // Until the writer has failed once it still accepts (and keeps) events; after that it refuses new ones.
    let accepted = 0;
    let refused: Response | null = null;
    for (let attempt = 0; attempt < 100 && !refused; attempt++) {
      const response = await post(ctx.app, '/api/events', eventsRequest(consentId));
      if (response.status === 202) accepted += 1;
      else refused = response;
      await new Promise((resolve) => setTimeout(resolve, 20));
    }
    expect(accepted).toBeGreaterThanOrEqual(1);
    expect(refused?.status).toBe(503);
    expect(refused?.headers.get('retry-after')).toBe('10');
    expect((await errorOf(refused!)).code).toBe('database_unavailable');
    await sql`alter table events_away rename to events`.execute(ctx.database.db);
    expect(await storedEvents()).toHaveLength(accepted);
  });
});

// Nothing is stored here (the writer takes none of these), so one server per engine serves every case.
describe.each(engines)('analytics events on %s: refuses malformed events with a reason', (engine) => {
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext(engine);
  });
  afterAll(() => ctx?.close());
  const { decide, storedEvents } = collectorSteps(() => ctx);

  const cases: Array<[string, (consentId: string) => unknown, RegExp]> = [
    ['no events', (consentId) => ({ site: 'min-side', consentId, events: [] }), /events: must hold at least one event/],
    ['too many events', (consentId) => ({ site: 'min-side', consentId, events: Array.from({ length: 101 }, () => ({ type: 'pageview', url: 'https://portal.test/' })) }), /at most 100 events/],
    ['an unknown type', (consentId) => ({ site: 'min-side', consentId, events: [{ type: 'click', url: 'https://portal.test/' }] }), /events\.0\.type/],
    ['a custom event without a name', (consentId) => ({ site: 'min-side', consentId, events: [{ type: 'custom', url: 'https://portal.test/' }] }), /events\.0\.name: is required/],
    ['a relative URL', (consentId) => ({ site: 'min-side', consentId, events: [{ type: 'pageview', url: '/page' }] }), /events\.0\.url/],
    ['nested properties', (consentId) => ({ site: 'min-side', consentId, events: [{ type: 'custom', name: 'x', url: 'https://portal.test/', props: { a: { b: 1 } } }] }), /events\.0\.props\.a/],
    ['too many property bytes', (consentId) => ({ site: 'min-side', consentId, events: [{ type: 'custom', name: 'x', url: 'https://portal.test/', props: Object.fromEntries(Array.from({ length: 10 }, (_, i) => [`k${i}`, 'v'.repeat(300)])) }] }), /at most 2048 bytes/],
  ];
  it.each(cases)('%s', async (_name, body, message) => {
    const consentId = await decide(ALL);
    const response = await post(ctx.app, '/api/events', body(consentId));
    expect(response.status).toBe(400);
    expect((await errorOf(response)).message).toMatch(message);
    expect(await storedEvents()).toEqual([]);
  });
});

describe.each(engines)('the event writer on %s', (engine) => {
  let ctx: TestContext;
  beforeEach(async () => {
    ctx = await createTestContext(engine);
  });
  afterEach(() => ctx.close());

  function rows(count: number) {
    const site = ctx.demo.sites[0]!;
    return Array.from({ length: count }, (_, index) => ({
      site_id: site.id, occurred_at: new Date(), consent_id: 'writer-test-consent', session_id: 'writer-test', type: 'custom' as const,
      name: `e${index}`, path: '/', referrer_host: null, utm_source: null, utm_medium: null, utm_campaign: null, utm_term: null,
      utm_content: null, ad_click: null, browser: null, os: null, device: 'desktop', props: null,
    }));
  }

  it('refuses with 503 what would overflow its queue, and stores what it accepted on close', async () => {
    // A long linger keeps the first batch queued, so the second one meets a queue that is nearly full.
    const writer = new EventWriter(ctx.database.db, { queueLimit: 100, lingerMs: 60_000 });
    writer.enqueue(rows(60));
    expect(() => writer.enqueue(rows(60))).toThrow(expect.objectContaining({ status: 503, code: 'overloaded', retryAfter: 2 }));
    await writer.close();
    expect(() => writer.enqueue(rows(1))).toThrow(expect.objectContaining({ status: 503, code: 'overloaded' }));
    const stored = await ctx.database.db.selectFrom('events').select('name').where('consent_id', '=', 'writer-test-consent').execute();
    expect(stored).toHaveLength(60);
  });

  it('writes a large queue in several multi-row batches', async () => {
    const writer = new EventWriter(ctx.database.db, { queueLimit: 10_000, batchSize: 1_500 });
    writer.enqueue(rows(4_000));
    await writer.close();
    const { count } = await ctx.database.db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('count')).executeTakeFirstOrThrow();
    expect(Number(count)).toBe(4_000);
  });
});
