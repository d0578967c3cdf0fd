/**
 * The JSON the server answers with, as zod schemas for the OpenAPI document. The routes build their answers from
 * TypeScript wire types, not from these; each schema is tied to its wire type by wire() so the compiler keeps the
 * two the same, and the contract test checks every real answer against the document they become.
 */
import { z } from 'zod';
import type { CreatedApiKey } from '../admin/api-keys.ts';
import type { SsoSettings } from '../admin/sso.ts';
import { API_KEY_SCOPES, type ApiKey } from '../domain/api-keys.ts';
import type { BannerSettings } from '../domain/banner.ts';
import { BANNER_POSITIONS, LABEL_NAMES } from '../domain/banner.ts';
import { ACTIONS, CATEGORIES, LOCALES, SOURCES, SURFACES } from '../domain/consent.ts';
import { INVENTORY_KINDS, PARTIES, type InventoryItem } from '../domain/inventory.ts';
import type { Funnel, Goal } from '../domain/goals.ts';
import type { PolicyDiff } from '../domain/policy-diff.ts';
import { POLICY_STATES, type PolicyEntry, type PolicyVersion } from '../domain/policy.ts';
import { DELIVERY_STATUSES, REPORT_FREQUENCIES, REPORT_LANGUAGES, type ReportRecipient, type ReportSchedule } from '../domain/reports.ts';
import { PERMISSIONS, ROLES, type StaffUser } from '../domain/roles.ts';
import { SCAN_SCHEDULES, SCAN_TRIGGERS, SCAN_VISITS } from '../domain/scan.ts';
import type { ScanResult } from '../domain/scan-findings.ts';
import type { ShownContent } from '../domain/shown-content.ts';
import { CONSENT_DIMENSIONS, USAGE_METRICS, type BreakdownRow } from '../domain/stats.ts';
import type { ConsentReceipt, Declaration, EventsReceipt, HandedOffConsent, HandoffToken, LatestConsent, WidgetTexts } from '../contract.ts';
import type { ErrorBody } from '../errors.ts';
import type { Realtime } from '../queries/realtime.ts';
import type { DownloadRow, LinkRow, NotFoundRow, PageEngagementRow } from '../queries/engagement.ts';
import type {
  AuditLogItem,
  BannerState,
  ConsentRecordView,
  HistoryEntry,
  InstallCheck,
  InstallGuide,
  RecordDetail,
  Retention,
  ScanDetail,
  ScanSchedule,
  ScanSummary,
  SessionInfo,
  SetupStatus,
  SiteSummary,
} from '../admin/contract.ts';
import type { ConsentOverview } from '../admin/consent-stats.ts';
import type { FunnelReport } from '../admin/funnels.ts';
import type { GoalsReport } from '../admin/goals.ts';
import type { ReportsStatus, TestSendResponse } from '../admin/reports.ts';
import type { BreakdownPage, OVERVIEW_PANELS, UsageOverview } from '../admin/usage.ts';
import { OVERVIEW_PANELS as PANELS } from '../admin/usage.ts';
import { wire } from './wire.ts';

const time = z.iso.datetime({ offset: true }).describe('An instant as ISO 8601 (UTC)');
const localized = <T extends z.ZodType>(value: T) => z.object({ nb: value, nn: value.optional(), en: value });

// ---- Errors --------------------------------------------------------------------------------------------------------

const ERROR_CODES = [
  'invalid_body',
  'invalid_query',
  'invalid_path',
  'body_too_large',
  'unknown_site',
  'site_archived',
  'origin_not_allowed',
  'consent_required',
  'consent_stale',
  'rate_limited',
  'overloaded',
  'database_unavailable',
  'not_found',
  'unauthenticated',
  'forbidden',
  'csrf_failed',
  'conflict',
  'setup_token_invalid',
  'already_set_up',
  'internal',
] as const;

/** The one envelope every error is answered with (server/errors.ts), in the locale of Accept-Language. */
export const errorBody = wire<ErrorBody>()(
  z.object({
    error: z.object({
      code: z.enum(ERROR_CODES),
      message: z.string().describe('What went wrong and what to do, for a person to read'),
      field: z.string().optional().describe('The request field at fault, as a dotted path'),
    }),
  }),
);

// ---- Collector and public surfaces ---------------------------------------------------------------------------------

