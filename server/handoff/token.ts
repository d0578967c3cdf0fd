/**
 * The hand-off token an app gives a web page it opens in a WebView: one consent ID's latest decision on a site,
 * signed with a server key (HMAC-SHA256), short-lived. A page can read it but not make or alter one, so a script on
 * the page cannot grant itself consent by claiming the app said so. Pure: the key and the time are passed in.
 */
import { createHmac, timingSafeEqual } from 'node:crypto';
import type { Choices } from '../domain/consent.ts';

/** Long enough for the app to open the WebView and the page to load; a later page keeps the adopted cookie. */
export const HANDOFF_LIFETIME_MS = 5 * 60_000;

export interface HandoffClaims {
  readonly site: string;
  readonly consentId: string;
  readonly policyVersion: number;
  readonly choices: Choices;
  /** When the decision was recorded (ms since the epoch). */
  readonly decidedAt: number;
  /** When the token stops being accepted (ms since the epoch). */
  readonly expiresAt: number;
}

/** Why a token is not accepted, each said so that whoever reads it knows what to do. */
export type HandoffRefusal =
  | { readonly refused: 'malformed'; readonly message: string }
  | { readonly refused: 'forged'; readonly message: string }
  | { readonly refused: 'expired'; readonly message: string };

const signature = (key: string, payload: string): Buffer => createHmac('sha256', key).update(`samtykke-handoff.${payload}`).digest();

/** `payload.signature`, both base64url: a page can put it in a string literal without escaping anything. */
export function signHandoff(key: string, claims: HandoffClaims): string {
  const payload = Buffer.from(JSON.stringify(claims)).toString('base64url');
  return `${payload}.${signature(key, payload).toString('base64url')}`;
}

function isClaims(value: unknown): value is HandoffClaims {
  const claims = value as HandoffClaims | null;
  return (
    typeof claims === 'object' && claims !== null &&
    typeof claims.site === 'string' && typeof claims.consentId === 'string' &&
    Number.isInteger(claims.policyVersion) && Number.isFinite(claims.decidedAt) && Number.isFinite(claims.expiresAt) &&
    typeof claims.choices === 'object' && claims.choices !== null &&
    ['functional', 'analytics', 'ads'].every((category) => typeof (claims.choices as Record<string, unknown>)[category] === 'boolean')
  );
}

/** The token's claims when this server signed it and it has not expired; the signature is checked before anything is read. */
export function readHandoff(key: string, token: string, now: number): HandoffClaims | HandoffRefusal {
  const [payload, signed, ...rest] = token.split('.');
  if (!payload || !signed || rest.length > 0 || !/^[\w-]+$/.test(payload) || !/^[\w-]+$/.test(signed)) {
    return { refused: 'malformed', message: 'token must be a hand-off token as POST /api/handoff gives it (two base64url parts joined by a dot)' };
  }
  const expected = signature(key, payload);
  const given = Buffer.from(signed, 'base64url');
  if (given.length !== expected.length || !timingSafeEqual(given, expected)) {
    return { refused: 'forged', message: 'The hand-off token was not signed by this server (altered, or made elsewhere); ask the app for a new one' };
  }
  let claims: unknown;
  try {
    claims = JSON.parse(Buffer.from(payload, 'base64url').toString('utf8'));
  } catch {
    claims = null;
  }
  // Signed by this server, so only a server of another version could have written other claims.
  if (!isClaims(claims)) return { refused: 'malformed', message: 'The hand-off token holds no claims this server knows; ask the app for a new one' };
  if (claims.expiresAt <= now) {
    return { refused: 'expired', message: `The hand-off token expired at ${new Date(claims.expiresAt).toISOString()}; the app must ask for a new one each time it opens a page` };
  }
  return claims;
}
