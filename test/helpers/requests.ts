/** Small builders for collector requests, so each test states only what it is about. */
import { randomBytes } from 'node:crypto';
import type { Hono } from 'hono';
import type { ConsentRequest, EventsRequest } from '../../server/contract.ts';
import { TEST_ORIGIN } from './app.ts';
import { DESKTOP_USER_AGENT } from './browser.ts';

export function newConsentId(): string {
  return randomBytes(12).toString('base64url');
}

export function consentRequest(overrides: Partial<ConsentRequest> = {}): ConsentRequest {
  return {
    site: 'min-side',
    consentId: newConsentId(),
    policyVersion: 1,
    choices: { functional: true, analytics: true, ads: true },
    action: 'accept_all',
    source: 'banner',
    locale: 'nb',
    url: 'https://portal.test/oversikt?token=secret#top',
    ...overrides,
  };
}

export function eventsRequest(consentId: string, overrides: Partial<EventsRequest> = {}): EventsRequest {
  return {
    site: 'min-side',
    consentId,
    events: [{ type: 'pageview', url: 'https://portal.test/abonnement?utm_source=news&utm_campaign=winter&gclid=abc123', referrer: 'https://www.google.com/' }],
    ...overrides,
  };
}

/** POSTs a JSON body the way the widget does (text/plain, no preflight) from the test origin. */
export function post(app: Hono, path: string, body: unknown, headers: Record<string, string> = {}): Promise<Response> {
  return Promise.resolve(
    app.request(path, {
      method: 'POST',
      body: typeof body === 'string' ? body : JSON.stringify(body),
      headers: { 'content-type': 'text/plain', origin: TEST_ORIGIN, 'user-agent': DESKTOP_USER_AGENT, ...headers },
    }),
  );
}

export async function errorOf(response: Response): Promise<{ code: string; message: string; field?: string }> {
  const body = (await response.json()) as { error: { code: string; message: string; field?: string } };
  return body.error;
}