export const consentReceipt = wire<ConsentReceipt>()(
  z.union([
    z.object({ id: z.number().int(), seq: z.number().int(), hash: z.string(), recordedAt: time, stale: z.boolean() }).describe('201: stored and chained'),
    z.object({ journaled: z.literal(true), recordedAt: time, stale: z.boolean() }).describe('202: kept in the journal while the database does not answer'),
  ]),
);

export const eventsReceipt = wire<EventsReceipt>()(
  z.object({
    accepted: z.number().int(),
    clamped: z.number().int().optional(),
    ignored: z.object({ count: z.number().int(), reason: z.enum(['bot', 'signal_off']) }).optional(),
    journaled: z.literal(true).optional(),
  }),
);

export const health = z.object({ status: z.literal('ok') });

const choices = z.object({ functional: z.boolean(), analytics: z.boolean(), ads: z.boolean() });

export const handoffToken = wire<HandoffToken>()(
  z.object({ token: z.string().describe('Signed by the server: inject it into the WebView for the page to verify'), expiresAt: time }),
);

export const handedOffConsent = wire<HandedOffConsent>()(
  z
    .object({ id: z.string(), policyVersion: z.number().int(), choices, at: z.number().int().describe('When it was recorded, in ms since 1970-01-01 UTC') })
    .describe("The consent ID's latest decision, in the widget's own shape"),
);

export const latestConsent = wire<LatestConsent>()(
  z.object({
    consentId: z.string(),
    policyVersion: z.number().int(),
    choices,
    decidedAt: time,
    current: z.boolean().describe('False when the decision has lapsed: it grants nothing'),
  }),
);

const categoryText = z.object({ title: z.string(), description: z.string() });

const inventoryFields = {
  kind: z.enum(INVENTORY_KINDS),
  name: z.string(),
  namePattern: z.boolean(),
  provider: z.string(),
  party: z.enum(PARTIES),
  domain: z.string().nullable(),
  category: z.enum(CATEGORIES),
  purpose: localized(z.string()),
  retention: localized(z.string()),
  blocking: localized(z.string()),
};

/** An inventory item as the public declaration lists it, under its category. */
const declaredItem = z.object(inventoryFields).omit({ category: true });

export const declaration = wire<Declaration>()(
  z.object({
    site: z.object({ key: z.string(), name: z.string(), surface: z.enum(SURFACES) }),
    policyVersion: z.number().int(),
    publishedAt: time,
    categories: z.array(z.object({ category: z.enum(CATEGORIES), required: z.boolean(), texts: localized(categoryText), items: z.array(declaredItem) })),
  }),
);

const labelsWithoutGpc = z.object({
  acceptAll: z.string(),
  rejectAll: z.string(),
  choose: z.string(),
  save: z.string(),
  settings: z.string(),
  declaration: z.string(),
});

export const widgetTexts = wire<WidgetTexts>()(
  z.object({
    title: z.string(),
    body: z.string(),
    categories: z.object({ functional: categoryText, analytics: categoryText, ads: categoryText }),
    labels: labelsWithoutGpc.extend({ gpc: z.string().optional().describe('Sent only to browsers that send Sec-GPC: 1') }),
    shown: z.string().describe('SHA-256 of the content shown: send it with the decision'),
  }),
);

// ---- Session, set-up, users, sites -----------------------------------------------------------------------------------

export const staffUser = wire<StaffUser>()(
  z.object({
    id: z.number().int(),
    organisationId: z.number().int(),
    email: z.string(),
    name: z.string(),
    roles: z.array(z.enum(ROLES)),
    blockedAt: time.nullable(),
    createdAt: time,
  }),
);

const siteFeatures = z.object({
  consentMode: z.boolean(),
  declarationEmbed: z.boolean(),
  engagement: z.boolean(),
  outboundLinks: z.boolean(),
  fileDownloads: z.boolean(),
  notFoundPages: z.boolean(),
  appHandoff: z.boolean(),
});

export const siteSummary = wire<SiteSummary>()(
  z.object({
    id: z.number().int(),
    key: z.string(),
    name: z.string(),
    surface: z.enum(SURFACES),
    allowedOrigins: z.array(z.string()),
    archivedAt: time.nullable(),
    policyVersion: z.number().int().nullable(),
    features: siteFeatures,
  }),
);

