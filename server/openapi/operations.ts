/**
 * Every documented route, one entry each, with the schemas the route itself parses with. A route added to the app
 * without an entry here fails test/server/openapi-contract.test.ts; so does an entry whose route answers otherwise.
 */
import { z } from 'zod';
import { bannerSchema, previewQuery } from '../admin/banner.ts';
import { exportSchema, siteQuery } from '../admin/consent-stats.ts';
import { panelSchema } from '../admin/engagement.ts';
import { funnelSchema } from '../admin/funnels.ts';
import { conversionsSchema, goalSchema } from '../admin/goals.ts';
import { inventoryItemSchema } from '../admin/inventory.ts';
import { newApiKeySchema } from '../admin/api-keys.ts';
import { auditQuery, retentionSchema } from '../admin/organisation.ts';
import { periodSchema } from '../admin/period.ts';
import { policyDiffQuery, publishSchema, rulesSchema } from '../admin/policies.ts';
import { contentsQuery, recordPageSchema, searchSchema } from '../admin/records.ts';
import { recipientSchema, scheduleSchema as reportScheduleSchema, testSchema } from '../admin/reports.ts';
import { scheduleSchema as scanScheduleSchema, startScanSchema } from '../admin/scans.ts';
import { loginSchema } from '../admin/session.ts';
import { oidcStartSchema } from '../admin/oidc-login.ts';
import { ssoSettingsSchema } from '../admin/sso.ts';
import { setupSchema } from '../admin/setup.ts';
import { newSiteSchema, siteArchivedSchema, siteChangesSchema } from '../admin/sites.ts';
import { consentIdSchema } from '../admin/subjects.ts';
import { breakdownSchema, formatSchema } from '../admin/usage.ts';
import { newUserSchema, userBlockedSchema, userRolesSchema } from '../admin/users.ts';
import { consentRequestSchema, eventsRequestSchema, pixelQuerySchema, siteKey } from '../collector/validation.ts';
import { handoffRequestSchema, handoffVerifyRequestSchema, latestConsentRequestSchema } from '../handoff/routes.ts';
import { LOCALES } from '../domain/consent.ts';
import type { Operation, Reply } from './registry.ts';
import * as r from './responses.ts';

// ---- Shorthands ------------------------------------------------------------------------------------------------------

const json = (schema: z.ZodType, description: string): Reply => ({ description, json: schema });
const list = (schema: z.ZodType, description: string): Reply => ({ description, json: z.array(schema) });
const noContent: Reply = { description: 'Done; no body' };
/** Routes with `format=csv` answer a spreadsheet instead of the JSON. */
const orCsv = (reply: Reply): Reply => ({ ...reply, other: { 'text/csv': 'With format=csv: the same figures as a spreadsheet (a download)' } });

/**
 * `lang` of the public pages and scripts: read leniently, not refused (an unknown value falls back to the browser's
 * Accept-Language, then Bokmål), so there is no zod schema in the route to reuse.
 */
const langQuery = z.object({ lang: z.enum(LOCALES).optional().describe('The locale to serve; unknown values fall back to Accept-Language, then nb') });
const sitePath = { key: siteKey };
const scriptRevalidation: Reply = { description: 'Not modified since the ETag sent in If-None-Match' };

// ---- Collector and public surfaces -----------------------------------------------------------------------------------

