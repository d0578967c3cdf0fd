/**
 * GET /metrics for Prometheus. Never public by default: it answers a request from the machine itself (a loopback
 * socket, not passed on by a proxy), or anywhere with `Authorization: Bearer SAMTYKKE_METRICS_TOKEN`.
 */
import cluster from 'node:cluster';
import { timingSafeEqual } from 'node:crypto';
import { getConnInfo } from '@hono/node-server/conninfo';
import { Hono, type Context } from 'hono';
import { ApiError } from '../errors.ts';
import type { AppDeps } from '../services.ts';
import { clusterMetrics } from './cluster.ts';

function fromThisMachine(c: Context): boolean {
  // A proxy on the same machine makes every visitor look local; what it forwarded is not.
  if (c.req.header('x-forwarded-for') !== undefined || c.req.header('forwarded') !== undefined) return false;
  try {
    const address = getConnInfo(c).remote.address ?? '';
    return address === '127.0.0.1' || address === '::1' || address === '::ffff:127.0.0.1';
  } catch {
    // No socket (app.request() in tests): nothing says where it came from.
    return false;
  }
}

function tokenMatches(header: string | undefined, token: string): boolean {
  const given = Buffer.from(header?.replace(/^Bearer /, '') ?? '');
  const wanted = Buffer.from(token);
  return given.length === wanted.length && timingSafeEqual(given, wanted);
}

export function metricsRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get('/metrics', async (c) => {
    const token = deps.config.metricsToken;
    const allowed = token ? tokenMatches(c.req.header('authorization'), token) || fromThisMachine(c) : fromThisMachine(c);
    if (!allowed) {
      throw new ApiError(403, 'forbidden', 'Metrics answer only on this machine, or with Authorization: Bearer SAMTYKKE_METRICS_TOKEN');
    }
    // One of several workers answers for them all.
    const text = cluster.isWorker ? await clusterMetrics() : await deps.metrics.registry.metrics();
    return c.body(text, 200, { 'content-type': deps.metrics.registry.contentType, 'cache-control': 'no-store' });
  });
  return app;
}
