/** GET /api/sites/:key/declaration (JSON) and GET /sites/:key/cookies (HTML): the published overview. */
import { Hono } from 'hono';
import { cors } from 'hono/cors';
import { renderToString } from 'preact-render-to-string';
import { LOCALES, type Locale } from '../domain/consent.ts';
import type { AppDeps } from '../services.ts';
import { buildDeclaration } from './declaration.ts';
import { DeclarationPage } from './page.tsx';

function pickLocale(query: string | undefined, acceptLanguage: string | undefined): Locale {
  if ((LOCALES as readonly string[]).includes(query ?? '')) return query as Locale;
  const preferred = (acceptLanguage ?? '').toLowerCase();
  if (/^nn\b/.test(preferred)) return 'nn';
  return /^en\b/.test(preferred) ? 'en' : 'nb';
}

export function declarationRoutes(deps: AppDeps): Hono {
  const app = new Hono();

  async function declarationFor(key: string) {
    const site = await deps.sites.published(key);
    return buildDeclaration(site, await deps.sites.inventory(site));
  }

  // Public information: any page may embed it.
  app.get('/api/sites/:key/declaration', cors({ origin: '*' }), async (c) => {
    c.header('Cache-Control', 'public, max-age=60');
    return c.json(await declarationFor(c.req.param('key')));
  });

  app.get('/sites/:key/cookies', async (c) => {
    const locale = pickLocale(c.req.query('lang'), c.req.header('accept-language'));
    const declaration = await declarationFor(c.req.param('key'));
    c.header('Cache-Control', 'public, max-age=60');
    c.header('Content-Language', locale);
    return c.html(`<!doctype html>${renderToString(<DeclarationPage declaration={declaration} locale={locale} />)}`);
  });

  return app;
}
