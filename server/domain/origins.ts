/**
 * A site's allowed origins: `scheme://host[:port]`, optionally `scheme://*.domain[:port]` for every subdomain.
 * Parsed once into a normal form (lower case, default port dropped, IDN as punycode) so matching is a string test.
 */
import type { Localized } from './consent.ts';

/** A normalised origin pattern, or what is wrong with the text, said so a person can fix it. */
export type OriginPatternResult = { readonly ok: true; readonly pattern: string } | { readonly ok: false; readonly problem: Localized };

const WILDCARD = '*.';

function problem(en: string, nb: string): OriginPatternResult {
  return { ok: false, problem: { en, nb } };
}

/** Validates and normalises what an admin typed: `https://bedrift.kunde.no`, `https://*.kunde.no`, `http://localhost:5173`. */
export function parseOriginPattern(text: string): OriginPatternResult {
  const input = text.trim();
  const scheme = /^([a-z][a-z0-9+.-]*):\/\//i.exec(input)?.[1]?.toLowerCase();
  if (!scheme) {
    const example = `https://${input.replace(/^\/+/, '') || 'example.com'}`;
    return problem(`"${input}" needs a scheme: write ${example}`, `«${input}» mangler protokoll: skriv ${example}`);
  }
  if (scheme !== 'https' && scheme !== 'http') return problem(`"${input}" must start with https:// or http://`, `«${input}» må begynne med https:// eller http://`);
  const rest = input.slice(scheme.length + 3);
  const wildcard = rest.startsWith(WILDCARD);
  const hostPart = wildcard ? rest.slice(WILDCARD.length) : rest;
  if (hostPart.includes('*')) {
    return problem(`"${input}": a wildcard may only stand first, as in https://*.example.com`, `«${input}»: jokertegnet kan bare stå først, som i https://*.example.com`);
  }
  if (!URL.canParse(`${scheme}://${hostPart}`)) return problem(`"${input}" is not a valid origin`, `«${input}» er ikke en gyldig opprinnelse (origin)`);
  const url = new URL(`${scheme}://${hostPart}`);
  if (url.username || url.password) return problem(`"${input}": an origin has no user name or password`, `«${input}»: en opprinnelse har ikke brukernavn eller passord`);
  const bare = `${scheme}://${wildcard ? WILDCARD : ''}${url.host}`;
  if (/[/?#]/.test(hostPart.replace(/\/$/, ''))) {
    return problem(`"${input}": an origin has no path, query or fragment; write ${bare}`, `«${input}»: en opprinnelse har ikke sti, spørring eller fragment; skriv ${bare}`);
  }
  if (wildcard && (/^[\d.]+$/.test(url.hostname) || url.hostname.startsWith('['))) {
    return problem(`"${input}": a wildcard cannot stand before an IP address`, `«${input}»: jokertegn kan ikke stå foran en IP-adresse`);
  }
  if (wildcard && !url.hostname.includes('.')) {
    return problem(
      `"${input}": a wildcard needs a domain of at least two labels, such as https://*.example.com`,
      `«${input}»: jokertegn krever et domene med minst to ledd, som https://*.example.com`,
    );
  }
  return { ok: true, pattern: bare };
}

/** Whether a browser's Origin header is allowed by a normalised pattern; a wildcard covers subdomains, not the domain itself. */
export function originMatches(pattern: string, origin: string): boolean {
  const star = pattern.indexOf(WILDCARD);
  if (star < 0) return pattern === origin;
  const scheme = pattern.slice(0, star);
  const suffix = `.${pattern.slice(star + WILDCARD.length)}`;
  if (!origin.startsWith(scheme) || !origin.endsWith(suffix) || origin.length <= scheme.length + suffix.length) return false;
  return /^[a-z0-9.-]+$/.test(origin.slice(scheme.length, -suffix.length));
}

/** A compiled set of patterns: exact origins in a set, wildcards tested one by one (sites have few). */
export class OriginMatcher {
  private readonly exact = new Set<string>();
  private readonly wildcards: string[] = [];

  constructor(patterns: Iterable<string>) {
    for (const pattern of patterns) {
      if (pattern.includes(WILDCARD)) this.wildcards.push(pattern);
      else this.exact.add(pattern);
    }
  }

  allows(origin: string): boolean {
    return this.exact.has(origin) || this.wildcards.some((pattern) => originMatches(pattern, origin));
  }
}
