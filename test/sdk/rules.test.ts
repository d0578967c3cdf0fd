/**
 * The client refuses on the device what the collector would refuse: its own copies of the server's vocabulary and
 * limits are held to the server's here, and its checks to the server's schema answers, case by case and at random.
 */
import fc from 'fast-check';
import { describe, expect, expectTypeOf, it } from 'vitest';
import { consentRequestSchema, eventsRequestSchema, MAX_EVENTS_PER_REQUEST as SERVER_MAX_EVENTS } from '../../server/collector/validation.ts';
import { ACTIONS as SERVER_ACTIONS, CATEGORIES as SERVER_CATEGORIES, LOCALES as SERVER_LOCALES, type Choices as ServerChoices } from '../../server/domain/consent.ts';
import { SITE_KEY_PATTERN as SERVER_SITE_KEY } from '../../server/domain/sites.ts';
import { unstorableTextIn } from '../../server/edge-input.ts';
import { SamtykkeError } from '../../sdk/src/errors.ts';
import { actionFor, checkAccount, checkAction, checkAddress, checkChoices, checkEventName, checkProps, MAX_EVENTS_PER_REQUEST, SITE_KEY_PATTERN } from '../../sdk/src/rules.ts';
import { ACTIONS, CATEGORIES, LOCALES, type Choices } from '../../sdk/src/types.ts';
import { actionFor as widgetActionFor } from '../../widget/consent.ts';

const CONSENT_ID = 'kP3x9Qm2LwVb7Tz1Yc4N';

interface AppEvent {
  readonly type: 'pageview' | 'custom';
  readonly name?: unknown;
  readonly url: unknown;
  readonly referrer?: unknown;
  readonly props?: unknown;
}

/** The checks the client makes before it queues an event (client.ts screen() and track()). */
function clientTakes(event: AppEvent): boolean {
  try {
    if (event.type === 'custom') checkEventName(event.name);
    checkAddress('url', event.url, 'invalid_event');
    if (event.referrer !== undefined && event.referrer !== '') checkAddress('referrer', event.referrer, 'invalid_event');
    if (event.props !== undefined) checkProps(event.props, 'invalid_event');
    return true;
  } catch (error) {
    expect(error).toBeInstanceOf(SamtykkeError);
    return false;
  }
}

/** Whether the collector takes the event for an app site (which takes app:// URLs and screen names), as routes.ts reads it. */
function serverTakes(event: AppEvent): boolean {
  const body = { site: 'app', consentId: CONSENT_ID, events: [event] };
  return unstorableTextIn(body) === null && eventsRequestSchema.safeParse(body).success;
}

