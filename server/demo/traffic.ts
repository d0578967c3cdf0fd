/**
 * Thirty days of made-up visitors on the demo's sites, written once with the demo on first start, so the dashboard
 * has figures, charts, goals, a funnel and consent evidence to show before any real traffic arrives. Drawn from a
 * seeded generator: every first start makes the same traffic, ending at the moment of the start.
 */
import type { Db } from '../db/create.ts';
import type { NewEvent } from '../db/schema.ts';
import type { Choices, ConsentAction } from '../domain/consent.ts';
import type { Site } from '../domain/sites.ts';
import { appendConsentRecords, type UnchainedRecord } from '../queries/consent-records.ts';
import { insertEvents } from '../queries/events.ts';
import { createFunnel } from '../queries/funnels.ts';
import { createGoal } from '../queries/goals.ts';
import type { DemoOrganisation } from './seed.ts';

const DAY_MS = 86_400_000;
const DAYS = 30;

/** What a site's made-up visitors do: how many a weekday brings, the pages they read and what they may do there. */
interface SiteTraffic {
  readonly visitorsPerDay: number;
  readonly pages: readonly string[];
  /** A custom event a visit may end with, and the page it happens on. */
  readonly conversions: ReadonlyArray<Conversion>;
  /** The way to a purchase, which a share of visits set out on: each page leads on to the next, or the visit ends. */
  readonly journey?: { readonly share: number; readonly pages: readonly string[]; readonly onward: number; readonly end: Conversion };
}

interface Conversion {
  readonly name: string;
  readonly path: string;
  readonly share: number;
  readonly props?: Record<string, string>;
}

const TRAFFIC: Readonly<Record<string, SiteTraffic>> = {
  'min-bedrift': {
    visitorsPerDay: 60,
    pages: ['/', '/pris', '/abonnement', '/fakturaer', '/fakturaer/2026-11', '/brukere', '/kontakt'],
    conversions: [{ name: 'invoice_downloaded', path: '/fakturaer/2026-11', share: 0.2 }],
    journey: { share: 0.3, pages: ['/', '/pris', '/abonnement'], onward: 0.6, end: { name: 'add_on_ordered', path: '/abonnement', share: 0.45, props: { plan: 'Bedrift Pluss' } } },
  },
  'min-side': {
    visitorsPerDay: 45,
    pages: ['/', '/abonnement', '/faktura', '/forbruk', '/profil'],
    conversions: [{ name: 'profile_updated', path: '/profil', share: 0.08 }],
  },
  app: {
    visitorsPerDay: 25,
    pages: ['/oversikt', '/abonnement', '/faktura', '/innstillinger'],
    conversions: [{ name: 'invoice_paid', path: '/faktura', share: 0.15 }],
  },
};

type Weighted<T> = ReadonlyArray<readonly [T, number]>;

/** mulberry32: small, fast and seeded; the demo needs repeatable variety, not secrecy. */
function generator(seed: number): () => number {
  let state = seed;
  return () => {
    state = (state + 0x6d2b79f5) | 0;
    let t = Math.imul(state ^ (state >>> 15), 1 | state);
    t = (t + Math.imul(t ^ (t >>> 7), 61 | t)) ^ t;
    return ((t ^ (t >>> 14)) >>> 0) / 4_294_967_296;
  };
}

/** One of the weighted choices. */
function pick<T>(random: () => number, weighted: Weighted<T>): T {
  let left = random() * weighted.reduce((sum, [, weight]) => sum + weight, 0);
  for (const [value, weight] of weighted) if ((left -= weight) < 0) return value;
  return weighted[weighted.length - 1]![0];
}