const collector: Operation[] = [
  {
    method: 'post',
    path: '/api/consent',
    tag: 'collector',
    access: 'public',
    summary: 'Record a consent decision',
    description:
      'Sent by the widget, an app or a server. Pages of the site\'s allowed origins may call it cross-origin; the body may be sent as text/plain (sendBeacon).',
    body: consentRequestSchema,
    plainTextBody: true,
    responses: {
      201: json(r.consentReceipt, 'Stored and chained'),
      202: json(r.consentReceipt, 'Kept in the journal while the database does not answer; it will be chained with this time'),
    },
    errors: [400, 403, 404, 409, 410, 413, 429, 503],
  },
  {
    method: 'post',
    path: '/api/events',
    tag: 'collector',
    access: 'public',
    summary: 'Send analytics events (with analytics consent)',
    description: 'Up to 100 events per request. Events carry the client\'s own times (`time`, corrected by `sentAt`), so a queue may send them later.',
    body: eventsRequestSchema,
    plainTextBody: true,
    responses: { 202: json(r.eventsReceipt, 'Accepted (bot traffic too, counted as ignored)') },
    errors: [400, 403, 404, 409, 410, 413, 429, 503],
  },
  {
    method: 'get',
    path: '/p.gif',
    tag: 'collector',
    access: 'public',
    summary: 'Tracking pixel: a pageview or named event without JavaScript',
    query: [pixelQuerySchema],
    responses: {
      200: { description: 'Recorded (or ignored as a bot)', other: { 'image/gif': 'A transparent 1×1 GIF' } },
      default: {
        description: 'Refused: still the image, with the error status, and `X-Samtykke-Error: <code>: <message>` (Retry-After on 429/503)',
        other: { 'image/gif': 'A transparent 1×1 GIF' },
      },
    },
  },
  {
    method: 'post',
    path: '/api/handoff',
    tag: 'collector',
    access: 'public',
    summary: 'A signed hand-off of a consent ID\'s decision, for a web page the app opens in a WebView',
    description: 'Answers from the decision the server has stored, never from choices sent. Apps send no Origin; pages only from the site\'s allowed origins.',
    body: handoffRequestSchema,
    plainTextBody: true,
    responses: { 201: json(r.handoffToken, 'The token to inject, and until when it is valid') },
    errors: [400, 403, 404, 409, 413],
  },
  {
    method: 'post',
    path: '/api/handoff/verify',
    tag: 'collector',
    access: 'public',
    summary: 'Check a hand-off token (the widget in the WebView): the consent ID\'s latest decision',
    body: handoffVerifyRequestSchema,
    plainTextBody: true,
    responses: { 200: json(r.handedOffConsent, 'The decision to adopt') },
    errors: [400, 403, 404, 409, 413],
  },
  {
    method: 'post',
    path: '/api/consent/latest',
    tag: 'collector',
    access: 'public',
    summary: "A consent ID's latest decision (the app reads a change made on a page)",
    body: latestConsentRequestSchema,
    plainTextBody: true,
    responses: { 200: json(r.latestConsent, 'The latest decision, and whether it still grants anything') },
    errors: [400, 403, 404, 413],
  },
  {
    method: 'get',
    path: '/api/sites/:key/declaration',
    tag: 'public',
    access: 'public',
    summary: "A site's published cookie and pixel declaration",
    pathParams: sitePath,
    responses: { 200: json(r.declaration, 'The declaration in every locale') },
    errors: [404],
  },
  {
    method: 'get',
    path: '/sites/:key/cookies',
    tag: 'public',
    access: 'public',
    summary: "A site's cookie declaration as a page",
    pathParams: sitePath,
    query: [langQuery],
    responses: { 200: { description: 'The declaration page', other: { 'text/html': 'A page in the asked locale' } } },
    errors: [404],
  },
  {
    method: 'get',
    path: '/sites/:key/widget.js',
    tag: 'public',
    access: 'public',
    summary: 'The banner script, with the site\'s configuration inlined',
    pathParams: sitePath,
    query: [langQuery],
    responses: { 200: { description: 'The script', other: { 'text/javascript': 'The widget bundle' } }, 304: scriptRevalidation },
    errors: [404],
  },
  {
    method: 'get',
    path: '/sites/:key/texts.json',
    tag: 'public',
    access: 'public',
    summary: "The banner's texts in another locale than the script inlines",
    pathParams: sitePath,
    query: [langQuery],
    responses: { 200: json(r.widgetTexts, 'The texts of one locale, with the hash of what is shown'), 304: scriptRevalidation },
    errors: [404],
  },
  {
    method: 'get',
    path: '/sites/:key/declaration.js',
    tag: 'public',
    access: 'public',
    summary: 'The declaration embed, for `<div data-samtykke-declaration>`',
    pathParams: sitePath,
    query: [langQuery],
    responses: { 200: { description: 'The script', other: { 'text/javascript': 'The embed' } }, 304: scriptRevalidation },
    errors: [404],
  },
  {
    method: 'get',
    path: '/healthz',
    tag: 'operations',
    access: 'public',
    summary: 'Whether the server and its database answer',
    responses: { 200: json(r.health, 'Healthy') },
    errors: [503],
  },
  {
    method: 'get',
    path: '/metrics',
    tag: 'operations',
    access: 'metrics',
    summary: 'Prometheus metrics',
    responses: { 200: { description: 'The metrics', other: { 'text/plain': 'Prometheus text format' } } },
    errors: [403],
  },
  {
    method: 'get',
    path: '/api/openapi.json',
    tag: 'reference',
    access: 'public',
    summary: 'This OpenAPI 3.1 document',
    responses: { 200: json(z.object({ openapi: z.string() }).loose(), 'The document') },
  },
  {
    method: 'get',
    path: '/api/docs',
    tag: 'reference',
    access: 'public',
    summary: 'The API reference as a page',
    responses: { 200: { description: 'The reference page', other: { 'text/html': 'Every operation by tag, with its parameters and schemas' } } },
  },
];

