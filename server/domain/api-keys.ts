/** API keys for programs: what a key may do (its scopes) and whether it still works; no crypto, so the dashboard imports it too. */

/**
 * usage:read — the dashboard's usage overview, breakdowns and chart; records:read — consent-record search and
 * exports; collect — record decisions and events server-to-server, as the widget does from a page.
 */
export const API_KEY_SCOPES = ['usage:read', 'records:read', 'collect'] as const;
export type ApiKeyScope = (typeof API_KEY_SCOPES)[number];

/** An API key as the server sees it; its secret is never kept, only a hash of it (queries/ alone reads that). */
export interface ApiKey {
  readonly id: number;
  readonly organisationId: number;
  readonly name: string;
  /** Public part of the key, shown in lists and the audit log so a key can be recognised without its secret. */
  readonly prefix: string;
  readonly scopes: readonly ApiKeyScope[];
  /** When set, the key reaches this one site of its organisation only. */
  readonly siteId: number | null;
  readonly expiresAt: Date | null;
  readonly createdBy: number | null;
  readonly createdAt: Date;
  readonly revokedAt: Date | null;
  readonly lastUsedAt: Date | null;
}

export type ApiKeyState = 'active' | 'revoked' | 'expired';

/** On the server's key or the dashboard's copy of it, where times are ISO strings. */
export function apiKeyState(key: { readonly revokedAt: Date | string | null; readonly expiresAt: Date | string | null }, now: Date): ApiKeyState {
  if (key.revokedAt) return 'revoked';
  if (key.expiresAt && new Date(key.expiresAt) <= now) return 'expired';
  return 'active';
}

/** How a key is named in lists and the audit log: its name and its public prefix, never its secret. */
export function apiKeyLabel(key: Pick<ApiKey, 'name' | 'prefix'>): string {
  return `${key.name} (sk_${key.prefix})`;
}
