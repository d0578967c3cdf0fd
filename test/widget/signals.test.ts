import { describe, expect, test } from 'vitest';
import { consentModeState } from '../../widget/consent-mode.ts';
import { pickLocale } from '../../widget/locale.ts';
import { cookieDomains } from '../../widget/storage.ts';
import { pageUrl } from '../../widget/tracker.ts';

describe('language', () => {
  test('data-lang, then <html lang>, then the browser; Norwegian variants are nb; English otherwise', () => {
    expect(pickLocale(['en', 'nb', 'nb-NO'])).toBe('en');
    expect(pickLocale([undefined, 'nn-NO', 'en-US'])).toBe('nb');
    expect(pickLocale([null, '', 'de-DE', 'no'])).toBe('nb');
    expect(pickLocale([undefined, 'de', 'fr-FR'])).toBe('en');
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
