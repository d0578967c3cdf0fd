/** GET /: where a person who opens the server's address lands, with the way to the dashboard, the demo and the declarations. */
import { Hono } from 'hono';
import { renderToString } from 'preact-render-to-string';
import type { StaffLocale as Locale } from './domain/consent.ts';
import { localeFromHeader } from './i18n.ts';
import { hasOrganisation } from './queries/organisation.ts';
import type { AppDeps } from './services.ts';
import { DEMO_SITE } from './widget/demo.tsx';

const TEXTS = {
  nb: {
    lead: 'Samtykkeplattform med personvernvennlig bruksanalyse.',
    dashboard: 'Dashbord',
    dashboardNote: 'nettsteder, installasjon, samtykketekst, informasjonskapsler, analyse og samtykkelogg',
    setupPending: 'Serveren er ikke satt opp ennå. Åpne oppsettslenken som serveren skrev ut da den startet.',
    demo: 'Demoportal',
    demoTerms: 'Vilkår med oversikten over informasjonskapsler (demo)',
    declarations: 'Hvert nettsteds oversikt over informasjonskapsler og piksler ligger på',
    health: 'Helsesjekk',
    apiReference: 'API-referanse (OpenAPI)',
  },
  en: {
    lead: 'Consent platform with privacy-first usage analytics.',
    dashboard: 'Dashboard',
    dashboardNote: 'sites, installation, consent text, cookies, analytics and consent records',
    setupPending: 'This server is not set up yet. Open the setup link the server printed when it started.',
    demo: 'Demo portal',
    demoTerms: 'Terms with the cookie overview (demo)',
    declarations: "Each site's overview of cookies and pixels is at",
    health: 'Health check',
    apiReference: 'API reference (OpenAPI)',
  },
} satisfies Record<Locale, Record<string, string>>;

function HomePage(props: { locale: Locale; setUp: boolean; demo: boolean }) {
  const text = TEXTS[props.locale];
  return (
    <html lang={props.locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>Samtykke</title>
      </head>
      <body>
        <main>
          <h1>Samtykke</h1>
          <p>{text.lead}</p>
          {!props.setUp && (
            <p>
              <strong>{text.setupPending}</strong>
            </p>
          )}
          <ul>
            <li>
              <a href="/dashboard/">{text.dashboard}</a> – {text.dashboardNote}
            </li>
            {props.demo && (
              <>
                <li>
                  <a href="/demo">{text.demo}</a>
                </li>
                <li>
                  <a href="/demo/terms">{text.demoTerms}</a>
                </li>
              </>
            )}
            <li>
              {text.declarations} <code>/sites/KEY/cookies</code>
              {props.demo && (
                <>
                  {' '}
                  (<a href={`/sites/${DEMO_SITE}/cookies?lang=${props.locale}`}>{DEMO_SITE}</a>)
                </>
              )}
            </li>
            <li>
              <a href="/api/docs">{text.apiReference}</a>
            </li>
            <li>
              <a href="/healthz">{text.health}</a>
            </li>
          </ul>
        </main>
      </body>
    </html>
  );
}

export function homeRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.get('/', async (c) => {
    const [setUp, demo] = await Promise.all([hasOrganisation(deps.db), deps.sites.find(DEMO_SITE)]);
    const locale = localeFromHeader(c.req.header('accept-language'));
    c.header('Cache-Control', 'no-store');
    c.header('Content-Security-Policy', "default-src 'none'; base-uri 'none'; form-action 'none'; frame-ancestors 'none'");
    return c.html(`<!doctype html>${renderToString(<HomePage locale={locale} setUp={setUp} demo={demo !== null} />)}`);
  });
  return app;
}
