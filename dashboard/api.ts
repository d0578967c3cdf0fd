/** The dashboard's only knowledge of URLs: every call to the admin API and the public declaration goes through here. */
import type { CreatedApiKey as CreatedApiKeyOf, NewApiKeyRequest } from '../server/admin/api-keys.ts';
import type { ConsentOverview } from '../server/admin/consent-stats.ts';
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
  SetupRequest,
  SetupStatus,
  SiteSummary,
  Snippet,
  StartScanRequest,
  Wire,
} from '../server/admin/contract.ts';
import type { EngagementPanel, EngagementRows } from '../server/admin/engagement.ts';
import type { FunnelReport as FunnelReportOf } from '../server/admin/funnels.ts';
import type { GoalsReport as GoalsReportOf } from '../server/admin/goals.ts';
import type { ReportsStatus as ReportsStatusOf, TestSendResponse } from '../server/admin/reports.ts';
import type { BreakdownPage as BreakdownPageOf, UsageOverview } from '../server/admin/usage.ts';
import type { SsoSettings as SsoSettingsOf, SsoSettingsInput } from '../server/admin/sso.ts';
import type { Declaration } from '../server/contract.ts';
import type { ErrorBody } from '../server/errors.ts';
import type { ApiKey as ApiKeyOf, ApiKeyScope } from '../server/domain/api-keys.ts';
import type { BannerSettings } from '../server/domain/banner.ts';
import type { Locale, StaffLocale } from '../server/domain/consent.ts';
import type { Funnel as FunnelOf, Goal as GoalOf, NewFunnel, NewGoal } from '../server/domain/goals.ts';
import type { InventoryItem } from '../server/domain/inventory.ts';
import type { PolicyChange, PolicyEntry, PolicyRules, PolicyVersion } from '../server/domain/policy.ts';
import type { PolicyDiff } from '../server/domain/policy-diff.ts';
import type { Finding } from '../server/domain/scan-findings.ts';
import type { ReportFrequency, ReportPeriodKind } from '../server/domain/reports.ts';
import type { Role, StaffUser } from '../server/domain/roles.ts';
import type { BreakdownRow, BreakdownSort, ConsentDimension, SortOrder, UsageDimension, UsageFilter } from '../server/domain/stats.ts';
import type { NewInventoryItem } from '../server/queries/inventory.ts';
import type { Realtime as RealtimeOf } from '../server/queries/realtime.ts';
import type { NewSite, SiteChanges } from '../server/queries/sites.ts';
import { locale } from './i18n.ts';

export type { Declaration };
export type Session = Wire<SessionInfo>;
export type Site = Wire<SiteSummary>;
export type Guide = Wire<InstallGuide>;
export type Check = Wire<InstallCheck>;
export type User = Wire<StaffUser>;
export type Overview = Wire<UsageOverview>;
export type Breakdown = Wire<BreakdownRow>;
export type BreakdownPage = Wire<BreakdownPageOf>;
export type Realtime = Wire<RealtimeOf>;
export type { EngagementPanel };
export type Engagement<P extends EngagementPanel> = Wire<EngagementRows<P>>;
export type Goal = Wire<GoalOf>;
export type GoalsReport = Wire<GoalsReportOf>;
export type Funnel = Wire<FunnelOf>;
export type FunnelReport = Wire<FunnelReportOf>;
export type { NewFunnel, NewGoal };
export type ConsentStats = Wire<ConsentOverview>;
export type Item = Wire<InventoryItem>;
export type ItemInput = NewInventoryItem;
export type Policy = Wire<PolicyEntry>;
export type PublishedPolicy = Wire<PolicyVersion>;
export type PolicyInput = PolicyRules;
export type { PolicyChange, PolicyDiff };
export type Banner = BannerState;
export type BannerInput = BannerSettings;
export type RecordEvidence = Wire<RecordDetail>;
/** The organisation comes from the session. */
export type SiteInput = Omit<NewSite, 'organisationId'>;
/** PUT /sites/:id changes the name, the allowed origins, the features, or any of them. */
export type SiteUpdate = SiteChanges;
export type RecordRow = Wire<ConsentRecordView>;
export type HistoryRow = Wire<HistoryEntry>;
export type AuditRow = Wire<AuditLogItem>;
export type Scan = Wire<ScanSummary>;
export type ScanView = Wire<ScanDetail>;
export type ScanFinding = Wire<Finding>;
export type Schedule = Wire<ScanSchedule>;
/** The server works out when the next scheduled scan is due. */
export type ScheduleInput = Omit<ScanSchedule, 'nextAt'>;
export type { StartScanRequest };
export type ReportsStatus = Wire<ReportsStatusOf>;
export type ReportRecipient = ReportsStatus['recipients'][number];
export type ReportDelivery = ReportsStatus['deliveries'][number];
export type TestSendResult = TestSendResponse['results'][number];
export interface ReportScheduleInput {
  readonly frequency: ReportFrequency;
  readonly language: StaffLocale;
}
export type { BreakdownSort, Retention, Role, Snippet, UsageDimension, UsageFilter };
export type SsoSettings = Wire<SsoSettingsOf>;
export type { SsoSettingsInput };
export type ApiKey = Wire<ApiKeyOf>;
export type CreatedApiKey = Wire<CreatedApiKeyOf>;
export type { ApiKeyScope, NewApiKeyRequest };

