/** The cookie and pixel overview as a plain HTML page: readable without JavaScript, in Bokmål, Nynorsk or English. */
import type { Declaration } from '../contract.ts';
import { inLocaleOf, LOCALES, type Locale } from '../domain/consent.ts';
import type { InventoryKind } from '../domain/inventory.ts';

const LABELS = {
  nb: {
    heading: 'Informasjonskapsler og piksler',
    intro: (site: string, version: number, date: string) =>
      `Oversikt over informasjonskapsler, piksler og lignende teknologi som brukes i ${site}, og hvordan du kan blokkere dem. Retningslinjer versjon ${version}, publisert ${date}.`,
    required: 'Alltid på',
    optional: 'Krever samtykke',
    name: 'Navn',
    kind: 'Type',
    provider: 'Leverandør',
    purpose: 'Formål',
    retention: 'Lagringstid',
    blocking: 'Slik blokkerer du',
    none: 'Ingen i denne kategorien.',
    firstParty: 'førstepart',
    thirdParty: 'tredjepart',
    language: 'Bokmål',
    kinds: {
      cookie: 'Informasjonskapsel',
      local_storage: 'Lokal lagring',
      session_storage: 'Øktlagring',
      pixel: 'Piksel',
      web_beacon: 'Nettfyr',
      script: 'Skript',
      iframe: 'Innebygd ramme',
    },
  },
  nn: {
    heading: 'Informasjonskapslar og pikslar',
    intro: (site: string, version: number, date: string) =>
      `Oversikt over informasjonskapslar, pikslar og liknande teknologi som blir brukt i ${site}, og korleis du kan blokkere dei. Retningslinjer versjon ${version}, publisert ${date}.`,
    required: 'Alltid på',
    optional: 'Krev samtykke',
    name: 'Namn',
    kind: 'Type',
    provider: 'Leverandør',
    purpose: 'Føremål',
    retention: 'Lagringstid',
    blocking: 'Slik blokkerer du',
    none: 'Ingen i denne kategorien.',
    firstParty: 'førstepart',
    thirdParty: 'tredjepart',
    language: 'Nynorsk',
    kinds: {
      cookie: 'Informasjonskapsel',
      local_storage: 'Lokal lagring',
      session_storage: 'Øktlagring',
      pixel: 'Piksel',
      web_beacon: 'Nettfyr',
      script: 'Skript',
      iframe: 'Innebygd ramme',
    },
  },
  en: {
    heading: 'Cookies and pixels',
    intro: (site: string, version: number, date: string) =>
      `An overview of the cookies, pixels and similar technologies used in ${site}, and how you can block them. Policy version ${version}, published ${date}.`,
    required: 'Always on',
    optional: 'Needs consent',
    name: 'Name',
    kind: 'Kind',
    provider: 'Provider',
    purpose: 'Purpose',
    retention: 'Retention',
    blocking: 'How to block it',
    none: 'None in this category.',
    firstParty: 'first party',
    thirdParty: 'third party',
    language: 'English',
    kinds: {
      cookie: 'Cookie',
      local_storage: 'Local storage',
      session_storage: 'Session storage',
      pixel: 'Pixel',
      web_beacon: 'Web beacon',
      script: 'Script',
      iframe: 'Embedded frame',
    },
  },
} satisfies Record<Locale, { kinds: Record<InventoryKind, string> } & Record<string, unknown>>;

const STYLE = `body{font:16px/1.5 system-ui,sans-serif;margin:0 auto;max-width:72rem;padding:1.5rem;color:#1a1a1a}
table{border-collapse:collapse;width:100%;margin:.5rem 0 2rem}th,td{border-bottom:1px solid #ccc;padding:.5rem;text-align:left;vertical-align:top}
th{background:#f3f3f3}code{font-size:.95em}.tag{font-size:.85em;padding:.1rem .5rem;border-radius:1rem;background:#e8eef9;color:#123a7a}
@media (max-width:48rem){table,tbody,tr,td{display:block}thead{display:none}td{border:0;padding:.15rem 0}tr{border-bottom:1px solid #ccc;padding:.5rem 0}}`;

export function DeclarationPage({ declaration, locale }: { declaration: Declaration; locale: Locale }) {
  const t = LABELS[locale];
  const published = new Date(declaration.publishedAt).toLocaleDateString(locale === 'en' ? 'en-GB' : `${locale}-NO`, { dateStyle: 'long' });
  return (
    <html lang={locale}>
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{`${t.heading} – ${declaration.site.name}`}</title>
        <style>{STYLE}</style>
      </head>
      <body>
        <main>
          <nav>
            {LOCALES.filter((other) => other !== locale).map((other) => (
              <a key={other} href={`?lang=${other}`} hreflang={other} lang={other} style="margin-right:1rem">
                {LABELS[other].language}
              </a>
            ))}
          </nav>
          <h1>{`${t.heading} – ${declaration.site.name}`}</h1>
          <p>{t.intro(declaration.site.name, declaration.policyVersion, published)}</p>
          {declaration.categories.map((category) => (
            <section key={category.category} aria-labelledby={`category-${category.category}`}>
              <h2 id={`category-${category.category}`}>
                {inLocaleOf(category.texts, locale).title} <span class="tag">{category.required ? t.required : t.optional}</span>
              </h2>
              <p>{inLocaleOf(category.texts, locale).description}</p>
              {category.items.length === 0 ? (
                <p>{t.none}</p>
              ) : (
                <table>
                  <thead>
                    <tr>
                      <th scope="col">{t.name}</th>
                      <th scope="col">{t.kind}</th>
                      <th scope="col">{t.provider}</th>
                      <th scope="col">{t.purpose}</th>
                      <th scope="col">{t.retention}</th>
                      <th scope="col">{t.blocking}</th>
                    </tr>
                  </thead>
                  <tbody>
                    {category.items.map((item) => (
                      <tr key={`${item.kind}:${item.name}`}>
                        <td>
                          <code>{item.name}</code>
                        </td>
                        <td>{t.kinds[item.kind]}</td>
                        <td>
                          {item.provider} ({item.party === 'first' ? t.firstParty : t.thirdParty}
                          {item.domain ? `, ${item.domain}` : ''})
                        </td>
                        <td>{inLocaleOf(item.purpose, locale)}</td>
                        <td>{inLocaleOf(item.retention, locale)}</td>
                        <td>{inLocaleOf(item.blocking, locale)}</td>
                      </tr>
                    ))}
                  </tbody>
                </table>
              )}
            </section>
          ))}
        </main>
      </body>
    </html>
  );
}
