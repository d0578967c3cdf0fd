/** The demo organisation: the portal from the terms (Min Bedrift, Min Side, the app), its policy and inventory. */
import type { Localized, Surface } from '../domain/consent.ts';
import type { PolicyTexts } from '../domain/policy.ts';
import type { SiteFeatures } from '../domain/sites.ts';
import type { NewInventoryItem } from '../queries/inventory.ts';

export const DEMO_ORGANISATION = 'Demo Bedrift AS';

/** The demo's sites; a web site's `page` is its demo page (server/widget/demo.tsx), where a scan of it starts. */
export const DEMO_SITES: ReadonlyArray<{ key: string; name: string; surface: Surface; page?: string; features?: Partial<SiteFeatures> }> = [
  { key: 'min-bedrift', name: 'Min Bedrift', surface: 'web', page: '/demo' },
  // The app opens the user pages in a WebView, handing over the user's decision.
  { key: 'min-side', name: 'Min Side', surface: 'web', page: '/demo/min-side', features: { appHandoff: true } },
  { key: 'app', name: 'Selvbetjeningsappen', surface: 'app' },
];

/** The demo's terms page embeds the declaration and its portal runs Google tags: both features are on. */
export const DEMO_FEATURES = { consentMode: true, declarationEmbed: true } as const;

export const DEMO_POLICY_TEXTS: Localized<PolicyTexts> = {
  nb: {
    title: 'Vi bruker informasjonskapsler',
    body:
      'Vi bruker informasjonskapsler, piksler og lokal lagring for at selvbetjeningen skal virke, for å forstå hvordan den brukes, ' +
      'og for å måle effekten av annonsene våre. Du velger selv hva du godtar, og kan endre valget når som helst.',
    categories: {
      functional: {
        title: 'Nødvendige',
        description: 'Gjør selvbetjeningen enkel og effektiv, for eksempel innlogging og navigasjon. Lagres ikke etter at økten din er over.',
      },
      analytics: {
        title: 'Bruksanalyse',
        description: 'Viser oss hvordan sidene og appen brukes, slik at vi kan forbedre selvbetjeningen.',
      },
      ads: {
        title: 'Annonsemåling',
        description: 'Teller hvor mange som besøker oss etter å ha sett en annonse, slik at vi kan måle effekten av markedsføringen.',
      },
    },
  },
  nn: {
    title: 'Vi bruker informasjonskapslar',
    body:
      'Vi bruker informasjonskapslar, pikslar og lokal lagring for at sjølvbeteninga skal verke, for å forstå korleis ho blir brukt, ' +
      'og for å måle effekten av annonsane våre. Du vel sjølv kva du godtek, og kan endre valet når som helst.',
    categories: {
      functional: {
        title: 'Naudsynte',
        description: 'Gjer sjølvbeteninga enkel og effektiv, til dømes innlogging og navigasjon. Blir ikkje lagra etter at økta di er over.',
      },
      analytics: {
        title: 'Bruksanalyse',
        description: 'Viser oss korleis sidene og appen blir brukte, slik at vi kan forbetre sjølvbeteninga.',
      },
      ads: {
        title: 'Annonsemåling',
        description: 'Tel kor mange som besøkjer oss etter å ha sett ein annonse, slik at vi kan måle effekten av marknadsføringa.',
      },
    },
  },
  en: {
    title: 'We use cookies',
    body:
      'We use cookies, pixels and local storage to make the self-service work, to understand how it is used, ' +
      'and to measure how well our advertising works. You choose what you accept and can change your mind at any time.',
    categories: {
      functional: {
        title: 'Necessary',
        description: 'Keeps the self-service simple and efficient, such as login and navigation. Not kept after your session ends.',
      },
      analytics: {
        title: 'Usage analytics',
        description: 'Shows us how the pages and the app are used, so we can improve the self-service.',
      },
      ads: {
        title: 'Ad measurement',
        description: 'Counts how many people visit after seeing one of our ads, so we can measure how well our advertising works.',
      },
    },
  },
};

