/**
 * Every figure of the usage engine, on every engine, against a straightforward computation over the raw events
 * left in the database: traffic with late batches (some moving a visit's start to an earlier day), visits across
 * midnight and across period boundaries, erasures and a retention run, under every period and combined filters.
 * Visitors are exact except where the rollups answer for several days, where the sketch must stay within 2 %.
 */
import { afterAll, beforeAll, describe, expect, test } from 'vitest';
import { periodRange } from '../../server/admin/period.ts';
import type { NewEvent } from '../../server/db/schema.ts';
import {
  defaultSort,
  isVisitDimension,
  VISIT_DIMENSIONS,
  type BreakdownRow,
  type DateRange,
  type UsageDimension,
  type UsageFilter,
  type VisitDimension,
} from '../../server/domain/stats.ts';
import { enforceRetention } from '../../server/jobs/retention.ts';
import { insertEvents } from '../../server/queries/events.ts';
import { runStats, runStatsSet, type StatsPart } from '../../server/queries/stats.ts';
import { eraseSubjectEvents } from '../../server/queries/subject-data.ts';
import { createTestContext, type TestContext } from '../helpers/app.ts';
import { engines } from '../helpers/database.ts';

const DAY = 86_400_000;
const MINUTE = 60_000;
const RETENTION_DAYS = 40;
const PAGES = ['/', '/pris', '/kontakt', '/fakturaer', '/fakturaer/2026-11', '/min-side', '/hjelp', '/logg-inn'];
const EVENT_NAMES = ['signup', 'download', 'invoice_opened'];
const PANELS: UsageDimension[] = [...VISIT_DIMENSIONS, 'page', 'event'];
/** Every visit has a start at least this long ago, so no event lies in the future. */
const NOW = Date.now();
const LATEST_START = NOW - 2 * 3_600_000;

/** Deterministic traffic: the same visits on every run and engine. */
function generator(seed: number) {
  let state = seed;
  const next = () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
  const pick = <T,>(items: readonly T[]): T => items[Math.floor(next() * items.length)]!;
  return { next, pick };
}

interface Traffic {
  /** Batches in the order they are sent. */
  readonly batches: NewEvent[][];
  readonly visitors: string[];
}

function traffic(siteId: number): Traffic {
  const { next, pick } = generator(9);
  const onTime: NewEvent[] = [];
  const late: NewEvent[] = [];
  const visitors = Array.from({ length: 160 }, (_, index) => `visitor-${String(index).padStart(3, '0')}`);
  let visitNumber = 0;
  const today = Math.floor(NOW / DAY) * DAY;
  for (const visitor of visitors) {
    const visitsOfVisitor = 1 + Math.floor(next() * 4);
    for (let visit = 0; visit < visitsOfVisitor; visit++) {
      const session = `visit-${visitNumber++}`;
      const kind = next();
      // Some visits start just before midnight and go on after it; some just before the 7-day period begins.
      let start =
        kind < 0.1
          ? today - Math.floor(1 + next() * 44) * DAY - 3 * MINUTE
          : kind < 0.15
            ? today - 6 * DAY - 2 * MINUTE
            : today - 45 * DAY + Math.floor(next() * 45 * DAY);
      start = Math.min(start, LATEST_START);
      const referrer = pick(['google.com', 'bing.com', 'facebook.com', null, null]);
      const campaign = next() < 0.3 ? pick(['vinter', 'sommer']) : null;
      const browser = pick(['Chrome', 'Firefox', 'Safari']);
      const device = pick(['desktop', 'mobile', 'tablet']);
      const os = pick(['Windows', 'Android', 'iOS', null]);
      // No country for a local or unplaced address; a phone that moves between networks may change country.
      const country = pick(['NO', 'NO', 'SE', 'DK', null]);
      const count = 1 + Math.floor(next() * 7);
      let time = start;
      const events: NewEvent[] = [];
      for (let index = 0; index < count; index++) {
        const custom = index > 0 && next() < 0.25;
        events.push({
          site_id: siteId,
          occurred_at: new Date(time),
          consent_id: visitor,
          session_id: session,
          type: custom ? 'custom' : 'pageview',
          name: custom ? pick(EVENT_NAMES) : null,
          path: pick(PAGES),
          // Now and then an event of a visit carries another referrer or campaign: the visit keeps the smallest.
          referrer_host: next() < 0.1 ? pick(['a-other.example', null]) : referrer,
          utm_source: campaign ? 'google' : null,
          utm_medium: campaign ? 'cpc' : null,
          utm_campaign: next() < 0.05 ? 'annen' : campaign,
          ad_click: campaign && next() < 0.5 ? 'gclid' : null,
          browser,
          os,
          device,
          country: next() < 0.05 ? pick(['DE', null]) : country,
          props: custom ? JSON.stringify({ plan: pick(['free', 'pro']) }) : null,
        });
        time += Math.floor(5_000 + next() * 9 * MINUTE);
      }
      const split = next();
      if (split < 0.15 && events.length > 1) {
        // The app's offline queue: the end of the visit arrives in a batch sent an hour later.
        const cut = 1 + Math.floor(next() * (events.length - 1));
        onTime.push(...events.slice(0, cut));
        late.push(...events.slice(cut));
      } else if (split < 0.22) {
        // A late event from before the visit's start, sometimes from the day before: the visit moves.
        onTime.push(...events);
        late.push({ ...events[0]!, occurred_at: new Date(start - Math.floor(next() * 20) * MINUTE - MINUTE), type: 'pageview', name: null, props: null, path: pick(PAGES) });
      } else {
        onTime.push(...events);
      }
    }
  }
  onTime.sort((a, b) => +a.occurred_at - +b.occurred_at);
  const batches: NewEvent[][] = [];
  for (let start = 0; start < onTime.length; start += 40) batches.push(onTime.slice(start, start + 40));
  for (let start = 0; start < late.length; start += 25) batches.push(late.slice(start, start + 25));
  return { batches, visitors };
}

