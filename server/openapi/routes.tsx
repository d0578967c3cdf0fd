/** GET /api/openapi.json (the OpenAPI 3.1 document) and GET /api/docs (the reference page), both built once per app. */
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { renderToString } from 'preact-render-to-string';
import type { AppDeps } from '../services.ts';
import { buildOpenApiDocument, type JsonObject } from './document.ts';
import { OPERATIONS } from './operations.ts';
import { ReferencePage } from './page.tsx';

export function openApiRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  // Built on first use: the document's servers entry is this server's public address.
  let built: { document: JsonObject; json: string; page: string } | null = null;
  const reference = () => {
    if (!built) {
      const document = buildOpenApiDocument(OPERATIONS, deps.config.publicUrl);
      built = { document, json: JSON.stringify(document), page: `<!doctype html>${renderToString(<ReferencePage document={document} />)}` };
    }
    return built;
  };

  // Public, like the API it describes: code generators and API tools on other origins fetch it.
  app.get('/api/openapi.json', cors({ origin: '*' }), (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    return c.body(reference().json, 200, { 'Content-Type': 'application/json; charset=utf-8' });
  });

  app.get('/api/docs', (c) => {
    c.header('Cache-Control', 'public, max-age=300');
    return c.html(reference().page);
  });
  return app;
}