// ---- Admin API: session and set-up, users, sites ---------------------------------------------------------------------

const admin = '/api/admin';
const site = `${admin}/sites/:siteId`;

const session: Operation[] = [
  {
    method: 'post',
    path: `${admin}/session/login`,
    tag: 'session',
    access: 'public',
    summary: 'Sign in with email and password',
    description: 'Sets the session cookie; the answer carries the CSRF token to send as X-CSRF-Token on every change.',
    body: loginSchema,
    responses: { 200: json(r.sessionInfo, 'Signed in') },
    errors: [400, 401, 403, 429],
  },
  {
    method: 'get',
    path: `${admin}/setup`,
    tag: 'session',
    access: 'public',
    summary: 'Whether the first run still needs setting up',
    responses: { 200: json(r.setupStatus, 'The status') },
  },
  {
    method: 'post',
    path: `${admin}/setup`,
    tag: 'session',
    access: 'public',
    summary: 'Set up the organisation and its first admin (with the printed token)',
    body: setupSchema,
    responses: { 201: json(r.sessionInfo, 'Set up and signed in') },
    errors: [400, 403, 409],
  },
  { method: 'get', path: `${admin}/session`, tag: 'session', access: 'session', summary: 'Who is signed in', responses: { 200: json(r.sessionInfo, 'The session') } },
  { method: 'post', path: `${admin}/session/logout`, tag: 'session', access: 'session', summary: 'Sign out', responses: { 204: noContent } },
  {
    method: 'get',
    path: `${admin}/session/oidc/start`,
    tag: 'session',
    access: 'public',
    summary: "Sign in through the organisation's identity provider (a page to navigate to)",
    description:
      'Finds the organisation by the address (its SSO email domains, or an account with that address) and redirects to its OpenID Connect provider with a PKCE challenge (S256), state and nonce; without one, back to /dashboard/?sso_error=no_provider.',
    query: [oidcStartSchema],
    responses: { 302: { description: 'To the provider, or back to the sign-in page with sso_error' } },
    errors: [400, 429],
  },
  {
    method: 'get',
    path: `${admin}/session/oidc/callback`,
    tag: 'session',
    access: 'public',
    summary: 'Where the identity provider sends the browser back (the redirect URI to register there)',
    description:
      'Exchanges the code, validates the ID token (signature, issuer, audience, expiry, nonce), matches the account by email or creates it with the default role, sets the session cookie and redirects to /dashboard/. A failure redirects to /dashboard/?sso_error=<reason>.',
    responses: { 302: { description: 'To /dashboard/ signed in, or to /dashboard/?sso_error=<reason>' } },
  },
];

const users: Operation[] = [
  { method: 'get', path: `${admin}/users`, tag: 'users', access: 'session', permission: 'users.manage', summary: 'List the users', responses: { 200: list(r.staffUser, 'The users') } },
  {
    method: 'post',
    path: `${admin}/users`,
    tag: 'users',
    access: 'session',
    permission: 'users.manage',
    summary: 'Add a user',
    body: newUserSchema,
    responses: { 201: json(r.staffUser, 'Added') },
    errors: [409],
  },
  {
    method: 'put',
    path: `${admin}/users/:userId/roles`,
    tag: 'users',
    access: 'session',
    permission: 'users.manage',
    summary: "Change a user's roles",
    body: userRolesSchema,
    responses: { 200: json(r.staffUser, 'Changed') },
  },
  {
    method: 'put',
    path: `${admin}/users/:userId/blocked`,
    tag: 'users',
    access: 'session',
    permission: 'users.manage',
    summary: 'Block or unblock a user (at once)',
    body: userBlockedSchema,
    responses: { 200: json(r.staffUser, 'Changed') },
    errors: [409],
  },
];

