/**
 * The demo portals that use the widget the way a customer would: the company portal (Min Bedrift, /demo) and the
 * user pages (Min Side, /demo/min-side), each with one script tag, a held-back stand-in analytics script and an ad
 * pixel (the company portal also an ad-conversion web beacon), a login session cookie, under a strict
 * Content-Security-Policy. Each does exactly what its site's inventory declares, so a scan of it finds nothing wrong.
 */
import { randomBytes } from 'node:crypto';
import { readFile } from 'node:fs/promises';
import path from 'node:path';
import { Hono, type Context, type MiddlewareHandler } from 'hono';
import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';
import { PROJECT_ROOT } from '../project-root.ts';
import type { AppDeps } from '../services.ts';

export const DEMO_SITE = 'min-bedrift';
/** The user pages' demo site, with a page of its own. */
export const DEMO_USER_SITE = 'min-side';
const ASSETS = path.join(PROJECT_ROOT, 'server', 'widget', 'demo-assets');
// A Map, so a name such as `constructor` is not found on an object's prototype.
const ASSET_TYPES = new Map([
  ['analytics.js', 'text/javascript; charset=utf-8'],
  ['ad-beacon.js', 'text/javascript; charset=utf-8'],
  ['portal.js', 'text/javascript; charset=utf-8'],
  ['demo.css', 'text/css; charset=utf-8'],
]);

/** Scripts only by nonce (and what they load), no inline style: the policy a careful portal would send. */
export function strictCsp(nonce: string): string {
  return [
    "default-src 'self'",
    `script-src 'nonce-${nonce}' 'strict-dynamic'`,
    "style-src 'self'",
    "img-src 'self'",
    "connect-src 'self'",
    "frame-src 'self'",
    "object-src 'none'",
    "base-uri 'none'",
  ].join('; ');
}

interface Portal {
  readonly site: string;
  readonly name: string;
  /** Its pages, the first its start page, as the header links them. */
  readonly links: ReadonlyArray<readonly [href: string, label: string]>;
}

const COMPANY_PORTAL: Portal = { site: DEMO_SITE, name: 'Min Bedrift', links: [['/demo', 'Oversikt'], ['/demo/terms', 'Vilkår']] };
const USER_PORTAL: Portal = {
  site: DEMO_USER_SITE,
  name: 'Min Side',
  links: [['/demo/min-side', 'Oversikt'], [`/sites/${DEMO_USER_SITE}/cookies?lang=nb`, 'Informasjonskapsler']],
};

function Layout(props: { nonce: string; title: string; portal: Portal; children: ComponentChildren }) {
  const { portal } = props;
  return (
    <html lang="nb" data-site={portal.site}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{props.title}</title>
        <link rel="stylesheet" href="/demo/assets/demo.css" />
        <script src={`/sites/${portal.site}/widget.js`} nonce={props.nonce} async />
        <script type="text/plain" data-category="analytics" src="/demo/assets/analytics.js" nonce={props.nonce} />
        <script type="text/plain" data-category="ads" src="/demo/assets/ad-beacon.js" nonce={props.nonce} />
        <script src="/demo/assets/portal.js" nonce={props.nonce} defer />
      </head>
      <body>
        <header>
          <strong>{portal.name} (demo)</strong>
          {portal.links.map(([href, label]) => (
            <a href={href}>{label}</a>
          ))}
        </header>
        <main>{props.children}</main>
        <footer>
          <button type="button" data-samtykke-open>
            Innstillinger for informasjonskapsler
          </button>
        </footer>
      </body>
    </html>
  );
}

/** The ad pixel, held back until ad measurement is allowed: the widget fills in the consent ID and the page. */
function AdPixel(props: { site: string }) {
  return <img data-category="ads" data-src={`/p.gif?site=${props.site}&cid={cid}&url={url}&name=ad-impression`} alt="" width={1} height={1} />;
}

