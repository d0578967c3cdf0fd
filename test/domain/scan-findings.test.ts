/**
 * A scan's findings from observations: what the inventory declares, what it does not (with the Open Cookie
 * Database's suggestion), what breaks consent, what lives too long and what was never seen.
 */
import path from 'node:path';
import { beforeAll, describe, expect, it } from 'vitest';
import type { InventoryItem } from '../../server/domain/inventory.ts';
import type { CrawlResult, ObservedCookie, PageVisit, ScanVisit } from '../../server/domain/scan.ts';
import { declaredSeconds, scanFindings, type FindingsInput } from '../../server/domain/scan-findings.ts';
import { CookieDatabase } from '../../server/scanner/cookie-database.ts';
import { OPEN_COOKIE_DATABASE } from '../helpers/cookie-database.ts';

const SITE = 'https://portal.kunde.no';
const SAMTYKKE = 'https://samtykke.kunde.no';
const NOW = Date.UTC(2026, 11, 6, 12);
const YEAR = 365.25 * 86_400;

function item(id: number, overrides: Partial<InventoryItem>): InventoryItem {
  return {
    id,
    kind: 'cookie',
    name: 'samtykke',
    namePattern: false,
    provider: 'Kunde AS',
    party: 'first',
    domain: null,
    category: 'functional',
    purpose: { nb: 'Formål', en: 'Purpose' },
    retention: { nb: '12 måneder', en: '12 months' },
    blocking: { nb: 'Blokkering', en: 'Blocking' },
    retiredAt: null,
    ...overrides,
  };
}

function cookie(name: string, overrides: Partial<ObservedCookie> = {}): ObservedCookie {
  return { name, domain: 'portal.kunde.no', path: '/', expires: null, askedExpires: null, httpOnly: false, secure: true, sameSite: 'Lax', setBy: null, ...overrides };
}

function visit(name: ScanVisit, contents: Partial<PageVisit> = {}): PageVisit {
  return { visit: name, banner: true, cookies: [], storage: [], requests: [], ...contents };
}

const consentCookie = cookie('samtykke', { expires: NOW / 1000 + 0.9 * YEAR, setBy: `script ${SAMTYKKE}/sites/min-side/widget.js:1` });