const sites: Operation[] = [
  { method: 'get', path: `${admin}/sites`, tag: 'sites', access: 'session', permission: 'sites.read', summary: 'List the sites', responses: { 200: list(r.siteSummary, 'The sites') } },
  {
    method: 'post',
    path: `${admin}/sites`,
    tag: 'sites',
    access: 'session',
    permission: 'sites.manage',
    summary: 'Create a site (with a first policy version from the template)',
    body: newSiteSchema,
    responses: { 201: json(r.siteSummary, 'Created') },
    errors: [409],
  },
  {
    method: 'put',
    path: site,
    tag: 'sites',
    access: 'session',
    permission: 'sites.manage',
    summary: 'Rename a site, set its allowed origins or features',
    body: siteChangesSchema,
    responses: { 200: json(r.siteSummary, 'Changed') },
  },
  {
    method: 'put',
    path: `${site}/archived`,
    tag: 'sites',
    access: 'session',
    permission: 'sites.manage',
    summary: 'Archive or restore a site',
    body: siteArchivedSchema,
    responses: { 200: json(r.siteSummary, 'Changed') },
  },
  { method: 'get', path: `${site}/install`, tag: 'sites', access: 'session', permission: 'sites.manage', summary: 'The snippets to install the site', responses: { 200: json(r.installGuide, 'The guide') } },
  {
    method: 'get',
    path: `${site}/install/check`,
    tag: 'sites',
    access: 'session',
    permission: 'sites.manage',
    summary: "Whether the site's pages reach the collector",
    responses: { 200: json(r.installCheck, 'The last day of activity') },
  },
  { method: 'get', path: `${site}/inventory`, tag: 'sites', access: 'session', permission: 'sites.manage', summary: 'The declared cookies, storage, pixels and scripts', responses: { 200: list(r.inventoryItem, 'Every item, retired ones too') } },
  { method: 'post', path: `${site}/inventory`, tag: 'sites', access: 'session', permission: 'sites.manage', summary: 'Declare an item', body: inventoryItemSchema, responses: { 201: json(r.inventoryItem, 'Declared') } },
  { method: 'put', path: `${site}/inventory/:itemId`, tag: 'sites', access: 'session', permission: 'sites.manage', summary: 'Change an item', body: inventoryItemSchema, responses: { 200: json(r.inventoryItem, 'Changed') } },
  { method: 'delete', path: `${site}/inventory/:itemId`, tag: 'sites', access: 'session', permission: 'sites.manage', summary: 'Retire an item', responses: { 200: json(r.inventoryItem, 'Retired') } },
  { method: 'get', path: `${site}/policies`, tag: 'sites', access: 'session', permission: 'policies.read', summary: 'The policy versions (the draft first)', responses: { 200: list(r.policyEntry, 'Every version') } },
  {
    method: 'get',
    path: `${site}/policies/diff`,
    tag: 'sites',
    access: 'session',
    permission: 'policies.read',
    summary: 'A word diff of two versions (by id)',
    query: [policyDiffQuery],
    responses: { 200: json(r.policyDiff, 'The diff') },
  },
  {
    method: 'post',
    path: `${site}/policies`,
    tag: 'sites',
    access: 'session',
    permission: 'sites.manage',
    summary: 'Start the draft',
    body: rulesSchema,
    responses: { 201: json(r.policyEntry, 'The draft') },
    errors: [409],
  },
  {
    method: 'put',
    path: `${site}/policies/:policyId`,
    tag: 'sites',
    access: 'session',
    permission: 'sites.manage',
    summary: 'Change the draft',
    body: rulesSchema,
    responses: { 200: json(r.policyEntry, 'The draft') },
    errors: [409],
  },
  { method: 'delete', path: `${site}/policies/:policyId`, tag: 'sites', access: 'session', permission: 'sites.manage', summary: 'Discard the draft', responses: { 204: noContent }, errors: [409] },
  {
    method: 'post',
    path: `${site}/policies/:policyId/publish`,
    tag: 'sites',
    access: 'session',
    permission: 'sites.manage',
    summary: 'Publish the draft, as a material change (asks again) or a wording fix',
    body: publishSchema,
    responses: { 201: json(r.policyVersion, 'Published') },
    errors: [409],
  },
  { method: 'get', path: `${site}/banner`, tag: 'sites', access: 'session', permission: 'sites.manage', summary: "The banner's theme and labels, with the defaults", responses: { 200: json(r.bannerState, 'The banner') } },
  {
    method: 'put',
    path: `${site}/banner`,
    tag: 'sites',
    access: 'session',
    permission: 'sites.manage',
    summary: "Set the banner's theme and labels (colours must pass WCAG AA)",
    body: bannerSchema,
    responses: { 200: json(r.bannerSettings, 'Saved') },
  },
  {
    method: 'get',
    path: `${site}/preview`,
    tag: 'sites',
    access: 'session',
    permission: 'policies.read',
    summary: 'The banner as the widget renders it, for any version and unsaved theme',
    query: [previewQuery],
    responses: { 200: { description: 'The preview', other: { 'text/html': 'A page showing one layer of the banner' } } },
    errors: [409],
  },
];

// ---- Admin API: usage analytics ----------------------------------------------------------------------------------------

