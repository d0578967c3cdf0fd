/**
 * The client package against a listening server: mistakes refused on the device with a typed error, batches with
 * the device's times, the server's refusals handled without looping, and a decision the server no longer counts
 * asked again.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DEMO_POLICY_TEXTS } from '../../server/demo/content.ts';
import { createSamtykke, memoryStorage, SamtykkeError, type Samtykke, type SamtykkeOptions } from '../../sdk/src/index.ts';
import { startTestServer, type TestContext } from '../helpers/app.ts';
import { engines } from '../helpers/database.ts';
import { publishVersion } from '../helpers/policies.ts';

const ALL = { functional: true, analytics: true, ads: true };
const NONE = { functional: true, analytics: false, ads: false };

function thrown(action: () => unknown): SamtykkeError {
  try {
    action();
  } catch (error) {
    expect(error).toBeInstanceOf(SamtykkeError);
    return error as SamtykkeError;
  }
  throw new Error('nothing was thrown');
}

describe.each(engines)('the client package on %s', (engine) => {
  let ctx: TestContext & { url: string };
  const clients: Samtykke[] = [];
  beforeAll(async () => {
    ctx = await startTestServer(engine);
  });
  afterAll(async () => {
    await Promise.all(clients.map((client) => client.close()));
    await ctx.close();
  });

  async function client(options: Partial<SamtykkeOptions> = {}): Promise<Samtykke> {
    const made = await createSamtykke({ endpoint: ctx.url, site: 'app', policyVersion: 1, functionalRequired: true, batchDelayMs: 10, ...options });
    clients.push(made);
    return made;
  }

  async function eventsOf(consentId: string, count: number) {
    await expect.poll(async () => (await ctx.database.db.selectFrom('events').select('id').where('consent_id', '=', consentId).execute()).length, { timeout: 10_000 }).toBe(count);
    return ctx.database.db.selectFrom('events').selectAll().where('consent_id', '=', consentId).orderBy('occurred_at').execute();
  }

  it('refuses on the device, with a typed error naming the field, what the server would refuse', async () => {
    const app = await client({ maxQueuedEvents: 2, batchDelayMs: 60_000 });
    expect(thrown(() => app.screen('oversikt'))).toMatchObject({ code: 'consent_required' });
    expect(thrown(() => app.decide({ ...ALL, functional: false }))).toMatchObject({ code: 'invalid_decision', field: 'choices.functional' });
    expect(thrown(() => app.decide({ ...ALL, marketing: true } as never))).toMatchObject({ code: 'invalid_decision', field: 'choices.marketing' });
    expect(thrown(() => app.decide(NONE, { action: 'accept_all' }))).toMatchObject({ code: 'invalid_decision', field: 'action' });
    expect(thrown(() => app.decide(NONE, { action: 'maybe' as never }))).toMatchObject({ code: 'invalid_decision', field: 'action' });
    expect(thrown(() => app.decide(ALL, { screen: 'ftp://x.test/' }))).toMatchObject({ code: 'invalid_decision', field: 'url' });
    expect(app.choices()).toBeNull();

    await app.decide(ALL);
    // A custom event happens on a screen: the last one shown, or one given.
    const fresh = await client();
    await fresh.decide(ALL);
    expect(thrown(() => fresh.track('signup'))).toMatchObject({ code: 'invalid_event', field: 'url' });
    expect(thrown(() => app.screen('   '))).toMatchObject({ code: 'invalid_event', field: 'url' });
    expect(thrown(() => app.screen('app://min-side/%ZZ'))).toMatchObject({ code: 'invalid_event', field: 'url' });
    expect(thrown(() => app.track('x'.repeat(121), { screen: 'a' }))).toMatchObject({ code: 'invalid_event', field: 'name' });
    expect(thrown(() => app.track('signup', { screen: 'a', props: { plan: { tier: 1 } } as never }))).toMatchObject({ code: 'invalid_event', field: 'props.plan' });
    expect(thrown(() => app.track('signup', { screen: 'a', props: { note: 'x'.repeat(501) } }))).toMatchObject({ code: 'invalid_event', field: 'props.note' });
    await app.screen('a');
    await app.screen('b');
    expect(thrown(() => app.screen('c'))).toMatchObject({ code: 'queue_full' });
    expect(app.pending().events).toBe(2);
  });

  it('sends events in batches with the times they happened on the device', async () => {
    const app = await client({ batchDelayMs: 200 });
    await app.decide(ALL);
    const shownAt = Date.now();
    await app.screen('app://min-side/oversikt');
    await new Promise((resolve) => setTimeout(resolve, 60));
    await app.track('invoice_downloaded', { props: { format: 'pdf' } });
    await expect.poll(() => app.pending(), { timeout: 10_000 }).toEqual({ decisions: 0, events: 0 });
    const events = await eventsOf(app.consentId, 2);
    expect(events.map((event) => [event.type, event.name, event.path, event.props])).toEqual([
      ['pageview', null, '/oversikt', null],
      ['custom', 'invoice_downloaded', '/oversikt', { format: 'pdf' }],
    ]);
    // One batch, one visit; each event at its own time, not the batch's.
    expect(events[0]!.session_id).toBe(events[1]!.session_id);
    expect(events[0]!.occurred_at.getTime()).toBeGreaterThanOrEqual(shownAt - 50);
    expect(events[1]!.occurred_at.getTime() - events[0]!.occurred_at.getTime()).toBeGreaterThanOrEqual(50);
  });

  it('drops only the event the server refuses, tells onError why, and sends the rest', async () => {
    const errors: SamtykkeError[] = [];
    // A web site takes no screen names: the one event that names one is refused, the page URL beside it is not.
    const web = await client({ site: 'min-side', batchDelayMs: 100, onError: (error) => errors.push(error) });
    await web.decide(ALL);
    await web.screen('https://portal.test/abonnement');
    await web.screen('abonnement');
    await web.screen('https://portal.test/faktura');
    await expect.poll(() => web.pending(), { timeout: 10_000 }).toEqual({ decisions: 0, events: 0 });
    expect(errors).toHaveLength(1);
    expect(errors[0]).toMatchObject({ code: 'refused', field: 'events.1.url', server: { status: 400, code: 'invalid_body', dropped: 1 } });
  });

  it('stops sending at once when analytics are withdrawn', async () => {
    const app = await client({ batchDelayMs: 60_000 });
    await app.decide(ALL);
    await app.screen('oversikt');
    await app.track('signup');
    const changes: unknown[] = [];
    app.onChange((choices) => changes.push(choices));
    await app.decide(NONE);
    expect(app.pending().events).toBe(0);
    expect(changes).toEqual([NONE]);
    expect(app.allows('analytics')).toBe(false);
    expect(thrown(() => app.screen('oversikt'))).toMatchObject({ code: 'consent_required' });
    await expect.poll(() => app.pending().decisions, { timeout: 10_000 }).toBe(0);
    const actions = await ctx.database.db.selectFrom('consent_records').select('action').where('consent_id', '=', app.consentId).orderBy('id').execute();
    expect(actions.map((row) => row.action)).toEqual(['accept_all', 'withdraw']);
    await eventsOf(app.consentId, 0);
  });

  it('keeps the consent in the storage it is given', async () => {
    const storage = memoryStorage();
    const first = await client({ storage });
    await first.decide(ALL);
    await first.close();
    const again = await client({ storage });
    expect(again.consentId).toBe(first.consentId);
    expect(again.choices()).toEqual(ALL);
    // A decision made under a version since asked again is no choice: the app asks again.
    expect((await client({ storage, policyVersion: 2, askedSince: 2 })).choices()).toBeNull();
  });

  it('asks again when the server no longer counts the decision (a material policy change)', async () => {
    const errors: SamtykkeError[] = [];
    const app = await client({ onError: (error) => errors.push(error) });
    await app.decide(ALL);
    await expect.poll(() => app.pending().decisions, { timeout: 10_000 }).toBe(0);
    const site = ctx.demo.sites.find((candidate) => candidate.key === 'app')!;
    await publishVersion(ctx.deps, site, { texts: DEMO_POLICY_TEXTS, functionalRequired: true, consentLifetimeMonths: 12 });
    const changes: unknown[] = [];
    app.onChange((choices) => changes.push(choices));
    await app.screen('oversikt');
    await expect.poll(() => changes, { timeout: 10_000 }).toEqual([null]);
    expect(app.choices()).toBeNull();
    expect(app.pending().events).toBe(0);
    expect(errors[0]).toMatchObject({ code: 'refused', server: { status: 403, code: 'consent_stale', dropped: 1 } });
  });
});
