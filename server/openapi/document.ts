/**
 * Builds the OpenAPI 3.1 document from the operations' zod schemas: request bodies and parameters from the schemas
 * the routes parse with (as they accept input), answers from responses.ts (as the server writes output).
 */
import { z } from 'zod';
import { filterDimension } from '../admin/usage.ts';
import { PATH_ID_PATTERN } from '../admin/validate.ts';
import { SESSION_COOKIE, CSRF_HEADER } from '../admin/auth.ts';
import type { Operation, Reply } from './registry.ts';
import { TAGS } from './registry.ts';
import * as responses from './responses.ts';

/** The API's own version: raised when a change breaks a client written against the previous document. */
export const API_VERSION = '1.0.0';

type Json = null | boolean | number | string | Json[] | { [key: string]: Json };
export type JsonObject = { [key: string]: Json };

const STATUS_TEXT: Record<number, string> = {
  400: 'The request is malformed; `field` names what is wrong',
  401: 'Not signed in, or the session has ended',
  403: 'Not allowed: a missing permission, a wrong CSRF token, an origin the site does not allow, or no consent',
  404: 'No such thing (or one of another organisation)',
  409: 'Conflicts with the current state',
  410: 'The site is archived',
  413: 'The body is too large',
  429: 'Too many requests; wait Retry-After seconds',
  503: 'Overloaded or the database does not answer; try again after Retry-After seconds',
};

/** `/api/admin/records/:recordId{[0-9]+}` → `/api/admin/records/{recordId}`. */
export function openApiPath(honoPath: string): string {
  return honoPath.replace(/:([A-Za-z0-9_]+)(\{[^}]*\})?/g, '{$1}');
}

export function pathParamNames(honoPath: string): string[] {
  return [...honoPath.matchAll(/:([A-Za-z0-9_]+)/g)].map((match) => match[1]!);
}

/** `post /api/admin/sites/:siteId/goals` → `postAdminSitesBySiteIdGoals`: stable, unique, usable as a method name. */
export function operationId(operation: Pick<Operation, 'method' | 'path'>): string {
  const words = operation.path
    .replace(/\{[^}]*\}/g, '')
    .split(/[/.-]/)
    .filter((part) => part && part !== 'api')
    .map((part) => (part.startsWith(':') ? `By${capitalise(part.slice(1))}` : capitalise(part)));
  return operation.method + words.join('');
}

function capitalise(word: string): string {
  return word.charAt(0).toUpperCase() + word.slice(1);
}

/** The response schemas by their export name, as components every answer refers to. */
const NAMED = new Map<z.ZodType, string>(
  Object.entries(responses as Record<string, unknown>)
    .filter((entry): entry is [string, z.ZodType] => entry[1] instanceof z.ZodType)
    .map(([name, schema]) => [schema, capitalise(name)]),
);
// In zod's global registry, beside the descriptions `.describe()` keeps there: a second registry would hide them.
for (const [schema, id] of NAMED) z.globalRegistry.add(schema, { ...z.globalRegistry.get(schema), id });

/** Converts a zod schema; named response schemas become `$ref`s into components.schemas, gathered in `components`. */
function jsonSchema(schema: z.ZodType, io: 'input' | 'output', components: Record<string, JsonObject>): JsonObject {
  const name = io === 'output' ? NAMED.get(schema) : undefined;
  if (name) {
    if (!components[name]) {
      components[name] = {}; // Claimed first: a schema that refers to itself stops here.
      components[name] = convert(schema, io, components, name);
    }
    return { $ref: `#/components/schemas/${name}` };
  }
  return convert(schema, io, components);
}

