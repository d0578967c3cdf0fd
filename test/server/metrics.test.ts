/** GET /metrics: Prometheus text with requests, drops by reason, batches and the queue; never public by default. */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { startTestServer, type TestContext } from '../helpers/app.ts';
import { engines } from '../helpers/database.ts';
import { consentRequest, eventsRequest, newConsentId, post } from '../helpers/requests.ts';

const TOKEN = 'metrics-token-for-the-test-0001';

describe.each(engines)('metrics on %s', (engine) => {
  let server: TestContext & { url: string };
  beforeAll(async () => {
    server = await startTestServer(engine, { SAMTYKKE_METRICS_TOKEN: TOKEN });
  });
  afterAll(() => server.close());

  const scrape = async (headers: Record<string, string> = {}) => {
    const response = await fetch(`${server.url}/metrics`, { headers });
    return { status: response.status, type: response.headers.get('content-type'), text: await response.text() };
  };

  it('answers on this machine or with the token, and not to what a proxy forwarded', async () => {
    expect((await scrape()).status).toBe(200);
    expect((await scrape({ 'x-forwarded-for': '203.0.113.9' })).status).toBe(403);
    expect((await scrape({ 'x-forwarded-for': '203.0.113.9', authorization: `Bearer ${TOKEN}` })).status).toBe(200);
    expect((await scrape({ 'x-forwarded-for': '203.0.113.9', authorization: 'Bearer wrong-token-of-the-same-size' })).status).toBe(403);
    // In process there is no socket to call local: only the token opens it.
    expect((await server.app.request('/metrics')).status).toBe(403);
  });

  it('counts requests by route pattern, drops by reason, and the writers’ batches', async () => {
    const consentId = newConsentId();
    // The demo sites of a listening test server allow its own origin.
    const origin = { origin: server.url };
    expect((await post(server.app, '/api/consent', consentRequest({ consentId }), origin)).status).toBe(201);
    expect((await post(server.app, '/api/consent', consentRequest({ site: 'no-such-site' }), origin)).status).toBe(404);
    expect((await post(server.app, '/api/events', eventsRequest(consentId), origin)).status).toBe(202);
    await server.app.request('/sites/min-side/cookies');
    await server.deps.eventWriter.close();
    const { status, type, text } = await scrape({ authorization: `Bearer ${TOKEN}` });
    expect(status).toBe(200);
    expect(type).toMatch(/^text\/plain; version=0\.0\.4/);
    const value = (series: string) => Number(new RegExp(`^${series.replace(/[{}"/.]/g, '\\$&')} (\\S+)$`, 'm').exec(text)?.[1]);
    expect(value('samtykke_http_requests_total{method="POST",route="/api/consent",status="201"}')).toBe(1);
    expect(value('samtykke_http_requests_total{method="GET",route="/sites/:key/cookies",status="200"}')).toBe(1);
    expect(value('samtykke_collector_drops_total{reason="unknown_site"}')).toBe(1);
    expect(value('samtykke_batch_size_count{writer="consent"}')).toBeGreaterThanOrEqual(1);
    expect(value('samtykke_batch_size_sum{writer="events"}')).toBe(1);
    expect(value('samtykke_commit_seconds_count{writer="events"}')).toBe(1);
    expect(value('samtykke_event_queue_depth')).toBe(0);
  });
});