const usage: Operation[] = [
  {
    method: 'get',
    path: `${site}/usage/overview`,
    tag: 'usage',
    access: 'session',
    permission: 'usage.read',
    summary: 'The overview: totals against the period before, the chart and every panel',
    query: [periodSchema],
    filters: true,
    responses: { 200: json(r.usageOverview, 'The overview') },
  },
  {
    method: 'get',
    path: `${site}/usage/breakdown`,
    tag: 'usage',
    access: 'session',
    permission: 'usage.read',
    summary: 'One breakdown by a dimension (or `prop:<key>`), paged and sorted',
    query: [periodSchema, breakdownSchema],
    filters: true,
    responses: { 200: orCsv(json(r.breakdownPage, 'One page of rows')) },
  },
  {
    method: 'get',
    path: `${site}/usage/timeseries`,
    tag: 'usage',
    access: 'session',
    permission: 'usage.read',
    summary: "The chart's figures per hour or day",
    query: [periodSchema, formatSchema],
    filters: true,
    responses: { 200: orCsv(list(r.breakdownRow, 'A row per time bucket')) },
  },
  {
    method: 'get',
    path: `${site}/usage/realtime`,
    tag: 'usage',
    access: 'session',
    permission: 'usage.read',
    summary: 'Visitors in the last minutes, by page',
    query: [formatSchema],
    responses: { 200: orCsv(json(r.realtime, 'The current visitors')) },
  },
  ...(
    [
      ['pages', r.pageEngagementRows, 'Engaged time and scroll depth per page'],
      ['outbound', r.linkRows, 'Clicks on links to other sites'],
      ['downloads', r.downloadRows, 'Clicks on links to files'],
      ['not-found', r.notFoundRows, 'Pages that answered 404, with the pages linking to them'],
    ] as const
  ).map(
    ([panel, rows, summary]): Operation => ({
      method: 'get',
      path: `${site}/engagement/${panel}`,
      tag: 'usage',
      access: 'session',
      permission: 'usage.read',
      summary,
      query: [periodSchema, panelSchema],
      filters: true,
      responses: { 200: orCsv(json(rows, 'The panel')) },
    }),
  ),
  { method: 'get', path: `${site}/goals`, tag: 'usage', access: 'session', permission: 'usage.read', summary: "The site's goals", responses: { 200: list(r.goal, 'The goals') } },
  { method: 'post', path: `${site}/goals`, tag: 'usage', access: 'session', permission: 'goals.manage', summary: 'Define a goal', body: goalSchema, responses: { 201: json(r.goal, 'Defined') }, errors: [409] },
  { method: 'put', path: `${site}/goals/:goalId`, tag: 'usage', access: 'session', permission: 'goals.manage', summary: 'Change a goal', body: goalSchema, responses: { 200: json(r.goal, 'Changed') } },
  {
    method: 'delete',
    path: `${site}/goals/:goalId`,
    tag: 'usage',
    access: 'session',
    permission: 'goals.manage',
    summary: 'Delete a goal (not while a funnel uses it)',
    responses: { 200: json(r.goal, 'Deleted') },
    errors: [409],
  },
  {
    method: 'get',
    path: `${site}/goals/conversions`,
    tag: 'usage',
    access: 'session',
    permission: 'usage.read',
    summary: "Every goal's conversions, overall or per ad campaign",
    query: [periodSchema, conversionsSchema, formatSchema],
    filters: true,
    responses: { 200: orCsv(json(r.goalsReport, 'The conversions')) },
  },
  { method: 'get', path: `${site}/funnels`, tag: 'usage', access: 'session', permission: 'usage.read', summary: "The site's funnels", responses: { 200: list(r.funnel, 'The funnels') } },
  { method: 'post', path: `${site}/funnels`, tag: 'usage', access: 'session', permission: 'goals.manage', summary: 'Define a funnel of 2–8 goals', body: funnelSchema, responses: { 201: json(r.funnel, 'Defined') } },
  { method: 'put', path: `${site}/funnels/:funnelId`, tag: 'usage', access: 'session', permission: 'goals.manage', summary: 'Change a funnel', body: funnelSchema, responses: { 200: json(r.funnel, 'Changed') } },
  { method: 'delete', path: `${site}/funnels/:funnelId`, tag: 'usage', access: 'session', permission: 'goals.manage', summary: 'Delete a funnel', responses: { 200: json(r.funnel, 'Deleted') } },
  {
    method: 'get',
    path: `${site}/funnels/:funnelId/figures`,
    tag: 'usage',
    access: 'session',
    permission: 'usage.read',
    summary: "A funnel's figures per step",
    query: [periodSchema, formatSchema],
    filters: true,
    responses: { 200: orCsv(json(r.funnelReport, 'The figures')) },
  },
  { method: 'get', path: `${site}/reports`, tag: 'usage', access: 'session', permission: 'usage.read', summary: "The email report's schedule, recipients and deliveries", responses: { 200: json(r.reportsStatus, 'The status') } },
  {
    method: 'put',
    path: `${site}/reports/schedule`,
    tag: 'usage',
    access: 'session',
    permission: 'usage.read',
    summary: 'Set how often the report goes out (needs SAMTYKKE_SMTP_URL)',
    body: reportScheduleSchema,
    responses: { 200: json(r.reportSchedule, 'Saved') },
    errors: [409],
  },
  {
    method: 'post',
    path: `${site}/reports/recipients`,
    tag: 'usage',
    access: 'session',
    permission: 'usage.read',
    summary: 'Add a recipient',
    body: recipientSchema,
    responses: { 201: json(r.reportRecipient, 'Added') },
    errors: [409],
  },
  {
    method: 'delete',
    path: `${site}/reports/recipients/:recipientId`,
    tag: 'usage',
    access: 'session',
    permission: 'usage.read',
    summary: 'Remove a recipient',
    responses: { 200: json(r.reportRecipient, 'Removed') },
  },
  {
    method: 'post',
    path: `${site}/reports/test`,
    tag: 'usage',
    access: 'session',
    permission: 'usage.read',
    summary: "Send the last period's report now to every recipient",
    body: testSchema,
    responses: { 200: json(r.testSendResponse, 'Per recipient, sent or why not') },
    errors: [409],
  },
];

