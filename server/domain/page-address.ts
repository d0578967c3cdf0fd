/**
 * A page's address as analytics read it. Web sites have pages with http(s) URLs; an app has screens, which it may
 * name as `app://<anything>/<path>` (a deep link of its own) or by a plain name (`abonnement`, `Min side/Faktura`).
 * Either becomes a URL whose path is the screen, so analytics show an app's screens as paths like a site's pages.
 */
import type { Surface } from './consent.ts';

const WEB_PROTOCOL = /^https?:$/;
const APP_URL = /^app:\/\//i;
/** Any other scheme (`ftp://`, `myapp://`, `javascript:`): an address, but not one we read, and never a screen name. */
const OTHER_URL = /^[a-z][a-z0-9+.-]*:/i;
/** Where a plain screen name is placed: the name becomes the path. */
const SCREEN_BASE = 'app://screen';

/** Whether the address is a web page's URL: http(s), absolute. */
export function isWebAddress(address: string | undefined): boolean {
  return address !== undefined && URL.canParse(address) && WEB_PROTOCOL.test(new URL(address).protocol);
}

/**
 * The URL an address stands for on a site of this surface, or null when the surface does not take it: web sites
 * take http(s) URLs only, app sites also `app://` URLs and screen names. A screen name's leading slashes are one
 * slash (`//x` would otherwise read as a host), and a name that is only spaces names no screen.
 */
export function pageUrl(address: string, surface: Surface): URL | null {
  if (isWebAddress(address)) return new URL(address);
  if (surface !== 'app') return null;
  if (APP_URL.test(address)) {
    if (!URL.canParse(address)) return null;
    const url = new URL(address);
    if (url.pathname === '') url.pathname = '/';
    return url;
  }
  if (OTHER_URL.test(address)) return null;
  const name = address.trim().replace(/^\/+/, '');
  return name === '' ? null : new URL(`/${name}`, SCREEN_BASE);
}
