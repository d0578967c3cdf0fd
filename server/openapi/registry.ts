/**
 * What an entry of the API reference says about one route: one Operation per method and path, built from the zod
 * schemas the route parses with and the response schemas of responses.ts. document.ts turns the list into OpenAPI.
 */
import type { z } from 'zod';
import type { ApiKeyScope } from '../domain/api-keys.ts';
import type { Permission } from '../domain/roles.ts';

export type Method = 'get' | 'post' | 'put' | 'delete';

/**
 * Who may call it. `session`: the dashboard's session cookie, and on every change the X-CSRF-Token header too.
 * `metrics`: the machine itself or `Authorization: Bearer SAMTYKKE_METRICS_TOKEN`. Other schemes (API keys) are
 * added here and in document.ts's securitySchemes.
 */
export type Access = 'public' | 'session' | 'metrics' | 'apiKey';

export const TAGS = {
  collector: 'What the widget, apps and servers send: decisions, events, the pixel',
  public: "What the customer's pages load: the widget, its texts, the cookie declaration",
  operations: 'Health and metrics for whoever runs the server',
  reference: 'This document and its reference page',
  session: 'Signing in and out, and the first run',
  users: "The organisation's dashboard accounts",
  sites: 'Sites, their installation, inventory, policy versions and banner',
  usage: 'Usage analytics: overview, breakdowns, engagement, goals, funnels, reports',
  scans: 'Cookie scans of a site and their schedule',
  consent: 'Consent statistics, records, the chain and data-subject requests',
  organisation: 'Retention and the audit log',
  apiKeys: "The organisation's API keys for other programs (admins only)",
  programs: 'The API for other programs under /api/v1, with `Authorization: Bearer <API key>`',
} as const;
export type Tag = keyof typeof TAGS;

/** One answer: JSON with a schema, or another content type (CSV, a script, a page) described in words. */
export interface Reply {
  readonly description: string;
  readonly json?: z.ZodType;
  /** Content type → what it holds; the body is documented as a string (binary for images). */
  readonly other?: Readonly<Record<string, string>>;
}

export interface Operation {
  readonly method: Method;
  /** As the Hono app registers it (`/api/admin/sites/:siteId`), so the contract test can compare the two. */
  readonly path: string;
  readonly tag: Tag;
  readonly summary: string;
  readonly description?: string;
  readonly access: Access;
  /** The permission the route checks (server/domain/roles.ts), shown in the reference. */
  readonly permission?: Permission;
  /** For `apiKey` access: the scope the key needs (server/domain/api-keys.ts). */
  readonly scope?: ApiKeyScope;
  /** Path parameters that are not numeric ids, by name; a numeric id (validate.ts pathId) needs no entry. */
  readonly pathParams?: Readonly<Record<string, z.ZodType>>;
  /** The schemas the route parses its query with, in order; their properties become query parameters. */
  readonly query?: readonly z.ZodType[];
  /** The route reads the overview's `f.<dimension>` filters (admin/usage.ts parseFilters). */
  readonly filters?: boolean;
  readonly body?: z.ZodType;
  /** The collector also takes the body as text/plain: a sendBeacon needs no CORS preflight. */
  readonly plainTextBody?: boolean;
  /** By status. Errors come in the envelope of errors.ts (the statuses in `errors`, and `default`) unless `default` is given. */
  readonly responses: { readonly [status: number]: Reply; readonly default?: Reply };
  /** The 4xx statuses the route answers on purpose, each in the error envelope, beyond what `access` implies. */
  readonly errors?: readonly number[];
}
