/**
 * The OpenAPI document cannot drift from the server: it is valid OpenAPI 3.1, it documents exactly the app's API
 * routes, and every documented operation is sent to a real app with valid input and its real answer (status,
 * content type, body) checked against the document with ajv, the example requests checked against it too.
 */
import { Validator } from '@seriousme/openapi-schema-validator';
import Ajv2020, { type ValidateFunction } from 'ajv/dist/2020.js';
import addFormats from 'ajv-formats';
import type { Hono } from 'hono';
import type { SMTPServer } from 'smtp-server';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { openApiPath, operationId, type JsonObject } from '../../server/openapi/document.ts';
import { OPERATIONS } from '../../server/openapi/operations.ts';
import type { Operation } from '../../server/openapi/registry.ts';
import { createSetupToken } from '../../server/queries/setup.ts';
import { signedInStaff, type StaffClient } from '../admin/helpers.ts';
import { createBareTestContext, createTestContext, TEST_ORIGIN, type TestContext } from '../helpers/app.ts';
import { engines } from '../helpers/database.ts';
import { consentRequest, eventsRequest } from '../helpers/requests.ts';
import { smtpUrl, startSmtp } from '../helpers/smtp.ts';

const METRICS_TOKEN = 'openapi-contract-metrics-token';

/**
 * Routes that are not part of the API, each for its reason: pages for people and the dashboard's own files. Every
 * other route of the app must have an entry in server/openapi/operations.ts.
 */
const NOT_API = [
  // The landing page a person opens at the server's address.
  /^get \/$/,
  // The built dashboard (HTML, scripts, styles), not an API.
  /^get \/dashboard(\/.*)?$/,
  // The demo portal: sample pages for trying the widget.
  /^get \/demo(\/.*)?$/,
  // The unsubscribe page a report's recipient opens from the mail.
  /^(get|post) \/reports\/unsubscribe\/:token$/,
];

/** `apiKey`: the key the tour creates, as `Authorization: Bearer`. */
type Caller = 'admin' | 'privacy' | 'public' | 'metrics' | 'apiKey';

/** One request of the tour: which documented operation, as whom, with what, and the status it must answer. */
interface Step {
  readonly operation: string;
  readonly as?: Caller;
  readonly params?: Readonly<Record<string, string | number>>;
  readonly query?: Readonly<Record<string, string | number>>;
  readonly body?: unknown;
  readonly headers?: Readonly<Record<string, string>>;
  readonly status: number;
  /** Reads what later steps need from the JSON answer. */
  readonly keep?: (body: any) => void;
}

const keyOf = (operation: { method: string; path: string }) => `${operation.method} ${operation.path}`;

/** Everything ids later steps refer to, filled in as the tour goes. */
interface Found {
  siteId: number;
  newSiteId: number;
  userId: number;
  itemId: number;
  publishedPolicyId: number;
  rules: unknown;
  draftId: number;
  secondDraftId: number;
  theme: unknown;
  goalIds: number[];
  funnelId: number;
  recipientId: number;
  scanId: number;
  recordId: number;
  consentId: string;
  apiKeyId: number;
  apiKeySecret: string;
  handoffToken: string;
}

/**
 * The tour: every documented operation at least once with a success, in an order where each finds what it needs;
 * some errors too, so the envelope is checked against the document as well.
 */