export const sessionInfo = wire<SessionInfo>()(
  z.object({
    user: staffUser,
    permissions: z.array(z.enum(PERMISSIONS)),
    csrfToken: z.string().describe('Send it as X-CSRF-Token on every change'),
    sites: z.array(siteSummary),
  }),
);

export const setupStatus = wire<SetupStatus>()(z.object({ needed: z.boolean() }));

export const installGuide = wire<InstallGuide>()(
  z.object({
    siteKey: z.string(),
    surface: z.enum(SURFACES),
    publicUrl: z.string(),
    scriptUrl: z.string(),
    declarationUrl: z.string(),
    snippets: z.array(
      z.object({
        id: z.enum(['tag', 'csp', 'heldScript', 'pixel', 'iframe', 'settingsButton', 'declarationEmbed', 'appConsent', 'appEvents']),
        code: z.string(),
      }),
    ),
  }),
);

const sighting = z.object({ at: time, origin: z.string() });

export const installCheck = wire<InstallCheck>()(
  z.object({
    lastDecision: sighting.nullable(),
    lastEvent: sighting.nullable(),
    refused: z.array(z.object({ origin: z.string(), count: z.number().int(), lastAt: time })),
    allowedOrigins: z.array(z.string()),
    archived: z.boolean(),
  }),
);

// ---- Inventory, policies, banner -------------------------------------------------------------------------------------


export const inventoryItem = wire<InventoryItem>()(z.object({ id: z.number().int(), ...inventoryFields, retiredAt: time.nullable() }));

const policyTexts = z.object({
  title: z.string(),
  body: z.string(),
  categories: z.object({ functional: categoryText, analytics: categoryText, ads: categoryText }),
});
const policyRules = { texts: localized(policyTexts), functionalRequired: z.boolean(), consentLifetimeMonths: z.number().int() };

export const policyEntry = wire<PolicyEntry>()(
  z.object({
    id: z.number().int(),
    ...policyRules,
    version: z.number().int().nullable().describe('null for the draft'),
    state: z.enum(POLICY_STATES),
    material: z.boolean().nullable(),
    publishedAt: time.nullable(),
    publishedBy: z.string().nullable(),
    createdAt: time,
    updatedAt: time,
  }),
);

export const policyVersion = wire<PolicyVersion>()(
  z.object({ id: z.number().int(), ...policyRules, version: z.number().int(), publishedAt: time, publishedBy: z.string().nullable(), material: z.boolean() }),
);

export const policyDiff = wire<PolicyDiff>()(
  z.object({
    fields: z.array(
      z.object({
        locale: z.enum(LOCALES),
        field: z.string(),
        changed: z.boolean(),
        parts: z.array(z.object({ change: z.enum(['same', 'added', 'removed']), text: z.string() })),
      }),
    ),
    functionalRequired: z.object({ from: z.boolean(), to: z.boolean() }).nullable(),
    consentLifetimeMonths: z.object({ from: z.number().int(), to: z.number().int() }).nullable(),
  }),
);

const bannerTheme = z.object({
  accent: z.string(),
  background: z.string(),
  text: z.string(),
  position: z.enum(BANNER_POSITIONS),
  radius: z.number().int(),
  logoUrl: z.string().nullable(),
});
const allLabels = z.object(Object.fromEntries(LABEL_NAMES.map((name) => [name, z.string()])) as Record<(typeof LABEL_NAMES)[number], z.ZodString>);
const someLabels = allLabels.partial();

export const bannerSettings = wire<BannerSettings>()(
  z.object({ theme: bannerTheme, labels: z.object({ nb: someLabels.optional(), nn: someLabels.optional(), en: someLabels.optional() }) }),
);

export const bannerState = wire<BannerState>()(
  bannerSettings.extend({ defaults: z.object({ theme: bannerTheme, labels: z.object({ nb: allLabels, nn: allLabels, en: allLabels }) }) }),
);

// ---- Usage, engagement, goals, funnels, consent statistics -----------------------------------------------------------

const metricValues = z
  .object(Object.fromEntries(USAGE_METRICS.map((metric) => [metric, z.number().nullable().optional()])) as Record<(typeof USAGE_METRICS)[number], z.ZodOptional<z.ZodNullable<z.ZodNumber>>>)
  .describe('The figures asked for; null where a figure has no value (a rate without visits)');