// ---- Admin API: scans ------------------------------------------------------------------------------------------------

const scans: Operation[] = [
  { method: 'get', path: `${site}/scans`, tag: 'scans', access: 'session', permission: 'sites.manage', summary: 'The scans, newest first', responses: { 200: list(r.scanSummary, 'The scans') } },
  {
    method: 'post',
    path: `${site}/scans`,
    tag: 'scans',
    access: 'session',
    permission: 'sites.manage',
    summary: 'Start a scan (queued; one runs at a time)',
    body: startScanSchema,
    responses: { 202: json(r.scanSummary, 'Queued') },
    errors: [409],
  },
  { method: 'get', path: `${site}/scans/:scanId`, tag: 'scans', access: 'session', permission: 'sites.manage', summary: 'One scan, with its results once done', responses: { 200: json(r.scanDetail, 'The scan') } },
  { method: 'get', path: `${site}/scan-schedule`, tag: 'scans', access: 'session', permission: 'sites.manage', summary: "The site's scan schedule", responses: { 200: json(r.scanSchedule, 'The schedule') } },
  {
    method: 'put',
    path: `${site}/scan-schedule`,
    tag: 'scans',
    access: 'session',
    permission: 'sites.manage',
    summary: 'Set the scan schedule',
    body: scanScheduleSchema,
    responses: { 200: json(r.scanSchedule, 'Saved') },
  },
];

// ---- Admin API: consent evidence and the organisation ------------------------------------------------------------------

const records = `${admin}/records`;
const recordsExport = 'Every matching record, oldest first, streamed (with the fields the hash covers: `samtykke verify --export` checks it)';