function tour(found: Found, staff: StaffClient): Array<() => Step> {
  const admin = '/api/admin';
  const site = `${admin}/sites/:siteId`;
  const consent = consentRequest();
  found.consentId = consent.consentId;
  const period = { period: '7d' };
  return [
    () => ({ operation: 'get /healthz', status: 200 }),
    () => ({ operation: 'get /metrics', as: 'metrics', status: 200 }),
    () => ({ operation: 'get /metrics', status: 403 }),
    () => ({ operation: 'post /api/consent', body: consent, status: 201, keep: (body) => (found.recordId = body.id) }),
    () => ({ operation: 'post /api/consent', body: { ...consent, choices: { functional: true } }, status: 400 }),
    () => ({ operation: 'post /api/events', body: eventsRequest(consent.consentId), status: 202 }),
    () => ({ operation: 'post /api/handoff', body: { site: 'min-side', consentId: consent.consentId }, status: 201, keep: (body) => (found.handoffToken = body.token) }),
    () => ({ operation: 'post /api/handoff/verify', body: { site: 'min-side', token: found.handoffToken }, status: 200 }),
    () => ({ operation: 'post /api/handoff/verify', body: { site: 'min-bedrift', token: found.handoffToken }, status: 403 }),
    () => ({ operation: 'post /api/consent/latest', body: { site: 'min-side', consentId: consent.consentId }, status: 200 }),
    () => ({ operation: 'get /p.gif', query: { site: 'min-side', cid: consent.consentId, url: 'https://portal.test/faktura', name: 'opened' }, status: 200 }),
    () => ({ operation: 'get /api/sites/:key/declaration', params: { key: 'min-side' }, status: 200 }),
    () => ({ operation: 'get /api/sites/:key/declaration', params: { key: 'no-such-site' }, status: 404 }),
    () => ({ operation: 'get /sites/:key/cookies', params: { key: 'min-side' }, query: { lang: 'en' }, status: 200 }),
    () => ({ operation: 'get /sites/:key/widget.js', params: { key: 'min-side' }, query: { lang: 'nb' }, status: 200 }),
    () => ({ operation: 'get /sites/:key/texts.json', params: { key: 'min-side' }, query: { lang: 'en' }, status: 200 }),
    () => ({ operation: 'get /sites/:key/declaration.js', params: { key: 'min-bedrift' }, status: 200 }),
    () => ({ operation: 'get /api/openapi.json', status: 200 }),
    () => ({ operation: 'get /api/docs', status: 200 }),

    // Session and set-up.
    () => ({ operation: `get ${admin}/setup`, status: 200 }),
    () => ({
      operation: `post ${admin}/setup`,
      body: { token: 'not-the-printed-token', organisation: 'Other AS', name: 'Other Admin', email: 'other@example.test', password: 'a long enough passphrase 42' },
      status: 409,
    }),
    () => ({ operation: `post ${admin}/session/login`, body: { email: staff.user.email, password: 'wrong password' }, status: 401 }),
    () => ({ operation: `get ${admin}/session`, as: 'public', status: 401 }),
    () => ({ operation: `get ${admin}/session`, status: 200 }),

    // Users.
    () => ({ operation: `get ${admin}/users`, status: 200 }),
    () => ({
      operation: `post ${admin}/users`,
      body: { email: 'analyst-openapi@example.test', name: 'Ana Lyst', roles: ['analyst'], password: 'a long enough passphrase 42' },
      status: 201,
      keep: (body) => (found.userId = body.id),
    }),
    () => ({ operation: `put ${admin}/users/:userId/roles`, params: { userId: found.userId }, body: { roles: ['analyst', 'privacy_officer'] }, status: 200 }),
    () => ({ operation: `put ${admin}/users/:userId/blocked`, params: { userId: found.userId }, body: { blocked: true }, status: 200 }),
    () => ({ operation: `put ${admin}/users/:userId/blocked`, params: { userId: 999_999 }, body: { blocked: false }, status: 404 }),

    // Sites, inventory, policies, banner.
    () => ({ operation: `get ${admin}/sites`, status: 200 }),
    () => ({
      operation: `post ${admin}/sites`,
      body: { key: 'openapi-contract', name: 'OpenAPI', surface: 'web', allowedOrigins: ['https://openapi.example'] },
      status: 201,
      keep: (body) => (found.newSiteId = body.id),
    }),
    () => ({ operation: `post ${admin}/sites`, body: { key: 'openapi-contract', name: 'Again', surface: 'web' }, status: 409 }),
    () => ({ operation: `put ${site}`, params: { siteId: found.newSiteId }, body: { name: 'OpenAPI contract', features: { engagement: true } }, status: 200 }),
    () => ({ operation: `put ${site}/archived`, params: { siteId: found.newSiteId }, body: { archived: false }, status: 200 }),
    () => ({ operation: `get ${site}/install`, params: { siteId: found.siteId }, status: 200 }),
    () => ({ operation: `get ${site}/install/check`, params: { siteId: found.siteId }, status: 200 }),
    () => ({ operation: `get ${site}/inventory`, params: { siteId: found.siteId }, status: 200 }),
    () => ({
      operation: `post ${site}/inventory`,
      params: { siteId: found.newSiteId },
      body: {
        kind: 'cookie',
        name: '_contract',
        namePattern: false,
        provider: 'Samtykke',
        party: 'first',
        domain: null,
        category: 'analytics',
        purpose: { nb: 'Måler bruk', en: 'Measures use' },
        retention: { nb: '1 år', en: '1 year' },
        blocking: { nb: 'Avvis analyse', en: 'Reject analytics' },
      },
      status: 201,
      keep: (body) => (found.itemId = body.id),
    }),
    () => ({
      operation: `put ${site}/inventory/:itemId`,
      params: { siteId: found.newSiteId, itemId: found.itemId },
      body: {
        kind: 'cookie',
        name: '_contract_*',
        namePattern: true,
        provider: 'Samtykke',
        party: 'first',
        domain: '',
        category: 'analytics',
        purpose: { nb: 'Måler bruk', nn: 'Måler bruk', en: 'Measures use' },
        retention: { nb: '1 år', en: '1 year' },
        blocking: { nb: 'Avvis analyse', en: 'Reject analytics' },
      },
      status: 200,
    }),
    () => ({ operation: `delete ${site}/inventory/:itemId`, params: { siteId: found.newSiteId, itemId: found.itemId }, status: 200 }),
    () => ({
      operation: `get ${site}/policies`,
      params: { siteId: found.newSiteId },
      status: 200,
      keep: (body) => {
        const published = body.find((entry: { state: string }) => entry.state === 'published');
        found.publishedPolicyId = published.id;
        found.rules = { texts: published.texts, functionalRequired: published.functionalRequired, consentLifetimeMonths: published.consentLifetimeMonths };
      },
    }),
    () => ({ operation: `post ${site}/policies`, params: { siteId: found.newSiteId }, body: found.rules, status: 201, keep: (body) => (found.draftId = body.id) }),
    () => ({ operation: `post ${site}/policies`, params: { siteId: found.newSiteId }, body: found.rules, status: 409 }),
    () => ({
      operation: `put ${site}/policies/:policyId`,
      params: { siteId: found.newSiteId, policyId: found.draftId },
      body: { ...(found.rules as object), consentLifetimeMonths: 6 },
      status: 200,
    }),
    () => ({ operation: `get ${site}/policies/diff`, params: { siteId: found.newSiteId }, query: { from: found.publishedPolicyId, to: found.draftId }, status: 200 }),
    () => ({ operation: `post ${site}/policies/:policyId/publish`, params: { siteId: found.newSiteId, policyId: found.draftId }, body: { change: 'wording' }, status: 201 }),
    () => ({ operation: `post ${site}/policies`, params: { siteId: found.newSiteId }, body: found.rules, status: 201, keep: (body) => (found.secondDraftId = body.id) }),
    () => ({ operation: `delete ${site}/policies/:policyId`, params: { siteId: found.newSiteId, policyId: found.secondDraftId }, status: 204 }),
    () => ({ operation: `delete ${site}/policies/:policyId`, params: { siteId: found.newSiteId, policyId: found.draftId }, status: 409 }),
    () => ({ operation: `get ${site}/banner`, params: { siteId: found.newSiteId }, status: 200, keep: (body) => (found.theme = body.theme) }),
    () => ({ operation: `put ${site}/banner`, params: { siteId: found.newSiteId }, body: { theme: found.theme, labels: { en: { acceptAll: 'Accept everything' } } }, status: 200 }),
    () => ({ operation: `get ${site}/preview`, params: { siteId: found.newSiteId }, query: { lang: 'en', layer: 'preferences' }, status: 200 }),

    // Usage analytics (the consent and events above gave min-side some figures).
    () => ({ operation: `get ${site}/usage/overview`, params: { siteId: found.siteId }, query: { ...period, 'f.browser': 'Chrome' }, status: 200 }),
    () => ({ operation: `get ${site}/usage/breakdown`, params: { siteId: found.siteId }, query: { ...period, dimension: 'page', limit: 10 }, status: 200 }),
    () => ({ operation: `get ${site}/usage/breakdown`, params: { siteId: found.siteId }, query: { ...period, dimension: 'referrer', format: 'csv' }, status: 200 }),
    () => ({ operation: `get ${site}/usage/breakdown`, params: { siteId: found.siteId }, query: { ...period, dimension: 'nonsense' }, status: 400 }),
    () => ({ operation: `get ${site}/usage/timeseries`, params: { siteId: found.siteId }, query: period, status: 200 }),
    () => ({ operation: `get ${site}/usage/realtime`, params: { siteId: found.siteId }, status: 200 }),
    ...['pages', 'outbound', 'downloads', 'not-found'].map((panel) => () => ({ operation: `get ${site}/engagement/${panel}`, params: { siteId: found.siteId }, query: period, status: 200 })),
    () => ({ operation: `get ${site}/engagement/pages`, params: { siteId: found.siteId }, query: { ...period, format: 'csv' }, status: 200 }),
    () => ({ operation: `post ${site}/goals`, params: { siteId: found.siteId }, body: { kind: 'pageview', name: 'Invoices', path: '/faktura*' }, status: 201, keep: (body) => found.goalIds.push(body.id) }),
    () => ({
      operation: `post ${site}/goals`,
      params: { siteId: found.siteId },
      body: { kind: 'event', name: 'Opened', eventName: 'opened', property: { key: 'plan', value: 'pro' } },
      status: 201,
      keep: (body) => found.goalIds.push(body.id),
    }),
    () => ({ operation: `get ${site}/goals`, params: { siteId: found.siteId }, status: 200 }),
    () => ({ operation: `put ${site}/goals/:goalId`, params: { siteId: found.siteId, goalId: found.goalIds[1]! }, body: { kind: 'event', name: 'Opened', eventName: 'opened' }, status: 200 }),
    () => ({ operation: `get ${site}/goals/conversions`, params: { siteId: found.siteId }, query: { ...period, by: 'adCampaign' }, status: 200 }),
    () => ({ operation: `post ${site}/funnels`, params: { siteId: found.siteId }, body: { name: 'Invoice to open', steps: found.goalIds }, status: 201, keep: (body) => (found.funnelId = body.id) }),
    () => ({ operation: `get ${site}/funnels`, params: { siteId: found.siteId }, status: 200 }),
    () => ({ operation: `put ${site}/funnels/:funnelId`, params: { siteId: found.siteId, funnelId: found.funnelId }, body: { name: 'Invoices, then open', steps: found.goalIds }, status: 200 }),
    () => ({ operation: `get ${site}/funnels/:funnelId/figures`, params: { siteId: found.siteId, funnelId: found.funnelId }, query: period, status: 200 }),
    () => ({ operation: `delete ${site}/goals/:goalId`, params: { siteId: found.siteId, goalId: found.goalIds[0]! }, status: 409 }),
    () => ({ operation: `delete ${site}/funnels/:funnelId`, params: { siteId: found.siteId, funnelId: found.funnelId }, status: 200 }),
    () => ({ operation: `delete ${site}/goals/:goalId`, params: { siteId: found.siteId, goalId: found.goalIds[0]! }, status: 200 }),
    () => ({ operation: `get ${site}/reports`, params: { siteId: found.siteId }, status: 200 }),
    () => ({ operation: `post ${site}/reports/test`, params: { siteId: found.siteId }, body: { frequency: 'weekly', language: 'nb' }, status: 409 }),
    () => ({ operation: `put ${site}/reports/schedule`, params: { siteId: found.siteId }, body: { frequency: 'weekly', language: 'en' }, status: 200 }),
    () => ({ operation: `put ${site}/reports/schedule`, params: { siteId: found.siteId }, body: { frequency: 'off', language: 'en' }, status: 200 }),
    () => ({ operation: `post ${site}/reports/recipients`, params: { siteId: found.siteId }, body: { email: 'reader@example.test' }, status: 201, keep: (body) => (found.recipientId = body.id) }),
    () => ({ operation: `post ${site}/reports/recipients`, params: { siteId: found.siteId }, body: { email: 'reader@example.test' }, status: 409 }),
    () => ({ operation: `post ${site}/reports/test`, params: { siteId: found.siteId }, body: { frequency: 'weekly', language: 'nb' }, status: 200 }),
    () => ({ operation: `delete ${site}/reports/recipients/:recipientId`, params: { siteId: found.siteId, recipientId: found.recipientId }, status: 200 }),

    // Scans (queued only: no browser runs in this test).
    () => ({ operation: `get ${site}/scan-schedule`, params: { siteId: found.newSiteId }, status: 200 }),
    () => ({ operation: `put ${site}/scan-schedule`, params: { siteId: found.newSiteId }, body: { schedule: 'weekly', urls: ['https://openapi.example/'], pageLimit: 5 }, status: 200 }),
    () => ({ operation: `post ${site}/scans`, params: { siteId: found.newSiteId }, body: { urls: ['https://openapi.example/'], pages: 3 }, status: 202, keep: (body) => (found.scanId = body.id) }),
    () => ({ operation: `get ${site}/scans`, params: { siteId: found.newSiteId }, status: 200 }),
    () => ({ operation: `get ${site}/scans/:scanId`, params: { siteId: found.newSiteId, scanId: found.scanId }, status: 200 }),

    // Consent statistics, records, subjects.
    () => ({ operation: `get ${admin}/consent-stats`, query: period, status: 200 }),
    () => ({ operation: `get ${admin}/consent-stats`, query: { ...period, site: found.siteId, dimension: 'day', format: 'csv' }, status: 200 }),
    () => ({ operation: `get ${admin}/records`, query: { site: found.siteId, action: 'accept_all', limit: 5 }, status: 200 }),
    () => ({ operation: `get ${admin}/records/export.csv`, query: { site: found.siteId }, status: 200 }),
    () => ({ operation: `get ${admin}/records/export.ndjson`, query: { consentId: found.consentId }, status: 200 }),
    () => ({ operation: `get ${admin}/records/contents.ndjson`, query: { site: found.siteId }, status: 200 }),
    () => ({ operation: `get ${admin}/records/:recordId{[0-9]+}`, params: { recordId: found.recordId }, status: 200 }),
    () => ({ operation: `get ${admin}/records/history/:consentId`, params: { consentId: found.consentId }, status: 200 }),
    () => ({ operation: `get ${admin}/records/chain/:siteId`, params: { siteId: found.siteId }, status: 200 }),
    () => ({ operation: `get ${admin}/subjects/:consentId`, as: 'privacy', params: { consentId: found.consentId }, status: 200 }),
    () => ({ operation: `get ${admin}/subjects/:consentId`, params: { consentId: found.consentId }, status: 403 }),
    () => ({ operation: `get ${admin}/subjects/:consentId/export`, as: 'privacy', params: { consentId: found.consentId }, status: 200 }),
    () => ({ operation: `delete ${admin}/subjects/:consentId/events`, as: 'privacy', params: { consentId: found.consentId }, status: 200 }),

    // API keys, and the API for programs with one.
    () => ({
      operation: `post ${admin}/api-keys`,
      body: { name: 'OpenAPI contract', scopes: ['usage:read', 'records:read', 'collect'] },
      status: 201,
      keep: (body) => {
        found.apiKeyId = body.apiKey.id;
        found.apiKeySecret = body.secret;
      },
    }),
    () => ({ operation: `get ${admin}/api-keys`, status: 200 }),
    () => ({ operation: 'get /api/v1/sites', as: 'apiKey', status: 200 }),
    () => ({ operation: 'get /api/v1/sites', status: 401 }),
    () => ({ operation: 'get /api/v1/sites/:siteId/usage/overview', as: 'apiKey', params: { siteId: found.siteId }, query: period, status: 200 }),
    () => ({ operation: 'get /api/v1/sites/:siteId/usage/breakdown', as: 'apiKey', params: { siteId: found.siteId }, query: { ...period, dimension: 'browser' }, status: 200 }),
    () => ({ operation: 'get /api/v1/sites/:siteId/usage/timeseries', as: 'apiKey', params: { siteId: found.siteId }, query: { ...period, format: 'csv' }, status: 200 }),
    () => ({ operation: 'get /api/v1/records', as: 'apiKey', query: { site: found.siteId, limit: 2 }, status: 200 }),
    () => ({ operation: 'get /api/v1/records/export.csv', as: 'apiKey', query: { site: found.siteId }, status: 200 }),
    () => ({ operation: 'get /api/v1/records/export.ndjson', as: 'apiKey', query: { consentId: found.consentId }, status: 200 }),
    () => ({ operation: 'post /api/v1/consent', as: 'apiKey', body: consentRequest({ source: 'api', url: undefined }), status: 201 }),
    () => ({ operation: 'post /api/v1/events', as: 'apiKey', body: eventsRequest(found.consentId), status: 202 }),
    () => ({ operation: `delete ${admin}/api-keys/:keyId`, params: { keyId: found.apiKeyId }, status: 200 }),
    () => ({ operation: 'get /api/v1/sites', as: 'apiKey', status: 401 }),

    // Staff sign-in with the organisation's identity provider (switched off here: no provider runs in this test).
    () => ({
      operation: `put ${admin}/organisation/sso`,
      body: {
        enabled: false,
        issuer: 'https://login.example.com/realms/staff',
        clientId: 'samtykke',
        clientSecret: 'a client secret',
        defaultRole: 'analyst',
        emailDomains: ['example.test'],
        passwordsAllowed: true,
      },
      status: 200,
    }),
    () => ({ operation: `get ${admin}/organisation/sso`, status: 200 }),
    () => ({ operation: `get ${admin}/session/oidc/start`, query: { email: 'someone@example.test' }, status: 302 }),
    () => ({ operation: `get ${admin}/session/oidc/callback`, status: 302 }),
    () => ({ operation: `delete ${admin}/organisation/sso`, status: 204 }),

    // The organisation; signing out last.
    () => ({ operation: `get ${admin}/organisation/retention`, status: 200 }),
    () => ({ operation: `put ${admin}/organisation/retention`, body: { eventRetentionDays: 400, consentRetentionDays: 1900 }, status: 200 }),
    () => ({ operation: `put ${admin}/organisation/retention`, body: { eventRetentionDays: 400, consentRetentionDays: 30 }, status: 400 }),
    () => ({ operation: `get ${admin}/organisation/audit`, query: { limit: 20 }, status: 200 }),
    () => ({ operation: `post ${admin}/session/login`, as: 'public', body: { email: staff.user.email, password: 'correct horse battery staple' }, status: 200 }),
    () => ({ operation: `post ${admin}/session/logout`, status: 204 }),
  ];
}