export const breakdownRow = wire<BreakdownRow>()(z.object({ value: z.string().nullable(), metrics: metricValues }));

export const breakdownPage = wire<BreakdownPage>()(z.object({ rows: z.array(breakdownRow), hasMore: z.boolean() }));

export const usageOverview = wire<UsageOverview>()(
  z.object({
    range: z.object({ from: time, to: time }),
    granularity: z.enum(['hour', 'day']),
    totals: z.object({ current: metricValues, previous: metricValues }),
    timeseries: z.array(breakdownRow),
    panels: z.object(Object.fromEntries(PANELS.map((panel) => [panel, z.array(breakdownRow)])) as Record<(typeof OVERVIEW_PANELS)[number], z.ZodArray<typeof breakdownRow>>),
    consent: z.object({ decisions: z.number().int(), analyticsGranted: z.number().int() }),
  }),
);

export const realtime = wire<Realtime>()(
  z.object({ at: time, visitors: z.number().int(), pages: z.array(z.object({ path: z.string(), visitors: z.number().int() })) }),
);

const rows = <T extends z.ZodType>(row: T) => z.object({ rows: z.array(row) });

export const pageEngagementRows = wire<{ rows: PageEngagementRow[] }>()(
  rows(z.object({ path: z.string(), visits: z.number().int(), medianSeconds: z.number(), meanSeconds: z.number(), meanScroll: z.number().nullable() })),
);
const linkRow = z.object({ url: z.string(), host: z.string(), clicks: z.number().int(), visitors: z.number().int() });
export const linkRows = wire<{ rows: LinkRow[] }>()(rows(linkRow));
export const downloadRows = wire<{ rows: DownloadRow[] }>()(rows(linkRow.extend({ extension: z.string().nullable() })));
export const notFoundRows = wire<{ rows: NotFoundRow[] }>()(
  rows(z.object({ path: z.string(), referrer: z.string().nullable(), hits: z.number().int(), visitors: z.number().int() })),
);

const goalFields = { id: z.number().int(), name: z.string(), createdAt: time };
export const goal = wire<Goal>()(
  z.discriminatedUnion('kind', [
    z.object({ ...goalFields, kind: z.literal('pageview'), path: z.string() }),
    z.object({ ...goalFields, kind: z.literal('event'), eventName: z.string(), property: z.object({ key: z.string(), value: z.string() }).nullable() }),
  ]),
);

export const goalsReport = wire<GoalsReport>()(
  z.object({
    goals: z.array(goal),
    by: z.literal('adCampaign').nullable(),
    groups: z.array(
      z.object({
        value: z.string().nullable(),
        visitors: z.number().int(),
        goals: z.array(z.object({ goalId: z.number().int(), visitors: z.number().int(), conversions: z.number().int(), conversionRate: z.number().nullable() })),
      }),
    ),
  }),
);

export const funnel = wire<Funnel>()(z.object({ id: z.number().int(), name: z.string(), steps: z.array(z.number().int()), createdAt: time }));

export const funnelReport = wire<FunnelReport>()(
  z.object({
    funnel,
    steps: z.array(
      z.object({
        goalId: z.number().int(),
        name: z.string(),
        visitors: z.number().int(),
        fromFirst: z.number().nullable(),
        fromPrevious: z.number().nullable(),
        dropOff: z.number().int(),
      }),
    ),
  }),
);

const consentStatsRow = z.object({
  value: z.string(),
  decisions: z.number().int(),
  granted: z.object({ functional: z.number().int(), analytics: z.number().int(), ads: z.number().int() }),
  withdrawals: z.number().int(),
});

export const consentOverview = wire<ConsentOverview>()(
  z.object({
    ...(Object.fromEntries(CONSENT_DIMENSIONS.map((dimension) => [dimension, z.array(consentStatsRow)])) as Record<(typeof CONSENT_DIMENSIONS)[number], z.ZodArray<typeof consentStatsRow>>),
    range: z.object({ from: time, to: time }),
  }),
);

// ---- Scans and reports -------------------------------------------------------------------------------------------------

