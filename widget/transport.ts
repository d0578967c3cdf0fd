/** Talking to the collector: JSON sent as text/plain, so no CORS preflight, and kept alive through page exits. */

export function warn(message: string, error?: unknown): void {
  console.warn(`Samtykke: ${message}`, error ?? '');
}

export function post(url: string, body: unknown): Promise<Response> {
  return fetch(url, { method: 'POST', body: JSON.stringify(body), keepalive: true });
}

/** Fire and forget: sendBeacon survives the page closing; where it refuses (size, quota) fetch keepalive stands in. */
export function beacon(url: string, body: unknown): void {
  if (!navigator.sendBeacon?.(url, JSON.stringify(body))) post(url, body).catch((error) => warn('events not sent', error));
}
