/**
 * CORS for the browser widget. The widget sends text/plain, which needs no preflight, and every answer names its
 * origin so the page can read it, a refusal included: the request is judged against its own site either way, and
 * the page's developer sees why it was refused. A preflight (for application/json) is granted only to an origin
 * some site allows.
 */
import type { Context, MiddlewareHandler } from 'hono';
import type { AppDeps } from '../services.ts';
import { isOwnOrigin } from './client.ts';
import { Drop, dropAsJson } from './drops.ts';

export function allowPageOrigins(deps: AppDeps): MiddlewareHandler {
  const allowedAnywhere = async (c: Context, origin: string) =>
    isOwnOrigin(c, origin, deps.config.publicUrl, deps.config.trustProxy) || (await deps.sites.allowsOriginOfAnySite(origin));
  return async (c, next) => {
    const origin = c.req.header('origin');
    const preflight = c.req.method === 'OPTIONS';
    if (preflight && !(origin !== undefined && (await allowedAnywhere(c, origin)))) {
      return dropAsJson(c, deps.metrics, new Drop('origin', `Origin ${origin ?? '(none)'} is not allowed by any site`));
    }
    if (origin !== undefined) {
      c.header('Access-Control-Allow-Origin', origin);
      c.header('Vary', 'Origin');
    }
    if (!preflight) return next();
    c.header('Access-Control-Allow-Methods', 'POST');
    c.header('Access-Control-Allow-Headers', 'Content-Type');
    c.header('Access-Control-Max-Age', '86400');
    return c.body(null, 204);
  };
}