const DECISIONS: Weighted<{ choices: Choices; action: ConsentAction }> = [
  [{ choices: { functional: true, analytics: true, ads: true }, action: 'accept_all' }, 52],
  [{ choices: { functional: true, analytics: true, ads: false }, action: 'custom' }, 18],
  [{ choices: { functional: true, analytics: false, ads: false }, action: 'reject_all' }, 30],
];
const COUNTRIES: Weighted<string | null> = [['NO', 84], ['SE', 6], ['DK', 4], ['DE', 2], [null, 4]];
const CLIENTS: Weighted<{ browser: string; os: string; device: string }> = [
  [{ browser: 'Chrome', os: 'Windows', device: 'desktop' }, 34],
  [{ browser: 'Edge', os: 'Windows', device: 'desktop' }, 14],
  [{ browser: 'Safari', os: 'macOS', device: 'desktop' }, 10],
  [{ browser: 'Mobile Safari', os: 'iOS', device: 'mobile' }, 22],
  [{ browser: 'Chrome', os: 'Android', device: 'mobile' }, 15],
  [{ browser: 'Mobile Safari', os: 'iOS', device: 'tablet' }, 5],
];
/** Where a web visit came from: its referrer host, and for an ad its campaign and click id. */
const SOURCES: Weighted<{ referrer: string | null; campaign?: string; source?: string; click?: string }> = [
  [{ referrer: null }, 40],
  [{ referrer: 'www.google.com' }, 30],
  [{ referrer: 'www.bing.com' }, 5],
  [{ referrer: 'www.facebook.com', campaign: 'vinter', source: 'facebook', click: 'fbclid' }, 10],
  [{ referrer: 'www.google.com', campaign: 'vinter', source: 'google', click: 'gclid' }, 15],
];

const hex = (random: () => number, length: number): string => Array.from({ length }, () => Math.floor(random() * 16).toString(16)).join('');

function siteTraffic(site: Site, now: Date, random: () => number): { records: UnchainedRecord[]; events: NewEvent[] } {
  const traffic = TRAFFIC[site.key];
  const records: UnchainedRecord[] = [];
  const events: NewEvent[] = [];
  if (!traffic) return { records, events };
  const origin = site.surface === 'app' ? 'app://min-side' : `https://${site.key}.demo.samtykke.local`;
  for (let day = DAYS - 1; day >= 0; day--) {
    const dayStart = Math.floor(now.getTime() / DAY_MS) * DAY_MS - day * DAY_MS;
    const weekend = [0, 6].includes(new Date(dayStart).getUTCDay());
    // Growing a little towards today, fewer at weekends; today only up to now.
    const dayLength = day === 0 ? now.getTime() - dayStart : DAY_MS;
    const visitors = Math.round(traffic.visitorsPerDay * (weekend ? 0.45 : 1) * (0.8 + (0.4 * (DAYS - day)) / DAYS) * (dayLength / DAY_MS) * (0.85 + random() * 0.3));
    for (let visitor = 0; visitor < visitors; visitor++) {
      // Office hours weigh more: most of a day's visits fall between 07 and 17 UTC.
      const hour = random() < 0.75 ? 7 + random() * 10 : random() * 24;
      const at = dayStart + Math.min(hour * 3_600_000, dayLength - 60_000);
      const consentId = `demo-${hex(random, 20)}`;
      const { choices, action } = pick(random, DECISIONS);
      // The app's events come from its own code: no browser, a phone's system.
      const client = site.surface === 'app' ? { browser: null, os: random() < 0.6 ? 'iOS' : 'Android', device: 'mobile' } : pick(random, CLIENTS);
      const country = pick(random, COUNTRIES);
      const landing = site.surface === 'app' ? traffic.pages[0]! : pick(random, traffic.pages.map((page, index) => [page, index === 0 ? 5 : 1] as const));
      records.push({
        consentId,
        policyVersion: 1,
        ...choices,
        action,
        source: site.surface === 'app' ? 'app' : 'banner',
        locale: random() < 0.9 ? 'nb' : 'en',
        pageUrl: `${origin}${landing}`,
        ...client,
        account: null,
        recordedAt: new Date(at),
        clientHash: hex(random, 32),
        shownHash: null,
        gpc: false,
        stale: false,
        country,
      });
      if (!choices.analytics) continue;
      const source = site.surface === 'app' ? { referrer: null } : pick(random, SOURCES);
      // Campaign parameters and click ids are kept only where ads are granted, as the collector does.
      const ad = choices.ads ? source : null;
      const session = hex(random, 16);
      const pageCount = 1 + Math.floor(random() * random() * 5);
      let time = at + 2_000;
      const event = (fields: Partial<NewEvent> & Pick<NewEvent, 'path'>): NewEvent => ({
        site_id: site.id,
        occurred_at: new Date(Math.min(time, now.getTime())),
        consent_id: consentId,
        session_id: session,
        type: 'pageview',
        ...client,
        country,
        ...fields,
      });
      const journey = traffic.journey && random() < traffic.journey.share ? traffic.journey : null;
      const paths = journey ? [journey.pages[0]!] : [landing];
      if (journey) while (paths.length < journey.pages.length && random() < journey.onward) paths.push(journey.pages[paths.length]!);
      else for (let page = 1; page < pageCount; page++) paths.push(traffic.pages[Math.floor(random() * traffic.pages.length)]!);
      const ended = journey && paths.length === journey.pages.length ? [journey.end] : [];
      for (const [page, path] of paths.entries()) {
        events.push(
          event({
            path,
            ...(page === 0 ? { referrer_host: source.referrer, utm_source: ad?.source ?? null, utm_campaign: ad?.campaign ?? null, ad_click: ad?.click ?? null } : {}),
          }),
        );
        time += 15_000 + random() * 90_000;
      }
      for (const conversion of [...ended, ...traffic.conversions]) {
        if (random() >= conversion.share) continue;
        events.push(event({ path: conversion.path }), event({ type: 'custom', name: conversion.name, path: conversion.path, props: conversion.props ? JSON.stringify(conversion.props) : null }));
        time += 20_000;
      }
    }
  }
  return { records: records.sort((a, b) => a.recordedAt.getTime() - b.recordedAt.getTime()), events };
}

