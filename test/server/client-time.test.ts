/** Events stored at the time they happened: the client's time corrected by the batch's send time, clamped when absurd. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { loadConfig, ConfigError } from '../../server/config.ts';
import type { EventInput, EventsReceipt, EventsRequest } from '../../server/contract.ts';
import { occurredAt } from '../../server/domain/events.ts';
import { startTestServer } from '../helpers/app.ts';
import { DESKTOP_USER_AGENT } from '../helpers/browser.ts';
import { engines } from '../helpers/database.ts';
import { consentRequest, newConsentId } from '../helpers/requests.ts';

const SECOND = 1_000;
const HOUR = 3_600 * SECOND;

type TestServer = Awaited<ReturnType<typeof startTestServer>>;

describe.each(engines)('client event times on %s', (engine) => {
  // One server per engine: every test has a consent ID of its own and reads only its events.
  let server: TestServer;
  beforeAll(async () => {
    server = await startTestServer(engine);
  });
  afterAll(() => server?.close());

  /** Over HTTP to the listening server, as the widget sends it: text/plain from the site's own origin. */
  function send(target: TestServer, path: string, body: unknown): Promise<Response> {
    return fetch(target.url + path, {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': 'text/plain', origin: target.url, 'user-agent': DESKTOP_USER_AGENT },
    });
  }

  async function decide(target = server): Promise<string> {
    const consentId = newConsentId();
    expect((await send(target, '/api/consent', consentRequest({ consentId }))).status).toBe(201);
    return consentId;
  }

  /**
   * Sends a batch and notes the server's receive time, which lies between the two readings of this same clock.
   * The body is built once the send is about to start, so a simulated client clock reads "now" too.
   */
  async function sendEvents(target: TestServer, body: () => EventsRequest | string) {
    const before = Date.now();
    const response = await send(target, '/api/events', body());
    const after = Date.now();
    return { response, received: { before, after } };
  }

  /** The consent ID's events once the writer has stored all `count` of them, in the order they happened. */
  async function stored(consentId: string, count: number) {
    const rows = () => server.deps.db.selectFrom('events').selectAll().where('consent_id', '=', consentId).orderBy('occurred_at').orderBy('id').execute();
    await expect.poll(async () => (await rows()).length).toBe(count);
    return rows();
  }

  const page = (path: string, time?: number): EventInput => ({ type: 'pageview', url: `https://portal.test${path}`, ...(time === undefined ? {} : { time }) });

  /** A stored time equals the receive time shifted by `shift`, within the span the request took. */
  function expectReceivedPlus(at: Date, received: { before: number; after: number }, shift = 0): void {
    expect(at.getTime()).toBeGreaterThanOrEqual(received.before + shift);
    expect(at.getTime()).toBeLessThanOrEqual(received.after + shift);
  }

  it.each([
    ['2 hours ahead', 2 * HOUR],
    ['2 hours behind', -2 * HOUR],
  ])('corrects a client clock %s by the batch send time', async (_name, skew) => {
    const consentId = await decide();
    const { response, received } = await sendEvents(server, () => {
      const clientNow = Date.now() + skew;
      return { site: 'min-side', consentId, sentAt: clientNow, events: [page('/a', clientNow - 10 * SECOND), page('/b', clientNow - 5 * SECOND)] };
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 2 } satisfies EventsReceipt);
    const [first, second] = await stored(consentId, 2);
    expect([first!.path, second!.path]).toEqual(['/a', '/b']);
    expectReceivedPlus(first!.occurred_at, received, -10 * SECOND);
    expectReceivedPlus(second!.occurred_at, received, -5 * SECOND);
  });

  it('stores a visit sent an hour late with its real times: 30 seconds long, its events in the order they happened', async () => {
    const consentId = await decide();
    const { response, received } = await sendEvents(server, () => {
      const start = Date.now() - HOUR - 30 * SECOND;
      // Out of order on the wire, as a merged offline queue may be: the order comes from the times.
      const events = [page('/end', start + 30 * SECOND), page('/start', start), { type: 'custom' as const, name: 'middle', url: 'https://portal.test/start', time: start + 12 * SECOND }];
      return { site: 'min-side', consentId, sessionId: 'late-visit-0001', sentAt: Date.now(), events };
    });
    expect(response.status).toBe(202);
    const events = await stored(consentId, 3);
    expect(events.map((event) => event.name ?? event.path)).toEqual(['/start', 'middle', '/end']);
    const times = events.map((event) => event.occurred_at.getTime());
    expect(times[2]! - times[0]!).toBe(30 * SECOND);
    expect(times[1]! - times[0]!).toBe(12 * SECOND);
    expectReceivedPlus(events[0]!.occurred_at, received, -HOUR - 30 * SECOND);
    expect(new Set(events.map((event) => event.session_id))).toEqual(new Set(['late-visit-0001']));
  });

  it('trusts the client clock as it is when the batch carries no send time', async () => {
    const consentId = await decide();
    const time = Date.now() - 30 * 60 * SECOND;
    const { response } = await sendEvents(server, () => ({ site: 'min-side', consentId, events: [page('/', time)] }));
    expect(response.status).toBe(202);
    const [event] = await stored(consentId, 1);
    expect(event!.occurred_at.getTime()).toBe(time);
  });

  it('stores future, too old and impossible times at the receive time, and counts them in the receipt', async () => {
    const consentId = await decide();
    // 1e999 is valid JSON that parses to Infinity, so the body is written by hand.
    const { response, received } = await sendEvents(server, () => {
      const now = Date.now();
      return `{"site":"min-side","consentId":"${consentId}","sentAt":${now},"events":[
        {"type":"pageview","url":"https://portal.test/future","time":${now + HOUR}},
        {"type":"pageview","url":"https://portal.test/too-old","time":${now - 73 * HOUR}},
        {"type":"pageview","url":"https://portal.test/infinite","time":1e999},
        {"type":"pageview","url":"https://portal.test/epoch","time":0},
        {"type":"pageview","url":"https://portal.test/in-window","time":${now - 71 * HOUR}}]}`;
    });
    expect(response.status).toBe(202);
    expect(await response.json()).toEqual({ accepted: 5, clamped: 4 } satisfies EventsReceipt);
    const events = new Map((await stored(consentId, 5)).map((event) => [event.path, event.occurred_at]));
    for (const path of ['/future', '/too-old', '/infinite', '/epoch']) expectReceivedPlus(events.get(path)!, received);
    expectReceivedPlus(events.get('/in-window')!, received, -71 * HOUR);
  });

  it('clamps an infinite send time rather than refusing the batch', async () => {
    const consentId = await decide();
    const { response, received } = await sendEvents(
      server,
      () => `{"site":"min-side","consentId":"${consentId}","sentAt":-1e999,"events":[{"type":"pageview","url":"https://portal.test/","time":${Date.now()}}]}`,
    );
    expect(await response.json()).toEqual({ accepted: 1, clamped: 1 });
    expectReceivedPlus((await stored(consentId, 1))[0]!.occurred_at, received);
  });

  it('takes the window from SAMTYKKE_EVENT_TIME_WINDOW_HOURS', async () => {
    const narrow = await startTestServer(engine, { SAMTYKKE_EVENT_TIME_WINDOW_HOURS: '1' });
    try {
      const consentId = await decide(narrow);
      const { response } = await sendEvents(narrow, () => {
        const now = Date.now();
        return { site: 'min-side', consentId, sentAt: now, events: [page('/recent', now - 30 * 60 * SECOND), page('/old', now - 2 * HOUR)] };
      });
      expect(await response.json()).toEqual({ accepted: 2, clamped: 1 });
    } finally {
      await narrow.close();
    }
  });

  it.each([
    ['an event time as a string', { time: '2026-12-01T10:00:00Z' }, {}, 'events.0.time'],
    ['an event time as null', { time: null }, {}, 'events.0.time'],
    ['a send time as a string', {}, { sentAt: 'now' }, 'sentAt'],
  ])('refuses %s with 400 naming the field, and stores nothing', async (_name, event, batch, field) => {
    const consentId = await decide();
    const { response } = await sendEvents(server, () => JSON.stringify({ site: 'min-side', consentId, ...batch, events: [{ ...page('/'), ...event }] }));
    expect(response.status).toBe(400);
    const { error } = (await response.json()) as { error: { code: string; message: string; field: string } };
    expect(error).toMatchObject({ code: 'invalid_body', field, message: expect.stringContaining(`${field}: must be a number`) });
    expect(await stored(consentId, 0)).toEqual([]);
  });

  it('stores events without a time at the receive time, with or without a send time, and the pixel too', async () => {
    const consentId = await decide();
    const { response, received } = await sendEvents(server, () => ({ site: 'min-side', consentId, sentAt: Date.now() - 2 * HOUR, events: [page('/untimed')] }));
    expect(await response.json()).toEqual({ accepted: 1 });
    const plain = await sendEvents(server, () => ({ site: 'min-side', consentId, events: [page('/plain')] }));
    expect(plain.response.status).toBe(202);
    const beforePixel = Date.now();
    const pixel = await fetch(`${server.url}/p.gif?${new URLSearchParams({ site: 'min-side', cid: consentId, url: 'https://portal.test/pixel' })}`, {
      headers: { 'user-agent': DESKTOP_USER_AGENT },
    });
    expect(pixel.status).toBe(200);
    const pixelReceived = { before: beforePixel, after: Date.now() };
    const events = new Map((await stored(consentId, 3)).map((event) => [event.path, event.occurred_at]));
    expectReceivedPlus(events.get('/untimed')!, received);
    expectReceivedPlus(events.get('/plain')!, plain.received);
    expectReceivedPlus(events.get('/pixel')!, pixelReceived);
  });

  it('derives the visit of an untracked session from the day each event happened, not the day it arrived', async () => {
    const consentId = await decide();
    const { response } = await sendEvents(server, () => {
      const now = Date.now();
      return { site: 'min-side', consentId, sentAt: now, events: [page('/two-days-ago', now - 48 * HOUR), page('/now', now), page('/now-too', now)] };
    });
    expect(response.status).toBe(202);
    const sessions = new Map((await stored(consentId, 3)).map((event) => [event.path, event.session_id]));
    expect(sessions.get('/now')).toBe(sessions.get('/now-too'));
    expect(sessions.get('/two-days-ago')).not.toBe(sessions.get('/now'));
  });
});

