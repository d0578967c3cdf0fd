/**
 * The app's hand-off: a signed token an app injects into a WebView before the page's scripts run
 * (`window.SamtykkeHandoff`), or passes later with `Samtykke.handoff(token)`. The server checks it and answers the
 * consent ID's latest decision, which the page then adopts (main.ts); the page never trusts the token's own text.
 */
import type { HandedOffConsent } from '../server/contract.ts';
import { post } from './transport.ts';

declare global {
  interface Window {
    /** Set by the app (sdk/src/handoff.ts) before the widget loads. */
    SamtykkeHandoff?: string;
  }
}

export const verifyHandoff = (collector: string, site: string, token: string): Promise<HandedOffConsent> =>
  post(`${collector}/api/handoff/verify`, { site, token }).then((response) => (response.ok ? response.json() : Promise.reject(response.status)));
