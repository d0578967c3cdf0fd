/**
 * /reports/unsubscribe/:token: where a report's recipient stops the mail, with no login. GET shows what the link
 * stops and a button; the POST of that button, or of a mail program's one-click unsubscribe (RFC 8058, the
 * List-Unsubscribe-Post header of every report), unsubscribes. GET alone changes nothing: link scanners open links.
 */
import { Hono, type Context } from 'hono';
import type { ComponentChildren } from 'preact';
import { renderToString } from 'preact-render-to-string';
import type { StaffLocale } from '../domain/consent.ts';
import { localeFromHeader } from '../i18n.ts';
import { findUnsubscribeTarget, unsubscribeRecipient, type UnsubscribeTarget } from '../queries/reports.ts';
import type { AppDeps } from '../services.ts';

const TOKEN = /^[A-Za-z0-9_-]{43}$/;

const TEXTS = {
  nb: {
    title: 'Meld av e-postrapporten',
    ask: (target: UnsubscribeTarget) => `Vil du at ${target.email} ikke lenger skal få e-postrapporten for ${target.siteName}?`,
    button: 'Meld av',
    done: (target: UnsubscribeTarget) => `${target.email} får ikke lenger e-postrapporten for ${target.siteName}.`,
    unknown: 'Denne lenken gjelder ingen mottaker lenger. Mottakeren kan ha blitt fjernet fra rapporten.',
  },
  en: {
    title: 'Unsubscribe from the email report',
    ask: (target: UnsubscribeTarget) => `Stop sending the email report for ${target.siteName} to ${target.email}?`,
    button: 'Unsubscribe',
    done: (target: UnsubscribeTarget) => `${target.email} no longer gets the email report for ${target.siteName}.`,
    unknown: 'This link no longer belongs to any recipient. The recipient may have been removed from the report.',
  },
};

function Page(props: { locale: StaffLocale; children: ComponentChildren }) {
  return (
    <html lang={props.locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{TEXTS[props.locale].title}</title>
      </head>
      <body style="font-family:system-ui,sans-serif;max-width:40rem;margin:2rem auto;padding:0 1rem">
        <main>
          <h1>{TEXTS[props.locale].title}</h1>
          {props.children}
        </main>
      </body>
    </html>
  );
}

function page(c: Context, locale: StaffLocale, status: 200 | 404, body: ComponentChildren): Response {
  // The token in the address stays on this page: no cache keeps it, no referrer carries it away.
  c.header('Cache-Control', 'no-store');
  c.header('Referrer-Policy', 'no-referrer');
  c.header('Content-Language', locale);
  return c.html(`<!doctype html>${renderToString(<Page locale={locale}>{body}</Page>)}`, status);
}

export function unsubscribeRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  const localeOf = (c: Context) => localeFromHeader(c.req.header('accept-language'));
  const tokenOf = (c: Context) => {
    const token = c.req.param('token') ?? '';
    return TOKEN.test(token) ? token : null;
  };

  app.get('/reports/unsubscribe/:token', async (c) => {
    const locale = localeOf(c);
    const token = tokenOf(c);
    const target = token && (await findUnsubscribeTarget(deps.db, token));
    if (!target) return page(c, locale, 404, <p>{TEXTS[locale].unknown}</p>);
    if (target.unsubscribedAt) return page(c, locale, 200, <p>{TEXTS[locale].done(target)}</p>);
    return page(
      c,
      locale,
      200,
      <form method="post">
        <p>{TEXTS[locale].ask(target)}</p>
        <input type="hidden" name="List-Unsubscribe" value="One-Click" />
        <button type="submit">{TEXTS[locale].button}</button>
      </form>,
    );
  });

  app.post('/reports/unsubscribe/:token', async (c) => {
    const locale = localeOf(c);
    const token = tokenOf(c);
    const target = token && (await unsubscribeRecipient(deps.db, token, new Date()));
    if (!target) return page(c, locale, 404, <p>{TEXTS[locale].unknown}</p>);
    return page(c, locale, 200, <p>{TEXTS[locale].done(target)}</p>);
  });
  return app;
}