const browserSettings: Localized = {
  nb: 'Kan blokkeres i nettleserens innstillinger, men da virker ikke innloggingen.',
  nn: 'Kan blokkerast i innstillingane til nettlesaren, men då verkar ikkje innlogginga.',
  en: 'Can be blocked in your browser settings, but login then stops working.',
};
const samtykkeChoice: Localized = {
  nb: 'Slå av «Bruksanalyse» under «Innstillinger for informasjonskapsler», eller blokker i nettleseren.',
  nn: 'Slå av «Bruksanalyse» under «Innstillingar for informasjonskapslar», eller blokker i nettlesaren.',
  en: 'Turn off "Usage analytics" under "Cookie settings", or block it in your browser.',
};
const adsChoice: Localized = {
  nb: 'Slå av «Annonsemåling» under «Innstillinger for informasjonskapsler», eller bruk en annonseblokkerer.',
  nn: 'Slå av «Annonsemåling» under «Innstillingar for informasjonskapslar», eller bruk ein annonseblokkerar.',
  en: 'Turn off "Ad measurement" under "Cookie settings", or use an ad blocker.',
};

export function demoInventory(collectorHost: string): NewInventoryItem[] {
  return [
    {
      kind: 'cookie',
      name: 'portal_session',
      namePattern: false,
      provider: 'Demo Bedrift AS',
      party: 'first',
      domain: null,
      category: 'functional',
      purpose: { nb: 'Holder deg innlogget under økten.', nn: 'Held deg innlogga under økta.', en: 'Keeps you logged in during your session.' },
      retention: { nb: 'Økten', nn: 'Økta', en: 'Session' },
      blocking: browserSettings,
    },
    {
      kind: 'cookie',
      name: 'samtykke',
      namePattern: false,
      provider: 'Demo Bedrift AS (Samtykke)',
      party: 'first',
      domain: null,
      category: 'functional',
      purpose: { nb: 'Husker valgene dine om informasjonskapsler.', nn: 'Hugsar vala dine om informasjonskapslar.', en: 'Remembers your cookie choices.' },
      retention: { nb: '12 måneder', nn: '12 månader', en: '12 months' },
      blocking: {
        nb: 'Kan slettes i nettleseren; da spør vi deg på nytt.',
        nn: 'Kan slettast i nettlesaren; då spør vi deg på nytt.',
        en: 'Can be deleted in your browser; we will then ask you again.',
      },
    },
    {
      kind: 'cookie',
      name: '_pa_*',
      namePattern: true,
      provider: 'Demo Bedrift AS',
      party: 'first',
      domain: null,
      category: 'analytics',
      purpose: { nb: 'Skiller besøk fra hverandre i bruksanalysen.', nn: 'Skil besøk frå kvarandre i bruksanalysen.', en: 'Tells visits apart in usage analytics.' },
      retention: { nb: '13 måneder', nn: '13 månader', en: '13 months' },
      blocking: samtykkeChoice,
    },
    {
      kind: 'local_storage',
      name: 'portal_analytics_queue',
      namePattern: false,
      provider: 'Demo Bedrift AS',
      party: 'first',
      domain: null,
      category: 'analytics',
      purpose: { nb: 'Holder bruksdata til de er sendt.', nn: 'Held bruksdata til dei er sende.', en: 'Holds usage data until it has been sent.' },
      retention: { nb: 'Til den er sendt', nn: 'Til han er send', en: 'Until sent' },
      blocking: samtykkeChoice,
    },
    {
      kind: 'pixel',
      name: 'p.gif',
      namePattern: false,
      provider: 'Demo Bedrift AS (Samtykke)',
      party: 'first',
      domain: collectorHost,
      category: 'ads',
      purpose: {
        nb: 'Et gjennomsiktig bilde som teller besøk som kommer fra en annonse.',
        nn: 'Eit gjennomsiktig bilete som tel besøk som kjem frå ein annonse.',
        en: 'A transparent image that counts visits that arrive from an ad.',
      },
      retention: { nb: 'Lagrer ingenting i nettleseren', nn: 'Lagrar ingenting i nettlesaren', en: 'Stores nothing in the browser' },
      blocking: adsChoice,
    },
    {
      kind: 'web_beacon',
      name: 'ad-conversion',
      namePattern: false,
      provider: 'Demo Bedrift AS (Samtykke)',
      party: 'first',
      domain: collectorHost,
      category: 'ads',
      purpose: {
        nb: 'En nettfyr som melder når et besøk fra en annonse fører til et kjøp av tilleggstjenester.',
        nn: 'Eit nettfyr som melder når eit besøk frå ein annonse fører til kjøp av tilleggstenester.',
        en: 'A web beacon that reports when a visit from an ad leads to buying an add-on service.',
      },
      retention: { nb: 'Lagrer ingenting i nettleseren', nn: 'Lagrar ingenting i nettlesaren', en: 'Stores nothing in the browser' },
      blocking: adsChoice,
    },
  ];
}
