/** The dashboard's JSON API under /api/admin (one sub-app per resource) and the built dashboard under /dashboard. */
import { Hono, type MiddlewareHandler } from 'hono';
import { bodySizeLimit } from '../body-limit.ts';
import type { AppDeps } from '../services.ts';
import { apiKeyRoutes } from './api-keys.ts';
import { requireSession, sameOrigin } from './auth.ts';
import { consentStatsRoutes } from './consent-stats.ts';
import { dashboardFiles } from './dashboard-files.ts';
import { engagementRoutes } from './engagement.ts';
import { funnelRoutes } from './funnels.ts';
import { goalRoutes } from './goals.ts';
import type { AdminEnv } from './env.ts';
import { localeFromHeader, inLocale } from '../i18n.ts';
import { inventoryRoutes } from './inventory.ts';
import { organisationRoutes } from './organisation.ts';
import { bannerRoutes } from './banner.ts';
import { policyRoutes } from './policies.ts';
import { recordRoutes } from './records.ts';
import { reportRoutes } from './reports.ts';
import { scanRoutes } from './scans.ts';
import { loginRoutes, sessionRoutes } from './session.ts';
import { oidcLoginRoutes } from './oidc-login.ts';
import { ssoRoutes } from './sso.ts';
import { setupRoutes } from './setup.ts';
import { siteRoutes } from './sites.ts';
import { subjectRoutes } from './subjects.ts';
import { usageRoutes } from './usage.ts';
import { userRoutes } from './users.ts';

/** The largest admin body is a policy's texts in three languages, a few kilobytes; a megabyte leaves room. */
const ADMIN_BODY_LIMIT_BYTES = 1_048_576;

/** Answers hold personal data and evidence: no shared or browser cache keeps them (the admin API and /api/v1). */
export const noStore: MiddlewareHandler = async function noStore(c, next) {
  await next();
  if (!c.res.headers.has('Cache-Control')) c.header('Cache-Control', 'no-store');
};

/** Messages in the caller's language, sent as Accept-Language (the dashboard sends its own). */
export const requestLocale: MiddlewareHandler = async function requestLocale(c, next) {
  await inLocale(localeFromHeader(c.req.header('accept-language')), next);
};

export function adminApi(deps: AppDeps): Hono<AdminEnv> {
  const api = new Hono<AdminEnv>();
  // Before the session check: a stranger's body is not read past the limit either.
  api.use(bodySizeLimit(ADMIN_BODY_LIMIT_BYTES));
  api.use(noStore);
  api.use(requestLocale);
  api.use(sameOrigin(deps));
  api.route('/session', loginRoutes(deps));
  api.route('/session/oidc', oidcLoginRoutes(deps));
  api.route('/setup', setupRoutes(deps));
  // Everything registered after this line needs a session (login and set-up above answer before it runs).
  api.use(requireSession(deps));
  api.route('/session', sessionRoutes(deps));
  api.route('/users', userRoutes(deps));
  api.route('/sites', siteRoutes(deps));
  api.route('/sites', inventoryRoutes(deps));
  api.route('/sites', policyRoutes(deps));
  api.route('/sites', bannerRoutes(deps));
  api.route('/sites', usageRoutes(deps));
  api.route('/sites', engagementRoutes(deps));
  api.route('/sites', scanRoutes(deps));
  api.route('/sites', reportRoutes(deps));
  api.route('/sites', goalRoutes(deps));
  api.route('/sites', funnelRoutes(deps));
  api.route('/consent-stats', consentStatsRoutes(deps));
  api.route('/records', recordRoutes(deps));
  api.route('/subjects', subjectRoutes(deps));
  api.route('/organisation', organisationRoutes(deps));
  api.route('/api-keys', apiKeyRoutes(deps));
  api.route('/organisation/sso', ssoRoutes(deps));
  return api;
}

export function adminRoutes(deps: AppDeps): Hono {
  const app = new Hono();
  app.route('/api/admin', adminApi(deps));
  app.get('/dashboard', (c) => c.redirect('/dashboard/'));
  app.route('/dashboard', dashboardFiles());
  return app;
}
