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

/** The address `trustProxy` proxies of ours saw the request come from (config.ts), else the socket's peer. */
export function clientAddress(c: Context, trustProxy: number): string {
  if (trustProxy > 0) {
    const forwarded = (c.req.header('x-forwarded-for') ?? '').split(',').map((entry) => entry.trim()).filter(Boolean);
    if (forwarded.length > 0) return forwarded[Math.max(0, forwarded.length - trustProxy)]!;
  }
  try {
    return getConnInfo(c).remote.address ?? 'unknown';
  } catch {
    // app.request() in tests and non-Node adapters have no socket: every such client is one "unknown" client.
    return 'unknown';
  }
}

/** An address split into its network (IPv4 /24, IPv6 /48) and the host part the network leaves out. */
function splitAddress(address: string): { network: string; host: string } {
  const v4 = address.replace(/^::ffff:/, '');
  if (/^\d+\.\d+\.\d+\.\d+$/.test(v4)) {
    const cut = v4.lastIndexOf('.');
    return { network: `${v4.slice(0, cut)}.0`, host: v4.slice(cut + 1) };
  }
  if (address.includes(':')) {
    const groups = address.split(':');
    return { network: `${groups.slice(0, 3).join(':')}::`, host: groups.slice(3).join(':') };
  }
  return { network: address, host: '' };
}

/** Drops the host part (IPv4 /24, IPv6 /48) so even the keyed hash cannot single out one address. */
export function truncateAddress(address: string): string {
  return splitAddress(address).network;
}

// A client sends many requests from one network: a keyed hash costs far more than a map lookup. The map holds
// networks (never whole addresses), in memory only, and starts over when full.
const pseudonymCache = new Map<string, string>();
const PSEUDONYM_CACHE_LIMIT = 10_000;

/** The pseudonymous client address stored with consent evidence: a keyed hash, never the address itself. */
export function pseudonymiseAddress(key: string, address: string, siteId: number): string {
  const input = `${siteId}|${truncateAddress(address)}`;
  const cacheKey = `${key}|${input}`;
  const cached = pseudonymCache.get(cacheKey);
  if (cached !== undefined) return cached;
  const pseudonym = createHmac('sha256', key).update(input).digest('base64url').slice(0, 22);
  if (pseudonymCache.size >= PSEUDONYM_CACHE_LIMIT) pseudonymCache.clear();
  pseudonymCache.set(cacheKey, pseudonym);
  return pseudonym;
}

/**
 * The rate limiter's name for one client: its whole address and its consent ID, held in memory only. Behind an
 * office's one NAT address every browser has its own consent ID, so each gets its own allowance. The network
 * stands in it as its pseudonym (the keyed hash the request needs anyway), so the limiter never holds an address.
 */
export function clientRateKey(clientHash: string, address: string, consentId: string): string {
  return `${clientHash}|${splitAddress(address).host}|${consentId}`;
}

/**
 * Whether a browser's Origin is Samtykke's own (the /demo pages, the dashboard's preview): those pages are always
 * allowed to record, at whatever address the server is reached. The scheme may differ behind a TLS proxy.
 */
export function isOwnOrigin(c: Context, origin: string, publicUrl: string, trustProxy: number): boolean {
  if (origin === publicUrl) return true;
  // The request URL's host is the Host header the browser sent (the Node adapter builds the URL from it).
  const host = (trustProxy > 0 && c.req.header('x-forwarded-host')) || new URL(c.req.url).host;
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
