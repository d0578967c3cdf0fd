/** Browser storage: reading and writing the consent cookie, and deleting what a withdrawn category left behind. */
import type { StorageRule } from './config.ts';
import { CONSENT_COOKIE } from './constants.ts';

// Read on every call, never kept: a page (or the dashboard's preview) may stand in its own document.cookie.
const cookies = (): string[][] => document.cookie.split('; ').map((pair) => pair.split('='));

/** The consent cookie's value is URI-encoded, so it holds no `=`. */
export function readCookie(name: string): string | null {
  const value = cookies().find(([candidate]) => candidate === name)?.[1];
  return value === undefined ? null : decodeURIComponent(value);
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

function clearArea(area: Storage, pattern: string): void {
  for (const key of Object.keys(area)) if (new RegExp(pattern).test(key)) area.removeItem(key);
}

/** Deletes a category's declared cookies (host-only and on every parent and declared domain) and storage keys. */
export function clearCategory({ cookie, local, session, domains = [] }: StorageRule = {}): void {
  if (cookie) {
    for (const [name] of cookies()) {
      // The consent cookie itself must survive: it is what remembers a "no".
      if (name === CONSENT_COOKIE || !new RegExp(cookie).test(name!)) continue;
      for (const domain of ['', ...cookieDomains(location.hostname), ...domains]) {
        document.cookie = `${name}=;path=/;max-age=0${domain && `;domain=${domain}`}`;
      }
    }
  }
  // Each store only when the category has keys in it: reaching one can throw where the page may not use it.
  if (local) clearArea(localStorage, local);
  if (session) clearArea(sessionStorage, session);
}