const findingBase = { key: z.string(), kind: z.enum(INVENTORY_KINDS), name: z.string(), domain: z.string().nullable(), pages: z.array(z.string()) };
const finding = z.discriminatedUnion('type', [
  z.object({
    ...findingBase,
    type: z.literal('undeclared'),
    party: z.enum(PARTIES),
    seenIn: z.array(z.enum(SCAN_VISITS)),
    suggestion: z
      .object({
        name: z.string(),
        platform: z.string(),
        category: z.enum(CATEGORIES),
        databaseCategory: z.string(),
        provider: z.string(),
        purpose: z.string(),
        retention: z.string(),
        privacyLink: z.string(),
        prefix: z.boolean(),
      })
      .nullable(),
    proposed: z.object(inventoryFields),
  }),
  z.object({
    ...findingBase,
    type: z.literal('violation'),
    visit: z.enum(['before_choice', 'after_reject']),
    category: z.enum(['analytics', 'ads', 'unknown']),
    itemId: z.number().int().nullable(),
    causes: z.array(z.string()),
  }),
  z.object({ ...findingBase, type: z.literal('declared_not_seen'), itemId: z.number().int() }),
  z.object({ ...findingBase, type: z.literal('expiry_mismatch'), itemId: z.number().int(), declared: z.string(), declaredSeconds: z.number(), observedSeconds: z.number() }),
]);

const scanResult = wire<ScanResult>()(
  z.object({
    pages: z.array(
      z.object({
        url: z.string(),
        finalUrl: z.string(),
        status: z.number().int().nullable(),
        banner: z.boolean(),
        visits: z.array(z.object({ visit: z.enum(SCAN_VISITS), cookies: z.array(z.string()), storage: z.array(z.string()), requests: z.array(z.string()) })),
      }),
    ),
    skipped: z.array(z.object({ url: z.string(), reason: z.enum(['robots', 'page_limit', 'time_limit', 'error']), message: z.string().optional() })),
    externalLinks: z.number().int(),
    findings: z.array(finding),
    added: z.array(z.string()).nullable(),
    resolved: z.array(finding).nullable(),
    suggestionsUnavailable: z.string().nullable(),
  }),
);

export const scanSummary = wire<ScanSummary>()(
  z.object({
    id: z.number().int(),
    status: z.enum(['queued', 'running', 'done', 'failed']),
    trigger: z.enum(SCAN_TRIGGERS),
    startedBy: z.string().nullable(),
    createdAt: time,
    startedAt: time.nullable(),
    finishedAt: time.nullable(),
    startUrls: z.array(z.string()),
    pageLimit: z.number().int(),
    pagesScanned: z.number().int(),
    counts: z
      .object({
        violation: z.number().int(),
        undeclared: z.number().int(),
        expiry_mismatch: z.number().int(),
        declared_not_seen: z.number().int(),
        added: z.number().int().nullable(),
        resolved: z.number().int().nullable(),
      })
      .nullable(),
    error: z.string().nullable(),
  }),
);

export const scanDetail = wire<ScanDetail>()(scanSummary.extend({ currentPage: z.string().nullable(), result: scanResult.nullable() }));

export const scanSchedule = wire<ScanSchedule>()(
  z.object({ schedule: z.enum(SCAN_SCHEDULES), urls: z.array(z.string()), pageLimit: z.number().int(), nextAt: time.nullable() }),
);

export const reportSchedule = wire<ReportSchedule>()(
  z.object({ siteId: z.number().int(), frequency: z.enum(REPORT_FREQUENCIES), language: z.enum(REPORT_LANGUAGES), nextSendAt: time.nullable() }),
);

export const reportRecipient = wire<ReportRecipient>()(
  z.object({ id: z.number().int(), email: z.string(), createdAt: time, unsubscribedAt: time.nullable() }),
);

export const reportsStatus = wire<ReportsStatus>()(
  z.object({
    smtpConfigured: z.boolean(),
    schedule: reportSchedule,
    recipients: z.array(reportRecipient),
    deliveries: z.array(
      z.object({
        id: z.number().int(),
        recipientId: z.number().int(),
        email: z.string(),
        frequency: z.enum(['weekly', 'monthly']),
        period: z.object({ from: time, to: time }),
        status: z.enum(DELIVERY_STATUSES),
        attempts: z.number().int(),
        lastAttemptAt: time.nullable(),
        lastError: z.string().nullable(),
        nextAttemptAt: time.nullable(),
        sentAt: time.nullable(),
      }),
    ),
  }),
);

export const testSendResponse = wire<TestSendResponse>()(z.object({ results: z.array(z.object({ email: z.string(), error: z.string().nullable() })) }));

