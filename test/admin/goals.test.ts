/**
 * Goals and funnels through the admin API, on every engine, against a computation over the raw events left in the
 * database: each goal kind (path, pattern, event, event with a property), filtered and per ad campaign; funnels
 * of 2 and 8 steps, ordered within a visit; the definitions the API refuses; and the migration's trail backfill.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import * as goalsMigration from '../../migrations/2026-12-06T0300-goals-and-funnels.ts';
import { periodRange } from '../../server/admin/period.ts';
import type { NewEvent } from '../../server/db/schema.ts';
import { insertEvents } from '../../server/queries/events.ts';
import { createTestContext, type TestContext } from '../helpers/app.ts';
import { engines } from '../helpers/database.ts';
import { signedInStaff, type StaffClient } from './helpers.ts';

const MINUTE = 60_000;
const DAY = 86_400_000;
const NOW = Date.now();
const PAGES = ['/', '/pris', '/fakturaer', '/fakturaer/2026-11', '/fakturaer/2026-12/detaljer', '/min-side', '/tilleggstjenester'];
const NAMES = ['signup', 'download', 'add_on_bought'];

type GoalInput =
  | { name: string; kind: 'pageview'; path: string }
  | { name: string; kind: 'event'; eventName: string; property: { key: string; value: string } | null };
interface Goal {
  id: number;
  name: string;
}

/** Deterministic traffic: visitors with one to three visits of up to eight events, some older than the period. */
function traffic(siteId: number): NewEvent[] {
  let state = 12;
  const next = () => {
    state = (state * 1_103_515_245 + 12_345) % 2_147_483_648;
    return state / 2_147_483_648;
  };
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  const events: NewEvent[] = [];
  let session = 0;
  for (let visitor = 0; visitor < 90; visitor++) {
    const visits = 1 + Math.floor(next() * 3);
    for (let visit = 0; visit < visits; visit++) {
      const sessionId = `s-${session++}`;
      const start = NOW - Math.floor(next() * 40 * DAY) - 3 * 3_600_000;
      const campaign = next() < 0.4 ? pick(['vinter', 'sommer']) : null;
      const ad = campaign !== null && next() < 0.6 ? 'gclid' : null;
      const browser = pick(['Chrome', 'Firefox']);
      const count = 1 + Math.floor(next() * 8);
      for (let index = 0; index < count; index++) {
        const custom = index > 0 && next() < 0.35;
        events.push({
          site_id: siteId,
          occurred_at: new Date(start + index * MINUTE + Math.floor(next() * 30_000)),
          consent_id: `visitor-${visitor}`,
          session_id: sessionId,
          type: custom ? 'custom' : 'pageview',
          name: custom ? pick(NAMES) : null,
          path: pick(PAGES),
          referrer_host: null,
          utm_source: campaign && 'google',
          utm_medium: campaign && 'cpc',
          utm_campaign: campaign,
          ad_click: ad,
          browser,
          os: null,
          device: 'desktop',
          props: custom ? JSON.stringify({ plan: pick(['free', 'pro']) }) : null,
        });
      }
    }
  }
  return events;
}

interface RawEvent {
  time: number;
  type: string;
  name: string | null;
  path: string;
  plan: string | undefined;
}
interface RawVisit {
  visitor: string;
  started: number;
  browser: string | null;
  campaign: string | null;
  adCampaign: string | null;
  events: RawEvent[];
}

