/**
 * What a new site starts with, so its banner works the moment it is created: a published first policy version
 * with texts for the three categories in every locale, and an inventory declaring Samtykke's own consent cookie.
 * The admin rewrites both in the dashboard; the texts are deliberately plain so they fit any portal.
 */
import type { Localized, Surface } from '../domain/consent.ts';
import type { PolicyTexts } from '../domain/policy.ts';
import type { NewInventoryItem } from '../queries/inventory.ts';
import type { PolicyRules } from '../domain/policy.ts';

export interface SiteContent {
  readonly policy: PolicyRules;
  readonly inventory: readonly NewInventoryItem[];
}

const TEMPLATE_LIFETIME_MONTHS = 12;

const TEMPLATE_TEXTS: Localized<PolicyTexts> = {
  nb: {
    title: 'Vi bruker informasjonskapsler',
    body:
      'Vi bruker informasjonskapsler og lignende teknologi for at tjenesten skal virke, for å forstå hvordan den brukes, ' +
      'og for å måle effekten av annonsene våre. Du velger selv hva du godtar, og kan endre valget når som helst.',
    categories: {
      functional: { title: 'Nødvendige', description: 'Får tjenesten til å virke, for eksempel innlogging og valgene du gjør her.' },
      analytics: { title: 'Bruksanalyse', description: 'Viser oss hvordan tjenesten brukes, slik at vi kan gjøre den bedre.' },
      ads: { title: 'Annonsemåling', description: 'Teller hvor mange som besøker oss etter å ha sett en annonse.' },
    },
  },
  nn: {
    title: 'Vi bruker informasjonskapslar',
    body:
      'Vi bruker informasjonskapslar og liknande teknologi for at tenesta skal verke, for å forstå korleis ho blir brukt, ' +
      'og for å måle effekten av annonsane våre. Du vel sjølv kva du godtek, og kan endre valet når som helst.',
    categories: {
      functional: { title: 'Naudsynte', description: 'Får tenesta til å verke, til dømes innlogging og vala du gjer her.' },
      analytics: { title: 'Bruksanalyse', description: 'Viser oss korleis tenesta blir brukt, slik at vi kan gjere ho betre.' },
      ads: { title: 'Annonsemåling', description: 'Tel kor mange som besøkjer oss etter å ha sett ein annonse.' },
    },
  },
  en: {
    title: 'We use cookies',
    body:
      'We use cookies and similar technology to make the service work, to understand how it is used, and to measure ' +
      'how well our advertising works. You choose what you accept and can change your mind at any time.',
    categories: {
      functional: { title: 'Necessary', description: 'Makes the service work, such as login and the choices you make here.' },
      analytics: { title: 'Usage analytics', description: 'Shows us how the service is used, so we can improve it.' },
      ads: { title: 'Ad measurement', description: 'Counts how many people visit after seeing one of our ads.' },
    },
  },
};

/** The consent cookie the widget sets on every web site: declared from the start, as the terms require. */
function consentCookie(provider: string): NewInventoryItem {
  return {
    kind: 'cookie',
    name: 'samtykke',
    namePattern: false,
    provider,
    party: 'first',
    domain: null,
    category: 'functional',
    purpose: { nb: 'Husker valgene dine om informasjonskapsler.', nn: 'Hugsar vala dine om informasjonskapslar.', en: 'Remembers your cookie choices.' },
    retention: { nb: `${TEMPLATE_LIFETIME_MONTHS} måneder`, nn: `${TEMPLATE_LIFETIME_MONTHS} månader`, en: `${TEMPLATE_LIFETIME_MONTHS} months` },
    blocking: {
      nb: 'Kan slettes i nettleseren; da spør vi deg på nytt.',
      nn: 'Kan slettast i nettlesaren; då spør vi deg på nytt.',
      en: 'Can be deleted in your browser; we will then ask you again.',
    },
  };
}

export function templateContent(surface: Surface, organisationName: string): SiteContent {
  return {
    policy: { texts: TEMPLATE_TEXTS, functionalRequired: true, consentLifetimeMonths: TEMPLATE_LIFETIME_MONTHS },
    // An app keeps its choice in its own storage, which the app's store listing declares; a web site uses the cookie.
    inventory: surface === 'web' ? [consentCookie(`${organisationName} (Samtykke)`)] : [],
  };
}
