/**
 * /sites/:siteId/banner: a site's banner appearance (theme and labels), refused when a colour pair fails WCAG AA;
 * /sites/:siteId/preview: both layers exactly as the widget renders them, for any policy version and unsaved theme.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { BANNER_POSITIONS, contrastProblems, DEFAULT_BANNER, DEFAULT_LABELS, LABEL_NAMES, MAX_RADIUS, type BannerSettings } from '../domain/banner.ts';
import { LOCALES } from '../domain/consent.ts';
import { ApiError } from '../errors.ts';
import { say } from '../i18n.ts';
import { findPolicyEntry } from '../queries/policies.ts';
import type { AppDeps } from '../services.ts';
import { previewPage } from '../widget/preview.ts';
import { configFor, servedLocale } from '../widget/site-config.ts';
import { requirePermission } from './auth.ts';
import type { BannerState } from './contract.ts';
import type { AdminEnv } from './env.ts';
import { audit, ownedSite } from './scope.ts';
import { text } from './texts.ts';
import { parseBody, parseQuery, pathId, queryInteger } from './validate.ts';

const colour = z
  .string()
  .regex(/^#[0-9a-fA-F]{6}$/, { error: () => say({ en: 'must be a colour such as #1f3a5f', nb: 'må være en farge som #1f3a5f' }) })
  .transform((value) => value.toLowerCase());

const logoUrl = z
  .string()
  .max(2048)
  .refine((value) => URL.canParse(value) && /^https?:$/.test(new URL(value).protocol), {
    error: () => say({ en: 'must be an absolute http(s) URL', nb: 'må være en fullstendig http(s)-adresse' }),
  });

const themeSchema = z.strictObject({
  accent: colour,
  background: colour,
  text: colour,
  position: z.enum(BANNER_POSITIONS),
  radius: z.number().int().min(0).max(MAX_RADIUS),
  logoUrl: logoUrl.nullable(),
});

const labelsSchema = z.strictObject(
  Object.fromEntries(
    LOCALES.map((locale) => [locale, z.strictObject(Object.fromEntries(LABEL_NAMES.map((name) => [name, text(200).optional()]))).optional()]),
  ) as Record<(typeof LOCALES)[number], z.ZodOptional<z.ZodObject<Record<(typeof LABEL_NAMES)[number], z.ZodOptional<ReturnType<typeof text>>>>>>,
);

export const bannerSchema = z.strictObject({ theme: themeSchema, labels: labelsSchema.default({}) }) satisfies z.ZodType<BannerSettings, unknown>;

export const previewQuery = z.object({
  lang: z.enum(LOCALES).default('nb'),
  layer: z.enum(['notice', 'preferences']).default('notice'),
  /** A policy version or draft of the site; the version in force when absent. */
  policy: queryInteger.optional(),
  /** Unsaved banner settings as JSON; the saved ones when absent. */
  banner: z
    .string()
    .max(8_000)
    .transform((value, ctx) => {
      try {
        return JSON.parse(value) as unknown;
      } catch {
        ctx.addIssue({ code: 'custom', message: say({ en: 'must be JSON', nb: 'må være JSON' }) });
        return z.NEVER;
      }
    })
    .pipe(bannerSchema)
    .optional(),
});

export function bannerRoutes(deps: AppDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  // Per route: these routes share the /sites prefix with sub-apps other roles may read.
  const manage = requirePermission('sites.manage');

  app.get('/:siteId/banner', manage, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    return c.json({ ...site.banner, defaults: { theme: DEFAULT_BANNER.theme, labels: DEFAULT_LABELS } } satisfies BannerState);
  });

  app.put('/:siteId/banner', manage, async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const banner = await parseBody(c, bannerSchema);
    const problems = contrastProblems(banner.theme);
    if (problems.length > 0) {
      throw new ApiError(400, 'invalid_body', { en: problems.map((p) => p.en).join('; '), nb: problems.map((p) => p.nb).join('; ') }, 'theme');
    }
    const updated = await deps.sites.update(site, { banner });
    if (!updated) throw new ApiError(404, 'not_found', { en: 'The site no longer exists', nb: 'Nettstedet finnes ikke lenger' });
    await audit(c, deps, { action: 'site.banner', siteId: site.id, target: site.key, detail: { ...banner, before: site.banner } });
    return c.json(updated.banner);
  });

  app.get('/:siteId/preview', requirePermission('policies.read'), async (c) => {
    const site = await ownedSite(c, deps, pathId(c, 'siteId'));
    const query = parseQuery(c, previewQuery);
    const banner = query.banner ?? site.banner;
    const entry = query.policy !== undefined ? await findPolicyEntry(deps.db, site.id, query.policy) : null;
    if (query.policy !== undefined && !entry) {
      throw new ApiError(404, 'not_found', { en: `Site ${site.key} has no policy version ${query.policy}`, nb: `${site.key} har ingen versjon ${query.policy}` });
    }
    const current = site.policy;
    const rules = entry ?? current;
    if (!rules) throw new ApiError(409, 'conflict', { en: 'The site has no policy version to preview', nb: 'Nettstedet har ingen versjon å forhåndsvise' });
    // A draft is shown under the number it would get.
    const version = entry?.version ?? (entry ? (current?.version ?? 0) + 1 : current!.version);
    const policy = { ...rules, version, askedSince: version };
    const shown = await deps.sites.shownUnder(site, policy, banner);
    // The locale a page in `lang` gets: Bokmål on a Nynorsk page when the version has no Nynorsk.
    const locale = servedLocale(rules, query.lang, undefined);
    const config = configFor({ site, banner, policy, inventory: await deps.sites.inventory(site), shown }, locale);
    return previewPage(c, config, site.features, query.lang, query.layer);
  });
  return app;
}