function convert(schema: z.ZodType, io: 'input' | 'output', components: Record<string, JsonObject>, self?: string): JsonObject {
  const converted = z.toJSONSchema(schema, {
    target: 'draft-2020-12',
    io,
    // Refinements and transforms (a URL check, a lower-cased colour) have no JSON Schema: the type before them is shown.
    unrepresentable: 'any',
    reused: 'inline',
    cycles: 'ref',
  }) as JsonObject;
  const { $schema: _dialect, $defs, ...root } = converted;
  void _dialect;
  const definitions = ($defs ?? {}) as Record<string, JsonObject>;
  for (const [name, definition] of Object.entries(definitions)) {
    if (name !== self && !components[name]) components[name] = rewriteRefs(definition) as JsonObject;
  }
  // A named schema converted on its own comes back as a reference to its own definition.
  return rewriteRefs(self && definitions[self] ? definitions[self] : root) as JsonObject;
}

/** zod writes references as `#/$defs/Name`; in the document they point into components.schemas. */
function rewriteRefs(value: Json): Json {
  if (Array.isArray(value)) return value.map(rewriteRefs);
  if (value === null || typeof value !== 'object') return value;
  return Object.fromEntries(
    Object.entries(value)
      // The registry's id, which zod copies into the definition, is our bookkeeping, not JSON Schema's `$id`.
      .filter(([key, item]) => !(key === 'id' && typeof item === 'string'))
      .map(([key, item]) => [key, key === '$ref' && typeof item === 'string' ? item.replace(/^#\/\$defs\//, '#/components/schemas/') : rewriteRefs(item)]),
  );
}

function parameters(operation: Operation, components: Record<string, JsonObject>): JsonObject[] {
  const found: JsonObject[] = pathParamNames(operation.path).map((name) => {
    const own = operation.pathParams?.[name];
    const schema: JsonObject = own
      ? jsonSchema(own, 'input', components)
      : // What validate.ts pathId accepts; anything else is answered 404, as an unknown id is.
        { type: 'string', pattern: PATH_ID_PATTERN.source };
    const description = typeof schema.description === 'string' ? schema.description : own ? undefined : 'A numeric id';
    return { name, in: 'path', required: true, schema, ...(description ? { description } : {}) };
  });
  const seen = new Set<string>();
  for (const query of operation.query ?? []) {
    const schema = jsonSchema(query, 'input', components);
    const required = new Set((schema.required as string[] | undefined) ?? []);
    for (const [name, property] of Object.entries((schema.properties ?? {}) as Record<string, JsonObject>)) {
      if (seen.has(name)) continue;
      seen.add(name);
      const { description, ...propertySchema } = property;
      found.push({ name, in: 'query', required: required.has(name), schema: propertySchema, ...(typeof description === 'string' ? { description } : {}) });
    }
  }
  if (operation.filters) {
    for (const dimension of filterDimension.options) {
      found.push({
        name: `f.${dimension}`,
        in: 'query',
        required: false,
        description: `Only what matches this ${dimension} (a filter of the overview)`,
        schema: { type: 'string', minLength: 1, maxLength: 2048 },
      });
    }
  }
  return found;
}

function content(reply: Reply, components: Record<string, JsonObject>): JsonObject | undefined {
  const media: JsonObject = {};
  if (reply.json) media['application/json'] = { schema: jsonSchema(reply.json, 'output', components) };
  for (const [type, description] of Object.entries(reply.other ?? {})) {
    media[type] = { schema: type.startsWith('image/') ? { type: 'string', contentMediaType: type } : { type: 'string', description } };
  }
  return Object.keys(media).length ? media : undefined;
}

function errorReply(description: string): JsonObject {
  return { description, content: { 'application/json': { schema: { $ref: '#/components/schemas/ErrorBody' } } } };
}

/** The 4xx statuses an operation answers: its own, and those its access and inputs imply. */
export function errorStatuses(operation: Operation): number[] {
  const statuses = new Set(operation.errors ?? []);
  if (operation.access === 'session') {
    statuses.add(401);
    statuses.add(403);
  }
  if (operation.access === 'apiKey') {
    statuses.add(401);
    if (operation.scope) statuses.add(403);
  }
  if (operation.body || operation.query?.length || operation.filters) statuses.add(400);
  if (pathParamNames(operation.path).length) statuses.add(404);
  return [...statuses].sort();
}

function security(operation: Operation): Json[] {
  switch (operation.access) {
    case 'public':
      return [];
    case 'metrics':
      // Without a token it answers only on the machine itself.
      return [{ metricsToken: [] }, {}];
    case 'session':
      return operation.method === 'get' ? [{ session: [] }] : [{ session: [], csrf: [] }];
    case 'apiKey':
      return [{ apiKey: [] }];
  }
}

function operationObject(operation: Operation, components: Record<string, JsonObject>): JsonObject {
  const replies: JsonObject = {};
  for (const [status, reply] of Object.entries(operation.responses)) {
    const media = content(reply, components);
    replies[status] = { description: reply.description, ...(media ? { content: media } : {}) };
  }
  for (const status of errorStatuses(operation)) replies[String(status)] ??= errorReply(STATUS_TEXT[status] ?? 'Refused');
  replies.default ??= errorReply('Any other error, in the same envelope (500 quotes a request id for the log)');
  const description = [
    operation.description,
    operation.permission ? `Needs the permission \`${operation.permission}\`.` : undefined,
    operation.scope ? `Needs an API key with the scope \`${operation.scope}\`.` : undefined,
  ]
    .filter(Boolean)
    .join('\n\n');
  const body = operation.body ? jsonSchema(operation.body, 'input', components) : undefined;
  return {
    operationId: operationId(operation),
    tags: [operation.tag],
    summary: operation.summary,
    ...(description ? { description } : {}),
    ...(operation.permission ? { 'x-samtykke-permission': operation.permission } : {}),
    security: security(operation),
    parameters: parameters(operation, components),
    ...(body
      ? {
          requestBody: {
            required: true,
            content: { 'application/json': { schema: body }, ...(operation.plainTextBody ? { 'text/plain': { schema: body } } : {}) },
          },
        }
      : {}),
    responses: replies,
  };
}

export function buildOpenApiDocument(operations: readonly Operation[], publicUrl: string): JsonObject {
  const components: Record<string, JsonObject> = {};
  jsonSchema(responses.errorBody, 'output', components);
  const paths: Record<string, JsonObject> = {};
  for (const operation of operations) {
    const path = (paths[openApiPath(operation.path)] ??= {});
    path[operation.method] = operationObject(operation, components);
  }
  const usedTags = new Set(operations.map((operation) => operation.tag));
  return {
    openapi: '3.1.0',
    jsonSchemaDialect: 'https://json-schema.org/draft/2020-12/schema',
    info: {
      title: 'Samtykke API',
      version: API_VERSION,
      description:
        'The collector (consent decisions, events, the pixel), the public widget and declaration, and the dashboard\'s admin API. ' +
        'Errors come as `{ "error": { "code", "message", "field"? } }`, with messages in the language of Accept-Language (nb or en).',
      license: { name: 'MIT', identifier: 'MIT' },
    },
    servers: [{ url: publicUrl }],
    tags: Object.entries(TAGS)
      .filter(([name]) => usedTags.has(name as keyof typeof TAGS))
      .map(([name, description]) => ({ name, description })),
    paths,
    components: {
      schemas: Object.fromEntries(Object.entries(components).sort(([a], [b]) => a.localeCompare(b))),
      securitySchemes: {
        session: { type: 'apiKey', in: 'cookie', name: SESSION_COOKIE, description: 'Set by POST /api/admin/session/login (and the first run\'s set-up)' },
        csrf: { type: 'apiKey', in: 'header', name: CSRF_HEADER, description: 'The csrfToken of the session, on every change (POST, PUT, DELETE)' },
        metricsToken: { type: 'http', scheme: 'bearer', description: 'SAMTYKKE_METRICS_TOKEN; without one, /metrics answers only on the machine itself' },
        apiKey: { type: 'http', scheme: 'bearer', description: 'An API key (sk_…) an admin created under API keys in the dashboard; shown once when created' },
      },
    },
  };
}
