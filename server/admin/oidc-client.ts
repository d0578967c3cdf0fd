/**
 * The relying party of staff sign-in. panva's openid-client does the protocol: discovery, the PKCE challenge, state
 * and nonce, the code exchange and the ID token's validation (signature against the provider's keys, issuer,
 * audience, expiry, nonce). This module only picks the settings and names what went wrong.
 */
import { createHash } from 'node:crypto';
import * as oidc from 'openid-client';
import { usesPlainHttp, type SsoFailure } from '../domain/identity-provider.ts';
import { ExpiringCache } from '../expiring-cache.ts';

/** What it takes to talk to one organisation's provider. */
export interface ProviderAccess {
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecret: string;
}

/** The browser's half of a sign-in, kept from leaving for the provider until coming back. */
export interface SignInChecks {
  readonly state: string;
  readonly nonce: string;
  readonly codeVerifier: string;
}

/** What the provider vouched for, after every check passed. */
export interface ProvenIdentity {
  readonly subject: string;
  readonly email: string | null;
  readonly emailVerified: unknown;
  readonly name: string | null;
}

/** The sign-in failed for a reason the user is told (`failure`) and the audit log keeps in detail (`problem`). */
export class SignInFailure extends Error {
  constructor(
    readonly failure: SsoFailure,
    readonly problem: string,
  ) {
    super(problem);
    this.name = 'SignInFailure';
  }
}

/** Discovery documents and keys change seldom; a changed one is read again after this. */
const DISCOVERY_TTL_MS = 10 * 60_000;
const DISCOVERY_TIMEOUT_SECONDS = 10;

/**
 * Reads the provider's discovery document: to check an admin's settings (the secret may not be at hand then, and
 * discovery does not use it), and (cached) before each sign-in.
 */
export async function discoverProvider(access: Omit<ProviderAccess, 'clientSecret'> & { clientSecret?: string }): Promise<oidc.Configuration> {
  const authentication = access.clientSecret === undefined ? oidc.None() : oidc.ClientSecretBasic(access.clientSecret);
  try {
    return await oidc.discovery(new URL(access.issuer), access.clientId, undefined, authentication, {
      timeout: DISCOVERY_TIMEOUT_SECONDS,
      // Only a loopback issuer may be plain http (domain/identity-provider.ts issuerProblem).
      execute: usesPlainHttp(access.issuer) ? [oidc.allowInsecureRequests] : [],
    });
  } catch (error) {
    throw new SignInFailure('provider_unavailable', describe(error));
  }
}

export class RelyingParty {
  // Keyed by everything that makes the configuration, so a changed setting is a new entry, never a stale one.
  private readonly configurations = new ExpiringCache<string, oidc.Configuration>(DISCOVERY_TTL_MS, 100);

  constructor(private readonly redirectUri: string) {}

  /** Fresh state, nonce and PKCE verifier for one sign-in. */
  static newChecks(): SignInChecks {
    return { state: oidc.randomState(), nonce: oidc.randomNonce(), codeVerifier: oidc.randomPKCECodeVerifier() };
  }

  /** Where to send the browser: the provider's authorization endpoint with an S256 code challenge, state and nonce. */
  async authorizationUrl(access: ProviderAccess, checks: SignInChecks, loginHint: string): Promise<URL> {
    const config = await this.configuration(access);
    return oidc.buildAuthorizationUrl(config, {
      redirect_uri: this.redirectUri,
      scope: 'openid email profile',
      response_type: 'code',
      code_challenge: await oidc.calculatePKCECodeChallenge(checks.codeVerifier),
      code_challenge_method: 'S256',
      state: checks.state,
      nonce: checks.nonce,
      // Saves the user typing the address again at most providers; they are free to ignore it.
      login_hint: loginHint,
    });
  }

  /** Exchanges the callback's code and validates the ID token; the email comes from UserInfo when the token lacks it. */
  async identify(access: ProviderAccess, callbackQuery: string, checks: SignInChecks): Promise<ProvenIdentity> {
    const config = await this.configuration(access);
    const currentUrl = new URL(this.redirectUri);
    currentUrl.search = callbackQuery;
    try {
      const tokens = await oidc.authorizationCodeGrant(config, currentUrl, {
        pkceCodeVerifier: checks.codeVerifier,
        expectedState: checks.state,
        expectedNonce: checks.nonce,
        idTokenExpected: true,
      });
      const claims = tokens.claims()!;
      let { email, email_verified: emailVerified, name } = claims;
      if (typeof email !== 'string') {
        const userInfo = await oidc.fetchUserInfo(config, tokens.access_token, claims.sub);
        ({ email, email_verified: emailVerified, name } = userInfo);
      }
      return {
        subject: claims.sub,
        email: typeof email === 'string' ? email.trim().toLowerCase() : null,
        emailVerified,
        name: typeof name === 'string' && name.trim() ? name.trim() : null,
      };
    } catch (error) {
      throw new SignInFailure(failureOf(error), describe(error));
    }
  }

  private configuration(access: ProviderAccess): Promise<oidc.Configuration> {
    const secretHash = createHash('sha256').update(access.clientSecret).digest('base64url');
    return this.configurations.get(`${access.issuer}\n${access.clientId}\n${secretHash}`, () => discoverProvider(access));
  }
}

/** The provider said no, we refused what it sent, or it could not be reached. */
function failureOf(error: unknown): SsoFailure {
  if (error instanceof SignInFailure) return error.failure;
  if (error instanceof oidc.AuthorizationResponseError || error instanceof oidc.ResponseBodyError || error instanceof oidc.WWWAuthenticateChallengeError) {
    return 'provider_refused';
  }
  // openid-client's own checks of what came back: the ID token's claims, its signature, the response's shape.
  if (error instanceof oidc.ClientError) return 'token_invalid';
  return 'provider_unavailable';
}

/** The most precise words there are: openid-client puts the failed check (`"aud" (audience)`) in the cause. */
function describe(error: unknown): string {
  if (!(error instanceof Error)) return String(error);
  const cause = error.cause instanceof Error ? `: ${error.cause.message}` : '';
  return `${error.message}${cause}`.slice(0, 500);
}
