/** Allowed origins: what an admin may type, its normal form, and which browser origins it lets in. */
import { describe, expect, it } from 'vitest';
import { OriginMatcher, originMatches, parseOriginPattern } from '../../server/domain/origins.ts';

const pattern = (text: string) => {
  const parsed = parseOriginPattern(text);
  if (!parsed.ok) throw new Error(parsed.problem.en);
  return parsed.pattern;
};
const problem = (text: string) => {
  const parsed = parseOriginPattern(text);
  if (parsed.ok) throw new Error(`"${text}" was accepted as ${parsed.pattern}`);
  return parsed.problem;
};

describe('origin patterns', () => {
  it.each([
    ['https://bedrift.kunde.no', 'https://bedrift.kunde.no'],
    ['  HTTPS://Bedrift.Kunde.NO  ', 'https://bedrift.kunde.no'],
    ['https://bedrift.kunde.no/', 'https://bedrift.kunde.no'],
    ['https://bedrift.kunde.no:443', 'https://bedrift.kunde.no'],
    ['http://localhost:5173', 'http://localhost:5173'],
    ['http://127.0.0.1:8080', 'http://127.0.0.1:8080'],
    ['https://*.kunde.no', 'https://*.kunde.no'],
    ['https://*.kunde.no:8443', 'https://*.kunde.no:8443'],
    ['https://blåbær.no', 'https://xn--blbr-roah.no'],
  ])('accepts %s as %s', (text, normal) => {
    expect(pattern(text)).toBe(normal);
  });

  it.each([
    ['bedrift.kunde.no', /needs a scheme: write https:\/\/bedrift\.kunde\.no/],
    ['ftp://kunde.no', /must start with https:\/\/ or http:\/\//],
    ['https://kunde.no/min-side', /no path, query or fragment; write https:\/\/kunde\.no$/],
    ['https://kunde.no?x=1', /no path, query or fragment/],
    ['https://kunde.no#top', /no path, query or fragment/],
    ['https://user:secret@kunde.no', /no user name or password/],
    ['https://bedrift.*.no', /wildcard may only stand first/],
    ['https://*', /wildcard may only stand first|not a valid origin/],
    ['https://*.no', /at least two labels/],
    ['https://*.10.0.0.1', /IP address/],
    ['https://kunde.no:99999', /not a valid origin/],
    ['https://', /not a valid origin/],
  ])('refuses %s, saying why', (text, reason) => {
    const { en, nb } = problem(text);
    expect(en).toMatch(reason);
    expect(nb).not.toBe(en);
    expect(nb.length).toBeGreaterThan(10);
  });

  it('lets a wildcard cover subdomains at any depth but not the domain itself, another scheme or another port', () => {
    const wildcard = pattern('https://*.kunde.no');
    expect(originMatches(wildcard, 'https://bedrift.kunde.no')).toBe(true);
    expect(originMatches(wildcard, 'https://a.b.kunde.no')).toBe(true);
    expect(originMatches(wildcard, 'https://kunde.no')).toBe(false);
    expect(originMatches(wildcard, 'http://bedrift.kunde.no')).toBe(false);
    expect(originMatches(wildcard, 'https://bedrift.kunde.no:8443')).toBe(false);
    expect(originMatches(wildcard, 'https://evilkunde.no')).toBe(false);
    expect(originMatches(wildcard, 'https://evil.com/.kunde.no')).toBe(false);
  });

  it('matches exact origins exactly, in a set with wildcards', () => {
    const matcher = new OriginMatcher([pattern('https://bedrift.kunde.no'), pattern('https://*.kunde.com')]);
    expect(matcher.allows('https://bedrift.kunde.no')).toBe(true);
    expect(matcher.allows('https://bedrift.kunde.no:444')).toBe(false);
    expect(matcher.allows('https://min.kunde.com')).toBe(true);
    expect(matcher.allows('https://kunde.com')).toBe(false);
    expect(new OriginMatcher([]).allows('https://bedrift.kunde.no')).toBe(false);
  });
});
