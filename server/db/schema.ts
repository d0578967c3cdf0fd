/** The database as Kysely sees it. Row types are for queries/ only; the rest of the server speaks domain types. */
import type { ColumnType, Generated, Insertable, Selectable } from 'kysely';
import type { ApiKeyScope } from '../domain/api-keys.ts';
import type { BannerSettings } from '../domain/banner.ts';
import type { Category, ConsentAction, ConsentSource, Localized, StaffLocale, Surface } from '../domain/consent.ts';
import type { EventType } from '../contract.ts';
import type { GoalKind } from '../domain/goals.ts';
import type { InventoryKind, Party } from '../domain/inventory.ts';
import type { PolicyTexts } from '../domain/policy.ts';
import type { DeliveryStatus, ReportFrequency, ReportPeriodKind } from '../domain/reports.ts';
import type { Role } from '../domain/roles.ts';
import type { ScanScheduleKind, ScanStatus, ScanTrigger } from '../domain/scan.ts';
import type { ScanCounts, ScanResult } from '../domain/scan-findings.ts';

/** jsonb: objects go in as JSON text, come back parsed. */
type Json<T> = ColumnType<T, string, string>;

export interface OrganisationsTable {
  id: Generated<number>;
  name: string;
  event_retention_days: Generated<number>;
  consent_retention_days: Generated<number>;
  created_at: Generated<Date>;
}

export interface SitesTable {
  id: Generated<number>;
  organisation_id: number;
  key: string;
  name: string;
  surface: Surface;
  allowed_origins: ColumnType<string[], string[] | undefined, string[]>;
  created_at: Generated<Date>;
  archived_at: Date | null;
  /** null: the default theme and labels. */
  banner: Json<BannerSettings> | null;
  consent_mode: Generated<boolean>;
  declaration_embed: Generated<boolean>;
  engagement: Generated<boolean>;
  outbound_links: Generated<boolean>;
  file_downloads: Generated<boolean>;
  not_found_pages: Generated<boolean>;
  app_handoff: Generated<boolean>;
  scan_schedule: Generated<ScanScheduleKind>;
  /** Start URLs of scheduled scans; empty: the site's exact allowed origins. */
  scan_urls: ColumnType<string[], string[] | undefined, string[]>;
  scan_page_limit: Generated<number>;
}