const consent: Operation[] = [
  {
    method: 'get',
    path: `${admin}/consent-stats`,
    tag: 'consent',
    access: 'session',
    permission: 'consent_stats.read',
    summary: 'Decisions per day, opt-in per category, by version, surface, source, action, site and country',
    query: [periodSchema, siteQuery, exportSchema],
    responses: { 200: orCsv(json(r.consentOverview, 'Rows per dimension (CSV: one dimension, named by `dimension`)')) },
  },
  {
    method: 'get',
    path: records,
    tag: 'consent',
    access: 'session',
    permission: 'records.read',
    summary: 'Search consent records, newest first',
    query: [searchSchema, recordPageSchema],
    responses: { 200: list(r.consentRecordView, 'One page of records') },
  },
  {
    method: 'get',
    path: `${records}/export.csv`,
    tag: 'consent',
    access: 'session',
    permission: 'records.export',
    summary: 'Export the matching records as CSV',
    query: [searchSchema],
    responses: { 200: { description: 'The export (a download)', other: { 'text/csv': recordsExport } } },
  },
  {
    method: 'get',
    path: `${records}/export.ndjson`,
    tag: 'consent',
    access: 'session',
    permission: 'records.export',
    summary: 'Export the matching records as NDJSON',
    query: [searchSchema],
    responses: { 200: { description: 'The export (a download)', other: { 'application/x-ndjson': recordsExport } } },
  },
  {
    method: 'get',
    path: `${records}/contents.ndjson`,
    tag: 'consent',
    access: 'session',
    permission: 'records.export',
    summary: 'Every content the records cite as shown, by hash',
    query: [contentsQuery],
    responses: { 200: { description: 'The contents (a download)', other: { 'application/x-ndjson': 'A line per content: hash, site, policy_version, locale, first_shown_at, content' } } },
  },
  {
    method: 'get',
    path: `${records}/:recordId{[0-9]+}`,
    tag: 'consent',
    access: 'session',
    permission: 'records.read',
    summary: 'One record, with the content its user was shown and whether it still matches',
    responses: { 200: json(r.recordDetail, 'The record') },
  },
  {
    method: 'get',
    path: `${records}/history/:consentId`,
    tag: 'consent',
    access: 'session',
    permission: 'records.read',
    summary: "A consent ID's records, each with its chain status",
    pathParams: { consentId: z.string().describe('The consent ID as the browser or app keeps it') },
    responses: { 200: list(r.historyEntry, 'Oldest first') },
  },
  {
    method: 'get',
    path: `${records}/chain/:siteId`,
    tag: 'consent',
    access: 'session',
    permission: 'records.read',
    summary: "Verify a site's whole record chain",
    responses: { 200: json(r.chainStatus, 'Intact, or where it breaks') },
  },
  {
    method: 'get',
    path: `${admin}/subjects/:consentId`,
    tag: 'consent',
    access: 'session',
    permission: 'subject_requests.handle',
    summary: 'Everything held about a consent ID',
    pathParams: { consentId: consentIdSchema },
    responses: { 200: json(r.subjectOverview, 'Its records and how many events') },
  },
  {
    method: 'get',
    path: `${admin}/subjects/:consentId/export`,
    tag: 'consent',
    access: 'session',
    permission: 'subject_requests.handle',
    summary: 'Export everything held about a consent ID',
    pathParams: { consentId: consentIdSchema },
    responses: { 200: { description: 'The export (a download)', other: { 'application/x-ndjson': 'The records, then the events, a `kind` on every line' } } },
  },
  {
    method: 'delete',
    path: `${admin}/subjects/:consentId/events`,
    tag: 'consent',
    access: 'session',
    permission: 'subject_requests.handle',
    summary: "Erase a consent ID's analytics events (the consent records stay as evidence)",
    pathParams: { consentId: consentIdSchema },
    responses: { 200: json(r.subjectErasure, 'How many were erased') },
  },
];

const organisation: Operation[] = [
  { method: 'get', path: `${admin}/organisation/retention`, tag: 'organisation', access: 'session', permission: 'sites.read', summary: 'How long events and records are kept', responses: { 200: json(r.retention, 'The retention') } },
  {
    method: 'put',
    path: `${admin}/organisation/retention`,
    tag: 'organisation',
    access: 'session',
    permission: 'retention.manage',
    summary: 'Set how long events and records are kept',
    body: retentionSchema,
    responses: { 200: json(r.retention, 'Saved') },
  },
  {
    method: 'get',
    path: `${admin}/organisation/audit`,
    tag: 'organisation',
    access: 'session',
    permission: 'audit.read',
    summary: 'The audit log, newest first',
    query: [auditQuery],
    responses: { 200: list(r.auditLogItem, 'One page of entries') },
  },
  {
    method: 'get',
    path: `${admin}/organisation/sso`,
    tag: 'organisation',
    access: 'session',
    permission: 'sso.manage',
    summary: "The identity provider staff sign in with (never its client secret)",
    responses: { 200: json(r.ssoSettings, 'The settings, or the defaults with configured false') },
  },
  {
    method: 'put',
    path: `${admin}/organisation/sso`,
    tag: 'organisation',
    access: 'session',
    permission: 'sso.manage',
    summary: 'Set the identity provider (OpenID Connect) staff sign in with',
    description: 'Without clientSecret the stored one is kept. While enabled, the issuer\'s discovery document must be readable.',
    body: ssoSettingsSchema,
    responses: { 200: json(r.ssoSettings, 'Saved') },
    errors: [409],
  },
  { method: 'delete', path: `${admin}/organisation/sso`, tag: 'organisation', access: 'session', permission: 'sso.manage', summary: 'Remove the identity provider; passwords work again', responses: { 204: noContent }, errors: [404] },
];