interface Visit {
  visitor: string;
  started: number;
  ended: number;
  events: number;
  pageviews: number;
  customEvents: number;
  values: Record<VisitDimension, string | null>;
  pages: Map<string, number>;
  names: Map<string, number>;
  props: Array<{ name: string; plan: string }>;
}

const byCodePoint = (a: string, b: string) => (a < b ? -1 : a > b ? 1 : 0);
const smallest = (values: Array<string | null>) => values.filter((value): value is string => value !== null).sort(byCodePoint)[0] ?? null;
const count = (map: Map<string, number>, key: string) => map.set(key, (map.get(key) ?? 0) + 1);

/** The raw computation: the events left in the database, folded into visits by the documented rules. */
async function rawVisits(context: TestContext, siteId: number): Promise<Visit[]> {
  const events = await context.database.db.selectFrom('events').selectAll().where('site_id', '=', siteId).execute();
  const sessions = new Map<string, typeof events>();
  for (const event of events) sessions.set(event.session_id, [...(sessions.get(event.session_id) ?? []), event]);
  return [...sessions.values()].map((list) => {
    const times = list.map((event) => event.occurred_at.getTime());
    const views = list.filter((event) => event.type === 'pageview').sort((a, b) => +a.occurred_at - +b.occurred_at || byCodePoint(a.path, b.path));
    const campaign = smallest(list.map((event) => event.utm_campaign));
    const pages = new Map<string, number>();
    const names = new Map<string, number>();
    for (const view of views) count(pages, view.path);
    for (const event of list) if (event.type === 'custom') count(names, event.name!);
    const ad = list.some((event) => event.ad_click !== null);
    return {
      visitor: smallest(list.map((event) => event.consent_id))!,
      started: Math.min(...times),
      ended: Math.max(...times),
      events: list.length,
      pageviews: views.length,
      customEvents: list.length - views.length,
      values: {
        entryPage: views[0]?.path ?? null,
        exitPage: views.at(-1)?.path ?? null,
        referrer: smallest(list.map((event) => event.referrer_host)),
        utmSource: smallest(list.map((event) => event.utm_source)),
        utmMedium: smallest(list.map((event) => event.utm_medium)),
        utmCampaign: campaign,
        adCampaign: ad ? (campaign ?? '(none)') : null,
        browser: smallest(list.map((event) => event.browser)),
        os: smallest(list.map((event) => event.os)),
        device: smallest(list.map((event) => event.device)),
        country: smallest(list.map((event) => event.country)),
      },
      pages,
      names,
      props: list.filter((event) => event.type === 'custom' && event.props?.plan !== undefined).map((event) => ({ name: event.name!, plan: String(event.props!.plan) })),
    };
  });
}

interface Figures {
  visitors: Set<string>;
  visits: number;
  pageviews: number;
  events: number;
  bounces: number;
  durationMs: number;
}