function PortalPage(props: { nonce: string }) {
  return (
    <Layout nonce={props.nonce} title="Min Bedrift – demo" portal={COMPANY_PORTAL}>
      <h1>Min Bedrift</h1>
      <p>
        En demo av selvbetjeningsportalen. Bruksanalysen (et lokalt stand-in-skript), annonsepikselen og nettfyret
        for annonsekonvertering er holdt tilbake til du har gitt samtykke.
      </p>
      <div class="card">
        <p>
          Bruksanalyse: <output id="analytics-status">ikke lastet</output>
        </p>
        <nav aria-label="Seksjoner">
          <a href="/demo/invoices" data-spa>
            Fakturaer
          </a>{' '}
          <a href="/demo/subscriptions" data-spa>
            Abonnementer
          </a>
        </nav>
        <p>
          Seksjon: <span id="section">Oversikt</span>
        </p>
        <button type="button" id="track">
          Last ned faktura (egendefinert hendelse)
        </button>{' '}
        <button type="button" id="buy">
          Kjøp tilleggstjeneste (nettfyr for annonsekonvertering)
        </button>
      </div>
      <AdPixel site={DEMO_SITE} />
    </Layout>
  );
}

function TermsPage(props: { nonce: string }) {
  return (
    <Layout nonce={props.nonce} title="Vilkår – Min Bedrift – demo" portal={COMPANY_PORTAL}>
      <h1>Vilkår for selvbetjening</h1>
      <h2>Informasjonskapsler</h2>
      <p>
        Vi bruker informasjonskapsler og lignende teknologier – pikselmerker, nettfyr, gjennomsiktige bilder,
        JavaScript og lokal lagring – for funksjonalitet, for analyse av bruksmønster og for analyse av digital
        kommunikasjon. Nedenfor følger en oversikt over hvilke typer informasjonskapsler og piksler som brukes, og
        hvordan de kan blokkeres.
      </p>
      <div data-samtykke-declaration></div>
      <script src={`/sites/${DEMO_SITE}/declaration.js?lang=nb`} nonce={props.nonce} async />
      <p>
        <a href={`/sites/${DEMO_SITE}/cookies?lang=nb`}>Oversikten uten JavaScript</a>
      </p>
    </Layout>
  );
}

function UserPage(props: { nonce: string }) {
  return (
    <Layout nonce={props.nonce} title="Min Side – demo" portal={USER_PORTAL}>
      <h1>Min Side</h1>
      <p>
        En demo av brukersidene: abonnementet ditt, fakturaene dine og innstillingene dine. Bruksanalysen og
        annonsepikselen er holdt tilbake til du har gitt samtykke.
      </p>
      <div class="card">
        <p>
          Bruksanalyse: <output id="analytics-status">ikke lastet</output>
        </p>
        <p>Abonnement: Bedrift Pluss, fornyes 1. januar.</p>
      </div>
      <AdPixel site={DEMO_USER_SITE} />
    </Layout>
  );
}

// The demo's login session, as the inventories declare it (portal_session, functional, for the session).
const SESSION_COOKIE = 'portal_session=demo; Path=/; HttpOnly; SameSite=Lax';

function page(c: Context, render: (nonce: string) => preact.JSX.Element): Response {
  const nonce = randomBytes(16).toString('base64');
  c.header('Set-Cookie', SESSION_COOKIE);
  c.header('Content-Security-Policy', strictCsp(nonce));
  c.header('Cache-Control', 'no-store');
  return c.html(`<!doctype html>${renderToString(render(nonce))}`);
}

/** Without the demo organisation (SAMTYKKE_DEMO=false) the pages say so instead of loading a widget that is not there. */
function demoOnly(deps: AppDeps): MiddlewareHandler {
  return async function demoInstalled(c, next) {
    if (await deps.sites.find(DEMO_SITE)) return next();
    return c.html(
      `<!doctype html><html lang="en"><meta charset="utf-8"><title>No demo</title><p>The demo is not installed on this server (it is created on a first start with <code>SAMTYKKE_DEMO=true</code>). <a href="/">Back</a></p></html>`,
      404,
    );
  };
}

export function demoRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  const installed = demoOnly(deps);
  app.get('/demo', installed, (c) => page(c, (nonce) => <PortalPage nonce={nonce} />));
  // The single-page sections answer a reload too.
  app.get('/demo/:section{invoices|subscriptions}', installed, (c) => page(c, (nonce) => <PortalPage nonce={nonce} />));
  app.get('/demo/terms', installed, (c) => page(c, (nonce) => <TermsPage nonce={nonce} />));
  app.get('/demo/min-side', installed, (c) => page(c, (nonce) => <UserPage nonce={nonce} />));
  app.get('/demo/assets/:file', async (c) => {
    const file = c.req.param('file');
    const type = ASSET_TYPES.get(file);
    if (!type) return c.notFound();
    c.header('Content-Type', type);
    c.header('Cache-Control', 'no-cache');
    return c.body(await readFile(path.join(ASSETS, file)));
  });
  return app;
}