/** The document's schemas, compiled by ajv in JSON Schema 2020-12 mode, by JSON pointer into the document. */
function schemaValidator(document: JsonObject): (pointer: string[]) => ValidateFunction {
  const ajv = new Ajv2020({ strict: false, allErrors: true });
  addFormats(ajv);
  const id = 'https://samtykke.test/openapi.json';
  ajv.addSchema({ ...document, $id: id });
  const cache = new Map<string, ValidateFunction>();
  return (pointer) => {
    const fragment = pointer.map((part) => encodeURIComponent(part.replaceAll('~', '~0').replaceAll('/', '~1'))).join('/');
    let validate = cache.get(fragment);
    if (!validate) {
      validate = ajv.getSchema(`${id}#/${fragment}`);
      if (!validate) throw new Error(`No schema at ${fragment}`);
      cache.set(fragment, validate);
    }
    return validate;
  };
}

function expectValid(validate: ValidateFunction, value: unknown, what: string): void {
  if (!validate(value)) {
    throw new Error(`${what} does not match the document:\n${JSON.stringify(validate.errors, null, 2)}\nvalue: ${JSON.stringify(value).slice(0, 2000)}`);
  }
}

/** A query or path value as the parameter's schema types it (query strings are text). */
function typed(value: string | number, schema: JsonObject): unknown {
  const type = schema.type;
  return type === 'integer' || type === 'number' ? Number(value) : String(value);
}

