/**
 * The widget's entry: reads the stored choice, holds back what is not allowed, shows the banner when a decision
 * is due, records every decision with the collector, and exposes window.Samtykke.
 */
import { config } from './config.ts';
import { CATEGORIES, type Category, type Choices, type ConsentSource } from '../server/domain/consent.ts';
import type { ConsentRequest, WidgetTexts } from '../server/contract.ts';
import type { SamtykkeApi } from './api.ts';
import { createBanner, type Banner } from './banner.ts';
import { createBlocker } from './blocker.ts';
import { CONSENT_COOKIE, OPEN_ATTRIBUTE } from './constants.ts';
import { actionFor, decodeConsent, encodeConsent, isCurrent, newConsentId, type StoredConsent } from './consent.ts';
import { consentModeDefault, consentModeUpdate } from './consent-mode.ts';
import { pickLocale } from './locale.ts';
import { clearCategory, readCookie, writeConsentCookie } from './storage.ts';
import { createTracker, pageUrl } from './tracker.ts';
import { verifyHandoff } from './handoff.ts';
import { post, warn } from './transport.ts';

// Build-time flags (widget/build.ts): the server serves each site the bundle of the features it has switched on.
declare const CONSENT_MODE: boolean;
declare const APP_HANDOFF: boolean;
const SECONDS_PER_MONTH = 2_629_746;

const script = document.currentScript as HTMLScriptElement | null;
// It sends where it was loaded from, so it works at whatever address the server is reached; the preview page
// runs it inline, at the server's own address.
const collector = new URL(script?.src || location.href).origin;
const siteUrl = `${collector}/sites/${config.site}`;
const lang = pickLocale([script?.dataset.lang, document.documentElement.lang, ...navigator.languages], config.locales.includes('nn'));
// The script carries the texts of the locale the server expected; a page in another one fetches its own.
let texts: Promise<WidgetTexts> | undefined;
const loadTexts = (): Promise<WidgetTexts> =>
  (texts ??= config.texts[lang]
    ? Promise.resolve(config.texts[lang])
    : fetch(`${siteUrl}/texts.json?lang=${lang}`).then((response) => (response.ok ? response.json() : Promise.reject(response.status))));
const stored = decodeConsent(readCookie(CONSENT_COOKIE) ?? '');
let consent: StoredConsent | null =
  stored && isCurrent(stored, config.askedSince, config.consentLifetimeMonths, Date.now()) ? stored : null;
// An app's hand-off may replace it: the page then holds the app's ID (handoff below).
let consentId = stored?.id ?? newConsentId();
const gpc = navigator.globalPrivacyControl === true;
const listeners = new Set<(choices: Choices) => void>();
let banner: Promise<Banner> | undefined;
let shown = '';

const get = (): Choices | null => (consent ? { ...consent.choices } : null);
const allowed = (category: Category): boolean =>
  (category === 'functional' && config.functionalRequired) || consent?.choices[category] === true;

const tracker = createTracker(`${collector}/api/events`, config.site, () => consentId);
const blocker = createBlocker(allowed, () =>
  consent && !consent.pending
    ? { cid: consentId, url: pageUrl(location, allowed('ads') ? new URL(location.href) : null) }
    : null,
);

/** Builds the banner once its texts are here; a decision can only come from it, so `shown` is set by then. */
function withBanner(run: (banner: Banner) => void): void {
  (banner ??= loadTexts().then((loaded) => {
    shown = loaded.shown;
    return createBanner({
      config,
      texts: loaded,
      lang,
      declarationUrl: `${siteUrl}/cookies?lang=${lang}`,
      gpc,
      decide,
      current: get,
    });
  }))
    .then(run)
    .catch((error) => warn('texts not loaded', error));
}

/** `clean` deletes what denied categories left behind: after a decision, and when a stored choice has lapsed. */
function apply(clean: boolean): void {
  if (clean) for (const category of CATEGORIES) if (!allowed(category)) clearCategory(config.storage[category]);
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
    // Only when sent: JSON leaves out what is undefined.
    gpc: gpc || undefined,
    url: location.origin + location.pathname,
  } satisfies ConsentRequest)
    .then((response) => {
      if (!response.ok) throw response.status;
      if (consent !== sent) return;
      save({ ...sent, pending: null });
      apply(false);
    })
    // It applies here meanwhile, and goes again on the next page.
    .catch((error) => warn('decision not recorded', error));
}

/** A choice made here or handed over by the app (under its consent ID): in force at once, told to whoever listens. */
function adopt(next: StoredConsent): void {
  consentId = next.id;
  save(next);
  apply(true);
  if (CONSENT_MODE) consentModeUpdate(next.choices);
  for (const listener of listeners) listener(get()!);
}

function decide(chosen: Choices, source: 'banner' | 'preferences', explicit: boolean): void {
  // Global Privacy Control denies ads unless the visitor turned ads on switch by switch.
  const gpcApplies = gpc && !explicit && chosen.ads;
  const choices: Choices = gpcApplies ? { ...chosen, ads: false } : chosen;
  const recordedSource: ConsentSource = gpcApplies ? 'gpc' : source;
  adopt({
    id: consentId,
    policyVersion: config.policyVersion,
    choices,
    at: Date.now(),
    // What this page showed: the hash the server gave with its texts.
    pending: { action: actionFor(choices, consent?.choices ?? null), source: recordedSource, locale: lang, shown },
  });
  record();
}

/**
 * The decision an app hands the page it opened (widget/handoff.ts), as the server has it stored: adopted under the
 * app's consent ID and not recorded again, so a change made here afterwards is recorded under that ID too.
 */
// It comes as a StoredConsent without `pending`: recorded already, by the app.
const handoff = (token: string): Promise<void> => verifyHandoff(collector, config.site, token).then(adopt, (error) => warn('handoff refused', error));

function open(): void {
  withBanner((shownBanner) => shownBanner.showPreferences());
}

if (CONSENT_MODE) {
  consentModeDefault();
  if (consent) consentModeUpdate(consent.choices);
}
// Only a lapsed choice can have left anything behind: under a current one, denied categories never ran.
apply(stored !== null && consent === null);
record();
const handedOff = APP_HANDOFF && window.SamtykkeHandoff && handoff(window.SamtykkeHandoff);

const api: SamtykkeApi = {
  get consentId() {
    return consentId;
  },
  ...(APP_HANDOFF ? { handoff } : {}),
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
  const showNotice = () => consent || withBanner((shownBanner) => shownBanner.showNotice());
  // A hand-off on its way holds the banner back until the server has answered it.
  if (handedOff) void handedOff.then(showNotice);
  else showNotice();
}

if (document.body) start();
else document.addEventListener('DOMContentLoaded', start);
