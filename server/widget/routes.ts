/** GET /sites/:key/widget.js (the widget with the site's policy inlined) and the /demo portal that uses it. */
import { Hono } from 'hono';
import { compress } from 'hono/compress';
import { etag } from 'hono/etag';
import type { AppDeps } from '../services.ts';
import { widgetScript } from './bundle.ts';
import { demoRoutes } from './demo.tsx';
import { widgetSiteConfig } from './site-config.ts';

export function widgetRoutes(deps: AppDeps): Hono {
  const app = new Hono();

  // Revalidated on every page view (a 304 while unchanged), so a newly published policy version asks at once.
  app.get('/sites/:key/widget.js', compress(), etag(), async (c) => {
    const script = await widgetScript(await widgetSiteConfig(deps, c.req.param('key')));
    c.header('Content-Type', 'text/javascript; charset=utf-8');
    c.header('Cache-Control', 'no-cache');
    return c.body(script);
  });

  app.route('/', demoRoutes(deps));
  return app;
}
