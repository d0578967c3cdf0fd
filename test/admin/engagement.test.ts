/**
 * The engagement signals through the collector, and each engagement panel held to a computation over the raw events
 * stored; the visits' figures do not move for them.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { EventInput } from '../../server/contract.ts';
import type { Choices } from '../../server/domain/consent.ts';
import type { SiteFeatures } from '../../server/domain/sites.ts';
import { createTestContext, type TestContext } from '../helpers/app.ts';
import { engines } from '../helpers/database.ts';
import { consentRequest, errorOf, eventsRequest, newConsentId, post } from '../helpers/requests.ts';
import { signedInStaff, type StaffClient } from './helpers.ts';

const PAGE = 'https://portal.test';
const GRANTED: Choices = { functional: true, analytics: true, ads: false };

describe.each(engines)('engagement signals and panels on %s', (engine) => {
  let context: TestContext;
  let analyst: StaffClient;
  let siteId: number;
  let granted: string[];
  let denied: string;

  async function decide(choices: Choices): Promise<string> {
    const consentId = newConsentId();
    const action = choices.analytics ? 'custom' : 'reject_all';
    expect((await post(context.app, '/api/consent', consentRequest({ consentId, choices, action }))).status).toBe(201);
    return consentId;
  }

  /** The site's signal switches, as an admin sets them on the Banner page. */
  async function switchSignals(features: Partial<SiteFeatures>): Promise<void> {
    const site = context.demo.sites.find((candidate) => candidate.id === siteId)!;
    expect(await context.deps.sites.update(site, { features })).not.toBeNull();
  }

  /** Once the writer has stored every accepted event. */
  const stored = () => expect.poll(() => context.deps.eventWriter.pending).toBe(0);

  const send = (consentId: string, sessionId: string, events: EventInput[]) => post(context.app, '/api/events', eventsRequest(consentId, { sessionId, events }));

  async function overviewTotals(): Promise<Record<string, number>> {
    const response = await analyst.get(`/api/admin/sites/${siteId}/usage/overview?period=7d`);
    expect(response.status).toBe(200);
    return ((await response.json()) as { totals: { current: Record<string, number> } }).totals.current;
  }

  /** Pageviews, then (later) the signals: the visits are made before a single signal arrives. */
  const visits: Array<[number, string, string[]]> = [
    [0, 'session-a', ['/', '/pris']],
    [0, 'session-b', ['/pris']],
    [1, 'session-c', ['/']],
    [2, 'session-d', ['/kontakt', '/kontakt/skjema']],
  ];
  const signals: Array<[number, string, EventInput[]]> = [
    [0, 'session-a', [
      { type: 'engagement', url: `${PAGE}/`, engagedMs: 12_000, scroll: 40 },
      { type: 'engagement', url: `${PAGE}/`, engagedMs: 3_000, scroll: 80 },
      { type: 'engagement', url: `${PAGE}/pris`, engagedMs: 45_500, scroll: 100 },
      { type: 'outbound', url: `${PAGE}/pris`, link: 'https://www.skatteetaten.no/person/?id=secret#top' },
      { type: 'download', url: `${PAGE}/pris`, link: `${PAGE}/filer/prisliste.PDF?v=2` },
    ]],
    [0, 'session-b', [
      { type: 'engagement', url: `${PAGE}/pris`, engagedMs: 2_000 },
      { type: 'download', url: `${PAGE}/pris`, link: `${PAGE}/filer/prisliste.PDF` },
    ]],
    [1, 'session-c', [
      { type: 'engagement', url: `${PAGE}/`, engagedMs: 7_000, scroll: 55 },
      { type: 'outbound', url: `${PAGE}/`, link: 'https://www.skatteetaten.no/person/' },
      { type: 'outbound', url: `${PAGE}/`, link: 'https://nav.no/' },
      { type: 'notfound', url: `${PAGE}/gammel-side?x=1`, referrer: `${PAGE}/?q=secret` },
    ]],
    [2, 'session-d', [
      { type: 'engagement', url: `${PAGE}/kontakt`, engagedMs: 30_000, scroll: 20 },
      { type: 'download', url: `${PAGE}/`, link: `${PAGE}/skjema.docx` },
      { type: 'notfound', url: `${PAGE}/gammel-side`, referrer: 'https://lenker.example/liste' },
      { type: 'notfound', url: `${PAGE}/gammel-side` },
    ]],
  ];

  beforeAll(async () => {
    context = await createTestContext(engine);
    siteId = context.demo.sites.find((site) => site.key === 'min-side')!.id;
    await switchSignals({ engagement: true, outboundLinks: true, fileDownloads: true, notFoundPages: true });
    analyst = await signedInStaff(context, ['analyst']);
    granted = [await decide(GRANTED), await decide(GRANTED), await decide(GRANTED)];
    denied = await decide({ functional: true, analytics: false, ads: false });
    for (const [visitor, session, paths] of visits) {
      expect((await send(granted[visitor]!, session, paths.map((path) => ({ type: 'pageview', url: `${PAGE}${path}` })))).status).toBe(202);
    }
  });
  afterAll(() => context?.close());

  async function panel<T>(name: string, query = ''): Promise<T[]> {
    const response = await analyst.get(`/api/admin/sites/${siteId}/engagement/${name}?period=7d${query}`);
    expect(response.status).toBe(200);
    return ((await response.json()) as { rows: T[] }).rows;
  }

  /** The signals of the site as stored, read without the panels' SQL. */
  async function rawSignals() {
    await stored();
    return context.database.db.selectFrom('events').selectAll().where('site_id', '=', siteId).where('type', 'not in', ['pageview', 'custom']).execute();
  }

  it('stores the signals without changing a visit, a pageview or a bounce', async () => {
    await stored();
    const before = await overviewTotals();
    for (const [visitor, session, events] of signals) expect((await send(granted[visitor]!, session, events)).status).toBe(202);
    const raw = await rawSignals();
    expect(raw).toHaveLength(signals.flatMap(([, , events]) => events).length);
    expect(await overviewTotals()).toEqual(before);
    // Links and referrers are kept without query string or fragment; a download keeps its extension, in lower case.
    expect(raw.filter((event) => event.type === 'outbound').map((event) => event.target).sort()).toEqual(['https://nav.no/', 'https://www.skatteetaten.no/person/', 'https://www.skatteetaten.no/person/']);
    expect(raw.filter((event) => event.type === 'download').map((event) => [event.target, event.name])).toContainEqual([`${PAGE}/filer/prisliste.PDF`, 'pdf']);
    expect(raw.filter((event) => event.type === 'notfound').map((event) => [event.path, event.target])).toContainEqual(['/gammel-side', `${PAGE}/`]);
  });

  it('refuses every signal of a visitor without analytics consent, and stores none', async () => {
    for (const [, session, events] of signals) {
      const response = await send(denied, session, events);
      expect(response.status).toBe(403);
      expect((await errorOf(response)).code).toBe('consent_required');
    }
    expect((await rawSignals()).filter((event) => event.consent_id === denied)).toEqual([]);
  });

  it('refuses signals with fields out of bounds or of another type, naming the field', async () => {
    const bad: Array<[Partial<EventInput>, string]> = [
      [{ type: 'engagement', scroll: 10 }, 'events.0.engagedMs'],
      [{ type: 'engagement', engagedMs: 1_000, scroll: 101 }, 'events.0.scroll'],
      [{ type: 'engagement', engagedMs: -1 }, 'events.0.engagedMs'],
      [{ type: 'engagement', engagedMs: 1.5 }, 'events.0.engagedMs'],
      [{ type: 'engagement', engagedMs: 86_400_001 }, 'events.0.engagedMs'],
      [{ type: 'outbound' }, 'events.0.link'],
      [{ type: 'download', link: 'ftp://files.example/a.pdf' }, 'events.0.link'],
      [{ type: 'pageview', engagedMs: 1_000 }, 'events.0.engagedMs'],
      [{ type: 'notfound', link: `${PAGE}/a` }, 'events.0.link'],
    ];
    for (const [event, field] of bad) {
      const response = await send(granted[0]!, 'session-bad', [{ url: `${PAGE}/`, ...event } as EventInput]);
      expect(response.status, JSON.stringify(event)).toBe(400);
      expect((await errorOf(response)).field, JSON.stringify(event)).toBe(field);
    }
  });

  const median = (values: number[]) => {
    const sorted = [...values].sort((a, b) => a - b);
    const middle = Math.floor(sorted.length / 2);
    return sorted.length % 2 ? sorted[middle]! : (sorted[middle - 1]! + sorted[middle]!) / 2;
  };
  const seconds = (ms: number) => Math.round(ms / 100) / 10;
  const count = <K extends string>(keys: K[]) => [...keys.reduce((map, key) => map.set(key, (map.get(key) ?? 0) + 1), new Map<K, number>())];

  it('time on page and scroll depth per page: per visit the engaged time summed and the deepest scroll', async () => {
    const perVisit = new Map<string, { path: string; ms: number; scroll: number | null }>();
    for (const event of (await rawSignals()).filter((candidate) => candidate.type === 'engagement')) {
      const key = `${event.session_id} ${event.path}`;
      const known = perVisit.get(key) ?? { path: event.path, ms: 0, scroll: null };
      perVisit.set(key, { path: event.path, ms: known.ms + event.engaged_ms!, scroll: event.scroll === null ? known.scroll : Math.max(known.scroll ?? 0, event.scroll) });
    }
    const expected = [...new Set([...perVisit.values()].map((visit) => visit.path))].map((path) => {
      const of = [...perVisit.values()].filter((visit) => visit.path === path);
      const scrolls = of.flatMap((visit) => (visit.scroll === null ? [] : [visit.scroll]));
      return {
        path,
        visits: of.length,
        medianSeconds: seconds(median(of.map((visit) => visit.ms))),
        meanSeconds: seconds(of.reduce((sum, visit) => sum + visit.ms, 0) / of.length),
        meanScroll: scrolls.length ? Math.round(scrolls.reduce((sum, scroll) => sum + scroll, 0) / scrolls.length) : null,
      };
    });
    expected.sort((a, b) => b.visits - a.visits || (a.path < b.path ? -1 : 1));
    expect(await panel('pages')).toEqual(expected);
    // The figures of this fixture, spelled out: / was engaged 15 s in session a (two reports) and 7 s in session c.
    expect(expected[0]).toEqual({ path: '/', visits: 2, medianSeconds: 11, meanSeconds: 11, meanScroll: 68 });
  });

  it('outbound links and downloads by URL, with clicks and visitors', async () => {
    const raw = await rawSignals();
    for (const [name, type] of [['outbound', 'outbound'], ['downloads', 'download']] as const) {
      const clicks = raw.filter((event) => event.type === type);
      const expected = count(clicks.map((event) => event.target!)).map(([url, n]) => ({
        url,
        host: new URL(url).host,
        ...(type === 'download' ? { extension: clicks.find((event) => event.target === url)!.name } : {}),
        clicks: n,
        visitors: new Set(clicks.filter((event) => event.target === url).map((event) => event.consent_id)).size,
      }));
      expected.sort((a, b) => b.clicks - a.clicks || (a.url < b.url ? -1 : 1));
      expect(await panel(name)).toEqual(expected);
    }
    expect((await panel<{ url: string; clicks: number; visitors: number }>('outbound'))[0]).toEqual({ url: 'https://www.skatteetaten.no/person/', host: 'www.skatteetaten.no', clicks: 2, visitors: 2 });
  });

  it('broken pages by path and referrer, with hits and visitors', async () => {
    const hits = (await rawSignals()).filter((event) => event.type === 'notfound');
    const keys = count(hits.map((event) => `${event.path}\n${event.target ?? ''}`));
    const expected = keys.map(([key, n]) => {
      const [path, referrer] = key.split('\n') as [string, string];
      const of = hits.filter((event) => event.path === path && (event.target ?? '') === referrer);
      return { path, referrer: referrer || null, hits: n, visitors: new Set(of.map((event) => event.consent_id)).size };
    });
    expect((await panel('not-found')).sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b)))).toEqual(expected.sort((a, b) => JSON.stringify(a).localeCompare(JSON.stringify(b))));
    expect(await panel('not-found')).toHaveLength(3);
  });

  it("filters by the overview's filters: the signals of visits that match", async () => {
    // Entry page /: sessions a and c (session d entered on /kontakt).
    const raw = (await rawSignals()).filter((event) => ['session-a', 'session-c'].includes(event.session_id));
    const outbound = await panel<{ clicks: number }>('outbound', '&f.entryPage=%2F');
    expect(outbound.reduce((sum, row) => sum + row.clicks, 0)).toBe(raw.filter((event) => event.type === 'outbound').length);
    const downloads = await panel<{ url: string; clicks: number }>('downloads', '&f.entryPage=%2F');
    expect(downloads).toEqual([expect.objectContaining({ url: `${PAGE}/filer/prisliste.PDF`, clicks: 1 })]);
    const pages = await panel<{ path: string }>('pages', '&f.page=%2Fkontakt');
    expect(pages.map((row) => row.path).sort()).toEqual(['/kontakt']);
    expect(await panel('not-found', '&f.entryPage=%2Fpris')).toEqual([]);
  });

  it('exports each panel as CSV, and refuses bad parameters with a 400 naming them', async () => {
    const csv = await analyst.get(`/api/admin/sites/${siteId}/engagement/downloads?period=7d&format=csv`);
    expect(csv.status).toBe(200);
    expect(csv.headers.get('content-type')).toMatch(/text\/csv/);
    const lines = (await csv.text()).replace(/^\uFEFF/, '').trim().split('\n');
    expect(lines[0]).toBe('url,host,clicks,visitors,extension');
    // Two clicks by one visitor, in two visits.
    expect(lines).toContain(`${PAGE}/filer/prisliste.PDF,portal.test,2,1,pdf`);
    for (const name of ['pages', 'outbound', 'not-found']) {
      const response = await analyst.get(`/api/admin/sites/${siteId}/engagement/${name}?period=7d&format=csv`);
      expect(response.status).toBe(200);
    }
    for (const query of ['limit=0', 'format=xml', 'period=year', 'f.nonsense=1']) {
      const response = await analyst.get(`/api/admin/sites/${siteId}/engagement/pages?${query}`);
      expect(response.status, query).toBe(400);
      expect((await errorOf(response)).field, query).toBeTruthy();
    }
  });

  it('takes the signals of a switch that is off without storing them, and says so', async () => {
    const before = (await rawSignals()).length;
    await switchSignals({ notFoundPages: false });
    const response = await send(granted[0]!, 'session-a', [{ type: 'notfound', url: `${PAGE}/borte` }, { type: 'notfound', url: `${PAGE}/vekk` }]);
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 0, ignored: { count: 2, reason: 'signal_off' } });
    expect(await rawSignals()).toHaveLength(before);
    await switchSignals({ notFoundPages: true });
  });
});
