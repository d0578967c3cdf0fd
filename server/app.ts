/** createApp(deps): the whole HTTP surface, with security headers, request ids and one error envelope. */
import { Hono } from 'hono';
import { HTTPException } from 'hono/http-exception';
import { requestId } from 'hono/request-id';
import { secureHeaders } from 'hono/secure-headers';
import { sql } from 'kysely';
import { adminRoutes } from './admin/routes.ts';
import { apiRoutes } from './api/routes.ts';
import { pixelRoutes } from './collector/pixel.ts';
import { collectorRoutes } from './collector/routes.ts';
import { declarationRoutes } from './declaration/routes.tsx';
import { refuseUnsafeUrlText } from './edge-input.ts';
import { ApiError, errorResponse } from './errors.ts';
import { handoffRoutes } from './handoff/routes.ts';
import { homeRoutes } from './home.tsx';
import { metricsRoutes } from './metrics/routes.ts';
import { openApiRoutes } from './openapi/routes.tsx';
import { unsubscribeRoutes } from './reports/unsubscribe.tsx';
import type { AppDeps } from './services.ts';
import { widgetRoutes } from './widget/routes.ts';

export function createApp(deps: AppDeps): Hono {
  const app = new Hono();

  app.use(
    secureHeaders({
      // The widget, the pixel and the declaration are loaded by the customer's own pages on other origins.
      crossOriginResourcePolicy: false,
      crossOriginOpenerPolicy: false,
      // Only where the server is reached over HTTPS: a year, so browsers never try plain HTTP (and its cookies) first.
      strictTransportSecurity: deps.config.publicUrl.startsWith('https://') ? 'max-age=31536000; includeSubDomains' : false,
    }),
  );
  app.use(requestId());
  // By the route's pattern, not its path: a site key or an id in the URL would make a series per value.
  app.use(async function countRequest(c, next) {
    await next();
    deps.metrics.request(c.req.method, c.req.routePath, c.res.status);
  });
  // Before the URL check: the pixel answers even a bad URL as the image a tag waits for, and checks it itself.
  app.route('/', pixelRoutes(deps));
  app.use(refuseUnsafeUrlText);

  app.get('/healthz', async (c) => {
    try {
      await sql`select 1`.execute(deps.db);
      return c.json({ status: 'ok' });
    } catch (error) {
      // The reason can name the database's address: it goes to the log (once per outage), not to whoever asks.
      deps.outage.noticed(error as Error);
      throw new ApiError(503, 'database_unavailable', 'The database does not answer');
    }
  });

  app.route('/', metricsRoutes(deps));
  app.route('/', homeRoutes(deps));
  app.route('/', collectorRoutes(deps));
  app.route('/', handoffRoutes(deps));
  app.route('/', declarationRoutes(deps));
  app.route('/', adminRoutes(deps));
  app.route('/', apiRoutes(deps));
  app.route('/', unsubscribeRoutes(deps));
  app.route('/', widgetRoutes(deps));
  app.route('/', openApiRoutes(deps));

  app.notFound((c) => errorResponse(c, new ApiError(404, 'not_found', `No route for ${c.req.method} ${c.req.path}`)));
  app.onError((error, c) => {
    if (error instanceof ApiError) return errorResponse(c, error);
    const unavailable = deps.outage.answerFor(error);
    if (unavailable) return errorResponse(c, unavailable);
    if (error instanceof HTTPException && error.status < 500) {
      return errorResponse(c, new ApiError(error.status, 'invalid_body', error.message || 'Bad request'));
    }
    console.error(`[${c.get('requestId')}] ${c.req.method} ${c.req.path} failed:`, error);
    return errorResponse(c, new ApiError(500, 'internal', `Internal error; quote request id ${c.get('requestId')}`));
  });
  return app;
}
