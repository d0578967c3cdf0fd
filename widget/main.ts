/**
 * The widget's entry: reads the stored choice, holds back what is not allowed, shows the banner when a decision
 * is due, records every decision with the collector, and exposes window.Samtykke.
 */
import { CATEGORIES, type Category, type Choices, type ConsentSource } from '../server/domain/consent.ts';
import type { WidgetSiteConfig } from '../server/contract.ts';
import type { SamtykkeApi } from './api.ts';
import { createBanner, type Banner } from './banner.ts';
import { createBlocker } from './blocker.ts';
import { CONSENT_COOKIE, OPEN_ATTRIBUTE, UI_TEXTS } from './constants.ts';
import { actionFor, decodeConsent, encodeConsent, isCurrent, newConsentId, type StoredConsent } from './consent.ts';
import { consentModeDefault, consentModeUpdate } from './consent-mode.ts';
import { mountDeclarations } from './declaration.ts';
import { pickLocale } from './locale.ts';
import { clearCategory, readCookie, writeConsentCookie } from './storage.ts';
import { createTracker, pageUrl } from './tracker.ts';
import { post, warn } from './transport.ts';

// The server replaces this identifier with the site's configuration when it serves the script.
declare const __SAMTYKKE_CONFIG__: WidgetSiteConfig;
const config = __SAMTYKKE_CONFIG__;
const SECONDS_PER_MONTH = 2_629_746;

const script = document.currentScript as HTMLScriptElement | null;
const collector = script?.src ? new URL(script.src).origin : config.collector;
const lang = pickLocale([script?.dataset.lang, document.documentElement.lang, ...navigator.languages]);
const ui = UI_TEXTS[lang];
const stored = decodeConsent(readCookie(CONSENT_COOKIE) ?? '');
let consent: StoredConsent | null =
  stored && isCurrent(stored, config.policyVersion, config.consentLifetimeMonths, Date.now()) ? stored : null;
const consentId = stored?.id ?? newConsentId();
const gpc = navigator.globalPrivacyControl === true;
const consentMode = Boolean(window.dataLayer) || Boolean(script?.hasAttribute('data-consent-mode'));
const listeners = new Set<(choices: Choices) => void>();
let banner: Banner | undefined;
let redrawDeclarations = (): void => {};

const get = (): Choices | null => (consent ? { ...consent.choices } : null);
const allowed = (category: Category): boolean =>
  (category === 'functional' && config.functionalRequired) || consent?.choices[category] === true;

const tracker = createTracker(`${collector}/api/events`, config.site, consentId);
const blocker = createBlocker(allowed, () =>
  consent && !consent.pending
    ? { cid: consentId, url: pageUrl(new URL(location.href), allowed('ads') ? new URL(location.href) : null) }
    : null,
);

function showBanner(): Banner {
  return (banner ??= createBanner({
    texts: config.texts[lang],
    ui,
    lang,
    functionalRequired: config.functionalRequired,
    declarationUrl: `${collector}/sites/${config.site}/cookies?lang=${lang}`,
    gpc,
    decide,
    current: get,
  }));
}

/** `clean` deletes what denied categories left behind: after a decision, and when a stored choice has lapsed. */
function apply(clean: boolean): void {
  if (clean) for (const category of CATEGORIES) if (!allowed(category)) clearCategory(config.storage, category);
  blocker.release();
  tracker.update({ analytics: consent ? consent.choices.analytics : null, ads: allowed('ads'), recorded: !!consent && !consent.pending });
}

function save(next: StoredConsent): void {
  consent = next;
  writeConsentCookie(encodeConsent(next), config.consentLifetimeMonths * SECONDS_PER_MONTH);
}

/** Sends the pending decision; while the collector is down or blocked the choice holds here and goes on the next page. */
function record(): void {
  const sent = consent;
  if (!sent?.pending) return;
  post(`${collector}/api/consent`, {
    site: config.site,
    consentId,
    policyVersion: sent.policyVersion,
    choices: sent.choices,
    ...sent.pending,
    locale: lang,
    url: location.origin + location.pathname,
  })
    .then((response) => {
      if (response.status !== 201) throw new Error(`HTTP ${response.status}`);
      if (consent !== sent) return;
      save({ ...sent, pending: null });
      apply(false);
    })
    .catch((error) => warn('decision not recorded yet; it applies here and is sent again later', error));
}

function decide(chosen: Choices, source: 'banner' | 'preferences', explicit: boolean): void {
  // Global Privacy Control denies ads unless the visitor turned ads on switch by switch.
  const gpcApplies = gpc && !explicit && chosen.ads;
  const choices: Choices = gpcApplies ? { ...chosen, ads: false } : chosen;
  const recordedSource: ConsentSource = gpcApplies ? 'gpc' : source;
  save({
    id: consentId,
    policyVersion: config.policyVersion,
    choices,
    at: Date.now(),
    pending: { action: actionFor(choices, consent?.choices ?? null), source: recordedSource },
  });
  apply(true);
  if (consentMode) consentModeUpdate(choices);
  for (const listener of listeners) listener(get()!);
  redrawDeclarations();
  record();
}

function open(): void {
  showBanner().showPreferences();
}

if (consentMode) {
  consentModeDefault();
  if (consent) consentModeUpdate(consent.choices);
}
// Only a lapsed choice can have left anything behind: under a current one, denied categories never ran.
apply(stored !== null && consent === null);
record();

const api: SamtykkeApi = {
  consentId,
  open,
  get,
  on(_event, listener) {
    listeners.add(listener);
    return () => listeners.delete(listener);
  },
  track: tracker.track,
};
window.Samtykke = api;

function start(): void {
  document.addEventListener('click', (event) => {
    if ((event.target as Element).closest?.(`[${OPEN_ATTRIBUTE}]`)) open();
  });
  redrawDeclarations = mountDeclarations(`${collector}/api/sites/${config.site}/declaration`, lang, ui, get, open);
  if (!consent) showBanner().showNotice();
}

if (document.body) start();
else document.addEventListener('DOMContentLoaded', start);
