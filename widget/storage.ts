/** Browser storage: reading and writing the consent cookie, and deleting what a withdrawn category left behind. */
import type { Category } from '../server/domain/consent.ts';
import { inventoryNameMatches } from '../server/domain/inventory.ts';
import type { WidgetSiteConfig } from '../server/contract.ts';
import { CONSENT_COOKIE } from './constants.ts';

function cookieNames(): string[] {
  return document.cookie.split(';').map((pair) => pair.split('=')[0]!.trim()).filter(Boolean);
}

export function readCookie(name: string): string | null {
  const prefix = `${name}=`;
  const pair = document.cookie.split('; ').find((entry) => entry.startsWith(prefix));
  return pair ? decodeURIComponent(pair.slice(prefix.length)) : null;
}

export function writeConsentCookie(value: string, maxAgeSeconds: number): void {
  const secure = location.protocol === 'https:' ? ';Secure' : '';
  document.cookie = `${CONSENT_COOKIE}=${encodeURIComponent(value)};path=/;max-age=${maxAgeSeconds};SameSite=Lax${secure}`;
}

/** The host and every parent domain a cookie may have been set on ("a.b.no" → "a.b.no", "b.no"). */
export function cookieDomains(hostname: string): string[] {
  const labels = hostname.split('.');
  return labels.slice(0, -1).map((_, index) => labels.slice(index).join('.'));
}

/** Deletes the category's declared cookies and storage keys: names and `*` patterns, host-only and on parent domains. */
export function clearCategory(storage: WidgetSiteConfig['storage'], category: Category): void {
  for (const item of storage) {
    if (item.category !== category) continue;
    if (item.kind === 'cookie') {
      const domains = ['', ...cookieDomains(location.hostname), ...(item.domain ? [item.domain] : [])];
      // The consent cookie itself must survive: it is what remembers a "no".
      const names = cookieNames().filter((candidate) => candidate !== CONSENT_COOKIE && inventoryNameMatches(item, candidate));
      for (const name of names) {
        for (const domain of domains) document.cookie = `${name}=;path=/;max-age=0${domain && `;domain=${domain}`}`;
      }
    } else {
      const area = item.kind === 'local_storage' ? localStorage : sessionStorage;
      for (const key of Object.keys(area).filter((candidate) => inventoryNameMatches(item, candidate))) area.removeItem(key);
    }
  }
}
