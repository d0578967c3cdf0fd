/** Who is sending: the client address (pseudonymised before anything keeps it) and the user agent's classes. */
import { createHmac } from 'node:crypto';
import type { Context } from 'hono';
import { getConnInfo } from '@hono/node-server/conninfo';
import { isbot } from 'isbot';
import { UAParser } from 'ua-parser-js';

export interface UserAgentClasses {
  readonly browser: string | null;
  readonly os: string | null;
  /** desktop, mobile, tablet, smarttv, wearable, console, embedded, or bot. */
  readonly device: string;
  readonly bot: boolean;
}

export function clientAddress(c: Context, trustProxy: boolean): string {
  if (trustProxy) {
    const forwarded = c.req.header('x-forwarded-for')?.split(',')[0]?.trim();
    if (forwarded) return forwarded;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // app.request() in tests and non-Node adapters have no socket: every such client is one "unknown" client.
    return 'unknown';
  }
}

/** Drops the host part (IPv4 /24, IPv6 /48) so even the keyed hash cannot single out one address. */
export function truncateAddress(address: string): string {
  const v4 = address.replace(/^::ffff:/, '');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(v4)) return v4.split('.').slice(0, 3).join('.') + '.0';
  if (address.includes(':')) return address.split(':').slice(0, 3).join(':') + '::';
  return address;
}

/** The pseudonymous client address stored with consent evidence: a keyed hash, never the address itself. */
export function pseudonymiseAddress(key: string, address: string, siteId: number): string {
  return createHmac('sha256', key).update(`${siteId}|${truncateAddress(address)}`).digest('base64url').slice(0, 22);
}

/**
 * The rate limiter's name for one client: its whole address and its consent ID, keyed and held in memory only.
 * Behind an office's one NAT address every browser has its own consent ID, so each gets its own allowance.
 */
export function clientRateKey(key: string, address: string, siteId: number, consentId: string): string {
  return createHmac('sha256', key).update(`${siteId}|${address}|${consentId}`).digest('base64url').slice(0, 22);
}

/**
 * Whether a browser's Origin is Samtykke's own (the /demo pages, the dashboard's preview): those pages are always
 * allowed to record, at whatever address the server is reached. The scheme may differ behind a TLS proxy.
 */
export function isOwnOrigin(c: Context, origin: string, publicUrl: string, trustProxy: boolean): boolean {
  if (origin === publicUrl) return true;
  // The request URL's host is the Host header the browser sent (the Node adapter builds the URL from it).
  const host = (trustProxy && c.req.header('x-forwarded-host')) || new URL(c.req.url).host;
  return URL.canParse(origin) && new URL(origin).host === host.toLowerCase();
}

// User-agent strings repeat heavily; parsing one costs far more than a map lookup.
const classesCache = new Map<string, UserAgentClasses>();
const CLASSES_CACHE_LIMIT = 5_000;

export function classifyUserAgent(userAgent: string | undefined): UserAgentClasses {
  const ua = (userAgent ?? '').slice(0, 512);
  const cached = classesCache.get(ua);
  if (cached) return cached;
  const bot = isbot(ua);
  const result = new UAParser(ua).getResult();
  const classes: UserAgentClasses = {
    browser: result.browser.name ?? null,
    os: result.os.name ?? null,
    device: bot ? 'bot' : (result.device.type ?? 'desktop'),
    bot,
  };
  if (classesCache.size >= CLASSES_CACHE_LIMIT) classesCache.clear();
  classesCache.set(ua, classes);
  return classes;
}