const emptyFigures = (): Figures => ({ visitors: new Set(), visits: 0, pageviews: 0, events: 0, bounces: 0, durationMs: 0 });

/** What the engine should answer for a scope, computed visit by visit. */
function expected(visits: Visit[], range: DateRange, filters: UsageFilter[], granularity: 'hour' | 'day') {
  const page = filters.find((filter) => filter.dimension === 'page')?.value;
  const name = filters.find((filter) => filter.dimension === 'event')?.value;
  const inScope = visits.filter(
    (visit) =>
      visit.started >= range.from.getTime() &&
      visit.started < range.to.getTime() &&
      filters.every((filter) =>
        isVisitDimension(filter.dimension) ? visit.values[filter.dimension] === filter.value : (filter.dimension === 'page' ? visit.pages : visit.names).has(filter.value),
      ),
  );
  const totals = emptyFigures();
  const buckets = new Map<string, Figures>();
  const rows = new Map<UsageDimension, Map<string | null, Figures>>(PANELS.map((dimension) => [dimension, new Map()]));
  const plans = new Map<string, { sessions: Set<Visit>; visitors: Set<string>; events: number }>();
  const addTo = (figures: Figures, visit: Visit, pageviews: number, events: number, whole: boolean) => {
    figures.visitors.add(visit.visitor);
    figures.visits += 1;
    figures.pageviews += pageviews;
    figures.events += events;
    if (whole) {
      figures.bounces += visit.events <= 1 ? 1 : 0;
      figures.durationMs += visit.ended - visit.started;
    }
  };
  for (const visit of inScope) {
    const pageviews = page === undefined ? visit.pageviews : (visit.pages.get(page) ?? 0);
    const customEvents = name === undefined ? visit.customEvents : (visit.names.get(name) ?? 0);
    addTo(totals, visit, pageviews, customEvents, true);
    const bucket = new Date(Math.floor(visit.started / (granularity === 'day' ? DAY : 3_600_000)) * (granularity === 'day' ? DAY : 3_600_000)).toISOString().replace('.000Z', 'Z');
    if (!buckets.has(bucket)) buckets.set(bucket, emptyFigures());
    addTo(buckets.get(bucket)!, visit, pageviews, customEvents, true);
    for (const dimension of VISIT_DIMENSIONS) {
      const value = visit.values[dimension];
      if (value === null && dimension !== 'referrer') continue;
      const panel = rows.get(dimension)!;
      if (!panel.has(value)) panel.set(value, emptyFigures());
      addTo(panel.get(value)!, visit, pageviews, customEvents, true);
    }
    for (const [dimension, list, own] of [['page', visit.pages, page], ['event', visit.names, name]] as const) {
      for (const [value, times] of list) {
        if (own !== undefined && value !== own) continue;
        const panel = rows.get(dimension)!;
        if (!panel.has(value)) panel.set(value, emptyFigures());
        addTo(panel.get(value)!, visit, dimension === 'page' ? times : 0, dimension === 'event' ? times : 0, false);
      }
    }
    for (const prop of visit.props) {
      if (name !== undefined && prop.name !== name) continue;
      const entry = plans.get(prop.plan) ?? { sessions: new Set(), visitors: new Set(), events: 0 };
      entry.sessions.add(visit);
      entry.visitors.add(visit.visitor);
      entry.events += 1;
      plans.set(prop.plan, entry);
    }
  }
  return { totals, buckets, rows, plans };
}

function metricsOf(figures: Figures) {
  const { visits } = figures;
  return {
    visitors: figures.visitors.size,
    visits,
    pageviews: figures.pageviews,
    viewsPerVisit: visits ? Math.round((figures.pageviews * 100) / visits) / 100 : null,
    bounceRate: visits ? Math.round((figures.bounces * 1000) / visits) / 10 : null,
    visitDuration: visits ? Math.round(figures.durationMs / (1000 * visits)) : null,
    events: figures.events,
  };
}

function sortedRows(dimension: UsageDimension, rows: Map<string | null, Figures>) {
  const sort = defaultSort(dimension) as 'visits' | 'pageviews' | 'events';
  return [...rows.entries()]
    .sort(([aValue, a], [bValue, b]) => b[sort] - a[sort] || (aValue === null ? 1 : bValue === null ? -1 : byCodePoint(aValue, bValue)))
    .map(([value, figures]) => ({ value, visitors: figures.visitors.size, visits: figures.visits, pageviews: figures.pageviews, events: figures.events }));
}

