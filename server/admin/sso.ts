/**
 * /organisation/sso: the organisation's identity provider for staff sign-in. Admins set it; the client secret is
 * write-only (the answer says only whether one is stored), and every change is in the audit log.
 */
import { Hono } from 'hono';
import { z } from 'zod';
import { issuerProblem, oidcRedirectUri, type IdentityProviderSettings } from '../domain/identity-provider.ts';
import { ROLES, type Role } from '../domain/roles.ts';
import { ApiError } from '../errors.ts';
import { say } from '../i18n.ts';
import {
  deleteIdentityProvider,
  domainsClaimedElsewhere,
  getIdentityProvider,
  MissingClientSecretError,
  saveIdentityProvider,
} from '../queries/identity-providers.ts';
import type { AppDeps } from '../services.ts';
import { requirePermission } from './auth.ts';
import type { AdminEnv } from './env.ts';
import { discoverProvider, SignInFailure } from './oidc-client.ts';
import { audit } from './scope.ts';
import { parseBody } from './validate.ts';

/** What the dashboard shows; `configured` false means the defaults of a provider not saved yet. */
export interface SsoSettings {
  readonly configured: boolean;
  readonly enabled: boolean;
  readonly issuer: string;
  readonly clientId: string;
  readonly clientSecretSet: boolean;
  readonly defaultRole: Role;
  readonly emailDomains: readonly string[];
  readonly passwordsAllowed: boolean;
  /** What to register at the provider as the redirect (callback) URI. */
  readonly redirectUri: string;
  readonly updatedAt: Date | null;
}

const DOMAIN = /^(?=.{1,253}$)(?:[a-z0-9](?:[a-z0-9-]{0,61}[a-z0-9])?\.)+[a-z]{2,63}$/;

export const ssoSettingsSchema = z
  .strictObject({
    enabled: z.boolean(),
    issuer: z
      .string()
      .trim()
      .min(1)
      .max(500)
      .superRefine((issuer, context) => {
        const problem = issuerProblem(issuer);
        if (problem) context.addIssue({ code: 'custom', message: say(problem) });
      }),
    clientId: z.string().trim().min(1).max(500),
    /** Absent: keep the stored one. */
    clientSecret: z.string().min(1).max(2000).optional(),
    defaultRole: z.enum(ROLES),
    emailDomains: z
      .array(
        z
          .string()
          .trim()
          .toLowerCase()
          .regex(DOMAIN, { error: () => say({ en: 'must be a domain such as example.com, without @', nb: 'må være et domene som example.com, uten @' }) }),
      )
      .max(50),
    passwordsAllowed: z.boolean(),
  })
  .refine((settings) => settings.enabled || settings.passwordsAllowed, {
    path: ['passwordsAllowed'],
    error: () =>
      say({
        en: 'passwords can be turned off only while sign-in with the identity provider is on, or no one could sign in',
        nb: 'passord kan bare slås av mens innlogging via identitetsleverandøren er på, ellers kan ingen logge inn',
      }),
  });
export type SsoSettingsInput = z.input<typeof ssoSettingsSchema>;

function view(settings: IdentityProviderSettings | null, redirectUri: string): SsoSettings {
  return {
    configured: settings !== null,
    enabled: settings?.enabled ?? false,
    issuer: settings?.issuer ?? '',
    clientId: settings?.clientId ?? '',
    clientSecretSet: settings !== null,
    defaultRole: settings?.defaultRole ?? 'analyst',
    emailDomains: settings?.emailDomains ?? [],
    passwordsAllowed: settings?.passwordsAllowed ?? true,
    redirectUri,
    updatedAt: settings?.updatedAt ?? null,
  };
}

export function ssoRoutes(deps: AppDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  const redirectUri = oidcRedirectUri(deps.config.publicUrl);
  app.use(requirePermission('sso.manage'));

  app.get('/', async (c) => c.json(view(await getIdentityProvider(deps.db, c.get('user').organisationId), redirectUri)));

  app.put('/', async (c) => {
    const body = await parseBody(c, ssoSettingsSchema);
    const organisationId = c.get('user').organisationId;
    const claimed = await domainsClaimedElsewhere(deps.db, organisationId, body.emailDomains);
    if (claimed.length > 0) {
      throw new ApiError(
        409,
        'conflict',
        { en: `Another organisation signs in ${claimed.join(', ')} already`, nb: `En annen organisasjon logger allerede inn ${claimed.join(', ')}` },
        'emailDomains',
      );
    }
    // A provider that is switched on must answer now, not when the first colleague tries to sign in.
    if (body.enabled) {
      try {
        await discoverProvider({ issuer: body.issuer, clientId: body.clientId });
      } catch (error) {
        const problem = error instanceof SignInFailure ? error.problem : String(error);
        throw new ApiError(
          400,
          'invalid_body',
          {
            en: `issuer: could not read the provider's discovery document (${problem})`,
            nb: `issuer: fikk ikke lest leverandørens discovery-dokument (${problem})`,
          },
          'issuer',
        );
      }
    }
    let saved: IdentityProviderSettings;
    try {
      saved = await saveIdentityProvider(deps.db, organisationId, body);
    } catch (error) {
      if (error instanceof MissingClientSecretError) {
        throw new ApiError(400, 'invalid_body', { en: 'clientSecret: give the client secret the provider issued', nb: 'clientSecret: oppgi klienthemmeligheten leverandøren ga' }, 'clientSecret');
      }
      throw error;
    }
    const { clientSecret, ...shown } = body;
    await audit(c, deps, { action: 'sso.update', detail: { ...shown, clientSecretChanged: clientSecret !== undefined } });
    return c.json(view(saved, redirectUri));
  });

  app.delete('/', async (c) => {
    if (!(await deleteIdentityProvider(deps.db, c.get('user').organisationId))) {
      throw new ApiError(404, 'not_found', { en: 'Your organisation has no identity provider', nb: 'Organisasjonen din har ingen identitetsleverandør' });
    }
    await audit(c, deps, { action: 'sso.delete' });
    return c.body(null, 204);
  });
  return app;
}
