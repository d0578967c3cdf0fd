/** Signing in and out: password login with rate limiting, the session cookie, and who the caller is. */
import { Hono } from 'hono';
import { getCookie } from 'hono/cookie';
import { z } from 'zod';
import type { Context } from 'hono';
import { clientAddress } from '../collector/client.ts';
import { RateLimiter } from '../collector/rate-limiter.ts';
import { hashPassword, verifyPassword } from '../domain/password.ts';
import { permissionsOf, type StaffUser } from '../domain/roles.ts';
import { ApiError } from '../errors.ts';
import { recordAudit } from '../queries/audit.ts';
import { passwordsAllowed } from '../queries/identity-providers.ts';
import { listOrganisationSites } from '../queries/organisation.ts';
import { closeSession, openSession } from '../queries/sessions.ts';
import { findLoginCandidate } from '../queries/users.ts';
import type { AppDeps } from '../services.ts';
import { SESSION_COOKIE, sessionCookie } from './auth.ts';
import type { SessionInfo } from './contract.ts';
import type { AdminEnv } from './env.ts';
import { audit, clientPseudonym } from './scope.ts';
import { parseBody } from './validate.ts';

export const loginSchema = z.strictObject({
  email: z.string().trim().min(3).max(320),
  password: z.string().min(1).max(1024),
});

/** Ten attempts a minute per address and account: plenty for a person, too slow to guess a password. */
const LOGIN_ATTEMPTS_PER_MINUTE = 10;
/** Per address whatever the account, so trying one password on many accounts is slow too. */
const LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE = 120;

async function sessionInfo(deps: AppDeps, user: StaffUser, csrfToken: string): Promise<SessionInfo> {
  return { user, permissions: permissionsOf(user.roles), csrfToken, sites: await listOrganisationSites(deps.db, user.organisationId) };
}

/** Opens a session for the user and sets its cookie: after a login, and after the first run's set-up. */
export async function signIn(c: Context<AdminEnv>, deps: AppDeps, user: StaffUser): Promise<SessionInfo> {
  const session = await openSession(deps.db, user.id);
  sessionCookie(deps).set(c, session.token, session.expiresAt);
  c.set('user', user);
  return sessionInfo(deps, user, session.csrfToken);
}

/** POST /login: needs no session. */
export function loginRoutes(deps: AppDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const perAccount = new RateLimiter(LOGIN_ATTEMPTS_PER_MINUTE);
  const perAddress = new RateLimiter(LOGIN_ATTEMPTS_PER_ADDRESS_PER_MINUTE);
  // Unknown addresses are checked against this, so a wrong email takes as long as a wrong password.
  const decoyHash = hashPassword('decoy password that matches nothing');

  app.post('/login', async (c) => {
    const { email, password } = await parseBody(c, loginSchema);
    const address = clientAddress(c, deps.config.trustProxy);
    perAddress.take(address);
    perAccount.take(`${address}|${email.toLowerCase()}`);
    const candidate = await findLoginCandidate(deps.db, email);
    const valid = await verifyPassword(password, candidate?.passwordHash ?? (await decoyHash));
    // An unknown address belongs to no organisation, so there is no audit log to write it in.
    const failed = (reason: 'password' | 'blocked' | 'password_disabled') =>
      candidate &&
      recordAudit(deps.db, {
        organisationId: candidate.user.organisationId,
        userId: candidate.user.id,
        userEmail: candidate.user.email,
        action: 'login.failed',
        detail: { reason },
        clientHash: clientPseudonym(c, deps),
      });
    // Refused whatever was typed: these users sign in only through their organisation's identity provider.
    if (candidate && !(await passwordsAllowed(deps.db, candidate.user.organisationId))) {
      await failed('password_disabled');
      throw new ApiError(403, 'forbidden', {
        en: 'Your organisation signs in with its identity provider: choose "Sign in with your company account"',
        nb: 'Organisasjonen din logger inn via sin identitetsleverandør: velg «Fortsett med jobbkontoen»',
      });
    }
    if (!candidate || !valid) {
      await failed('password');
      throw new ApiError(401, 'unauthenticated', { en: 'Wrong email or password', nb: 'Feil e-post eller passord' });
    }
    if (candidate.user.blockedAt) {
      await failed('blocked');
      throw new ApiError(403, 'forbidden', {
        en: 'This account is blocked; ask an administrator of your organisation',
        nb: 'Kontoen er sperret; spør en administrator i organisasjonen din',
      });
    }
    const session = await signIn(c, deps, candidate.user);
    await audit(c, deps, { action: 'login' });
    return c.json(session);
  });
  return app;
}

/** GET / and POST /logout: behind the session check. */
export function sessionRoutes(deps: AppDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  app.get('/', async (c) => c.json(await sessionInfo(deps, c.get('user'), c.get('csrfToken'))));
  app.post('/logout', async (c) => {
    const token = getCookie(c, SESSION_COOKIE);
    if (token) await closeSession(deps.db, token);
    sessionCookie(deps).clear(c);
    await audit(c, deps, { action: 'logout' });
    return c.body(null, 204);
  });
  return app;
}