/** Visitors within 2 %, or one visitor where that is more (two visitors can share a register of the sketch). */
function expectVisitors(actual: number | null | undefined, exact: number, sketched: boolean, where: string): void {
  if (!sketched) {
    expect(actual, where).toBe(exact);
    return;
  }
  expect(Math.abs((actual ?? 0) - exact), `${where}: ${actual} visitors for ${exact}`).toBeLessThanOrEqual(Math.max(1, exact * 0.02));
}

const FILTER_SETS: UsageFilter[][] = [
  [],
  [{ dimension: 'page', value: '/pris' }],
  [{ dimension: 'referrer', value: 'google.com' }],
  [{ dimension: 'page', value: '/fakturaer' }, { dimension: 'referrer', value: 'bing.com' }],
  [{ dimension: 'event', value: 'signup' }],
  [{ dimension: 'utmCampaign', value: 'vinter' }, { dimension: 'device', value: 'mobile' }],
  [{ dimension: 'entryPage', value: '/' }, { dimension: 'event', value: 'download' }],
  [{ dimension: 'adCampaign', value: 'sommer' }],
  [{ dimension: 'country', value: 'NO' }],
  [{ dimension: 'country', value: 'SE' }, { dimension: 'page', value: '/pris' }],
];

describe.each(engines)('usage figures against the raw events (%s)', (engine) => {
  let context: TestContext;
  let siteId: number;
  let visits: Visit[];

  beforeAll(async () => {
    context = await createTestContext(engine);
    siteId = context.demo.sites[0]!.id;
    const { batches, visitors } = traffic(siteId);
    for (const batch of batches) await insertEvents(context.database.db, batch);
    for (const visitor of visitors.slice(0, 160).filter((_, index) => index % 37 === 5)) {
      expect(await eraseSubjectEvents(context.database.db, [siteId], visitor)).toBeGreaterThan(0);
    }
    await context.database.db.updateTable('organisations').set({ event_retention_days: RETENTION_DAYS }).execute();
    const [retention] = await enforceRetention(context.database.db, new Date(NOW));
    expect(retention!.eventsDeleted).toBeGreaterThan(0);
    visits = await rawVisits(context, siteId);
  }, 240_000);
  afterAll(() => context?.close());

  const today = new Date(Math.floor(NOW / DAY) * DAY);
  const periods: Array<{ name: string; range: DateRange; granularity: 'hour' | 'day' }> = [
    ...(['today', '7d', '30d'] as const).map((period) => ({ name: period, ...periodRange({ period }, new Date(NOW)) })),
    // A day with a visit across its midnight, and three days before it: custom periods as the dashboard sends them.
    { name: 'one past day', range: { from: new Date(today.getTime() - 9 * DAY), to: new Date(today.getTime() - 8 * DAY) }, granularity: 'hour' },
    { name: 'three past days', range: { from: new Date(today.getTime() - 12 * DAY), to: new Date(today.getTime() - 9 * DAY) }, granularity: 'day' },
  ];

  test('the generated traffic has what the checks are about', () => {
    const crossesMidnight = visits.filter((visit) => Math.floor(visit.started / DAY) !== Math.floor(visit.ended / DAY));
    expect(crossesMidnight.length).toBeGreaterThan(5);
    const sevenDays = periodRange({ period: '7d' }, new Date(NOW)).range.from.getTime();
    expect(visits.some((visit) => visit.started < sevenDays && visit.ended >= sevenDays)).toBe(true);
    const oldest = Math.min(...visits.map((visit) => visit.started));
    expect(oldest).toBeGreaterThanOrEqual(today.getTime() - (RETENTION_DAYS - 1) * DAY);
  });

  for (const period of periods) {
    for (const filters of FILTER_SETS) {
      const label = `${period.name}, ${filters.map((filter) => `${filter.dimension}=${filter.value}`).join(' & ') || 'no filter'}`;
      test(`every panel equals the raw computation: ${label}`, async () => {
        const parts: Record<string, StatsPart> = {
          totals: { metrics: ['visitors', 'visits', 'pageviews', 'viewsPerVisit', 'bounceRate', 'visitDuration', 'events'], grouping: { by: 'total' } },
          timeseries: { metrics: ['visitors', 'visits', 'pageviews'], grouping: { by: 'time', granularity: period.granularity } },
          ...Object.fromEntries(PANELS.map((dimension) => [dimension, { metrics: ['visits', 'pageviews', 'events'], grouping: { by: 'dimension', dimension, limit: 1000 } } satisfies StatsPart])),
        };
        const actual = await runStatsSet(context.database.db, { siteId, range: period.range, filters }, parts);
        const want = expected(visits, period.range, filters, period.granularity);
        // Only the rollups (no filter) over more than one day estimate visitors.
        const sketched = filters.length === 0 && period.range.to.getTime() - period.range.from.getTime() > DAY;

        const { visitors, ...totals } = metricsOf(want.totals);
        expect(actual.totals![0]!.metrics).toMatchObject(totals);
        expectVisitors(actual.totals![0]!.metrics.visitors, visitors, sketched, `${label}: total`);

        expect(actual.timeseries!.map((row) => row.value)).toEqual([...want.buckets.keys()].sort(byCodePoint));
        for (const row of actual.timeseries!) {
          const bucket = want.buckets.get(row.value!)!;
          expect(row.metrics, `${label}: ${row.value}`).toMatchObject({ visits: bucket.visits, pageviews: bucket.pageviews });
          expectVisitors(row.metrics.visitors, bucket.visitors.size, sketched && period.granularity === 'day', `${label}: ${row.value}`);
        }
        for (const dimension of PANELS) {
          const rows = sortedRows(dimension, want.rows.get(dimension)!).map(({ visitors: _, ...row }) => row);
          expect(actual[dimension]!.map((row: BreakdownRow) => ({ value: row.value, ...row.metrics })), `${label}: ${dimension}`).toEqual(rows);
        }
      });
    }
  }

  test('a breakdown counts each row’s visitors exactly, pages through its rows, and breaks events down by a property', async () => {
    const { range } = periodRange({ period: '30d' }, new Date(NOW));
    const want = expected(visits, range, [], 'day');
    for (const dimension of PANELS) {
      const rows = await runStats(context.database.db, { siteId, range, filters: [], metrics: ['visitors', 'visits', 'pageviews', 'events'], grouping: { by: 'dimension', dimension, limit: 1000 } });
      expect(rows.map((row) => ({ value: row.value, ...row.metrics })), dimension).toEqual(sortedRows(dimension, want.rows.get(dimension)!));
      const byValue = await runStats(context.database.db, {
        siteId,
        range,
        filters: [],
        metrics: ['visits'],
        grouping: { by: 'dimension', dimension, limit: 2, offset: 1, sort: 'value', order: 'desc' },
      });
      const values = [...want.rows.get(dimension)!.keys()].sort((a, b) => (a === null ? 1 : b === null ? -1 : byCodePoint(b, a)));
      expect(byValue.map((row) => row.value), dimension).toEqual(values.slice(1, 3));
    }
    // Parts grouping by the same property share one grouping set; counting visitors in one changes nothing in the other.
    const shared = await runStatsSet(context.database.db, { siteId, range, filters: [] }, {
      counted: { metrics: ['visitors', 'visits'], grouping: { by: 'dimension', dimension: 'referrer', limit: 1000 } },
      uncounted: { metrics: ['visits'], grouping: { by: 'dimension', dimension: 'referrer', limit: 1000 } },
    });
    const referrers = sortedRows('referrer', want.rows.get('referrer')!);
    expect(shared.counted!.map((row) => ({ value: row.value, ...row.metrics }))).toEqual(referrers.map(({ value, visitors, visits }) => ({ value, visitors, visits })));
    expect(shared.uncounted!.map((row) => ({ value: row.value, ...row.metrics }))).toEqual(referrers.map(({ value, visits }) => ({ value, visits })));
    const signups = expected(visits, range, [{ dimension: 'event', value: 'signup' }], 'day');
    const plans = await runStats(context.database.db, {
      siteId,
      range,
      filters: [{ dimension: 'event', value: 'signup' }],
      metrics: ['visitors', 'visits', 'events'],
      grouping: { by: 'dimension', dimension: 'prop:plan', limit: 10 },
    });
    const wantPlans = [...signups.plans.entries()]
      .map(([value, entry]) => ({ value, visitors: entry.visitors.size, visits: entry.sessions.size, events: entry.events }))
      .sort((a, b) => b.events - a.events || byCodePoint(a.value, b.value));
    expect(plans.map((row) => ({ value: row.value, ...row.metrics }))).toEqual(wantPlans);
  });
});