const apiKeys: Operation[] = [
  { method: 'get', path: `${admin}/api-keys`, tag: 'apiKeys', access: 'session', permission: 'api_keys.manage', summary: 'List the API keys, newest first (never their secrets)', responses: { 200: list(r.apiKey, 'The keys, revoked and expired ones too') } },
  {
    method: 'post',
    path: `${admin}/api-keys`,
    tag: 'apiKeys',
    access: 'session',
    permission: 'api_keys.manage',
    summary: 'Create an API key; its secret is in this answer only',
    description: '`expiresAt` takes a date-time, or a date meaning through that day (UTC).',
    body: newApiKeySchema,
    responses: { 201: json(r.createdApiKey, 'Created') },
  },
  {
    method: 'delete',
    path: `${admin}/api-keys/:keyId`,
    tag: 'apiKeys',
    access: 'session',
    permission: 'api_keys.manage',
    summary: 'Revoke an API key; its next request is refused',
    responses: { 200: json(r.apiKey, 'Revoked (revoking again keeps the first time)') },
  },
];

/** /api/v1: the same handlers and schemas as the dashboard's routes, reached with an API key. */
const v1 = '/api/v1';
const programs: Operation[] = [
  { method: 'get', path: `${v1}/sites`, tag: 'programs', access: 'apiKey', summary: 'The sites the key reaches, with the ids the other routes take', responses: { 200: list(r.siteSummary, 'The sites') } },
  {
    method: 'get',
    path: `${v1}/sites/:siteId/usage/overview`,
    tag: 'programs',
    access: 'apiKey',
    scope: 'usage:read',
    summary: "The dashboard's usage overview: totals, chart and every panel",
    query: [periodSchema],
    filters: true,
    responses: { 200: json(r.usageOverview, 'The overview') },
  },
  {
    method: 'get',
    path: `${v1}/sites/:siteId/usage/breakdown`,
    tag: 'programs',
    access: 'apiKey',
    scope: 'usage:read',
    summary: 'One breakdown by a dimension (or `prop:<key>`), paged and sorted',
    query: [periodSchema, breakdownSchema],
    filters: true,
    responses: { 200: orCsv(json(r.breakdownPage, 'One page of rows')) },
  },
  {
    method: 'get',
    path: `${v1}/sites/:siteId/usage/timeseries`,
    tag: 'programs',
    access: 'apiKey',
    scope: 'usage:read',
    summary: "The chart's figures per hour or day",
    query: [periodSchema, formatSchema],
    filters: true,
    responses: { 200: orCsv(list(r.breakdownRow, 'A row per time bucket')) },
  },
  {
    method: 'get',
    path: `${v1}/records`,
    tag: 'programs',
    access: 'apiKey',
    scope: 'records:read',
    summary: 'Search consent records, newest first',
    query: [searchSchema, recordPageSchema],
    responses: { 200: list(r.consentRecordView, 'One page of records') },
    // A `site` outside the key's reach.
    errors: [404],
  },
  {
    method: 'get',
    path: `${v1}/records/export.csv`,
    tag: 'programs',
    access: 'apiKey',
    scope: 'records:read',
    summary: 'Export the matching records as CSV',
    query: [searchSchema],
    responses: { 200: { description: 'The export', other: { 'text/csv': recordsExport } } },
    errors: [404],
  },
  {
    method: 'get',
    path: `${v1}/records/export.ndjson`,
    tag: 'programs',
    access: 'apiKey',
    scope: 'records:read',
    summary: 'Export the matching records as NDJSON',
    query: [searchSchema],
    responses: { 200: { description: 'The export', other: { 'application/x-ndjson': recordsExport } } },
    errors: [404],
  },
  {
    method: 'post',
    path: `${v1}/consent`,
    tag: 'programs',
    access: 'apiKey',
    scope: 'collect',
    summary: "Record a consent decision server-to-server, for a site of the key's organisation",
    description: 'The body of POST /api/consent. No Origin is checked; pass the end user\'s User-Agent in X-End-User-Agent if known.',
    body: consentRequestSchema,
    responses: {
      201: json(r.consentReceipt, 'Stored and chained'),
      202: json(r.consentReceipt, 'Kept in the journal while the database does not answer'),
    },
    errors: [404, 409, 410, 413, 429, 503],
  },
  {
    method: 'post',
    path: `${v1}/events`,
    tag: 'programs',
    access: 'apiKey',
    scope: 'collect',
    summary: "Send analytics events server-to-server (with the user's analytics consent)",
    description: 'The body of POST /api/events.',
    body: eventsRequestSchema,
    responses: { 202: json(r.eventsReceipt, 'Accepted') },
    errors: [404, 409, 410, 413, 429, 503],
  },
];

/** The whole API reference, in the order the page shows it. New routes get their entry in the list of their area. */
export const OPERATIONS: readonly Operation[] = [...collector, ...session, ...users, ...sites, ...usage, ...scans, ...consent, ...organisation, ...apiKeys, ...programs];
