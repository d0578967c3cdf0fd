/** Serves the built dashboard at /dashboard: fixed asset names, and index.html for every page of the app. */
import { readFile } from 'node:fs/promises';
import { pathToFileURL } from 'node:url';
import { Hono } from 'hono';
import { ApiError } from '../errors.ts';
import { DIST } from '../project-root.ts';

export const DASHBOARD_DIST = pathToFileURL(`${DIST}/dashboard/`);

/** Everything the dashboard loads comes from this server; the declaration preview is a same-origin frame. */
const CONTENT_SECURITY_POLICY = "default-src 'self'; img-src 'self' data:; frame-src 'self'; frame-ancestors 'none'; base-uri 'none'; form-action 'self'";

// A Map, so a name such as `constructor` is not found on an object's prototype.
const ASSETS = new Map([
  ['app.js', 'text/javascript; charset=utf-8'],
  ['app.css', 'text/css; charset=utf-8'],
]);

async function readBuilt(name: string): Promise<Buffer> {
  try {
    return await readFile(new URL(name, DASHBOARD_DIST));
  } catch (error) {
    if ((error as NodeJS.ErrnoException).code === 'ENOENT') {
      throw new ApiError(503, 'not_found', 'The dashboard is not built; run `npm run build`');
    }
    throw error;
  }
}

export function dashboardFiles(): Hono {
  const app = new Hono();
  app.get('/assets/:name', async (c) => {
    const name = c.req.param('name');
    const type = ASSETS.get(name);
    if (!type) throw new ApiError(404, 'not_found', `No dashboard asset ${name}`);
    return c.body(new Uint8Array(await readBuilt(name)), 200, { 'content-type': type, 'cache-control': 'no-cache' });
  });
  app.get('/*', async (c) =>
    c.html((await readBuilt('index.html')).toString('utf8'), 200, {
      'cache-control': 'no-store',
      'content-security-policy': CONTENT_SECURITY_POLICY,
    }),
  );
  return app;
}
