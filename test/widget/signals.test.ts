import { describe, expect, test } from 'vitest';
import type { WidgetSiteConfig } from '../../server/contract.ts';
import type { Category } from '../../server/domain/consent.ts';
import { servedConfig } from '../../server/widget/bundle.ts';
import { consentModeState } from '../../widget/consent-mode.ts';
import { pickLocale } from '../../widget/locale.ts';
import { cookieDomains } from '../../widget/storage.ts';
import { pageUrl } from '../../widget/tracker.ts';

describe('language', () => {
  test('data-lang, then <html lang>, then the browser; Norwegian is nb, Nynorsk where the policy has it; English otherwise', () => {
    expect(pickLocale(['en', 'nb', 'nb-NO'], true)).toBe('en');
    expect(pickLocale([undefined, 'nn-NO', 'en-US'], true)).toBe('nn');
    expect(pickLocale([undefined, 'nn-NO', 'en-US'], false)).toBe('nb');
    expect(pickLocale([null, '', 'de-DE', 'no'], true)).toBe('nb');
    expect(pickLocale(['nb-NO'], true)).toBe('nb');
    expect(pickLocale([undefined, 'de', 'fr-FR'], true)).toBe('en');
  });
});

describe('the page URL sent with events', () => {
  const landing = new URL('https://portal.example.no/min-side/faktura?id=42&email=kari%40example.no&utm_source=news&UTM_Medium=mail&gclid=abc&fbclid=x#top');

  test('never carries the query string or fragment', () => {
    expect(pageUrl(landing, null)).toBe('https://portal.example.no/min-side/faktura');
  });

  test('carries only the attribution parameters of the landing URL when asked to', () => {
    expect(pageUrl(new URL('https://portal.example.no/abonnement'), landing)).toBe(
      'https://portal.example.no/abonnement?utm_source=news&UTM_Medium=mail&gclid=abc&fbclid=x',
    );
  });
});

describe('Google Consent Mode', () => {
  test('maps each category to its consent types, with security storage always granted', () => {
    expect(consentModeState({ functional: true, analytics: false, ads: true })).toEqual({
      ad_storage: 'granted',
      ad_user_data: 'granted',
      ad_personalization: 'granted',
      analytics_storage: 'denied',
      functionality_storage: 'granted',
      personalization_storage: 'granted',
      security_storage: 'granted',
    });
    expect(Object.entries(consentModeState(null)).filter(([, state]) => state === 'granted')).toEqual([['security_storage', 'granted']]);
  });
});

describe('cookie deletion domains', () => {
  test('the host and each parent domain above the top level', () => {
    expect(cookieDomains('min.bedrift.example.no')).toEqual(['min.bedrift.example.no', 'bedrift.example.no', 'example.no']);
    expect(cookieDomains('localhost')).toEqual([]);
  });
});

describe('the storage rules the server compiles for the widget', () => {
  const item = (category: Category, kind: 'cookie' | 'local_storage' | 'session_storage', name: string, domain: string | null = null) => ({
    category,
    kind,
    name,
    namePattern: name.includes('*'),
    domain,
  });

  test('one expression per category and kind; `*` is a wildcard, everything else literal; extra domains kept', () => {
    const { storage } = servedConfig({
      storage: [item('analytics', 'cookie', '_ga*'), item('analytics', 'cookie', 'a.b', '.example.no'), item('ads', 'session_storage', 'x+y')],
    } as unknown as WidgetSiteConfig);
    const test = (pattern: string | undefined, name: string) => new RegExp(pattern!).test(name);
    expect(test(storage.analytics!.cookie, '_ga_123')).toBe(true);
    expect(test(storage.analytics!.cookie, 'a.b')).toBe(true);
    expect(test(storage.analytics!.cookie, 'axb')).toBe(false);
    expect(test(storage.analytics!.cookie, 'x_ga')).toBe(false);
    expect(storage.analytics!.domains).toEqual(['.example.no']);
    expect(test(storage.ads!.session, 'x+y')).toBe(true);
    expect(storage.ads!.cookie).toBeUndefined();
    expect(storage.functional).toBeUndefined();
  });
});
