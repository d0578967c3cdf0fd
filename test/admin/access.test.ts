/**
 * Every admin API route, walked twice: once per role (each route answers 403 exactly when the role lacks its
 * permission) and once by a user of another organisation holding every role, with this organisation's ids
 * (nothing of this organisation is ever read or changed).
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { permissionsOf, ROLES, type Permission } from '../../server/domain/roles.ts';
import { generateApiKey } from '../../server/domain/api-key-secret.ts';
import { createApiKey } from '../../server/queries/api-keys.ts';
import { createFunnel } from '../../server/queries/funnels.ts';
import { createGoal } from '../../server/queries/goals.ts';
import { createOrganisation } from '../../server/queries/organisation.ts';
import { createDraft, listPolicyVersions } from '../../server/queries/policies.ts';
import { createSite } from '../../server/queries/sites.ts';
import { createTestContext, TEST_ORIGIN, type TestContext } from '../helpers/app.ts';
import { addReportRecipient } from '../../server/queries/reports.ts';
import { queueScan } from '../../server/queries/scans.ts';
import { engines } from '../helpers/database.ts';
import { CONSENT_IDS, seedActivity } from './fixtures.ts';
import { signedInStaff, type StaffClient } from './helpers.ts';

interface Ids {
  siteId: number;
  itemId: number;
  userId: number;
  consentId: string;
  recordId: number;
  /** The version in force when the walk starts. */
  policyId: number;
  /** The site's one draft: publishing or discarding it uses it up, creating one names the next. */
  draftId: number;
  /** A queued scan of the site. */
  scanId: number;
  /** A recipient of the site's email report, the latest one added. */
  recipientId: number;
  /** The latest goal and funnel of the site; the walk deletes them, then leaves new ones. */
  goalId: number;
  funnelId: number;
  /** An API key of the organisation; the walk revokes it. */
  apiKeyId: number;
}

interface RouteCase {
  readonly method: 'GET' | 'POST' | 'PUT' | 'DELETE';
  readonly path: (ids: Ids) => string;
  readonly permission: Permission | null;
  readonly body?: () => unknown;
  /** Takes what a successful call created into the ids the later routes use. */
  readonly created?: (body: unknown, ids: Ids) => void;
}

const localized = { nb: 'Tekst', en: 'Text' };
const inventoryItem = {
  kind: 'cookie',
  name: 'test_cookie',
  namePattern: false,
  provider: 'Test',
  party: 'first',
  domain: null,
  category: 'analytics',
  purpose: localized,
  retention: localized,
  blocking: localized,
};
const categoryText = { title: 'Tittel', description: 'Beskrivelse' };
const policyTexts = { title: 'Tittel', body: 'Tekst', categories: { functional: categoryText, analytics: categoryText, ads: categoryText } };
const policy = { texts: { nb: policyTexts, en: policyTexts }, functionalRequired: true, consentLifetimeMonths: 12 };
const banner = { theme: { accent: '#1f3a5f', background: '#ffffff', text: '#1b1b1b', position: 'box', radius: 12, logoUrl: null }, labels: { en: { acceptAll: 'Yes to all' } } };
const takeDraft = (body: unknown, ids: Ids) => (ids.draftId = (body as { id: number }).id);
const goal = { name: 'Prices', kind: 'pageview', path: '/pris*' };
const takeGoal = (body: unknown, ids: Ids) => (ids.goalId = (body as { id: number }).id);
/** Reads the ids when called, so it names the goal the walk created last. */
let walkIds: Ids | null = null;
const funnel = () => ({ name: 'Prices twice', steps: [walkIds!.goalId, walkIds!.goalId] });
const takeFunnel = (body: unknown, ids: Ids) => (ids.funnelId = (body as { id: number }).id);

let created = 0;