type Send = (caller: Caller, method: string, path: string, body: unknown, headers?: Readonly<Record<string, string>>) => Promise<Response>;

/**
 * Sends one step and checks it against the document: its parameters and body as the document describes requests,
 * then the answer's status, content type and JSON body. Returns the JSON answer, or null for another content.
 */
async function checkStep(step: Step, document: JsonObject, schemaAt: (pointer: string[]) => ValidateFunction, send: Send): Promise<{ operation: Operation; body: unknown }> {
  const operation = OPERATIONS.find((candidate) => keyOf(candidate) === step.operation);
  if (!operation) throw new Error(`The tour names ${step.operation}, which the document does not have`);
  const where = `${step.operation} (${step.status})`;
  const documentPath = openApiPath(operation.path);
  const documented = (document.paths as Record<string, Record<string, JsonObject>>)[documentPath]![operation.method]!;

  // The request itself must be one the document describes (the steps that expect a 400 send what it refuses).
  const parameters = (documented.parameters ?? []) as JsonObject[];
  const sent = { ...step.params, ...step.query };
  for (const [name, value] of Object.entries(sent)) {
    const parameter = parameters.find((candidate) => candidate.name === name);
    expect(parameter, `${where}: parameter ${name} is not documented`).toBeDefined();
    if (step.status !== 400) {
      const pointer = ['paths', documentPath, operation.method, 'parameters', String(parameters.indexOf(parameter!)), 'schema'];
      expectValid(schemaAt(pointer), typed(value, parameter!.schema as JsonObject), `${where}: parameter ${name}`);
    }
  }
  for (const parameter of parameters.filter((candidate) => candidate.required)) {
    expect(sent, `${where}: required parameter ${String(parameter.name)}`).toHaveProperty([String(parameter.name)]);
  }
  if (step.body !== undefined && step.status !== 400) {
    expectValid(schemaAt(['paths', documentPath, operation.method, 'requestBody', 'content', 'application/json', 'schema']), step.body, `${where}: the example body`);
  }

  const path = operation.path.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, (_match, name: string) => encodeURIComponent(String(step.params?.[name])));
  const query = step.query ? `?${new URLSearchParams(Object.entries(step.query).map(([key, value]) => [key, String(value)]))}` : '';
  const response = await send(step.as ?? (operation.access === 'session' ? 'admin' : 'public'), operation.method, path + query, step.body, step.headers);

  const reply = (documented.responses as Record<string, JsonObject>)[String(response.status)];
  const text = await response.text();
  expect(reply, `${where}: answered ${response.status}, which the document does not list: ${text.slice(0, 500)}`).toBeDefined();
  expect(response.status, `${where}: ${text.slice(0, 500)}`).toBe(step.status);
  const content = reply!.content as Record<string, JsonObject> | undefined;
  if (!content) {
    expect(text, `${where}: a body the document does not describe`).toBe('');
    return { operation, body: null };
  }
  const type = (response.headers.get('content-type') ?? '').split(';')[0]!.trim();
  expect(Object.keys(content), `${where}: content type ${type}`).toContain(type);
  if (type !== 'application/json') return { operation, body: null };
  const body = JSON.parse(text) as unknown;
  expectValid(schemaAt(['paths', documentPath, operation.method, 'responses', String(response.status), 'content', 'application/json', 'schema']), body, `${where}: the answer`);
  return { operation, body };
}