describe('the client package against the server', () => {
  it('uses the server vocabulary and limits', () => {
    expect(CATEGORIES).toEqual(SERVER_CATEGORIES);
    expect(ACTIONS).toEqual(SERVER_ACTIONS);
    expect(LOCALES).toEqual(SERVER_LOCALES);
    expect(MAX_EVENTS_PER_REQUEST).toBe(SERVER_MAX_EVENTS);
    expect(SITE_KEY_PATTERN.source).toBe(SERVER_SITE_KEY.source);
    expectTypeOf<Choices>().toExtend<ServerChoices>();
    expectTypeOf<ServerChoices>().toExtend<Choices>();
  });

  it('names a decision the way the widget does', () => {
    const all: Choices = { functional: true, analytics: true, ads: true };
    const none: Choices = { functional: true, analytics: false, ads: false };
    const some: Choices = { functional: true, analytics: true, ads: false };
    for (const [choices, previous] of [[all, null], [none, null], [some, null], [none, all], [some, all], [all, none]] as const) {
      expect(actionFor(choices, previous)).toBe(widgetActionFor(choices, previous));
    }
  });

  const long = (length: number) => 'x'.repeat(length);
  const cases: AppEvent[] = [
    { type: 'pageview', url: 'abonnement' },
    { type: 'pageview', url: 'app://min-side/abonnement?utm_campaign=vinter' },
    { type: 'pageview', url: 'Min side/Faktura' },
    { type: 'pageview', url: 'https://portal.test/a', referrer: 'https://www.google.com/' },
    { type: 'pageview', url: 'oversikt', referrer: '' },
    { type: 'pageview', url: '   ' },
    { type: 'pageview', url: '///' },
    { type: 'pageview', url: 'ftp://files.test/a' },
    { type: 'pageview', url: 'myapp://screen/a' },
    { type: 'pageview', url: 'javascript:alert(1)' },
    { type: 'pageview', url: 'Faktura 2026: mars' },
    { type: 'pageview', url: 'app://min-side/%ZZ' },
    { type: 'pageview', url: 'fakturaer/100%' },
    { type: 'pageview', url: 'skjerm\u0000' },
    { type: 'pageview', url: 'skjerm/%01' },
    { type: 'pageview', url: 'skjerm/%C3%A6' },
    { type: 'pageview', url: 'skjerm/\uD800' },
    { type: 'pageview', url: `/${long(2047)}` },
    { type: 'pageview', url: `/${long(2048)}` },
    { type: 'pageview', url: 42 },
    { type: 'pageview', url: 'oversikt', referrer: 'ftp://x.test/' },
    { type: 'custom', name: 'invoice_downloaded', url: 'fakturaer' },
    { type: 'custom', name: '   ', url: 'fakturaer' },
    { type: 'custom', name: long(120), url: 'fakturaer' },
    { type: 'custom', name: long(121), url: 'fakturaer' },
    { type: 'custom', name: 'a\u0000b', url: 'fakturaer' },
    { type: 'custom', url: 'fakturaer' },
    { type: 'pageview', url: 'a', props: { plan: 'pluss', count: 3, paid: true } },
    { type: 'pageview', url: 'a', props: { nested: { no: 1 } } },
    { type: 'pageview', url: 'a', props: { list: [1] } },
    { type: 'pageview', url: 'a', props: { '': 1 } },
    { type: 'pageview', url: 'a', props: { [long(64)]: 1 } },
    { type: 'pageview', url: 'a', props: { [long(65)]: 1 } },
    { type: 'pageview', url: 'a', props: { text: long(500) } },
    { type: 'pageview', url: 'a', props: { text: long(501) } },
    { type: 'pageview', url: 'a', props: Object.fromEntries(Array.from({ length: 30 }, (_, i) => [`k${i}`, i])) },
    { type: 'pageview', url: 'a', props: Object.fromEntries(Array.from({ length: 31 }, (_, i) => [`k${i}`, i])) },
    { type: 'pageview', url: 'a', props: Object.fromEntries(Array.from({ length: 5 }, (_, i) => [`k${i}`, long(420)])) },
    { type: 'pageview', url: 'a', props: { bad: 'x\uDC00' } },
    { type: 'pageview', url: 'a', props: null },
  ];

  it.each(cases.map((event) => [JSON.stringify(event).slice(0, 80), event] as const))('agrees with the server on %s', (_label, event) => {
    expect(clientTakes(event)).toBe(serverTakes(event));
  });

  it('takes only what the server takes, at random', () => {
    const text = fc.oneof(fc.string({ maxLength: 16 }), fc.string({ unit: 'binary', maxLength: 16 }), fc.constantFrom('%', '%2', '%zz', '%C3', '//', 'app://', 'https://', '\t', ' '));
    const address = fc.oneof(
      text,
      fc.webUrl({ withQueryParameters: true, withFragments: true }),
      fc.tuple(fc.constantFrom('app://min-side/', 'app://', '/', ''), text).map(([prefix, rest]) => prefix + rest),
    );
    const prop = fc.oneof(text, fc.integer(), fc.double(), fc.boolean(), fc.constant(null));
    const event = fc.record(
      { type: fc.constantFrom('pageview' as const, 'custom' as const), name: text, url: address, referrer: address, props: fc.dictionary(text, prop, { maxKeys: 4 }) },
      { requiredKeys: ['type', 'url'] },
    ).map(({ name, ...event }) => (event.type === 'custom' ? { ...event, name } : event)); // the client names custom events only
    fc.assert(
      fc.property(event, (generated) => {
        // Never the other way round: the client refusing what the server would take is only stricter (a tab in
        // a screen name, which URL parsing drops), while taking what it refuses would drop the event later.
        if (clientTakes(generated)) expect(serverTakes(generated)).toBe(true);
      }),
      { numRuns: 2_000 },
    );
  });

  it('refuses decisions the server refuses', () => {
    const decision = (choices: unknown, action: string, account?: unknown): boolean => {
      try {
        checkChoices(choices, false);
        checkAction(action as 'custom', choices as Choices);
        if (account !== undefined) checkAccount(account);
        return true;
      } catch (error) {
        expect(error).toBeInstanceOf(SamtykkeError);
        return false;
      }
    };
    const server = (choices: unknown, action: string, account?: unknown): boolean =>
      unstorableTextIn({ account }) === null &&
      consentRequestSchema.safeParse({ site: 'app', consentId: CONSENT_ID, policyVersion: 1, choices, action, source: 'app', locale: 'nb', account }).success;
    const all = { functional: true, analytics: true, ads: true };
    const some = { functional: true, analytics: true, ads: false };
    for (const [choices, action, account] of [
      [all, 'accept_all'],
      [some, 'accept_all'],
      [some, 'reject_all'],
      [some, 'maybe'],
      [{ functional: true, analytics: false, ads: false }, 'reject_all'],
      [some, 'custom', 'Kunde AS'],
      [some, 'custom', '  '],
      [some, 'custom', long(201)],
      [{ functional: true, analytics: true }, 'custom'],
      [{ ...all, marketing: true }, 'custom'],
      [{ functional: 'yes', analytics: true, ads: true }, 'custom'],
    ] as const) {
      expect(decision(choices, action, account), JSON.stringify([choices, action, account])).toBe(server(choices, action, account));
    }
  });
});
