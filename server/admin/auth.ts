/**
 * Authentication for the admin API, and the only place it lives: the session cookie, the CSRF check on every
 * change, and per-route permission checks. The user is read from the database on every request, so blocking a
 * user or changing their roles takes effect on their very next request.
 */
import { timingSafeEqual } from 'node:crypto';
import type { MiddlewareHandler } from 'hono';
import { deleteCookie, getCookie, setCookie } from 'hono/cookie';
import { permissionsOf, type Permission } from '../domain/roles.ts';
import { ApiError } from '../errors.ts';
import { resolveSession } from '../queries/sessions.ts';
import type { AppDeps } from '../services.ts';
import type { AdminEnv } from './env.ts';

export const SESSION_COOKIE = 'samtykke_session';
export const CSRF_HEADER = 'x-csrf-token';
const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export function sessionCookie(deps: AppDeps) {
  const secure = deps.config.publicUrl.startsWith('https://');
  return {
    set(c: Parameters<typeof setCookie>[0], token: string, expiresAt: Date) {
      setCookie(c, SESSION_COOKIE, token, { httpOnly: true, sameSite: 'Strict', secure, path: '/', expires: expiresAt });
    },
    clear(c: Parameters<typeof deleteCookie>[0]) {
      deleteCookie(c, SESSION_COOKIE, { path: '/', secure });
    },
  };
}

function sameToken(a: string, b: string): boolean {
  const left = Buffer.from(a);
  const right = Buffer.from(b);
  return left.length === right.length && timingSafeEqual(left, right);
}

/**
 * Refuses cross-site changes before anything else: a browser always sends Origin on a cross-site POST, and it
 * must be this server's own. Applies to login too, which has no session to hold a token yet.
 */
export function sameOrigin(deps: AppDeps): MiddlewareHandler {
  return async function sameOriginCheck(c, next) {
    const origin = c.req.header('origin');
    if (!SAFE_METHODS.has(c.req.method) && origin && origin !== new URL(c.req.url).origin && origin !== deps.config.publicUrl) {
      throw new ApiError(403, 'csrf_failed', {
        en: `Changes are accepted only from this server's own pages, not from ${origin}`,
        nb: `Endringer godtas bare fra serverens egne sider, ikke fra ${origin}`,
      });
    }
    await next();
  };
}

/** Resolves the session cookie to a user, and checks the CSRF token on every change. */
export function requireSession(deps: AppDeps): MiddlewareHandler<AdminEnv> {
  const cookie = sessionCookie(deps);
  return async function sessionCheck(c, next) {
    const token = getCookie(c, SESSION_COOKIE);
    const session = token ? await resolveSession(deps.db, token) : null;
    if (!session) {
      if (token) cookie.clear(c);
      throw new ApiError(401, 'unauthenticated', { en: 'Not signed in, or the session has ended; sign in again', nb: 'Du er ikke logget inn, eller økten er avsluttet; logg inn igjen' });
    }
    if (!SAFE_METHODS.has(c.req.method)) {
      const sent = c.req.header(CSRF_HEADER);
      if (!sent || !sameToken(sent, session.csrfToken)) {
        throw new ApiError(403, 'csrf_failed', { en: `Missing or wrong ${CSRF_HEADER} header; reload the dashboard`, nb: `${CSRF_HEADER} mangler eller er feil; last dashbordet på nytt` });
      }
    }
    c.set('user', session.user);
    c.set('csrfToken', session.csrfToken);
    await next();
  };
}

export function requirePermission(permission: Permission): MiddlewareHandler<AdminEnv> {
  return async function permissionCheck(c, next) {
    if (!permissionsOf(c.get('user').roles).includes(permission)) {
      throw new ApiError(403, 'forbidden', { en: `Your roles do not allow this (needs ${permission})`, nb: `Rollene dine gir ikke lov til dette (krever ${permission})` });
    }
    await next();
  };
}
