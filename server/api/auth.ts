/**
 * Authentication for /api/v1, and the only place it lives: the API key in `Authorization: Bearer`, its scopes, and
 * the sites it reaches. The key is read from the database on every request, so a revoked key stops at once, in
 * every process.
 */
import type { MiddlewareHandler } from 'hono';
import type { SiteScope } from '../admin/records.ts';
import type { SiteGate } from '../collector/routes.ts';
import { Drop } from '../collector/drops.ts';
import type { Sender } from '../collector/pipeline.ts';
import { apiKeyPrefix, matchesHash } from '../domain/api-key-secret.ts';
import { apiKeyState, type ApiKey, type ApiKeyScope } from '../domain/api-keys.ts';
import type { SiteWithPolicy } from '../domain/sites.ts';
import { ApiError } from '../errors.ts';
import type { Text } from '../i18n.ts';
import { findApiKeyByPrefix } from '../queries/api-keys.ts';
import { listOrganisationSites } from '../queries/organisation.ts';
import { findOrganisationSite } from '../queries/sites.ts';
import type { AppDeps } from '../services.ts';
import type { ApiContext, ApiEnv } from './env.ts';

/**
 * A server sending for its users has no user's address or browser: the end user's User-Agent may be passed on in
 * this header (for the browser, OS and device columns); the calling server's own agent is never used, since an
 * HTTP library's agent reads as a bot.
 */
export const END_USER_AGENT_HEADER = 'x-end-user-agent';

const BEARER = /^Bearer[ \t]+(\S+)[ \t]*$/i;

function refuse(c: ApiContext, message: Text): ApiError {
  // RFC 6750: a 401 names the scheme the client should use.
  c.header('WWW-Authenticate', 'Bearer realm="samtykke"');
  return new ApiError(401, 'unauthenticated', message);
}

const day = (time: Date) => time.toISOString().slice(0, 10);

/** The key behind the Authorization header, or a 401 saying what is wrong with it. */
export function requireApiKey(deps: AppDeps): MiddlewareHandler<ApiEnv> {
  return async function apiKeyCheck(c, next) {
    const header = c.req.header('authorization');
    if (!header) {
      throw refuse(c, { en: 'Send an API key as "Authorization: Bearer sk_…"; an admin creates keys in the dashboard under API keys', nb: 'Send en API-nøkkel som «Authorization: Bearer sk_…»; en administrator lager nøkler i dashbordet under API-nøkler' });
    }
    const token = BEARER.exec(header)?.[1];
    if (!token) throw refuse(c, { en: 'The Authorization header must be "Bearer <API key>"', nb: 'Authorization-headeren må være «Bearer <API-nøkkel>»' });
    const prefix = apiKeyPrefix(token);
    if (!prefix) {
      throw refuse(c, { en: 'That is not a Samtykke API key: keys look like sk_<12 hex characters>_<43 characters>; copy the whole key', nb: 'Dette er ikke en API-nøkkel fra Samtykke: nøkler ser ut som sk_<12 heks-tegn>_<43 tegn>; kopier hele nøkkelen' });
    }
    const found = await findApiKeyByPrefix(deps.db, prefix);
    if (!found || !matchesHash(token, found.secretHash)) {
      throw refuse(c, { en: 'Unknown API key: check that it was copied whole, or have an admin create a new one', nb: 'Ukjent API-nøkkel: sjekk at hele nøkkelen er kopiert, eller be en administrator lage en ny' });
    }
    const { key } = found;
    const state = apiKeyState(key, new Date());
    if (state === 'revoked') {
      throw refuse(c, { en: `API key sk_${key.prefix} was revoked on ${day(key.revokedAt!)}; have an admin create a new one`, nb: `API-nøkkelen sk_${key.prefix} ble trukket tilbake ${day(key.revokedAt!)}; be en administrator lage en ny` });
    }
    if (state === 'expired') {
      throw refuse(c, { en: `API key sk_${key.prefix} expired on ${day(key.expiresAt!)}; have an admin create a new one`, nb: `API-nøkkelen sk_${key.prefix} utløp ${day(key.expiresAt!)}; be en administrator lage en ny` });
    }
    c.set('apiKey', key);
    await next();
  };
}

export function requireScope(scope: ApiKeyScope): MiddlewareHandler<ApiEnv> {
  return async function scopeCheck(c, next) {
    const key = c.get('apiKey');
    if (!key.scopes.includes(scope)) {
      throw new ApiError(403, 'forbidden', {
        en: `API key sk_${key.prefix} lacks the scope ${scope} (it has ${key.scopes.join(', ')}); create a key with that scope`,
        nb: `API-nøkkelen sk_${key.prefix} mangler omfanget ${scope} (den har ${key.scopes.join(', ')}); lag en nøkkel med det omfanget`,
      });
    }
    c.set('scope', scope);
    await next();
  };
}

function reaches(key: ApiKey, site: { readonly id: number; readonly organisationId: number }): boolean {
  return site.organisationId === key.organisationId && (key.siteId === null || key.siteId === site.id);
}

/** A site outside the key's reach (another organisation's, or not the one it is limited to) answers as a missing one. */
export async function keySite(c: ApiContext, deps: AppDeps, siteId: number): Promise<SiteWithPolicy> {
  const key = c.get('apiKey');
  const site = await findOrganisationSite(deps.db, key.organisationId, siteId);
  if (!site || !reaches(key, site)) {
    throw new ApiError(404, 'not_found', { en: `No site ${siteId} within this API key's reach`, nb: `Ikke noe nettsted ${siteId} innenfor denne API-nøkkelens rekkevidde` });
  }
  c.set('siteId', site.id);
  return site;
}

/** The sites the key reaches, for routes that read across them (record search and export). */
export function keyScope(c: ApiContext, deps: AppDeps): SiteScope {
  const key = c.get('apiKey');
  return {
    site: (siteId) => keySite(c, deps, siteId),
    siteIds: async () => (await listOrganisationSites(deps.db, key.organisationId, key.siteId ?? undefined)).map((site) => site.id),
  };
}

/** For the collector's pipeline: the site a decision or event names must be within the key's reach. */
export function keyGate(c: ApiContext, deps: AppDeps): SiteGate {
  const key = c.get('apiKey');
  return async (siteKey) => {
    const site = await deps.sites.find(siteKey);
    if (!site || !reaches(key, site)) return new Drop('unknown_site', `No site with the key ${JSON.stringify(siteKey)} within this API key's reach`, 'site');
    c.set('siteId', site.id);
    return null;
  };
}

/**
 * Who sends, for the pipeline: the key stands in for the address. Its rate limits apply per consent ID (each end
 * user its own allowance) and per key and site (the network ceiling, SAMTYKKE_RATE_LIMIT_NETWORK); the evidence's
 * client pseudonym is the key's, and no country is derived, since no end user's address is known.
 */
export function keySender(c: ApiContext): Sender {
  return { origin: undefined, ownOrigin: false, address: `api-key-${c.get('apiKey').id}`, userAgent: c.req.header(END_USER_AGENT_HEADER) };
}