describe('scan findings', () => {
  let database: CookieDatabase;
  beforeAll(async () => {
    database = await CookieDatabase.load(OPEN_COOKIE_DATABASE);
  });

  function findings(crawl: CrawlResult, inventory: InventoryItem[]) {
    const input: FindingsInput = {
      crawl,
      inventory,
      siteOrigins: [SITE, 'https://*.kunde.no'],
      samtykkeOrigin: SAMTYKKE,
      suggest: (name, host) => database.suggest(name, host),
      scannedAt: NOW,
    };
    return scanFindings(input);
  }

  it('reports nothing for a page that does only what its inventory declares, when it declares', () => {
    const crawl: CrawlResult = {
      externalLinks: 0,
      skipped: [],
      pages: [
        {
          url: `${SITE}/`,
          finalUrl: `${SITE}/`,
          status: 200,
          visits: [
            visit('before_choice', { requests: [{ url: `${SAMTYKKE}/sites/min-side/widget.js`, kind: 'script', initiator: `${SITE}/` }] }),
            visit('after_reject', { cookies: [consentCookie] }),
            visit('after_accept', {
              cookies: [consentCookie, cookie('_pa_1a2b', { expires: NOW / 1000 + 200 * 86_400 })],
              storage: [{ area: 'local', key: 'portal_analytics_queue', setBy: null }],
              requests: [{ url: `${SAMTYKKE}/api/events`, kind: 'beacon', initiator: null }],
            }),
          ],
        },
      ],
    };
    const inventory = [
      item(1, {}),
      item(2, { name: '_pa_*', namePattern: true, category: 'analytics', retention: { nb: '13 måneder', en: '13 months' } }),
      item(3, { kind: 'local_storage', name: 'portal_analytics_queue', category: 'analytics', retention: { nb: 'Til den er sendt', en: 'Until sent' } }),
    ];
    expect(findings(crawl, inventory)).toEqual([]);
  });

  it('names what is undeclared with the Open Cookie Database\'s suggestion, and what breaks consent with its cause', () => {
    const gaScript = `script ${SITE}/assets/tracking.js:4`;
    const crawl: CrawlResult = {
      externalLinks: 2,
      skipped: [],
      pages: [
        {
          url: `${SITE}/a`,
          finalUrl: `${SITE}/a`,
          status: 200,
          visits: [
            visit('before_choice', {
              cookies: [cookie('_ga', { domain: '.kunde.no', expires: NOW / 1000 + 2 * YEAR, setBy: gaScript }), cookie('tema')],
              requests: [{ url: 'https://ads.example/px.gif?page=a', kind: 'pixel', initiator: `${SITE}/a` }],
            }),
            visit('after_reject', { cookies: [consentCookie], requests: [{ url: 'https://ads.example/px.gif?page=a', kind: 'pixel', initiator: `${SITE}/a` }] }),
            visit('after_accept', { cookies: [consentCookie, cookie('_ga_ABC123', { domain: '.kunde.no', expires: NOW / 1000 + 2 * YEAR })] }),
          ],
        },
        {
          url: `${SITE}/b`,
          finalUrl: `${SITE}/b`,
          status: 200,
          visits: [visit('before_choice', { banner: false, requests: [{ url: 'https://ads.example/px.gif?page=b', kind: 'pixel', initiator: `${SITE}/b` }] })],
        },
      ],
    };
    const result = findings(crawl, [item(1, {})]);
    const byKey = new Map(result.map((finding) => [finding.key, finding]));
    expect([...byKey.keys()].sort()).toEqual(
      [
        'undeclared:cookie:_ga@kunde.no',
        'undeclared:cookie:tema@portal.kunde.no',
        'undeclared:cookie:_ga_ABC123@kunde.no',
        'undeclared:pixel:ads.example/px.gif',
        'violation:before_choice:cookie:_ga@kunde.no',
        'violation:before_choice:pixel:ads.example/px.gif',
        'violation:after_reject:pixel:ads.example/px.gif',
      ].sort(),
    );
    const ga = byKey.get('undeclared:cookie:_ga@kunde.no');
    expect(ga).toMatchObject({
      type: 'undeclared',
      seenIn: ['before_choice'],
      suggestion: { platform: 'Google Analytics', category: 'analytics', databaseCategory: 'Analytics', prefix: false },
      proposed: { kind: 'cookie', name: '_ga', namePattern: false, category: 'analytics', party: 'first', domain: null, retention: { en: '2 years', nb: '2 år' } },
    });
    // A name the database knows only as a prefix is proposed as a pattern.
    expect(byKey.get('undeclared:cookie:_ga_ABC123@kunde.no')).toMatchObject({ suggestion: { prefix: true, name: '_ga_' }, proposed: { name: '_ga_*', namePattern: true } });
    // Unknown to the database: a guess, never functional.
    expect(byKey.get('undeclared:cookie:tema@portal.kunde.no')).toMatchObject({ suggestion: null, proposed: { category: 'analytics', retention: { en: 'Session' } } });
    expect(byKey.get('undeclared:pixel:ads.example/px.gif')).toMatchObject({
      pages: [`${SITE}/a`, `${SITE}/b`],
      party: 'third',
      proposed: { kind: 'pixel', name: 'px.gif', domain: 'ads.example', category: 'ads', retention: { en: 'Stores nothing in the browser' } },
    });
    expect(byKey.get('violation:before_choice:cookie:_ga@kunde.no')).toMatchObject({ category: 'analytics', itemId: null, causes: [gaScript] });
    expect(byKey.get('violation:before_choice:pixel:ads.example/px.gif')).toMatchObject({ category: 'unknown', pages: [`${SITE}/a`, `${SITE}/b`], causes: [`${SITE}/a`, `${SITE}/b`] });
    // The unknown cookie set before any choice is undeclared, not a violation: nothing says it is not functional.
    expect(result.some((finding) => finding.key === 'violation:before_choice:cookie:tema@portal.kunde.no')).toBe(false);
  });

  it('reports a declared item set against its category, one that outlives its retention, and one never seen', () => {
    const crawl: CrawlResult = {
      externalLinks: 0,
      skipped: [],
      pages: [
        {
          url: `${SITE}/`,
          finalUrl: `${SITE}/`,
          status: 200,
          visits: [
            visit('before_choice', { cookies: [cookie('_pa_x', { expires: NOW / 1000 + 2 * YEAR, setBy: `script ${SITE}/pa.js:1` })] }),
            visit('after_reject', { cookies: [consentCookie], requests: [{ url: `${SAMTYKKE}/api/events`, kind: 'beacon', initiator: `${SAMTYKKE}/sites/min-side/widget.js` }] }),
            visit('after_accept', { cookies: [consentCookie, cookie('_pa_x', { expires: NOW / 1000 + 2 * YEAR })] }),
          ],
        },
      ],
    };
    const inventory = [
      item(1, {}),
      item(2, { name: '_pa_*', namePattern: true, category: 'analytics', retention: { nb: '13 måneder', en: '13 months' } }),
      item(3, { kind: 'pixel', name: 'p.gif', domain: 'samtykke.kunde.no', category: 'ads' }),
    ];
    const result = findings(crawl, inventory);
    expect(result.map((finding) => finding.key)).toEqual([
      'violation:before_choice:cookie:_pa_x@portal.kunde.no',
      'violation:after_reject:web_beacon:samtykke.kunde.no/api/events',
      'expiry_mismatch:2:_pa_x',
      'declared_not_seen:3',
    ]);
    expect(result[0]).toMatchObject({ category: 'analytics', itemId: 2, causes: [`script ${SITE}/pa.js:1`] });
    expect(result[1]).toMatchObject({ category: 'analytics', itemId: null });
    expect(result[2]).toMatchObject({ declared: '13 months', declaredSeconds: Math.round(13 * 30.44 * 86_400), observedSeconds: Math.round(2 * YEAR) });
  });

  it('reads retention texts as durations, and a session cookie as living 0 seconds', () => {
    expect(declaredSeconds({ nb: 'Økten', en: 'Session' })).toBe(0);
    expect(declaredSeconds({ nb: '2 år', en: '2 years' })).toBe(Math.round(2 * YEAR));
    expect(declaredSeconds({ nb: '24 timer', en: '24 hours' })).toBe(86_400);
    expect(declaredSeconds({ nb: 'Til den er sendt', en: 'Until sent' })).toBeNull();
  });
});

describe('the Open Cookie Database', () => {
  it('is refused with a message that says what to set when the file is missing or not the database', async () => {
    await expect(CookieDatabase.load('/nowhere/ocd.json')).rejects.toThrow(/could not be read from \/nowhere\/ocd\.json .*set SAMTYKKE_COOKIE_DATABASE/);
    await expect(CookieDatabase.load(path.resolve(import.meta.dirname, '../../package.json'))).rejects.toThrow(/is not the Open Cookie Database's JSON/);
  });
});
