/**
 * One consent across the app and the web pages it opens in a WebView. The app asks Samtykke for a hand-off token
 * (the consent ID's latest stored decision, signed by the server, valid for minutes) and injects it before the
 * page's scripts run; the page's widget has the server check it and adopts the decision without a banner. A change
 * made on the page is recorded under the same consent ID, and readLatestConsent() brings it back to the app.
 *
 *   const handoff = await requestHandoff({ endpoint, site: 'min-side', consentId: samtykke.consentId });
 *   <WebView source={{ uri }} injectedJavaScriptBeforeContentLoaded={handoff.beforeContentLoaded} />
 *   // after a change in the app, to a WebView already open:
 *   webView.current?.injectJavaScript((await requestHandoff(...)).update);
 *
 * The token is for one site: that of the pages opened. Its decision must be recorded on that site (create the
 * client with that site, or record the decision there too): a page trusts only what its own site holds.
 */
import { SamtykkeError } from './errors.js';
import type { Choices } from './types.js';

export interface HandoffOptions {
  /** Where Samtykke runs: `https://consent.example.no`. */
  readonly endpoint: string;
  /** The site key of the pages the WebView opens, whose decision for `consentId` is recorded. */
  readonly site: string;
  /** The user's consent ID (`samtykke.consentId`). */
  readonly consentId: string;
  /** The fetch to use. Default: the global one. */
  readonly fetch?: typeof fetch;
}

export interface WebViewHandoff {
  /** Signed by the server: a page can read it, not make or alter one. */
  readonly token: string;
  /** After this the page refuses the token; ask for a new one each time a WebView opens. */
  readonly expiresAt: Date;
  /** For `injectedJavaScriptBeforeContentLoaded` (Android: evaluateJavascript on page start; iOS: a WKUserScript at document start). */
  readonly beforeContentLoaded: string;
  /** For `webView.injectJavaScript()` on a page already open: the page adopts the new decision at once. */
  readonly update: string;
}

/** The consent ID's latest decision on the site, wherever it was made (the app, or a page it opened). */
export interface LatestConsent {
  readonly consentId: string;
  readonly policyVersion: number;
  readonly choices: Choices;
  readonly decidedAt: Date;
  /** False when it has lapsed (its lifetime passed, or the policy asks again since): ask the user again. */
  readonly current: boolean;
}

/** The JavaScript to inject for a token: kept as a string literal, so no token can break out of it. */
export function handoffScripts(token: string): Pick<WebViewHandoff, 'beforeContentLoaded' | 'update'> {
  const literal = JSON.stringify(token);
  // `true;` last: React Native WebView on iOS reports an error for a script whose value is not serialisable.
  return {
    beforeContentLoaded: `window.SamtykkeHandoff=${literal};true;`,
    update: `window.SamtykkeHandoff=${literal};window.Samtykke&&window.Samtykke.handoff&&window.Samtykke.handoff(${literal});true;`,
  };
}

async function post(options: HandoffOptions, path: string, body: unknown): Promise<Response> {
  const send = options.fetch ?? globalThis.fetch.bind(globalThis);
  try {
    return await send(`${options.endpoint.replace(/\/+$/, '')}${path}`, {
      method: 'POST',
      headers: { 'content-type': 'application/json' },
      body: JSON.stringify(body),
    });
  } catch (error) {
    throw new SamtykkeError('refused', `Samtykke did not answer ${path} (${(error as Error).message}); open the page without a hand-off, or try again`, undefined, { status: 0, code: undefined, dropped: 0 }, { cause: error });
  }
}

async function refusal(response: Response, path: string): Promise<SamtykkeError> {
  const { error } = (await response.json().catch(() => ({}))) as { error?: { code?: string; message?: string; field?: string } };
  return new SamtykkeError('refused', `${path}: ${error?.message ?? `HTTP ${response.status}`}`, error?.field, { status: response.status, code: error?.code, dropped: 0 });
}

/**
 * A fresh token and the scripts that inject it. Refused (SamtykkeError `refused`, server code consent_required)
 * while the server has no decision for the consent ID on the site yet, as right after decide() before it is sent:
 * await samtykke.flush() first, or open the page without a hand-off (the page then asks).
 */
export async function requestHandoff(options: HandoffOptions): Promise<WebViewHandoff> {
  const response = await post(options, '/api/handoff', { site: options.site, consentId: options.consentId });
  if (!response.ok) throw await refusal(response, '/api/handoff');
  const { token, expiresAt } = (await response.json()) as { token: string; expiresAt: string };
  return { token, expiresAt: new Date(expiresAt), ...handoffScripts(token) };
}

/** What the server holds for the consent ID now (a change made on a page included), or null when nothing is recorded. */
export async function readLatestConsent(options: HandoffOptions): Promise<LatestConsent | null> {
  const response = await post(options, '/api/consent/latest', { site: options.site, consentId: options.consentId });
  if (response.status === 404) {
    const refused = await refusal(response, '/api/consent/latest');
    if (refused.server?.code === 'consent_required') return null;
    throw refused;
  }
  if (!response.ok) throw await refusal(response, '/api/consent/latest');
  const latest = (await response.json()) as Omit<LatestConsent, 'decidedAt'> & { decidedAt: string };
  return { ...latest, decidedAt: new Date(latest.decidedAt) };
}