/** The demo's figures: each site's visitors and decisions, and the company portal's goals and its ordering funnel. */
export async function seedDemoTraffic(db: Db, demo: DemoOrganisation, now = new Date()): Promise<{ decisions: number; events: number }> {
  const random = generator(20261206);
  let decisions = 0;
  let stored = 0;
  for (const site of demo.sites) {
    const { records, events } = siteTraffic(site, now, random);
    // In slices: one statement per few thousand rows keeps PGlite's memory small.
    for (let start = 0; start < records.length; start += 1_000) await appendConsentRecords(db, site.id, records.slice(start, start + 1_000));
    for (let start = 0; start < events.length; start += 2_000) await insertEvents(db, events.slice(start, start + 2_000));
    decisions += records.length;
    stored += events.length;
  }
  const portal = demo.sites.find((site) => site.key === 'min-bedrift');
  if (portal) {
    const front = await createGoal(db, portal.id, { name: 'Forsiden', kind: 'pageview', path: '/' });
    const prices = await createGoal(db, portal.id, { name: 'Så prisene', kind: 'pageview', path: '/pris' });
    const subscription = await createGoal(db, portal.id, { name: 'Åpnet abonnementet', kind: 'pageview', path: '/abonnement' });
    const ordered = await createGoal(db, portal.id, { name: 'Bestilte tilleggstjeneste', kind: 'event', eventName: 'add_on_ordered', property: null });
    await createGoal(db, portal.id, { name: 'Lastet ned faktura', kind: 'event', eventName: 'invoice_downloaded', property: null });
    await createGoal(db, portal.id, { name: 'Fakturasider', kind: 'pageview', path: '/fakturaer/*' });
    await createFunnel(db, portal.id, { name: 'Fra forsiden til bestilling', steps: [front.id, prices.id, subscription.id, ordered.id] });
  }
  return { decisions, events: stored };
}