export const ROUTES: readonly RouteCase[] = [
  { method: 'GET', path: () => '/api/admin/session', permission: null },
  { method: 'GET', path: () => '/api/admin/users', permission: 'users.manage' },
  { method: 'POST', path: () => '/api/admin/users', permission: 'users.manage', body: () => ({ email: `new-${++created}@example.test`, name: 'New', roles: ['analyst'], password: 'a long enough password' }) },
  { method: 'PUT', path: (ids) => `/api/admin/users/${ids.userId}/roles`, permission: 'users.manage', body: () => ({ roles: ['analyst'] }) },
  { method: 'PUT', path: (ids) => `/api/admin/users/${ids.userId}/blocked`, permission: 'users.manage', body: () => ({ blocked: false }) },
  { method: 'GET', path: () => '/api/admin/sites', permission: 'sites.read' },
  { method: 'POST', path: () => '/api/admin/sites', permission: 'sites.manage', body: () => ({ key: `access-${++created}`, name: 'New', surface: 'web', allowedOrigins: [] }) },
  { method: 'PUT', path: (ids) => `/api/admin/sites/${ids.siteId}`, permission: 'sites.manage', body: () => ({ name: 'Min Bedrift', allowedOrigins: [TEST_ORIGIN] }) },
  { method: 'PUT', path: (ids) => `/api/admin/sites/${ids.siteId}`, permission: 'sites.manage', body: () => ({ features: { consentMode: false } }) },
  { method: 'PUT', path: (ids) => `/api/admin/sites/${ids.siteId}/archived`, permission: 'sites.manage', body: () => ({ archived: false }) },
  { method: 'GET', path: (ids) => `/api/admin/sites/${ids.siteId}/install`, permission: 'sites.manage' },
  { method: 'GET', path: (ids) => `/api/admin/sites/${ids.siteId}/install/check`, permission: 'sites.manage' },
  { method: 'GET', path: (ids) => `/api/admin/sites/${ids.siteId}/inventory`, permission: 'sites.manage' },
  { method: 'POST', path: (ids) => `/api/admin/sites/${ids.siteId}/inventory`, permission: 'sites.manage', body: () => inventoryItem },
  { method: 'PUT', path: (ids) => `/api/admin/sites/${ids.siteId}/inventory/${ids.itemId}`, permission: 'sites.manage', body: () => inventoryItem },
  { method: 'DELETE', path: (ids) => `/api/admin/sites/${ids.siteId}/inventory/${ids.itemId}`, permission: 'sites.manage' },
  { method: 'GET', path: (ids) => `/api/admin/sites/${ids.siteId}/policies`, permission: 'policies.read' },
  { method: 'GET', path: (ids) => `/api/admin/sites/${ids.siteId}/policies/diff?from=${ids.policyId}&to=${ids.draftId}`, permission: 'policies.read' },
  { method: 'PUT', path: (ids) => `/api/admin/sites/${ids.siteId}/policies/${ids.draftId}`, permission: 'sites.manage', body: () => policy },
  { method: 'GET', path: (ids) => `/api/admin/sites/${ids.siteId}/preview?lang=nn&layer=preferences&policy=${ids.draftId}`, permission: 'policies.read' },
  { method: 'POST', path: (ids) => `/api/admin/sites/${ids.siteId}/policies/${ids.draftId}/publish`, permission: 'sites.manage', body: () => ({ change: 'wording' }) },
  { method: 'POST', path: (ids) => `/api/admin/sites/${ids.siteId}/policies`, permission: 'sites.manage', body: () => policy, created: takeDraft },
  { method: 'DELETE', path: (ids) => `/api/admin/sites/${ids.siteId}/policies/${ids.draftId}`, permission: 'sites.manage' },
  // Leaves a draft for the next role's walk.
  { method: 'POST', path: (ids) => `/api/admin/sites/${ids.siteId}/policies`, permission: 'sites.manage', body: () => policy, created: takeDraft },
  { method: 'GET', path: (ids) => `/api/admin/sites/${ids.siteId}/banner`, permission: 'sites.manage' },
  { method: 'PUT', path: (ids) => `/api/admin/sites/${ids.siteId}/banner`, permission: 'sites.manage', body: () => banner },
  { method: 'GET', path: (ids) => `/api/admin/sites/${ids.siteId}/preview?banner=${encodeURIComponent(JSON.stringify(banner))}`, permission: 'policies.read' },
  { method: 'GET', path: (ids) => `/api/admin/sites/${ids.siteId}/scans`, permission: 'sites.manage' },
  { method: 'POST', path: (ids) => `/api/admin/sites/${ids.siteId}/scans`, permission: 'sites.manage', body: () => ({ urls: [`${TEST_ORIGIN}/`], pages: 3 }), created: (body, ids) => (ids.scanId = (body as { id: number }).id) },
  { method: 'GET', path: (ids) => `/api/admin/sites/${ids.siteId}/scans/${ids.scanId}`, permission: 'sites.manage' },
  { method: 'GET', path: (ids) => `/api/admin/sites/${ids.siteId}/scan-schedule`, permission: 'sites.manage' },
  { method: 'PUT', path: (ids) => `/api/admin/sites/${ids.siteId}/scan-schedule`, permission: 'sites.manage', body: () => ({ schedule: 'weekly', urls: [], pageLimit: 5 }) },
  { method: 'GET', path: (ids) => `/api/admin/sites/${ids.siteId}/reports`, permission: 'usage.read' },
  { method: 'PUT', path: (ids) => `/api/admin/sites/${ids.siteId}/reports/schedule`, permission: 'usage.read', body: () => ({ frequency: 'weekly', language: 'en' }) },
  { method: 'POST', path: (ids) => `/api/admin/sites/${ids.siteId}/reports/recipients`, permission: 'usage.read', body: () => ({ email: `report-${++created}@example.test` }), created: (body, ids) => (ids.recipientId = (body as { id: number }).id) },
  // The walk's mail server is not there: the test send answers with each recipient's error.
  { method: 'POST', path: (ids) => `/api/admin/sites/${ids.siteId}/reports/test`, permission: 'usage.read', body: () => ({ frequency: 'weekly', language: 'nb' }) },
  { method: 'DELETE', path: (ids) => `/api/admin/sites/${ids.siteId}/reports/recipients/${ids.recipientId}`, permission: 'usage.read' },
  { method: 'GET', path: (ids) => `/api/admin/sites/${ids.siteId}/goals`, permission: 'usage.read' },
  { method: 'POST', path: (ids) => `/api/admin/sites/${ids.siteId}/goals`, permission: 'goals.manage', body: () => goal, created: takeGoal },
  { method: 'PUT', path: (ids) => `/api/admin/sites/${ids.siteId}/goals/${ids.goalId}`, permission: 'goals.manage', body: () => goal },
  { method: 'GET', path: (ids) => `/api/admin/sites/${ids.siteId}/goals/conversions?period=30d&by=adCampaign`, permission: 'usage.read' },
  { method: 'GET', path: (ids) => `/api/admin/sites/${ids.siteId}/funnels`, permission: 'usage.read' },
  { method: 'POST', path: (ids) => `/api/admin/sites/${ids.siteId}/funnels`, permission: 'goals.manage', body: funnel, created: takeFunnel },
  { method: 'PUT', path: (ids) => `/api/admin/sites/${ids.siteId}/funnels/${ids.funnelId}`, permission: 'goals.manage', body: funnel },
  { method: 'GET', path: (ids) => `/api/admin/sites/${ids.siteId}/funnels/${ids.funnelId}/figures?period=30d&format=csv`, permission: 'usage.read' },
  { method: 'DELETE', path: (ids) => `/api/admin/sites/${ids.siteId}/funnels/${ids.funnelId}`, permission: 'goals.manage' },
  { method: 'DELETE', path: (ids) => `/api/admin/sites/${ids.siteId}/goals/${ids.goalId}`, permission: 'goals.manage' },
  // Leaves a goal and a funnel for the next role's walk.
  { method: 'POST', path: (ids) => `/api/admin/sites/${ids.siteId}/goals`, permission: 'goals.manage', body: () => goal, created: takeGoal },
  { method: 'POST', path: (ids) => `/api/admin/sites/${ids.siteId}/funnels`, permission: 'goals.manage', body: funnel, created: takeFunnel },
  { method: 'GET', path: (ids) => `/api/admin/sites/${ids.siteId}/usage/overview?period=30d`, permission: 'usage.read' },
  { method: 'GET', path: (ids) => `/api/admin/sites/${ids.siteId}/usage/breakdown?dimension=page`, permission: 'usage.read' },
  { method: 'GET', path: (ids) => `/api/admin/sites/${ids.siteId}/usage/timeseries`, permission: 'usage.read' },
  { method: 'GET', path: (ids) => `/api/admin/sites/${ids.siteId}/usage/realtime`, permission: 'usage.read' },
  { method: 'GET', path: (ids) => `/api/admin/sites/${ids.siteId}/engagement/pages?period=30d`, permission: 'usage.read' },
  { method: 'GET', path: (ids) => `/api/admin/sites/${ids.siteId}/engagement/outbound?format=csv`, permission: 'usage.read' },
  { method: 'GET', path: (ids) => `/api/admin/sites/${ids.siteId}/engagement/downloads`, permission: 'usage.read' },
  { method: 'GET', path: (ids) => `/api/admin/sites/${ids.siteId}/engagement/not-found?f.device=desktop`, permission: 'usage.read' },
  { method: 'GET', path: (ids) => `/api/admin/consent-stats?site=${ids.siteId}`, permission: 'consent_stats.read' },
  { method: 'GET', path: (ids) => `/api/admin/records?site=${ids.siteId}`, permission: 'records.read' },
  { method: 'GET', path: (ids) => `/api/admin/records/export.csv?site=${ids.siteId}`, permission: 'records.export' },
  { method: 'GET', path: (ids) => `/api/admin/records/export.ndjson?site=${ids.siteId}`, permission: 'records.export' },
  { method: 'GET', path: (ids) => `/api/admin/records/contents.ndjson?site=${ids.siteId}`, permission: 'records.export' },
  { method: 'GET', path: () => '/api/admin/records/contents.ndjson', permission: 'records.export' },
  { method: 'GET', path: (ids) => `/api/admin/records/${ids.recordId}`, permission: 'records.read' },
  { method: 'GET', path: (ids) => `/api/admin/records/history/${ids.consentId}`, permission: 'records.read' },
  { method: 'GET', path: (ids) => `/api/admin/records/chain/${ids.siteId}`, permission: 'records.read' },
  { method: 'GET', path: (ids) => `/api/admin/subjects/${ids.consentId}`, permission: 'subject_requests.handle' },
  { method: 'GET', path: (ids) => `/api/admin/subjects/${ids.consentId}/export`, permission: 'subject_requests.handle' },
  { method: 'DELETE', path: (ids) => `/api/admin/subjects/${ids.consentId}/events`, permission: 'subject_requests.handle' },
  { method: 'GET', path: () => '/api/admin/organisation/retention', permission: 'sites.read' },
  { method: 'PUT', path: () => '/api/admin/organisation/retention', permission: 'retention.manage', body: () => ({ eventRetentionDays: 400, consentRetentionDays: 1900 }) },
  { method: 'GET', path: () => '/api/admin/organisation/audit', permission: 'audit.read' },
  { method: 'GET', path: () => '/api/admin/organisation/sso', permission: 'sso.manage' },
  {
    method: 'PUT',
    path: () => '/api/admin/organisation/sso',
    permission: 'sso.manage',
    // Switched off, so saving needs no provider to answer.
    body: () => ({ enabled: false, issuer: 'https://login.example.test', clientId: 'samtykke', clientSecret: 'the provider-issued secret', defaultRole: 'analyst', emailDomains: [], passwordsAllowed: true }),
  },
  { method: 'DELETE', path: () => '/api/admin/organisation/sso', permission: 'sso.manage' },
  { method: 'GET', path: () => '/api/admin/api-keys', permission: 'api_keys.manage' },
  { method: 'POST', path: () => '/api/admin/api-keys', permission: 'api_keys.manage', body: () => ({ name: `Key ${++created}`, scopes: ['usage:read'] }) },
  { method: 'DELETE', path: (ids) => `/api/admin/api-keys/${ids.apiKeyId}`, permission: 'api_keys.manage' },
];