export interface PolicyVersionsTable {
  id: Generated<number>;
  site_id: number;
  /** null while a draft. */
  version: number | null;
  texts: Json<Localized<PolicyTexts>>;
  functional_required: Generated<boolean>;
  consent_lifetime_months: Generated<number>;
  published_at: Date | null;
  /** Published: whether earlier decisions stop counting (true) or it is a wording fix (false); null while a draft. */
  material: boolean | null;
  /** The email of who published it. */
  published_by: string | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ShownContentsTable {
  hash: string;
  site_id: number;
  policy_version: number;
  locale: string;
  /** The exact text the hash covers. */
  content: string;
  first_shown_at: Generated<Date>;
}

export interface InventoryItemsTable {
  id: Generated<number>;
  site_id: number;
  kind: InventoryKind;
  name: string;
  name_is_pattern: Generated<boolean>;
  provider: string;
  party: Party;
  domain: string | null;
  category: Category;
  purpose: Json<Localized>;
  retention: Json<Localized>;
  blocking: Json<Localized>;
  retired_at: Date | null;
  created_at: Generated<Date>;
  updated_at: Generated<Date>;
}

export interface ConsentChainHeadsTable {
  site_id: number;
  seq: number;
  hash: string;
  /** The last record retention removed (0 and the genesis hash while none was): the chain now starts after it. */
  pruned_seq: Generated<number>;
  pruned_hash: Generated<string>;
}

export interface ConsentRecordsTable {
  id: Generated<number>;
  site_id: number;
  seq: number;
  consent_id: string;
  policy_version: number;
  functional: boolean;
  analytics: boolean;
  ads: boolean;
  action: ConsentAction;
  source: ConsentSource;
  locale: string;
  page_url: string | null;
  browser: string | null;
  os: string | null;
  device: string;
  account: string | null;
  recorded_at: Date;
  client_hash: string;
  /** SHA-256 of the content the user was shown (shown_contents); null on records from before it was kept. */
  shown_hash: string | null;
  /** Whether the browser sent Global Privacy Control; null on records from before it was kept. */
  gpc: boolean | null;
  /** Made under a version a material change had already superseded: kept as evidence, grants nothing. */
  stale: Generated<boolean>;
  prev_hash: string;
  hash: string;
  /** The client's country (ISO 3166-1 alpha-2) for consent analytics: beside the evidence, not covered by the hash. */
  country: string | null;
}

export interface EventsTable {
  id: Generated<number>;
  site_id: number;
  occurred_at: Date;
  consent_id: string;
  session_id: string;
  type: EventType;
  /** A custom event's name; a download's file extension. */
  name: string | null;
  path: string;
  referrer_host: string | null;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  utm_term: string | null;
  utm_content: string | null;
  ad_click: string | null;
  browser: string | null;
  os: string | null;
  device: string;
  /** ISO 3166-1 alpha-2, from the client address at ingest; null for local and unplaced addresses. */
  country: string | null;
  props: Json<Record<string, string | number | boolean>> | null;
  /** An outbound link's or download's URL, or the page that linked to a 404, without query string or fragment. */
  target: ColumnType<string | null, string | null | undefined, string | null>;
  /** Engagement events: engaged milliseconds since the page's previous one, and the largest share seen (%). */
  engaged_ms: ColumnType<number | null, number | null | undefined, number | null>;
  scroll: ColumnType<number | null, number | null | undefined, number | null>;
}

/** One row per visit (session), kept up to date as its events arrive: what the analytics read instead of the events. */
export interface VisitsTable {
  site_id: number;
  session_id: string;
  /** The smallest consent ID among the visit's events: who the visitor is. */
  visitor: string;
  started: Date;
  ended: Date;
  events: number;
  pageviews: number;
  custom_events: number;
  /** The first pageview's path (earliest time, then smallest path), and its time, so a late earlier one can replace it. */
  entry_page: string | null;
  entry_at: Date | null;
  exit_page: string | null;
  exit_at: Date | null;
  referrer: string | null;
  utm_source: string | null;
  utm_medium: string | null;
  utm_campaign: string | null;
  ad_click: boolean;
  browser: string | null;
  os: string | null;
  device: string | null;
  country: string | null;
  /** Pageviews per path and custom events per name, for the page and event panels. */
  pages: Json<Record<string, number>>;
  event_names: Json<Record<string, number>>;
  /** Its events in order as text (queries/trails.ts). */
  trail: Generated<string>;
}

/**
 * The visits that started on a day (UTC), summed per dimension value: `total` (value ''), `hour` ('00'–'23'),
 * every visit dimension, `page` and `event`. Additive, so any range of days sums to its exact figures.
 */
export interface UsageDailyTable {
  site_id: number;
  day: ColumnType<string, string, string>;
  dimension: string;
  value: string;
  visits: number;
  pageviews: number;
  events: number;
  bounces: number;
  duration_ms: number;
}

/** The visitors of the visits that started on a day, as a HyperLogLog sketch; stale when one may have left it. */
export interface UsageSketchesTable {
  site_id: number;
  day: ColumnType<string, string, string>;
  registers: Uint8Array;
  stale: boolean;
}

export interface ServerSecretsTable {
  name: string;
  value: string;
}

export interface UsersTable {
  id: Generated<number>;
  organisation_id: number;
  email: string;
  name: string;
  roles: ColumnType<Role[], Role[], Role[]>;
  password_hash: string;
  blocked_at: Date | null;
  created_at: Generated<Date>;
}

export interface SessionsTable {
  token_hash: string;
  user_id: number;
  csrf_token: string;
  created_at: Generated<Date>;
  expires_at: Date;
}

export interface AuditLogTable {
  id: Generated<number>;
  organisation_id: number;
  user_id: number | null;
  user_email: string | null;
  action: string;
  site_id: number | null;
  target: string | null;
  detail: Json<Record<string, unknown>> | null;
  client_hash: string | null;
  occurred_at: Generated<Date>;
  /** Set when an API key acted, instead of a user. */
  api_key_id: Generated<number | null>;
}

export interface SetupTokensTable {
  token_hash: string;
  created_at: Generated<Date>;
}

export type ActivityKind = 'decision' | 'event' | 'refused';

export interface SiteOriginActivityTable {
  site_id: number;
  /** The Origin header as sent ('' when none was: apps, servers, pixels). */
  origin: string;
  kind: ActivityKind;
  hour: Date;
  count: number;
  last_at: Date;
}

export interface ScansTable {
  site_id: number;
  id: Generated<number>;
  status: ScanStatus;
  trigger: ScanTrigger;
  started_by: string | null;
  created_at: Generated<Date>;
  started_at: Date | null;
  finished_at: Date | null;
  start_urls: string[];
  page_limit: number;
  pages_scanned: Generated<number>;
  current_page: string | null;
  runner: string | null;
  result: Json<ScanResult> | null;
  counts: Json<ScanCounts> | null;
  error: string | null;
}

export interface GoalsTable {
  site_id: number;
  id: Generated<number>;
  name: string;
  kind: GoalKind;
  path: string | null;
  event_name: string | null;
  prop_key: string | null;
  prop_value: string | null;
  created_at: Generated<Date>;
}

export interface FunnelsTable {
  site_id: number;
  id: Generated<number>;
  name: string;
  steps: number[];
  created_at: Generated<Date>;
}

export interface ReportSchedulesTable {
  site_id: number;
  frequency: Generated<ReportFrequency>;
  language: Generated<StaffLocale>;
  next_send_at: Date | null;
  updated_at: Generated<Date>;
}

export interface ReportRecipientsTable {
  id: Generated<number>;
  site_id: number;
  email: string;
  token: string;
  created_at: Generated<Date>;
  unsubscribed_at: Date | null;
}

export interface ReportDeliveriesTable {
  id: Generated<number>;
  site_id: number;
  recipient_id: number;
  frequency: ReportPeriodKind;
  period_from: Date;
  period_to: Date;
  status: Generated<DeliveryStatus>;
  attempts: Generated<number>;
  last_attempt_at: Date | null;
  last_error: string | null;
  next_attempt_at: Date | null;
  claimed_until: Date | null;
  sent_at: Date | null;
  created_at: Generated<Date>;
}

export interface ApiKeysTable {
  id: Generated<number>;
  organisation_id: number;
  name: string;
  prefix: string;
  secret_hash: string;
  scopes: ColumnType<ApiKeyScope[], ApiKeyScope[], ApiKeyScope[]>;
  site_id: number | null;
  expires_at: Date | null;
  created_by: number | null;
  created_at: Generated<Date>;
  revoked_at: Date | null;
  last_used_at: Date | null;
}

/** One organisation's OpenID Connect provider for staff sign-in. */
export interface IdentityProvidersTable {
  organisation_id: number;
  issuer: string;
  client_id: string;
  client_secret: string;
  default_role: Role;
  email_domains: ColumnType<string[], string[] | undefined, string[]>;
  enabled: Generated<boolean>;
  passwords_allowed: Generated<boolean>;
  updated_at: Generated<Date>;
}

/** A browser sent to an identity provider, waiting for its callback. */
export interface OidcLoginAttemptsTable {
  state_hash: string;
  organisation_id: number;
  code_verifier: string;
  nonce: string;
  created_at: Generated<Date>;
  expires_at: Date;
}

export interface Database {
  organisations: OrganisationsTable;
  sites: SitesTable;
  policy_versions: PolicyVersionsTable;
  shown_contents: ShownContentsTable;
  inventory_items: InventoryItemsTable;
  consent_chain_heads: ConsentChainHeadsTable;
  consent_records: ConsentRecordsTable;
  events: EventsTable;
  visits: VisitsTable;
  usage_daily: UsageDailyTable;
  usage_sketches: UsageSketchesTable;
  server_secrets: ServerSecretsTable;
  users: UsersTable;
  sessions: SessionsTable;
  audit_log: AuditLogTable;
  setup_tokens: SetupTokensTable;
  site_origin_activity: SiteOriginActivityTable;
  scans: ScansTable;
  goals: GoalsTable;
  funnels: FunnelsTable;
  report_schedules: ReportSchedulesTable;
  report_recipients: ReportRecipientsTable;
  report_deliveries: ReportDeliveriesTable;
  api_keys: ApiKeysTable;
  identity_providers: IdentityProvidersTable;
  oidc_login_attempts: OidcLoginAttemptsTable;
}

export type SiteRow = Selectable<SitesTable>;
export type PolicyVersionRow = Selectable<PolicyVersionsTable>;
export type InventoryItemRow = Selectable<InventoryItemsTable>;
export type ConsentRecordRow = Selectable<ConsentRecordsTable>;
export type NewConsentRecord = Insertable<ConsentRecordsTable>;
export type NewEvent = Insertable<EventsTable>;
export type UserRow = Selectable<UsersTable>;