/** One page of one breakdown, sorted by the server over the whole result. */
export interface BreakdownRequest {
  readonly dimension: UsageDimension;
  readonly sort: BreakdownSort;
  readonly order: SortOrder;
  /** 1 to 500. */
  readonly limit: number;
  readonly offset: number;
}

export interface Period {
  readonly period: 'today' | '7d' | '30d' | 'custom';
  readonly from?: string;
  readonly to?: string;
}

/** What the banner preview frame shows: a locale, a layer, a policy version or draft, unsaved settings. */
export interface PreviewOptions {
  readonly lang: Locale;
  readonly layer: 'notice' | 'preferences';
  /** A policy entry's id; the version in force when absent. */
  readonly policy?: number;
  /** Unsaved banner settings; the saved ones when absent. */
  readonly banner?: BannerSettings;
}

export interface RecordSearch {
  readonly site?: number;
  readonly consentId?: string;
  readonly from?: string;
  readonly to?: string;
  readonly action?: string;
  readonly policyVersion?: number;
  readonly account?: string;
}

export class ApiFailure extends Error {
  constructor(
    readonly status: number,
    readonly code: string,
    message: string,
    readonly field?: string,
  ) {
    super(message);
  }
}

let csrfToken = '';
let sessionEnded: () => void = () => {};

/** The session model hands over the CSRF token it received and learns when the server ends the session. */
export function connectSession(token: string, onEnded: () => void): void {
  csrfToken = token;
  sessionEnded = onEnded;
}

function query(values: Record<string, string | number | undefined>): string {
  const params = new URLSearchParams();
  for (const [key, value] of Object.entries(values)) if (value !== undefined && value !== '') params.set(key, String(value));
  const text = params.toString();
  return text ? `?${text}` : '';
}

async function request<T>(method: 'GET' | 'POST' | 'PUT' | 'DELETE', path: string, body?: unknown): Promise<T> {
  // The server writes its error messages in the dashboard's language. Peeked, not read: a page's effect that loads
  // data must not rerun (and drop a half-edited form) when the language changes.
  const headers: Record<string, string> = { 'accept-language': locale.peek() };
  if (method !== 'GET') headers['x-csrf-token'] = csrfToken;
  if (body !== undefined) headers['content-type'] = 'application/json';
  const response = await fetch(path, { method, headers, body: body === undefined ? undefined : JSON.stringify(body), credentials: 'same-origin' });
  if (response.status === 204) return undefined as T;
  const payload = (await response.json().catch(() => null)) as T | ErrorBody | null;
  if (!response.ok) {
    const error = (payload as ErrorBody | null)?.error;
    if (response.status === 401 && !path.endsWith('/login')) sessionEnded();
    throw new ApiFailure(response.status, error?.code ?? 'internal', error?.message ?? `HTTP ${response.status}`, error?.field);
  }
  return payload as T;
}

