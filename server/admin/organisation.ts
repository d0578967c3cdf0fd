/** /organisation: retention settings (admins change them) and the audit log (privacy officers read it). */
import { Hono } from 'hono';
import { z } from 'zod';
import { say } from '../i18n.ts';
import { listAudit } from '../queries/audit.ts';
import { getRetention, setRetention } from '../queries/organisation.ts';
import type { AppDeps } from '../services.ts';
import { requirePermission } from './auth.ts';
import type { AdminEnv } from './env.ts';
import { audit } from './scope.ts';
import { parseBody, parseQuery, queryCursor } from './validate.ts';

export const retentionSchema = z.strictObject({
  eventRetentionDays: z.number().int().min(1).max(3650),
  // Consent evidence must outlive the longest consent it proves (24 months).
  consentRetentionDays: z
    .number()
    .int()
    .min(731, {
      error: () =>
        say({ en: 'must be at least 731 days: evidence must outlive a 24-month consent', nb: 'må være minst 731 dager: beviset må vare lenger enn et samtykke på 24 måneder' }),
    })
    .max(7300),
});

export const auditQuery = z.strictObject({ before: queryCursor.optional(), limit: z.coerce.number().int().min(1).max(500).default(100) });

export function organisationRoutes(deps: AppDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();

  app.get('/retention', requirePermission('sites.read'), async (c) => c.json(await getRetention(deps.db, c.get('user').organisationId)));

  app.put('/retention', requirePermission('retention.manage'), async (c) => {
    const retention = await parseBody(c, retentionSchema);
    await setRetention(deps.db, c.get('user').organisationId, retention);
    await audit(c, deps, { action: 'retention.update', detail: { ...retention } });
    return c.json(retention);
  });

  app.get('/audit', requirePermission('audit.read'), async (c) => {
    const query = parseQuery(c, auditQuery);
    return c.json(await listAudit(deps.db, c.get('user').organisationId, query));
  });
  return app;
}
