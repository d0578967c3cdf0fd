/** The context every /api/v1 route runs in: the API key that authenticated it, and what its audit entry names. */
import type { Context } from 'hono';
import type { ApiKey, ApiKeyScope } from '../domain/api-keys.ts';
import type { AuditAction } from '../queries/audit.ts';

export interface ApiEnv {
  Variables: {
    apiKey: ApiKey;
    /** The scope the route needs; a collecting key's uses are counted rather than logged one by one. */
    scope: ApiKeyScope;
    /** The site the request reached, once the route found it within the key's reach. */
    siteId: number;
    /** Set by a route whose use the audit log names as its own action (an export), not as a plain use. */
    auditAction: AuditAction;
  };
}

export type ApiContext = Context<ApiEnv>;
