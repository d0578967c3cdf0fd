/**
 * Staff sign-in with an organisation's own OpenID Connect provider: its settings, the rules for which addresses it
 * may sign in, and the closed set of reasons a sign-in through it fails. Pure: the protocol itself is openid-client's.
 */
import type { Role } from './roles.ts';

/** An organisation's provider as the dashboard shows it; the client secret is write-only and never part of it. */
export interface IdentityProviderSettings {
  readonly organisationId: number;
  /** The provider's issuer identifier; its discovery document is at `<issuer>/.well-known/openid-configuration`. */
  readonly issuer: string;
  readonly clientId: string;
  /** The role a person gets when their first sign-in through the provider creates their account. */
  readonly defaultRole: Role;
  /** Lower-case domains whose addresses the sign-in page sends to this provider. */
  readonly emailDomains: readonly string[];
  readonly enabled: boolean;
  /** False: the organisation's users sign in through the provider only (possible only while it is enabled). */
  readonly passwordsAllowed: boolean;
  readonly updatedAt: Date;
}

/** The settings with the secret, for the sign-in flow alone. */
export interface IdentityProviderClient extends IdentityProviderSettings {
  readonly clientSecret: string;
}

/** How long a browser may take at the provider before coming back: enough to type a password and a second factor. */
export const LOGIN_ATTEMPT_MINUTES = 10;

/** The path the provider sends the browser back to; registered at the provider as SAMTYKKE_PUBLIC_URL + this. */
export const OIDC_CALLBACK_PATH = '/api/admin/session/oidc/callback';

export function oidcRedirectUri(publicUrl: string): string {
  return `${publicUrl}${OIDC_CALLBACK_PATH}`;
}

/**
 * Why a sign-in through the provider ended without a session. The browser is sent back to the sign-in page with
 * one of these (never free text, so no one can put words on our page through a link), and the page says it in
 * the user's language.
 */
export const SSO_FAILURES = [
  /** No organisation signs in the typed address through a provider. */
  'no_provider',
  /** The provider did not answer, or its discovery document is unusable. */
  'provider_unavailable',
  /** The provider answered with an error (the user cancelled, the client is not allowed, the code was refused). */
  'provider_refused',
  /** The callback came without a sign-in started in this browser, or too late, or a second time. */
  'attempt_expired',
  /** The ID token failed validation: signature, issuer, audience, expiry or nonce. */
  'token_invalid',
  /** The provider gave no email address, or one it does not vouch for. */
  'email_unverified',
  /** The address belongs to an account of another organisation. */
  'other_organisation',
  /** The account is blocked in Samtykke. */
  'blocked',
] as const;
export type SsoFailure = (typeof SSO_FAILURES)[number];

export function emailDomainOf(email: string): string {
  return email.slice(email.lastIndexOf('@') + 1).trim().toLowerCase();
}

const LOOPBACK_HOSTS = new Set(['localhost', '127.0.0.1', '[::1]']);

/**
 * A provider must be reached over HTTPS: its keys and tokens travel on that connection. Plain HTTP is allowed on
 * this machine only, for a provider under test or in development.
 */
export function issuerProblem(issuer: string): { en: string; nb: string } | null {
  let url: URL;
  try {
    url = new URL(issuer);
  } catch {
    return { en: 'must be a URL, like https://login.example.com/realms/staff', nb: 'må være en URL, som https://login.example.com/realms/staff' };
  }
  if (url.search || url.hash) return { en: 'must not have a query or fragment', nb: 'kan ikke ha spørring eller fragment' };
  if (url.protocol === 'https:') return null;
  if (url.protocol === 'http:' && LOOPBACK_HOSTS.has(url.hostname)) return null;
  return { en: 'must start with https:// (plain http only on localhost)', nb: 'må begynne med https:// (vanlig http bare på localhost)' };
}

export function usesPlainHttp(issuer: string): boolean {
  return issuer.startsWith('http://');
}

/**
 * Whether the provider proves the person owns the address: it says so (email_verified), or the address is in one of
 * the organisation's own domains, which the admin listed because the provider is where those addresses live
 * (Microsoft Entra ID, for one, never sends email_verified). Matching accounts on an unproven address would let
 * anyone who can set their address at the provider take over an account.
 */
export function emailProven(claims: { email_verified?: unknown }, email: string, emailDomains: readonly string[]): boolean {
  return claims.email_verified === true || emailDomains.includes(emailDomainOf(email));
}
