/**
 * GET /session/oidc/start and /session/oidc/callback: staff sign-in through their organisation's identity provider
 * (OpenID Connect, authorization code flow with PKCE). The sign-in page asks for the address first and the server
 * finds the organisation by it; the callback opens the same session a password login does.
 */
import { randomBytes } from 'node:crypto';
import { Hono, type Context } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { z } from 'zod';
import { clientAddress } from '../collector/client.ts';
import { RateLimiter } from '../collector/rate-limiter.ts';
import { emailProven, LOGIN_ATTEMPT_MINUTES, oidcRedirectUri, type IdentityProviderClient, type SsoFailure } from '../domain/identity-provider.ts';
import type { StaffUser } from '../domain/roles.ts';
import { recordAudit } from '../queries/audit.ts';
import {
  findEnabledProviderClient,
  findProviderOrganisation,
  findStaffUserByEmail,
  openLoginAttempt,
  takeLoginAttempt,
} from '../queries/identity-providers.ts';
import { createUser, DuplicateEmailError } from '../queries/users.ts';
import type { AppDeps } from '../services.ts';
import type { AdminEnv } from './env.ts';
import { RelyingParty, SignInFailure, type ProvenIdentity } from './oidc-client.ts';
import { audit, clientPseudonym } from './scope.ts';
import { signIn } from './session.ts';
import { parseQuery } from './validate.ts';

/** Holds the state between leaving for the provider and coming back, binding the callback to this browser. */
const ATTEMPT_COOKIE = 'samtykke_oidc';
const ATTEMPT_COOKIE_PATH = '/api/admin/session/oidc';
/** Each start writes a row and asks the provider's discovery document: generous for people, slow for a flood. */
const STARTS_PER_ADDRESS_PER_MINUTE = 30;

export const oidcStartSchema = z.strictObject({ email: z.email().max(320) });

/** Back to the sign-in page, which says what went wrong in the user's language. */
function backToSignIn(c: Context, failure: SsoFailure): Response {
  return c.redirect(`/dashboard/?sso_error=${failure}`, 302);
}

export function oidcLoginRoutes(deps: AppDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const relyingParty = new RelyingParty(oidcRedirectUri(deps.config.publicUrl));
  const perAddress = new RateLimiter(STARTS_PER_ADDRESS_PER_MINUTE);
  const secure = deps.config.publicUrl.startsWith('https://');

  const failed = async (c: Context<AdminEnv>, organisationId: number, failure: SsoFailure, who: { user?: StaffUser | null; email?: string | null; problem?: string }) => {
    await recordAudit(deps.db, {
      organisationId,
      userId: who.user?.id ?? null,
      userEmail: who.user?.email ?? who.email ?? null,
      action: 'login.failed',
      detail: { method: 'oidc', reason: failure, ...(who.problem ? { problem: who.problem } : {}) },
      clientHash: clientPseudonym(c, deps),
    });
    return backToSignIn(c, failure);
  };

  app.get('/start', async (c) => {
    perAddress.take(clientAddress(c, deps.config.trustProxy));
    const { email } = parseQuery(c, oidcStartSchema);
    const organisationId = await findProviderOrganisation(deps.db, email);
    const provider = organisationId === null ? null : await findEnabledProviderClient(deps.db, organisationId);
    if (!provider) return backToSignIn(c, 'no_provider');
    const checks = RelyingParty.newChecks();
    let destination: URL;
    try {
      destination = await relyingParty.authorizationUrl(provider, checks, email);
    } catch (error) {
      if (error instanceof SignInFailure) return failed(c, provider.organisationId, error.failure, { email, problem: error.problem });
      throw error;
    }
    const expiresAt = new Date(Date.now() + LOGIN_ATTEMPT_MINUTES * 60_000);
    await openLoginAttempt(deps.db, checks.state, { organisationId: provider.organisationId, codeVerifier: checks.codeVerifier, nonce: checks.nonce }, expiresAt);
    // Lax, not Strict: the callback is a navigation from the provider's site, and a Strict cookie would stay behind.
    setCookie(c, ATTEMPT_COOKIE, checks.state, { httpOnly: true, sameSite: 'Lax', secure, path: ATTEMPT_COOKIE_PATH, expires: expiresAt });
    return c.redirect(destination.href, 302);
  });

  app.get('/callback', async (c) => {
    const state = c.req.query('state');
    const browserState = getCookie(c, ATTEMPT_COOKIE);
    deleteCookie(c, ATTEMPT_COOKIE, { path: ATTEMPT_COOKIE_PATH, secure });
    // A callback whose state this browser did not start is someone else's sign-in (login CSRF), or a reload.
    const attempt = state && state === browserState ? await takeLoginAttempt(deps.db, state) : null;
    if (!state || !attempt) return backToSignIn(c, 'attempt_expired');
    const provider = await findEnabledProviderClient(deps.db, attempt.organisationId);
    if (!provider) return backToSignIn(c, 'no_provider');

    let identity: ProvenIdentity;
    try {
      identity = await relyingParty.identify(provider, new URL(c.req.url).search, { state, nonce: attempt.nonce, codeVerifier: attempt.codeVerifier });
    } catch (error) {
      if (error instanceof SignInFailure) return failed(c, provider.organisationId, error.failure, { problem: error.problem });
      throw error;
    }
    const { email } = identity;
    if (!email || !emailProven({ email_verified: identity.emailVerified }, email, provider.emailDomains)) {
      return failed(c, provider.organisationId, 'email_unverified', { email, problem: email ? 'email_verified is not true and the domain is not listed' : 'no email claim' });
    }
    const existing = await findStaffUserByEmail(deps.db, email);
    // One address is one account; the provider of one organisation never signs anyone in to another.
    if (existing && existing.organisationId !== provider.organisationId) return failed(c, provider.organisationId, 'other_organisation', { email });
    if (existing?.blockedAt) return failed(c, provider.organisationId, 'blocked', { user: existing });

    const user = existing ?? (await createFromProvider(c, deps, provider, identity, email));
    await signIn(c, deps, user);
    await audit(c, deps, { action: 'login', detail: { method: 'oidc', issuer: provider.issuer } });
    return c.redirect('/dashboard/', 302);
  });
  return app;
}

/** The first sign-in of a person the provider knows and Samtykke does not: an account with the default role. */
async function createFromProvider(c: Context<AdminEnv>, deps: AppDeps, provider: IdentityProviderClient, identity: ProvenIdentity, email: string): Promise<StaffUser> {
  try {
    const user = await createUser(deps.db, {
      organisationId: provider.organisationId,
      email,
      name: identity.name ?? email,
      roles: [provider.defaultRole],
      // A password no one knows: the account signs in through the provider.
      password: randomBytes(32).toString('base64url'),
    });
    await recordAudit(deps.db, {
      organisationId: user.organisationId,
      userId: user.id,
      userEmail: user.email,
      action: 'user.create',
      target: user.email,
      detail: { roles: user.roles, method: 'oidc', issuer: provider.issuer },
      clientHash: clientPseudonym(c, deps),
    });
    return user;
  } catch (error) {
    // Two first sign-ins at once: the other one created it.
    if (error instanceof DuplicateEmailError) {
      const user = await findStaffUserByEmail(deps.db, email);
      if (user?.organisationId === provider.organisationId && !user.blockedAt) return user;
    }
    throw error;
  }
}
