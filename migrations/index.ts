/** Every migration by name, in a static map so bundlers and PGlite need no file-system scan. */
import type { Migration } from 'kysely';
import * as core from './2026-11-25T0000-core.ts';
import * as accounts from './2026-11-25T0100-accounts.ts';
import * as chainAnchor from './2026-11-25T0200-chain-anchor.ts';
import * as onboarding from './2026-12-01T0000-onboarding.ts';
import * as bannerAndEvidence from './2026-12-01T0100-banner-and-evidence.ts';
import * as usageRollups from './2026-12-01T0200-usage-rollups.ts';
import * as distributionKeys from './2026-12-01T0300-distribution-keys.ts';
import * as scans from './2026-12-06T0000-scans.ts';
import * as countries from './2026-12-06T0100-countries.ts';
import * as engagement from './2026-12-06T0200-engagement.ts';
import * as goalsAndFunnels from './2026-12-06T0300-goals-and-funnels.ts';
import * as emailReports from './2026-12-06T0400-email-reports.ts';
import * as apiKeys from './2026-12-06T0500-api-keys.ts';
import * as identityProviders from './2026-12-06T0600-identity-providers.ts';
import * as appHandoff from './2026-12-06T0700-app-handoff.ts';

export const migrations: Record<string, Migration> = {
  '2026-11-25T0000-core': core,
  '2026-11-25T0100-accounts': accounts,
  '2026-11-25T0200-chain-anchor': chainAnchor,
  '2026-12-01T0000-onboarding': onboarding,
  '2026-12-01T0100-banner-and-evidence': bannerAndEvidence,
  '2026-12-01T0200-usage-rollups': usageRollups,
  '2026-12-01T0300-distribution-keys': distributionKeys,
  '2026-12-06T0000-scans': scans,
  '2026-12-06T0100-countries': countries,
  '2026-12-06T0200-engagement': engagement,
  '2026-12-06T0300-goals-and-funnels': goalsAndFunnels,
  '2026-12-06T0400-email-reports': emailReports,
  '2026-12-06T0500-api-keys': apiKeys,
  '2026-12-06T0600-identity-providers': identityProviders,
  '2026-12-06T0700-app-handoff': appHandoff,
};