// ---- Records, subjects, organisation ---------------------------------------------------------------------------------

export const consentRecordView = wire<ConsentRecordView>()(
  z.object({
    id: z.number().int(),
    siteKey: z.string(),
    siteId: z.number().int(),
    seq: z.number().int(),
    consentId: z.string(),
    policyVersion: z.number().int(),
    functional: z.boolean(),
    analytics: z.boolean(),
    ads: z.boolean(),
    action: z.enum(ACTIONS),
    source: z.enum(SOURCES),
    locale: z.string(),
    pageUrl: z.string().nullable(),
    browser: z.string().nullable(),
    os: z.string().nullable(),
    device: z.string(),
    account: z.string().nullable(),
    recordedAt: time,
    clientHash: z.string(),
    shownHash: z.string().nullable(),
    gpc: z.boolean().nullable(),
    stale: z.boolean(),
    prevHash: z.string(),
    hash: z.string(),
  }),
);

export const historyEntry = wire<HistoryEntry>()(consentRecordView.extend({ chain: z.enum(['verified', 'altered', 'unlinked']) }));

const shownContent = wire<ShownContent>()(
  z.object({
    format: z.literal(1),
    site: z.string(),
    policyVersion: z.number().int(),
    locale: z.enum(LOCALES),
    title: z.string(),
    body: z.string(),
    labels: allLabels,
    categories: z.array(
      z.object({
        category: z.enum(CATEGORIES),
        required: z.boolean(),
        title: z.string(),
        description: z.string(),
        items: z.array(declaredItem.extend({ purpose: z.string(), retention: z.string(), blocking: z.string() })),
      }),
    ),
  }),
);

export const recordDetail = wire<RecordDetail>()(
  z.object({ record: historyEntry, shown: z.object({ hash: z.string(), matches: z.boolean(), content: shownContent.nullable() }).nullable() }),
);

export const chainStatus = z.object({
  site: z.string(),
  checked: z.number().int(),
  intact: z.boolean(),
  problem: z.string().nullable().describe('Where the chain breaks, in words; null when intact'),
});

export const subjectOverview = z.object({ consentId: z.string(), records: z.array(historyEntry), eventCount: z.number().int() });
export const subjectErasure = z.object({ consentId: z.string(), erased: z.number().int() });

export const retention = wire<Retention>()(z.object({ eventRetentionDays: z.number().int(), consentRetentionDays: z.number().int() }));

export const auditLogItem = wire<AuditLogItem>()(
  z.object({
    id: z.number().int(),
    occurredAt: time,
    userEmail: z.string().nullable(),
    apiKey: z.string().nullable().describe('The API key that acted, as `name (sk_prefix)`'),
    action: z.string(),
    siteKey: z.string().nullable(),
    target: z.string().nullable(),
    detail: z.record(z.string(), z.unknown()).nullable(),
  }),
);

export const apiKey = wire<ApiKey>()(
  z.object({
    id: z.number().int(),
    organisationId: z.number().int(),
    name: z.string(),
    prefix: z.string().describe('The public part of the key (sk_<prefix>_…), shown in lists and the audit log'),
    scopes: z.array(z.enum(API_KEY_SCOPES)),
    siteId: z.number().int().nullable().describe('The one site the key reaches; null for every site of the organisation'),
    expiresAt: time.nullable(),
    createdBy: z.number().int().nullable(),
    createdAt: time,
    revokedAt: time.nullable(),
    lastUsedAt: time.nullable(),
  }),
);

export const ssoSettings = wire<SsoSettings>()(
  z.object({
    configured: z.boolean().describe('False until a provider is saved; the other fields are then the defaults'),
    enabled: z.boolean(),
    issuer: z.string(),
    clientId: z.string(),
    clientSecretSet: z.boolean().describe('Whether a client secret is stored; the secret itself is never sent'),
    defaultRole: z.enum(ROLES),
    emailDomains: z.array(z.string()),
    passwordsAllowed: z.boolean(),
    redirectUri: z.string().describe('The redirect URI to register at the provider'),
    updatedAt: time.nullable(),
  }),
);

export const createdApiKey = wire<CreatedApiKey>()(
  z.object({ apiKey, secret: z.string().describe('The whole key, sk_<prefix>_<secret>: in this answer only, never again') }),
);
