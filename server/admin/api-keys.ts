/** /api-keys: admins create an organisation's API keys (shown once, kept as a hash), list them and revoke them at once. */
import { Hono } from 'hono';
import { z } from 'zod';
import { generateApiKey } from '../domain/api-key-secret.ts';
import { API_KEY_SCOPES, apiKeyLabel, type ApiKey } from '../domain/api-keys.ts';
import { ApiError } from '../errors.ts';
import { say } from '../i18n.ts';
import { createApiKey, listApiKeys, revokeApiKey } from '../queries/api-keys.ts';
import { findOrganisationSite } from '../queries/sites.ts';
import type { AppDeps } from '../services.ts';
import { requirePermission } from './auth.ts';
import type { AdminEnv } from './env.ts';
import { audit } from './scope.ts';
import { parseBody, pathId } from './validate.ts';

const DAY_MS = 86_400_000;

/** A date-time, or a date meaning "through that day" (UTC), as the dashboard's date field sends it. */
const expiry = z.union([
  z.iso.datetime({ offset: true }).transform((value) => new Date(value)),
  // The day's last millisecond, so the dashboard shows the day the admin picked.
  z.iso.date().transform((value) => new Date(Date.parse(`${value}T00:00:00Z`) + DAY_MS - 1)),
]);

export const newApiKeySchema = z.strictObject({
  name: z.string().trim().min(1).max(100),
  scopes: z
    .array(z.enum(API_KEY_SCOPES))
    .min(1, { error: () => say({ en: 'give the key at least one scope', nb: 'gi nøkkelen minst ett omfang' }) })
    .refine((scopes) => new Set(scopes).size === scopes.length, { error: () => say({ en: 'name each scope once', nb: 'oppgi hvert omfang én gang' }) }),
  siteId: z.number().int().positive().max(2_147_483_647).nullable().default(null),
  expiresAt: expiry.nullable().default(null),
});

export type NewApiKeyRequest = z.input<typeof newApiKeySchema>;

/** POST /api/admin/api-keys: the key itself is in this answer and nowhere else, ever. */
export interface CreatedApiKey {
  readonly apiKey: ApiKey;
  readonly secret: string;
}

const NO_KEY = { en: 'No such API key in your organisation', nb: 'Organisasjonen din har ingen slik API-nøkkel' };

export function apiKeyRoutes(deps: AppDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  app.use(requirePermission('api_keys.manage'));

  app.get('/', async (c) => c.json(await listApiKeys(deps.db, c.get('user').organisationId)));

  app.post('/', async (c) => {
    const body = await parseBody(c, newApiKeySchema);
    const user = c.get('user');
    // A field of the body, so a 400 naming it; another organisation's site answers exactly like a missing one.
    if (body.siteId !== null && !(await findOrganisationSite(deps.db, user.organisationId, body.siteId))) {
      throw new ApiError(400, 'invalid_body', { en: `siteId: no site ${body.siteId} in your organisation`, nb: `siteId: organisasjonen din har ikke noe nettsted ${body.siteId}` }, 'siteId');
    }
    if (body.expiresAt !== null && body.expiresAt <= new Date()) {
      throw new ApiError(400, 'invalid_body', { en: 'expiresAt: must be in the future', nb: 'expiresAt: må være fram i tid' }, 'expiresAt');
    }
    const secret = generateApiKey();
    const apiKey = await createApiKey(deps.db, { ...body, organisationId: user.organisationId, prefix: secret.prefix, secretHash: secret.hash, createdBy: user.id });
    await audit(c, deps, {
      action: 'api_key.create',
      siteId: apiKey.siteId,
      target: apiKeyLabel(apiKey),
      detail: { scopes: apiKey.scopes, expiresAt: apiKey.expiresAt?.toISOString() ?? null },
    });
    const created: CreatedApiKey = { apiKey, secret: secret.key };
    return c.json(created, 201);
  });

  // Takes effect on the key's very next request: every request looks its key up.
  app.delete('/:keyId', async (c) => {
    const apiKey = await revokeApiKey(deps.db, c.get('user').organisationId, pathId(c, 'keyId'), new Date());
    if (!apiKey) throw new ApiError(404, 'not_found', NO_KEY);
    await audit(c, deps, { action: 'api_key.revoke', siteId: apiKey.siteId, target: apiKeyLabel(apiKey) });
    return c.json(apiKey);
  });
  return app;
}
