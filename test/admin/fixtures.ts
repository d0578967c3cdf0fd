/** A small, known set of consent records and analytics events on one site, for checking what the admin API reports. */
import type { Db } from '../../server/db/create.ts';
import type { NewEvent } from '../../server/db/schema.ts';
import { appendConsentRecords, type UnchainedRecord } from '../../server/queries/consent-records.ts';
import { insertEvents } from '../../server/queries/events.ts';

export const CONSENT_IDS = { granted: 'consent-granted-0001', analyticsOnly: 'consent-analytics-0002', rejected: 'consent-rejected-0003' } as const;
const HOUR = 3_600_000;

/** A decision of the demo site's first policy, as the collector would append it. */
export function record(consentId: string, choices: { analytics: boolean; ads: boolean }, overrides: Partial<UnchainedRecord>): UnchainedRecord {
  return {
    consentId,
    policyVersion: 1,
    functional: true,
    ...choices,
    action: choices.analytics && choices.ads ? 'accept_all' : choices.analytics || choices.ads ? 'custom' : 'reject_all',
    source: 'banner',
    locale: 'nb',
    pageUrl: 'https://portal.test/',
    browser: 'Chrome',
    os: 'Linux',
    device: 'desktop',
    account: null,
    recordedAt: new Date(),
    clientHash: 'client-hash',
    shownHash: null,
    gpc: false,
    stale: false,
    ...overrides,
  };
}

/** An event row as the collector stores it: a desktop Chrome pageview of / unless `fields` say otherwise. */
export function eventRow(siteId: number, consentId: string, sessionId: string, at: Date, fields: Partial<NewEvent> = {}): NewEvent {
  return { site_id: siteId, occurred_at: at, consent_id: consentId, session_id: sessionId, type: 'pageview', path: '/', device: 'desktop', browser: 'Chrome', os: 'Linux', ...fields };
}

/**
 * Four decisions (one a later withdrawal) and three visits: a visit from an ad with two pages and a signup, a
 * one-page bounce, and a two-page visit the day before.
 */
export async function seedActivity(db: Db, siteId: number, now = new Date()): Promise<void> {
  const ago = (hours: number) => new Date(now.getTime() - hours * HOUR);
  await appendConsentRecords(db, siteId, [
    record(CONSENT_IDS.granted, { analytics: true, ads: true }, { recordedAt: ago(30), account: 'Acme AS', country: 'NO' }),
    record(CONSENT_IDS.analyticsOnly, { analytics: true, ads: false }, { recordedAt: ago(5), source: 'preferences', pageUrl: '=HYPERLINK("x")', country: 'SE' }),
    record(CONSENT_IDS.rejected, { analytics: false, ads: false }, { recordedAt: ago(4), locale: 'en', account: 'Blåbær AS' }),
    record(CONSENT_IDS.granted, { analytics: false, ads: false }, { recordedAt: ago(1), action: 'withdraw', source: 'preferences', country: 'NO' }),
  ]);
  const event = (consentId: string, sessionId: string, at: Date, fields: Partial<NewEvent>) => eventRow(siteId, consentId, sessionId, at, fields);
  await insertEvents(db, [
    event(CONSENT_IDS.granted, 'visit-ad', ago(3), { referrer_host: 'google.com', utm_source: 'google', utm_campaign: 'vinter', ad_click: 'gclid', country: 'NO' }),
    event(CONSENT_IDS.granted, 'visit-ad', new Date(ago(3).getTime() + 60_000), { path: '/pris', referrer_host: 'google.com', utm_source: 'google', utm_campaign: 'vinter', ad_click: 'gclid' }),
    event(CONSENT_IDS.granted, 'visit-ad', new Date(ago(3).getTime() + 120_000), { type: 'custom', name: 'signup', path: '/pris', props: JSON.stringify({ plan: 'pro' }) }),
    event(CONSENT_IDS.analyticsOnly, 'visit-bounce', ago(2), { path: '/pris', browser: 'Firefox', device: 'mobile', os: 'Android', country: 'SE' }),
    event(CONSENT_IDS.granted, 'visit-yesterday', ago(28), { path: '/', country: 'NO' }),
    event(CONSENT_IDS.granted, 'visit-yesterday', new Date(ago(28).getTime() + 300_000), { path: '/kontakt' }),
  ]);
}
