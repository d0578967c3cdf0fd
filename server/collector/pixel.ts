/**
 * The tracking pixel: GET /p.gif records a pageview, or a named event, where analytics is granted. An image tag
 * reads no JSON, so every answer is the image, a refusal's status and reason in headers (drops.ts); the URL check
 * every other route gets from the app is part of this route's parsing, which is why app.ts mounts it first.
 */
import { Hono } from 'hono';
import { urlTextProblem } from '../edge-input.ts';
import type { AppDeps } from '../services.ts';
import { Drop, dropAsImage } from './drops.ts';
import { admitVisit, toEventRows } from './pipeline.ts';
import { senderOf, whileAvailable } from './sender.ts';
import { pixelQuerySchema, type PixelQuery } from './validation.ts';

// The smallest valid transparent GIF: 1×1, one transparent colour.
const TRANSPARENT_GIF = Buffer.from('R0lGODlhAQABAIAAAAAAAP///yH5BAEAAAAALAAAAAABAAEAAAIBRAA7', 'base64');

function parseQuery(url: string, query: Record<string, string>): PixelQuery | Drop {
  const problem = urlTextProblem(url);
  if (problem) return new Drop(problem.part === 'path' ? 'invalid_path' : 'invalid_query', problem.message, problem.key);
  const parsed = pixelQuerySchema.safeParse(query);
  return parsed.success ? parsed.data : Drop.fromSchema(parsed.error, 'invalid_query');
}

export function pixelRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get('/p.gif', async (c) => {
    c.header('Content-Type', 'image/gif');
    c.header('Cache-Control', 'no-store, no-cache, must-revalidate, max-age=0');
    c.header('Pragma', 'no-cache');
    c.header('Expires', '0');
    const outcome = await whileAvailable(deps, async () => {
      const query = parseQuery(c.req.url, c.req.query());
      if (query instanceof Drop) return query;
      const visit = await admitVisit(deps, { site: query.site, consentId: query.cid, sessionId: query.sid, fromPage: false }, senderOf(c, deps.config));
      if (visit instanceof Drop) return visit;
      const event = query.name ? { type: 'custom' as const, name: query.name, url: query.url, referrer: query.ref } : { type: 'pageview' as const, url: query.url, referrer: query.ref };
      // No time travels with a pixel: it is requested as the page shows it, so it happened when it arrived.
      await deps.eventWriter.take(toEventRows(deps, visit, [event]).rows);
      return visit.site;
    });
    if (outcome instanceof Drop) return dropAsImage(c, deps.metrics, outcome, TRANSPARENT_GIF);
    deps.activity.note(outcome.id, 'event', c.req.header('origin'));
    return c.body(TRANSPARENT_GIF, 200);
  });
  // A fault is still answered as the image the tag waits for; the log has the details.
  app.onError((error, c) => {
    console.error(`[${c.get('requestId')}] GET /p.gif failed:`, error);
    return c.body(TRANSPARENT_GIF, 500);
  });
  return app;
}