function sender(app: Hono, clients: Partial<Record<Caller, StaffClient>>, apiKey: () => string | undefined = () => undefined): Send {
  return async (caller, method, path, body, headers = {}) => {
    const client = clients[caller];
    if (client) {
      if (method === 'get') return client.get(path);
      return client.send(method.toUpperCase() as 'POST' | 'PUT' | 'DELETE', path, body, headers);
    }
    const json: Record<string, string> = body === undefined ? {} : { 'content-type': 'application/json' };
    const token = caller === 'metrics' ? METRICS_TOKEN : caller === 'apiKey' ? apiKey() : undefined;
    const authorization: Record<string, string> = token ? { authorization: `Bearer ${token}` } : {};
    return app.request(path, {
      method: method.toUpperCase(),
      headers: { origin: TEST_ORIGIN, ...json, ...authorization, ...headers },
      body: body === undefined ? undefined : JSON.stringify(body),
    });
  };
}

describe.each(engines)('the OpenAPI document on %s', (engine) => {
  let smtp: SMTPServer;
  let context: TestContext;
  let staff: StaffClient;
  let privacy: StaffClient;
  let document: JsonObject;
  let schemaAt: (pointer: string[]) => ValidateFunction;

  beforeAll(async () => {
    // A real mail server, so the report's test send answers its success too.
    smtp = await startSmtp([], { refusing: false });
    const port = (smtp.server.address() as { port: number }).port;
    context = await createTestContext(engine, {
      SAMTYKKE_METRICS_TOKEN: METRICS_TOKEN,
      SAMTYKKE_SMTP_URL: smtpUrl(port),
      SAMTYKKE_SMTP_FROM: 'Samtykke <reports@example.com>',
    });
    staff = await signedInStaff(context, ['admin']);
    privacy = await signedInStaff(context, ['privacy_officer']);
    const response = await context.app.request('/api/openapi.json');
    document = (await response.json()) as JsonObject;
    schemaAt = schemaValidator(document);
  });
  afterAll(async () => {
    await context?.close();
    await new Promise<void>((resolve) => (smtp ? smtp.close(() => resolve()) : resolve()));
  });

  it('is a valid OpenAPI 3.1 document with unique operation ids', async () => {
    const result = await new Validator().validate(document as unknown as Parameters<Validator['validate']>[0]);
    expect(result.errors ?? [], JSON.stringify(result.errors, null, 2)).toEqual([]);
    expect(result.valid).toBe(true);
    expect(document.openapi).toBe('3.1.0');
    const ids = OPERATIONS.map(operationId);
    expect(ids.filter((id, index) => ids.indexOf(id) !== index)).toEqual([]);
  });

  it("documents exactly the app's API routes", () => {
    const registered = new Set(
      context.app.routes
        .filter((route) => route.method !== 'ALL')
        .map((route) => keyOf({ method: route.method.toLowerCase(), path: route.path }))
        .filter((key) => !NOT_API.some((pattern) => pattern.test(key))),
    );
    const documented = new Set(OPERATIONS.map(keyOf));
    expect([...registered].filter((key) => !documented.has(key)), 'routes without an entry in server/openapi/operations.ts').toEqual([]);
    expect([...documented].filter((key) => !registered.has(key)), 'entries without a route').toEqual([]);
  });

  it('answers every documented operation as documented', async () => {
    const found: Found = { goalIds: [] } as unknown as Found;
    found.siteId = context.demo.sites.find((site) => site.key === 'min-side')!.id;
    const send = sender(context.app, { admin: staff, privacy }, () => found.apiKeySecret);
    const succeeded = new Set<string>();
    for (const next of tour(found, staff)) {
      const step = next();
      const { body } = await checkStep(step, document, schemaAt, send);
      if (step.status < 400) succeeded.add(step.operation);
      if (body !== null) step.keep?.(body);
    }

    // The first run's set-up succeeds only on a server without an organisation: a second, empty one.
    const bare = await createBareTestContext(engine);
    try {
      const token = await createSetupToken(bare.database.db);
      const body = { token, organisation: 'Nytt AS', name: 'Nina Admin', email: 'nina@nytt.example', password: 'a long enough passphrase 42' };
      await checkStep({ operation: 'post /api/admin/setup', body, status: 201 }, document, schemaAt, sender(bare.app, {}));
      succeeded.add('post /api/admin/setup');
    } finally {
      await bare.close();
    }
    expect(OPERATIONS.map(keyOf).filter((key) => !succeeded.has(key)), 'documented operations the tour never ran successfully').toEqual([]);
  });
});
