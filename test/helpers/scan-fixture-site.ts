/**
 * A small web site for the cookie scanner's tests, on a free local port, with Samtykke's real widget on its pages;
 * a second server on another port (another origin) stands for a third party. Each page shows one thing a scan must
 * see: a cookie set by a script, an HttpOnly one from a response, a pixel, a script held back until consent.
 */
import { createServer, type RequestListener, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';

export interface ScanFixture {
  /** The site's origin. */
  readonly url: string;
  /** The third party's origin. */
  readonly thirdPartyUrl: string;
  /** The paths the third party was asked for, in order. */
  readonly thirdPartyRequests: readonly string[];
  close(): Promise<void>;
}

/** The demo site whose widget the pages carry; the test allows the fixture's origin on it. */
export const FIXTURE_SITE_KEY = 'min-side';

/** The pages `/` links to, in its order; `/robots-blocked` is disallowed by robots.txt. */
export const LINKED_PAGES = ['/undeclared-cookie', '/httponly', '/pixel', '/after-accept', '/robots-blocked', '/no-banner'];

const GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

interface Listening {
  readonly url: string;
  close(): Promise<void>;
}

async function listen(handler: RequestListener): Promise<Listening> {
  const server: Server = createServer(handler);
  await new Promise<void>((resolve) => server.listen(0, '127.0.0.1', resolve));
  return {
    url: `http://127.0.0.1:${(server.address() as AddressInfo).port}`,
    close: async () => {
      server.closeAllConnections();
      await new Promise<void>((resolve) => server.close(() => resolve()));
    },
  };
}

export async function startScanFixture(samtykkeUrl: string): Promise<ScanFixture> {
  const thirdPartyRequests: string[] = [];
  const thirdParty = await listen((request, response) => {
    thirdPartyRequests.push(request.url!);
    if (request.url === '/pixel.gif') response.writeHead(200, { 'content-type': 'image/gif' }).end(GIF);
    else response.writeHead(200, { 'content-type': 'text/html; charset=utf-8' }).end('<!doctype html><title>Elsewhere</title><p>Another site');
  });
  const widget = `<script src="${samtykkeUrl}/sites/${FIXTURE_SITE_KEY}/widget.js" async></script>`;
  const page = (title: string, body: string, head = widget) =>
    `<!doctype html><html lang="nb"><head><title>${title}</title>${head}</head><body><main><h1>${title}</h1>${body}</main></body></html>`;

  const pages: Record<string, { html: string; status?: number; headers?: Record<string, string> }> = {
    '/': {
      // A fragment, a mail address and a duplicate are no pages of their own; the third party is linked, never visited.
      html: page('Portal', [...LINKED_PAGES, '/pixel#top', 'mailto:post@example.com', `${thirdParty.url}/elsewhere`].map((href) => `<a href="${href}">${href}</a>`).join(' ')),
    },
    '/undeclared-cookie': { html: page('Undeclared cookie', '<script src="/ga.js"></script>') },
    '/httponly': { html: page('HttpOnly', '<p>Signed in'), headers: { 'set-cookie': 'portal_session=abc123; HttpOnly; Path=/' } },
    '/pixel': { html: page('Pixel', `<img alt="" src="${thirdParty.url}/pixel.gif">`) },
    '/after-accept': { html: page('After accept', '<script type="text/plain" data-category="analytics" src="/analytics.js"></script>') },
    '/robots-blocked': { html: page('Blocked', '<p>Not for robots') },
    '/no-banner': { html: page('No banner', '<p>No widget here', '') },
    // Not linked: a page of its own for the test that an HTTP error status is recorded.
    '/gone': { html: page('Not found', '<p>Nothing here'), status: 404 },
  };
  const scripts: Record<string, string> = {
    '/ga.js': `document.cookie = '_ga=GA1.1.123.456; max-age=63072000; path=/';`,
    '/analytics.js': `localStorage.setItem('portal_analytics_queue', '[]');`,
  };
  const redirects: Record<string, string> = {
    '/loop-a': '/loop-b',
    '/loop-b': '/loop-a',
    '/away': `${thirdParty.url}/landing`,
  };

  const site = await listen((request, response) => {
    const path = request.url!;
    const found = pages[path];
    if (found) {
      response.writeHead(found.status ?? 200, { 'content-type': 'text/html; charset=utf-8', ...found.headers }).end(found.html);
    } else if (scripts[path]) {
      response.writeHead(200, { 'content-type': 'text/javascript' }).end(scripts[path]);
    } else if (redirects[path]) {
      response.writeHead(302, { location: redirects[path] }).end();
    } else if (path === '/robots.txt') {
      response.writeHead(200, { 'content-type': 'text/plain' }).end('User-agent: *\nDisallow: /private\n\nUser-agent: SamtykkeScanner\nDisallow: /robots-blocked\n');
    } else {
      response.writeHead(404).end();
    }
  });

  return {
    url: site.url,
    thirdPartyUrl: thirdParty.url,
    thirdPartyRequests,
    close: async () => {
      await Promise.all([site.close(), thirdParty.close()]);
    },
  };
}

/** A server that takes connections and never answers: a page that never finishes loading. */
export function startSilentServer(): Promise<Listening> {
  return listen(() => undefined);
}

/** A port nothing listens on (it was free a moment ago): an unreachable site. */
export async function unusedPort(): Promise<number> {
  const probe = await listen(() => undefined);
  await probe.close();
  return Number(new URL(probe.url).port);
}
