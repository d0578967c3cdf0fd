/** /sites: the organisation's sites (admins create, rename, set origins, archive), and each site's install page. */
import { Hono } from 'hono';
import { z } from 'zod';
import { SURFACES } from '../domain/consent.ts';
import { parseOriginPattern } from '../domain/origins.ts';
import { SITE_FEATURES, SITE_KEY_PATTERN, type Site, type SiteFeatures } from '../domain/sites.ts';
import { ApiError } from '../errors.ts';
import { say } from '../i18n.ts';
import { listOrganisationSites, organisationName, type SiteSummary } from '../queries/organisation.ts';
import { readInstallActivity } from '../queries/site-activity.ts';
import { DuplicateSiteKeyError } from '../queries/sites.ts';
import type { AppDeps } from '../services.ts';
import { installGuide } from '../sites/install.ts';
import { templateContent } from '../sites/template.ts';
import type { InstallCheck } from './contract.ts';
import { requirePermission } from './auth.ts';
import type { AdminContext, AdminEnv } from './env.ts';
import { audit, ownedSite } from './scope.ts';
import { parseBody, pathId } from './validate.ts';

const DAY_MS = 86_400_000;

const originPattern = z
  .string()
  .max(300)
  .transform((value, ctx) => {
    const parsed = parseOriginPattern(value);
    if (parsed.ok) return parsed.pattern;
    ctx.addIssue({ code: 'custom', message: say(parsed.problem) });
    return z.NEVER;
  });
const allowedOrigins = z
  .array(originPattern)
  .max(100)
  .transform((patterns) => [...new Set(patterns)]);
const siteName = z.string().trim().min(1).max(200);

export const newSiteSchema = z.strictObject({
  key: z.string().regex(SITE_KEY_PATTERN, {
    error: () =>
      say({
        en: 'must be lower-case letters, digits and hyphens, starting with a letter or digit (at most 63), such as "min-side"',
        nb: 'må være små bokstaver, sifre og bindestrek, og begynne med bokstav eller siffer (høyst 63), som «min-side»',
      }),
  }),
  name: siteName,
  surface: z.enum(SURFACES),
  allowedOrigins: allowedOrigins.default([]),
});

const features = z.strictObject(
  Object.fromEntries(SITE_FEATURES.map((feature) => [feature, z.boolean().optional()])) as Record<keyof SiteFeatures, z.ZodOptional<z.ZodBoolean>>,
);

// Any of them: adding one origin from the installation check must not undo a rename made meanwhile.
export const siteChangesSchema = z
  .strictObject({ name: siteName.optional(), allowedOrigins: allowedOrigins.optional(), features: features.optional() })
  .refine((changes) => changes.name !== undefined || changes.allowedOrigins !== undefined || changes.features !== undefined, {
    error: () =>
      say({ en: 'give a new name, new allowed origins or features', nb: 'oppgi nytt navn, nye tillatte opprinnelser eller funksjoner' }),
  });

export const siteArchivedSchema = z.strictObject({ archived: z.boolean() });

async function summaryOf(c: AdminContext, deps: AppDeps, siteId: number): Promise<SiteSummary> {
  const [summary] = await listOrganisationSites(deps.db, c.get('user').organisationId, siteId);
  if (!summary) throw new Error(`Site ${siteId} vanished while it was being changed`);
  return summary;
}

function changedOrGone(site: Site | null): Site {
  if (!site) throw new ApiError(404, 'not_found', { en: 'The site no longer exists', nb: 'Nettstedet finnes ikke lenger' });
  return site;
}

export function siteRoutes(deps: AppDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const manage = requirePermission('sites.manage');

  app.get('/', requirePermission('sites.read'), async (c) => c.json(await listOrganisationSites(deps.db, c.get('user').organisationId)));

  app.post('/', manage, async (c) => {
    const body = await parseBody(c, newSiteSchema);
    const organisationId = c.get('user').organisationId;
    try {
      const site = await deps.sites.create({ ...body, organisationId }, templateContent(body.surface, await organisationName(deps.db, organisationId)));
      await audit(c, deps, { action: 'site.create', siteId: site.id, target: site.key, detail: { surface: site.surface, allowedOrigins: site.allowedOrigins } });
      return c.json(await summaryOf(c, deps, site.id), 201);
    } catch (error) {
      if (error instanceof DuplicateSiteKeyError) {
        throw new ApiError(409, 'conflict', { en: error.message, nb: `Det finnes allerede et nettsted med nøkkelen «${error.key}»` }, 'key');
      }
      throw error;
    }
  });

  app.put('/:siteId', manage, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const changes = await parseBody(c, siteChangesSchema);
    changedOrGone(await deps.sites.update(site, changes));
    await audit(c, deps, {
      action: 'site.update',
      siteId: site.id,
      target: site.key,
      // Only what changed, as it was before.
      detail: { ...changes, before: Object.fromEntries(Object.keys(changes).map((key) => [key, site[key as keyof typeof changes]])) },
    });
    return c.json(await summaryOf(c, deps, site.id));
  });

  app.put('/:siteId/archived', manage, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const { archived } = await parseBody(c, siteArchivedSchema);
    changedOrGone(await deps.sites.setArchived(site, archived));
    await audit(c, deps, { action: archived ? 'site.archive' : 'site.restore', siteId: site.id, target: site.key });
    return c.json(await summaryOf(c, deps, site.id));
  });

  app.get('/:siteId/install', manage, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    return c.json(installGuide(site, deps.config.publicUrl));
  });

  app.get('/:siteId/install/check', manage, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    // This process's latest counts first, so a decision made a moment ago is already in the answer.
    await deps.activity.flush();
    const activity = await readInstallActivity(deps.db, site.id, new Date(Date.now() - DAY_MS));
    // An origin refused before it was added is fixed: listing it for the rest of the day would only alarm.
    const refused = activity.refused.filter((row) => !deps.sites.allowsOrigin(site, row.origin));
    const check: InstallCheck = { allowedOrigins: site.allowedOrigins, archived: site.archivedAt !== null, ...activity, refused };
    return c.json(check);
  });
  return app;
}