async function call(client: StaffClient, route: RouteCase, ids: Ids): Promise<Response> {
  const path = route.path(ids);
  const response = await (route.method === 'GET' ? client.get(path) : client.send(route.method, path, route.body?.()));
  if (route.created && (response.status === 201 || response.status === 202)) route.created(await response.clone().json(), ids);
  return response;
}

describe.each(engines)('admin API access on %s', (engine) => {
  let context: TestContext;
  let ids: Ids;
  beforeAll(async () => {
    // A mail server nobody listens on: the report routes that need one are walked, and nothing is sent.
    context = await createTestContext(engine, { SAMTYKKE_SMTP_URL: 'smtp://reports%40example.test:secret@127.0.0.1:9' });
    const site = context.demo.sites[0]!;
    await seedActivity(context.database.db, site.id);
    const item = await context.database.db.selectFrom('inventory_items').select('id').where('site_id', '=', site.id).limit(1).executeTakeFirstOrThrow();
    const colleague = await signedInStaff(context, ['analyst']);
    const record = await context.database.db.selectFrom('consent_records').select('id').where('site_id', '=', site.id).limit(1).executeTakeFirstOrThrow();
    const inForce = (await listPolicyVersions(context.database.db, site.id)).find((entry) => entry.state === 'published')!;
    const draft = await createDraft(context.database.db, site.id, policy);
    const scan = await queueScan(context.database.db, { siteId: site.id, trigger: 'cli', startedBy: null, startUrls: [`${TEST_ORIGIN}/`], pageLimit: 1 });
    const recipient = (await addReportRecipient(context.database.db, site.id, 'reports@example.test'))!;
    const firstGoal = await createGoal(context.database.db, site.id, { name: 'Front page', kind: 'pageview', path: '/' });
    const { prefix, hash } = generateApiKey();
    const apiKey = await createApiKey(context.database.db, {
      organisationId: context.demo.organisationId,
      name: 'Statistics export',
      prefix,
      secretHash: hash,
      scopes: ['usage:read'],
      siteId: null,
      expiresAt: null,
      createdBy: colleague.user.id,
    });
    const firstFunnel = await createFunnel(context.database.db, site.id, { name: 'Front page twice', steps: [firstGoal.id, firstGoal.id] });
    ids = {
      siteId: site.id,
      itemId: item.id,
      userId: colleague.user.id,
      consentId: CONSENT_IDS.granted,
      recordId: record.id,
      policyId: inForce.id,
      draftId: draft.id,
      scanId: scan.id,
      recipientId: recipient.id,
      goalId: firstGoal.id,
      funnelId: firstFunnel.id,
      apiKeyId: apiKey.id,
    };
    walkIds = ids;
  });
  afterAll(() => context.close());

  it.each(ROLES)('answers 403 exactly where the %s role lacks the permission', async (role) => {
    const client = await signedInStaff(context, [role]);
    const granted = permissionsOf([role]);
    for (const route of ROUTES) {
      const response = await call(client, route, ids);
      const allowed = route.permission === null || granted.includes(route.permission);
      const label = `${role} ${route.method} ${route.path(ids)} -> ${response.status}`;
      if (allowed) expect(response.status, label).toBeLessThan(300);
      else expect(response.status, label).toBe(403);
      await response.arrayBuffer();
    }
  });

  it('never lets another organisation read or change anything, whatever ids it sends', async () => {
    const db = context.database.db;
    const other = await createOrganisation(db, 'Other AS');
    const otherSite = await createSite(db, { organisationId: other.id, key: 'other-site', name: 'Other', surface: 'web', allowedOrigins: [] });
    const intruder = await signedInStaff(context, ['admin', 'analyst', 'privacy_officer'], other.id);
    const snapshot = async () => ({
      events: await db.selectFrom('events').select((eb) => eb.fn.countAll<number>().as('n')).executeTakeFirstOrThrow(),
      users: await db.selectFrom('users').select(['id', 'roles', 'blocked_at']).where('organisation_id', '=', context.demo.organisationId).orderBy('id').execute(),
      inventory: await db.selectFrom('inventory_items').select(['id', 'name', 'retired_at']).where('site_id', '=', ids.siteId).orderBy('id').execute(),
      policies: await db.selectFrom('policy_versions').select('id').where('site_id', '=', ids.siteId).execute(),
      sites: await db.selectFrom('sites').selectAll().where('organisation_id', '=', context.demo.organisationId).orderBy('id').execute(),
      retention: await db.selectFrom('organisations').selectAll().where('id', '=', context.demo.organisationId).executeTakeFirstOrThrow(),
    });
    const before = await snapshot();
    const demoSiteKeys = context.demo.sites.map((site) => site.key);
    const demoHashes = (await db.selectFrom('consent_records').select('hash').execute()).map((row) => row.hash);
    expect(demoHashes).toHaveLength(4);
    for (const route of ROUTES) {
      const response = await call(intruder, route, ids);
      const label = `${route.method} ${route.path(ids)} -> ${response.status}`;
      const text = await response.text();
      if (/\/(sites\/|chain\/|records\/|api-keys\/)\d|site=\d|users\/\d/.test(route.path(ids))) {
        expect(response.status, label).toBe(404);
        continue;
      }
      // Routes without another organisation's id answer for the caller's own organisation only.
      expect(response.status, label).toBeLessThan(300);
      for (const key of demoSiteKeys) expect(text, label).not.toContain(`"${key}"`);
      for (const hash of demoHashes) expect(text, label).not.toContain(hash);
      expect(text, label).not.toContain('Acme AS');
      expect(text, label).not.toContain('/pris');
      expect(text, label).not.toContain(context.demo.sites[0]!.name);
    }
    expect(await snapshot()).toEqual(before);
    const ownSite = await intruder.get(`/api/admin/sites/${otherSite.id}/inventory`);
    expect(ownSite.status).toBe(200);
  });
});
