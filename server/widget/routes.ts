/**
 * GET /sites/:key/widget.js (the banner bundle for the site's features, with its configuration inlined),
 * GET /sites/:key/declaration.js (the declaration embed, loaded by that script), and the /demo portal.
 */
import { createHash } from 'node:crypto';
import { promisify } from 'node:util';
import { constants, gzip } from 'node:zlib';
import { Hono, type Context } from 'hono';
import { cors } from 'hono/cors';
import { ApiError } from '../errors.ts';
import type { AppDeps } from '../services.ts';
import { declarationScript, widgetScript } from './bundle.ts';
import { declarationEmbed } from './declaration-script.ts';
import { demoRoutes } from './demo.tsx';
import { configFor, servedLocale, servedState, textsFor } from './site-config.ts';

/** Distinct scripts whose compressed bytes are kept: sites × policy and theme changes; the oldest go first. */
const COMPRESSED_CACHE_SIZE = 500;
const compressed = new Map<string, Promise<Buffer>>();

const compress = promisify(gzip);

/** Compressed once per distinct script, since each is then served on every page view. */
function gzipped(tag: string, script: string): Promise<Buffer> {
  let body = compressed.get(tag);
  if (!body) {
    body = compress(script, { level: constants.Z_BEST_COMPRESSION, memLevel: 9 });
    compressed.set(tag, body);
    body.catch(() => compressed.delete(tag));
    if (compressed.size > COMPRESSED_CACHE_SIZE) compressed.delete(compressed.keys().next().value!);
  }
  return body;
}

function acceptsGzip(header: string | undefined): boolean {
  return (header ?? '').split(',').some((part) => {
    const [coding, ...parameters] = part.trim().toLowerCase().split(';');
    const q = parameters.map((parameter) => parameter.trim()).find((parameter) => parameter.startsWith('q='));
    return (coding === 'gzip' || coding === '*') && (q === undefined || Number(q.slice(2)) > 0);
  });
}

/**
 * Revalidated on every page view (a 304 while unchanged), so a newly published policy version asks at once. Each
 * coding has its own entity tag; either one still names the same script, so both revalidate.
 */
async function scriptResponse(c: Context, script: string, contentType = 'text/javascript; charset=utf-8'): Promise<Response> {
  const hash = createHash('sha256').update(script).digest('base64url').slice(0, 27);
  const tags = { identity: `"${hash}"`, gzip: `"${hash}-gz"` };
  const useGzip = acceptsGzip(c.req.header('Accept-Encoding'));
  c.header('Content-Type', contentType);
  c.header('Cache-Control', 'no-cache');
  // The banner script inlines the texts of the locale the request names (see site-config.ts servedLocale).
  c.header('Vary', 'Accept-Encoding, Accept-Language, Sec-GPC');
  c.header('ETag', useGzip ? tags.gzip : tags.identity);
  const known = (c.req.header('If-None-Match') ?? '').split(',').map((tag) => tag.trim().replace(/^W\//, ''));
  if (known.includes(tags.identity) || known.includes(tags.gzip) || known.includes('*')) return c.body(null, 304);
  if (!useGzip) return c.body(script);
  c.header('Content-Encoding', 'gzip');
  return c.body(new Uint8Array(await gzipped(hash, script)));
}

/** Global Privacy Control's request header: https://privacycg.github.io/gpc-spec/ */
const sendsGpc = (c: Context): boolean => c.req.header('Sec-GPC') === '1';

export function widgetRoutes(deps: AppDeps): Hono {
  const app = new Hono();

  app.get('/sites/:key/widget.js', async (c) => {
    const state = await servedState(deps, c.req.param('key'));
    const locale = servedLocale(state.policy, c.req.query('lang'), c.req.header('Accept-Language'));
    return scriptResponse(c, await widgetScript(configFor(state, locale, sendsGpc(c)), state.site.features));
  });

  // A page in another locale than the script inlines fetches its texts here before it shows the banner.
  app.get('/sites/:key/texts.json', cors({ origin: '*' }), async (c) => {
    const state = await servedState(deps, c.req.param('key'));
    const locale = servedLocale(state.policy, c.req.query('lang'), undefined);
    return scriptResponse(c, JSON.stringify(textsFor(state, locale, sendsGpc(c))), 'application/json; charset=utf-8');
  });

  // The terms page's own tag loads it, next to its <div data-samtykke-declaration>.
  app.get('/sites/:key/declaration.js', async (c) => {
    const site = await deps.sites.published(c.req.param('key'));
    if (!site.features.declarationEmbed) {
      throw new ApiError(404, 'not_found', `Site "${site.key}" has the declaration embed switched off; switch it on in the dashboard (Banner)`);
    }
    const locale = servedLocale(site.policy, c.req.query('lang'), c.req.header('Accept-Language'));
    return scriptResponse(c, await declarationScript(declarationEmbed(site, await deps.sites.inventory(site), locale)));
  });

  app.route('/', demoRoutes(deps));
  return app;
}