/** The events in the database, as visits: a session's events, sorted by time. */
async function rawVisits(context: TestContext, siteId: number): Promise<RawVisit[]> {
  const rows = await context.database.db.selectFrom('events').selectAll().where('site_id', '=', siteId).execute();
  const sessions = new Map<string, typeof rows>();
  for (const row of rows) sessions.set(row.session_id, [...(sessions.get(row.session_id) ?? []), row]);
  return [...sessions.values()].map((list) => {
    const campaign = list.map((row) => row.utm_campaign).find((value) => value !== null) ?? null;
    return {
      visitor: list[0]!.consent_id,
      started: Math.min(...list.map((row) => row.occurred_at.getTime())),
      browser: list[0]!.browser,
      campaign,
      adCampaign: list.some((row) => row.ad_click !== null) ? (campaign ?? '(none)') : null,
      events: list
        .map((row) => ({ time: row.occurred_at.getTime(), type: row.type, name: row.name, path: row.path, plan: row.props?.plan === undefined ? undefined : String(row.props.plan) }))
        .sort((a, b) => a.time - b.time),
    };
  });
}

/** The documented matching rule, written out independently of the server's SQL. */
function matches(goal: GoalInput, event: RawEvent): boolean {
  if (goal.kind === 'pageview') {
    if (event.type !== 'pageview') return false;
    const pattern = new RegExp(`^${goal.path.split('*').map((part) => part.replace(/[.+?^${}()|[\]\\]/g, '\\$&')).join('.*')}$`);
    return pattern.test(event.path);
  }
  return event.type === 'custom' && event.name === goal.eventName && (!goal.property || event.plan === goal.property.value);
}

const rate = (part: number, whole: number) => (whole ? Math.round((1000 * part) / whole) / 10 : null);

function expectedConversions(visits: RawVisit[], goals: GoalInput[]) {
  const visitors = new Set(visits.map((visit) => visit.visitor));
  return {
    visitors: visitors.size,
    goals: goals.map((goal) => {
      const converted = new Set<string>();
      let conversions = 0;
      for (const visit of visits) {
        const times = visit.events.filter((event) => matches(goal, event)).length;
        conversions += times;
        if (times) converted.add(visit.visitor);
      }
      return { visitors: converted.size, conversions, conversionRate: rate(converted.size, visitors.size) };
    }),
  };
}

/** Per visitor the furthest step one visit reached in order (each step strictly after the one before). */
function expectedFunnel(visits: RawVisit[], steps: GoalInput[]): number[] {
  const furthest = new Map<string, number>();
  for (const visit of visits) {
    let reached = 0;
    let after = -Infinity;
    for (const step of steps) {
      const hit = visit.events.find((event) => event.time > after && matches(step, event));
      if (!hit) break;
      reached += 1;
      after = hit.time;
    }
    furthest.set(visit.visitor, Math.max(furthest.get(visit.visitor) ?? 0, reached));
  }
  return steps.map((_, index) => [...furthest.values()].filter((reached) => reached > index).length);
}

const GOALS: GoalInput[] = [
  { name: 'Prices', kind: 'pageview', path: '/pris' },
  { name: 'Invoices', kind: 'pageview', path: '/fakturaer/*' },
  { name: 'Signup', kind: 'event', eventName: 'signup', property: null },
  { name: 'Add-on (pro)', kind: 'event', eventName: 'add_on_bought', property: { key: 'plan', value: 'pro' } },
  { name: 'Front page', kind: 'pageview', path: '/' },
  { name: 'My page', kind: 'pageview', path: '/min-side' },
  { name: 'Download', kind: 'event', eventName: 'download', property: null },
  { name: 'Add-ons page', kind: 'pageview', path: '/tilleggs*' },
];

