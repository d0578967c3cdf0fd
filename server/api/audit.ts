/** Every use of an API key in the audit log: a reading key's requests one by one, a collecting key's counted per minute. */
import type { MiddlewareHandler } from 'hono';
import { clientPseudonym } from '../admin/scope.ts';
import { recordApiKeyUse } from '../queries/api-keys.ts';
import type { AppDeps } from '../services.ts';
import type { ApiEnv } from './env.ts';

/** After requireApiKey: a request without a valid key has no organisation to log it under. */
export function auditKeyUse(deps: AppDeps): MiddlewareHandler<ApiEnv> {
  return async function keyUseAudit(c, next) {
    await next();
    const key = c.get('apiKey');
    const siteId = c.get('siteId') ?? null;
    // The route's pattern, not its path: the same for every site id.
    const route = `${c.req.method} ${c.req.routePath}`;
    if (c.get('scope') === 'collect') {
      deps.apiKeyUse.note(key, siteId, route, c.res.status);
      return;
    }
    await recordApiKeyUse(
      deps.db,
      {
        organisationId: key.organisationId,
        userId: null,
        userEmail: null,
        apiKeyId: key.id,
        action: c.get('auditAction') ?? 'api_key.use',
        siteId,
        target: `${c.req.method} ${c.req.path}`,
        detail: { status: c.res.status, query: c.req.query() },
        clientHash: clientPseudonym(c, deps),
      },
      new Date(),
    );
  };
}