describe('occurredAt', () => {
  const received = new Date('2000-01-02T00:00:00Z');
  const window = 72 * HOUR;

  it('refuses times before 2000 even inside the window', () => {
    expect(occurredAt(Date.parse('1999-12-31T23:00:00Z'), undefined, received, window)).toEqual({ at: received, clamped: true });
    expect(occurredAt(Date.parse('2000-01-01T01:00:00Z'), undefined, received, window)).toEqual({ at: new Date('2000-01-01T01:00:00Z'), clamped: false });
  });

  it('keeps the receive time, unclamped, for an event without a time', () => {
    expect(occurredAt(undefined, 0, received, window)).toEqual({ at: received, clamped: false });
  });
});

describe('SAMTYKKE_EVENT_TIME_WINDOW_HOURS', () => {
  it('defaults to 72 hours and refuses what is not a whole number of hours from 1', () => {
    expect(loadConfig({}).eventTimeWindowMs).toBe(72 * HOUR);
    expect(loadConfig({ SAMTYKKE_EVENT_TIME_WINDOW_HOURS: '6' }).eventTimeWindowMs).toBe(6 * HOUR);
    expect(() => loadConfig({ SAMTYKKE_EVENT_TIME_WINDOW_HOURS: '0' })).toThrow(ConfigError);
    expect(() => loadConfig({ SAMTYKKE_EVENT_TIME_WINDOW_HOURS: '1.5' })).toThrow(/SAMTYKKE_EVENT_TIME_WINDOW_HOURS/);
  });
});