const admin = '/api/admin';
const periodQuery = (period: Period) => ({ period: period.period, from: period.from, to: period.to });
const filterQuery = (filters: readonly UsageFilter[]) => Object.fromEntries(filters.map((filter) => [`f.${filter.dimension}`, filter.value]));
const searchQuery = (search: RecordSearch) => ({ ...search });

export const api = {
  session: () => request<Session>('GET', `${admin}/session`),
  login: (email: string, password: string) => request<Session>('POST', `${admin}/session/login`, { email, password }),
  logout: () => request<void>('POST', `${admin}/session/logout`),
  /** A page to navigate to, not to fetch: it sends the browser on to the organisation's identity provider. */
  companySignInUrl: (email: string) => `${admin}/session/oidc/start${query({ email })}`,
  setupStatus: () => request<SetupStatus>('GET', `${admin}/setup`),
  setup: (body: SetupRequest) => request<Session>('POST', `${admin}/setup`, body),

  sites: () => request<Site[]>('GET', `${admin}/sites`),
  createSite: (site: SiteInput) => request<Site>('POST', `${admin}/sites`, site),
  updateSite: (siteId: number, changes: SiteUpdate) => request<Site>('PUT', `${admin}/sites/${siteId}`, changes),
  setSiteArchived: (siteId: number, archived: boolean) => request<Site>('PUT', `${admin}/sites/${siteId}/archived`, { archived }),
  installGuide: (siteId: number) => request<Guide>('GET', `${admin}/sites/${siteId}/install`),
  installCheck: (siteId: number) => request<Check>('GET', `${admin}/sites/${siteId}/install/check`),

  usageOverview: (siteId: number, period: Period, filters: readonly UsageFilter[]) =>
    request<Overview>('GET', `${admin}/sites/${siteId}/usage/overview${query({ ...periodQuery(period), ...filterQuery(filters) })}`),
  usageBreakdown: (siteId: number, period: Period, filters: readonly UsageFilter[], breakdown: BreakdownRequest) =>
    request<BreakdownPage>('GET', `${admin}/sites/${siteId}/usage/breakdown${query({ ...periodQuery(period), ...filterQuery(filters), ...breakdown })}`),
  usageExportUrl: (siteId: number, period: Period, filters: readonly UsageFilter[], dimension: UsageDimension) =>
    `${admin}/sites/${siteId}/usage/breakdown${query({ ...periodQuery(period), ...filterQuery(filters), dimension, format: 'csv' })}`,
  timeseriesExportUrl: (siteId: number, period: Period, filters: readonly UsageFilter[]) =>
    `${admin}/sites/${siteId}/usage/timeseries${query({ ...periodQuery(period), ...filterQuery(filters), format: 'csv' })}`,
  realtime: (siteId: number) => request<Realtime>('GET', `${admin}/sites/${siteId}/usage/realtime`),
  realtimeExportUrl: (siteId: number) => `${admin}/sites/${siteId}/usage/realtime${query({ format: 'csv' })}`,
  engagement: <P extends EngagementPanel>(siteId: number, panel: P, period: Period, filters: readonly UsageFilter[]) =>
    request<Engagement<P>>('GET', `${admin}/sites/${siteId}/engagement/${panel}${query({ ...periodQuery(period), ...filterQuery(filters) })}`),
  engagementExportUrl: (siteId: number, panel: EngagementPanel, period: Period, filters: readonly UsageFilter[]) =>
    `${admin}/sites/${siteId}/engagement/${panel}${query({ ...periodQuery(period), ...filterQuery(filters), format: 'csv' })}`,
  goals: (siteId: number) => request<Goal[]>('GET', `${admin}/sites/${siteId}/goals`),
  createGoal: (siteId: number, goal: NewGoal) => request<Goal>('POST', `${admin}/sites/${siteId}/goals`, goal),
  deleteGoal: (siteId: number, goalId: number) => request<Goal>('DELETE', `${admin}/sites/${siteId}/goals/${goalId}`),
  goalConversions: (siteId: number, period: Period, filters: readonly UsageFilter[], by?: 'adCampaign') =>
    request<GoalsReport>('GET', `${admin}/sites/${siteId}/goals/conversions${query({ ...periodQuery(period), ...filterQuery(filters), by })}`),
  goalConversionsExportUrl: (siteId: number, period: Period, filters: readonly UsageFilter[], by?: 'adCampaign') =>
    `${admin}/sites/${siteId}/goals/conversions${query({ ...periodQuery(period), ...filterQuery(filters), by, format: 'csv' })}`,
  funnels: (siteId: number) => request<Funnel[]>('GET', `${admin}/sites/${siteId}/funnels`),
  createFunnel: (siteId: number, funnel: NewFunnel) => request<Funnel>('POST', `${admin}/sites/${siteId}/funnels`, funnel),
  deleteFunnel: (siteId: number, funnelId: number) => request<Funnel>('DELETE', `${admin}/sites/${siteId}/funnels/${funnelId}`),
  funnelFigures: (siteId: number, funnelId: number, period: Period, filters: readonly UsageFilter[]) =>
    request<FunnelReport>('GET', `${admin}/sites/${siteId}/funnels/${funnelId}/figures${query({ ...periodQuery(period), ...filterQuery(filters) })}`),
  funnelExportUrl: (siteId: number, funnelId: number, period: Period, filters: readonly UsageFilter[]) =>
    `${admin}/sites/${siteId}/funnels/${funnelId}/figures${query({ ...periodQuery(period), ...filterQuery(filters), format: 'csv' })}`,
  consentStats: (siteId: number | null, period: Period) =>
    request<ConsentStats>('GET', `${admin}/consent-stats${query({ ...periodQuery(period), site: siteId ?? undefined })}`),
  consentStatsExportUrl: (siteId: number | null, period: Period, dimension: ConsentDimension) =>
    `${admin}/consent-stats${query({ ...periodQuery(period), site: siteId ?? undefined, dimension, format: 'csv' })}`,

  inventory: (siteId: number) => request<Item[]>('GET', `${admin}/sites/${siteId}/inventory`),
  addItem: (siteId: number, item: ItemInput) => request<Item>('POST', `${admin}/sites/${siteId}/inventory`, item),
  updateItem: (siteId: number, itemId: number, item: ItemInput) => request<Item>('PUT', `${admin}/sites/${siteId}/inventory/${itemId}`, item),
  retireItem: (siteId: number, itemId: number) => request<Item>('DELETE', `${admin}/sites/${siteId}/inventory/${itemId}`),
  policies: (siteId: number) => request<Policy[]>('GET', `${admin}/sites/${siteId}/policies`),
  policyDiff: (siteId: number, from: number, to: number) => request<PolicyDiff>('GET', `${admin}/sites/${siteId}/policies/diff${query({ from, to })}`),
  createDraft: (siteId: number, rules: PolicyInput) => request<Policy>('POST', `${admin}/sites/${siteId}/policies`, rules),
  updateDraft: (siteId: number, policyId: number, rules: PolicyInput) => request<Policy>('PUT', `${admin}/sites/${siteId}/policies/${policyId}`, rules),
  discardDraft: (siteId: number, policyId: number) => request<void>('DELETE', `${admin}/sites/${siteId}/policies/${policyId}`),
  publishDraft: (siteId: number, policyId: number, change: PolicyChange) =>
    request<PublishedPolicy>('POST', `${admin}/sites/${siteId}/policies/${policyId}/publish`, { change }),
  scans: (siteId: number) => request<Scan[]>('GET', `${admin}/sites/${siteId}/scans`),
  startScan: (siteId: number, scan: StartScanRequest) => request<Scan>('POST', `${admin}/sites/${siteId}/scans`, scan),
  scan: (siteId: number, scanId: number) => request<ScanView>('GET', `${admin}/sites/${siteId}/scans/${scanId}`),
  scanSchedule: (siteId: number) => request<Schedule>('GET', `${admin}/sites/${siteId}/scan-schedule`),
  saveScanSchedule: (siteId: number, schedule: ScheduleInput) => request<Schedule>('PUT', `${admin}/sites/${siteId}/scan-schedule`, schedule),
  reports: (siteId: number) => request<ReportsStatus>('GET', `${admin}/sites/${siteId}/reports`),
  saveReportSchedule: (siteId: number, schedule: ReportScheduleInput) => request<ReportsStatus['schedule']>('PUT', `${admin}/sites/${siteId}/reports/schedule`, schedule),
  addReportRecipient: (siteId: number, email: string) => request<ReportRecipient>('POST', `${admin}/sites/${siteId}/reports/recipients`, { email }),
  removeReportRecipient: (siteId: number, recipientId: number) => request<ReportRecipient>('DELETE', `${admin}/sites/${siteId}/reports/recipients/${recipientId}`),
  sendTestReport: (siteId: number, frequency: ReportPeriodKind, language: StaffLocale) =>
    request<TestSendResponse>('POST', `${admin}/sites/${siteId}/reports/test`, { frequency, language }),
  banner: (siteId: number) => request<Banner>('GET', `${admin}/sites/${siteId}/banner`),
  saveBanner: (siteId: number, banner: BannerInput) => request<BannerInput>('PUT', `${admin}/sites/${siteId}/banner`, banner),
  previewUrl: (siteId: number, options: PreviewOptions) =>
    `${admin}/sites/${siteId}/preview${query({ lang: options.lang, layer: options.layer, policy: options.policy, banner: options.banner && JSON.stringify(options.banner) })}`,
  declarationPageUrl: (siteKey: string, locale: string) => `/sites/${encodeURIComponent(siteKey)}/cookies?lang=${locale}`,

  records: (search: RecordSearch, before?: number) => request<RecordRow[]>('GET', `${admin}/records${query({ ...searchQuery(search), before })}`),
  recordsExportUrl: (search: RecordSearch, format: 'csv' | 'ndjson') => `${admin}/records/export.${format}${query(searchQuery(search))}`,
  recordContentsExportUrl: (siteId?: number) => `${admin}/records/contents.ndjson${query({ site: siteId })}`,
  record: (recordId: number) => request<RecordEvidence>('GET', `${admin}/records/${recordId}`),
  history: (consentId: string) => request<HistoryRow[]>('GET', `${admin}/records/history/${encodeURIComponent(consentId)}`),
  verifyChain: (siteId: number) =>
    request<{ site: string; checked: number; intact: boolean; problem: string | null }>('GET', `${admin}/records/chain/${siteId}`),
  subject: (consentId: string) => request<{ consentId: string; records: HistoryRow[]; eventCount: number }>('GET', `${admin}/subjects/${encodeURIComponent(consentId)}`),
  subjectExportUrl: (consentId: string) => `${admin}/subjects/${encodeURIComponent(consentId)}/export`,
  eraseSubjectEvents: (consentId: string) => request<{ erased: number }>('DELETE', `${admin}/subjects/${encodeURIComponent(consentId)}/events`),

  users: () => request<User[]>('GET', `${admin}/users`),
  addUser: (user: { email: string; name: string; roles: Role[]; password: string }) => request<User>('POST', `${admin}/users`, user),
  setRoles: (userId: number, roles: Role[]) => request<User>('PUT', `${admin}/users/${userId}/roles`, { roles }),
  setBlocked: (userId: number, blocked: boolean) => request<User>('PUT', `${admin}/users/${userId}/blocked`, { blocked }),
  audit: (before?: number) => request<AuditRow[]>('GET', `${admin}/organisation/audit${query({ before, limit: 100 })}`),
  retention: () => request<Retention>('GET', `${admin}/organisation/retention`),
  setRetention: (retention: Retention) => request<Retention>('PUT', `${admin}/organisation/retention`, retention),
  ssoSettings: () => request<SsoSettings>('GET', `${admin}/organisation/sso`),
  saveSsoSettings: (settings: SsoSettingsInput) => request<SsoSettings>('PUT', `${admin}/organisation/sso`, settings),
  removeSso: () => request<void>('DELETE', `${admin}/organisation/sso`),

  apiKeys: () => request<ApiKey[]>('GET', `${admin}/api-keys`),
  createApiKey: (key: NewApiKeyRequest) => request<CreatedApiKey>('POST', `${admin}/api-keys`, key),
  revokeApiKey: (keyId: number) => request<ApiKey>('DELETE', `${admin}/api-keys/${keyId}`),
};