describe.each(engines)('goals and funnels on %s', (engine) => {
  let context: TestContext;
  let analyst: StaffClient;
  let siteId: number;
  let goals: Goal[];
  let visits: RawVisit[];
  const range = periodRange({ period: '30d' }, new Date());
  const inPeriod = (visit: RawVisit) => visit.started >= range.range.from.getTime() && visit.started < range.range.to.getTime();

  beforeAll(async () => {
    context = await createTestContext(engine);
    siteId = context.demo.sites[0]!.id;
    const events = traffic(siteId);
    for (let start = 0; start < events.length; start += 50) await insertEvents(context.database.db, events.slice(start, start + 50));
    visits = await rawVisits(context, siteId);
    analyst = await signedInStaff(context, ['analyst']);
    goals = [];
    for (const goal of GOALS) {
      const response = await analyst.send('POST', `/api/admin/sites/${siteId}/goals`, goal);
      expect(response.status).toBe(201);
      goals.push((await response.json()) as Goal);
    }
  });
  afterAll(() => context.close());

  async function conversions(query: string) {
    const response = await analyst.get(`/api/admin/sites/${siteId}/goals/conversions?period=30d${query}`);
    expect(response.status).toBe(200);
    return (await response.json()) as { groups: Array<{ value: string | null; visitors: number; goals: Array<{ goalId: number; visitors: number; conversions: number; conversionRate: number | null }> }> };
  }
  const strip = (group: { visitors: number; goals: Array<{ visitors: number; conversions: number; conversionRate: number | null }> }) => ({
    visitors: group.visitors,
    goals: group.goals.map(({ visitors, conversions, conversionRate }) => ({ visitors, conversions, conversionRate })),
  });

  it('counts each kind of goal: a path, a pattern, an event, an event with a property value', async () => {
    const expected = expectedConversions(visits.filter(inPeriod), GOALS);
    expect(expected.goals.every((goal) => goal.conversions > 0)).toBe(true);
    const report = await conversions('');
    expect(report.groups).toHaveLength(1);
    expect(strip(report.groups[0]!)).toEqual(expected);
    expect(report.groups[0]!.goals.map((goal) => goal.goalId)).toEqual(goals.map((goal) => goal.id));
  });

  it('filters like every panel', async () => {
    const report = await conversions('&f.browser=Firefox&f.utmCampaign=vinter');
    expect(strip(report.groups[0]!)).toEqual(expectedConversions(visits.filter((visit) => inPeriod(visit) && visit.browser === 'Firefox' && visit.campaign === 'vinter'), GOALS));
    const byPage = await conversions('&f.page=%2Fpris');
    const withPrices = visits.filter((visit) => inPeriod(visit) && visit.events.some((event) => event.type === 'pageview' && event.path === '/pris'));
    expect(strip(byPage.groups[0]!)).toEqual(expectedConversions(withPrices, GOALS));
  });

  it('breaks conversions down by ad campaign, and filters by one', async () => {
    const report = await conversions('&by=adCampaign');
    const campaigns = [...new Set(visits.filter((visit) => inPeriod(visit) && visit.adCampaign).map((visit) => visit.adCampaign!))].sort();
    expect(campaigns.length).toBeGreaterThan(1);
    expect(report.groups.map((group) => group.value).sort()).toEqual(campaigns);
    for (const group of report.groups) {
      expect(strip(group)).toEqual(expectedConversions(visits.filter((visit) => inPeriod(visit) && visit.adCampaign === group.value), GOALS));
    }
    const winter = await conversions('&f.adCampaign=vinter');
    expect(strip(winter.groups[0]!)).toEqual(strip(report.groups.find((group) => group.value === 'vinter')!));
  });

  it('exports the panel as CSV', async () => {
    const response = await analyst.get(`/api/admin/sites/${siteId}/goals/conversions?period=30d&format=csv`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toContain('text/csv');
    const lines = (await response.text()).replace(/^\uFEFF/, '').trim().split('\n');
    expect(lines[0]).toBe('goal,converted_visitors,conversions,conversion_rate,visitors');
    const expected = expectedConversions(visits.filter(inPeriod), GOALS);
    expect(lines.slice(1)).toEqual(GOALS.map((goal, index) => {
      const figures = expected.goals[index]!;
      return [goal.name, figures.visitors, figures.conversions, figures.conversionRate ?? '', expected.visitors].join(',');
    }));
  });

  async function funnelFigures(steps: number[], query = '') {
    const created = await analyst.send('POST', `/api/admin/sites/${siteId}/funnels`, { name: `Funnel of ${steps.length}`, steps: steps.map((index) => goals[index]!.id) });
    expect(created.status).toBe(201);
    const { id } = (await created.json()) as { id: number };
    const response = await analyst.get(`/api/admin/sites/${siteId}/funnels/${id}/figures?period=30d${query}`);
    expect(response.status).toBe(200);
    return { id, report: (await response.json()) as { steps: Array<{ goalId: number; name: string; visitors: number; fromFirst: number | null; fromPrevious: number | null; dropOff: number }> } };
  }

  it('counts a funnel of 2 and of 8 steps in order within one visit', async () => {
    for (const steps of [[4, 1], [4, 0, 1, 2, 3, 5, 6, 7]]) {
      const { report } = await funnelFigures(steps);
      const reached = expectedFunnel(visits.filter(inPeriod), steps.map((index) => GOALS[index]!));
      expect(reached[1]).toBeGreaterThan(0);
      expect(report.steps.map((step) => step.visitors)).toEqual(reached);
      expect(report.steps.map((step) => step.name)).toEqual(steps.map((index) => GOALS[index]!.name));
      expect(report.steps.map((step) => step.dropOff)).toEqual(reached.map((count, index) => (index === 0 ? 0 : reached[index - 1]! - count)));
      expect(report.steps.map((step) => step.fromFirst)).toEqual(reached.map((count) => rate(count, reached[0]!)));
      expect(report.steps.map((step) => step.fromPrevious)).toEqual(reached.map((count, index) => rate(count, index === 0 ? count : reached[index - 1]!)));
    }
    const { report } = await funnelFigures([0, 2], '&f.browser=Chrome');
    expect(report.steps.map((step) => step.visitors)).toEqual(expectedFunnel(visits.filter((visit) => inPeriod(visit) && visit.browser === 'Chrome'), [GOALS[0]!, GOALS[2]!]));
  });

  it('counts steps only in order and within one visit', async () => {
    const at = (minutes: number) => new Date(NOW - 3_600_000 + minutes * MINUTE);
    const event = (visitor: string, session: string, minutes: number, path: string): NewEvent => ({
      site_id: siteId, occurred_at: at(minutes), consent_id: visitor, session_id: session, type: 'pageview', name: null, path,
      referrer_host: null, utm_source: null, utm_medium: null, utm_campaign: null, ad_click: null, browser: 'Order', os: null, device: 'desktop', props: null,
    });
    await insertEvents(context.database.db, [
      // In order: both steps.
      event('order-a', 'order-a-1', 0, '/pris'), event('order-a', 'order-a-1', 1, '/min-side'),
      // The second step before the first: the first only.
      event('order-b', 'order-b-1', 0, '/min-side'), event('order-b', 'order-b-1', 1, '/pris'),
      // The steps in two visits: the first only.
      event('order-c', 'order-c-1', 0, '/pris'), event('order-c', 'order-c-2', 5, '/min-side'),
      // Not adjacent: a page between the steps.
      event('order-d', 'order-d-1', 0, '/pris'), event('order-d', 'order-d-1', 1, '/'), event('order-d', 'order-d-1', 2, '/min-side'),
      // The second step arrives first; the first, earlier in time, in a later batch: both, by time.
      event('order-e', 'order-e-1', 2, '/min-side'),
    ]);
    await insertEvents(context.database.db, [event('order-e', 'order-e-1', 1, '/pris')]);
    const { id, report } = await funnelFigures([0, 5], '&f.browser=Order');
    expect(report.steps.map((step) => step.visitors)).toEqual([5, 3]);
    const csv = await analyst.get(`/api/admin/sites/${siteId}/funnels/${id}/figures?period=30d&f.browser=Order&format=csv`);
    expect((await csv.text()).replace(/^\uFEFF/, '').trim().split('\n')).toEqual([
      'step,goal,visitors,conversion_from_first,conversion_from_previous,drop_off',
      '1,Prices,5,100,100,0',
      '2,My page,3,60,60,2',
    ]);
  });

  it('refuses bad definitions with a 4xx naming the problem', async () => {
    const goal = async (body: unknown) => (await analyst.send('POST', `/api/admin/sites/${siteId}/goals`, body)).status;
    expect(await goal({ name: 'No slash', kind: 'pageview', path: 'pris' })).toBe(400);
    expect(await goal({ name: 'Bad key', kind: 'event', eventName: 'signup', property: { key: 'a b', value: 'x' } })).toBe(400);
    expect(await goal({ name: '', kind: 'event', eventName: 'signup' })).toBe(400);
    expect(await goal({ name: 'Unknown kind', kind: 'click', path: '/' })).toBe(400);
    const funnel = async (steps: unknown) => analyst.send('POST', `/api/admin/sites/${siteId}/funnels`, { name: 'Bad', steps });
    for (const steps of [[goals[0]!.id], Array.from({ length: 9 }, () => goals[0]!.id), [goals[0]!.id, 'two'], [goals[0]!.id, 999_999]]) {
      const response = await funnel(steps);
      expect(response.status).toBe(400);
      expect(((await response.json()) as { error: { field?: string } }).error.field).toMatch(/^steps/);
    }
    const used = await analyst.send('DELETE', `/api/admin/sites/${siteId}/goals/${goals[0]!.id}`);
    expect(used.status).toBe(409);
    expect(((await used.json()) as { error: { message: string } }).error.message).toContain('Funnel of');
    const missing = await analyst.get(`/api/admin/sites/${siteId}/funnels/999999/figures?period=30d`);
    expect(missing.status).toBe(404);
  });

  it('lets analysts change goals and funnels, audited, and privacy officers do neither', async () => {
    const created = (await (await analyst.send('POST', `/api/admin/sites/${siteId}/goals`, { name: 'Temporary', kind: 'pageview', path: '/x' })).json()) as Goal;
    const updated = await analyst.send('PUT', `/api/admin/sites/${siteId}/goals/${created.id}`, { name: 'Temporary 2', kind: 'event', eventName: 'signup', property: { key: 'plan', value: 'pro' } });
    expect(await updated.json()).toMatchObject({ name: 'Temporary 2', kind: 'event', eventName: 'signup', property: { key: 'plan', value: 'pro' } });
    expect((await analyst.send('DELETE', `/api/admin/sites/${siteId}/goals/${created.id}`)).status).toBe(200);
    const actions = await context.database.db.selectFrom('audit_log').select('action').where('target', 'like', 'Temporary%').orderBy('id').execute();
    expect(actions.map((row) => row.action)).toEqual(['goal.create', 'goal.update', 'goal.delete']);
    const officer = await signedInStaff(context, ['privacy_officer']);
    expect((await officer.send('POST', `/api/admin/sites/${siteId}/goals`, GOALS[0])).status).toBe(403);
    expect((await officer.get(`/api/admin/sites/${siteId}/goals`)).status).toBe(403);
  });
});


describe.each(engines)('the trails of visits stored before goals existed, on %s', (engine) => {
  it('are backfilled by the migration exactly as ingest folds them', async () => {
    const context = await createTestContext(engine);
    try {
      const db = context.database.db;
      const siteId = context.demo.sites[0]!.id;
      const events = traffic(siteId);
      for (let start = 0; start < events.length; start += 50) await insertEvents(db, events.slice(start, start + 50));
      const trails = async () => db.selectFrom('visits').select(['session_id', 'trail']).orderBy('session_id').execute();
      const folded = await trails();
      expect(folded.every((visit) => visit.trail.length > 0)).toBe(true);
      await goalsMigration.down(db);
      await goalsMigration.up(db);
      expect(await trails()).toEqual(folded);
    } finally {
      await context.close();
    }
  });
});
