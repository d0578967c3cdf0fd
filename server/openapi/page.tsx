/**
 * The API reference as a plain page rendered from the OpenAPI document: every operation by tag with its parameters,
 * body and answers, and the shared schemas at the end. No script and nothing from another origin: it works offline.
 */
import type { ComponentChildren } from 'preact';
import type { JsonObject } from './document.ts';

type Schema = JsonObject;

const STYLE = `
body{font-family:system-ui,sans-serif;line-height:1.45;max-width:72rem;margin:0 auto;padding:1rem 1.25rem 4rem;color:#1b1b1b;background:#fff}
a{color:#1f3a5f}code,pre{font-family:ui-monospace,Menlo,Consolas,monospace;font-size:.9em}
h1{margin-bottom:.25rem}h2{margin-top:2.5rem;border-bottom:2px solid #1f3a5f;padding-bottom:.25rem}
nav ul{columns:2;padding-left:1.25rem}
details.op{border:1px solid #c8ccd2;border-radius:6px;margin:.5rem 0;padding:.25rem .75rem}
details.op>summary{cursor:pointer;padding:.35rem 0}
.method{display:inline-block;min-width:4.2rem;font-weight:700;text-transform:uppercase;font-family:ui-monospace,monospace}
.get{color:#0b5c2e}.post{color:#1f3a5f}.put{color:#7a4a00}.delete{color:#a01818}
.path{font-family:ui-monospace,monospace;font-weight:600}
table{border-collapse:collapse;width:100%;margin:.5rem 0}th,td{text-align:left;vertical-align:top;border-bottom:1px solid #e2e4e8;padding:.3rem .5rem}
.schema{margin:.25rem 0 .25rem 1rem;padding-left:.75rem;border-left:2px solid #e2e4e8}
.muted{color:#50565e}.req{color:#a01818;font-weight:600}
@media (prefers-color-scheme:dark){body{background:#15181c;color:#e6e6e6}a{color:#9cc3ff}.muted{color:#a7adb5}details.op{border-color:#3a3f46}th,td{border-color:#2a2e34}.schema{border-color:#2a2e34}.get{color:#7fd69c}.post{color:#9cc3ff}.put{color:#f0c070}.delete{color:#ff9a9a}}
`;

/** Text from the document, with its `code spans` shown as code. */
function Prose(props: { text: unknown }) {
  return (
    <>
      {String(props.text)
        .split('`')
        .map((part, index) => (index % 2 === 1 ? <code>{part}</code> : part))}
    </>
  );
}

function refName(ref: string): string {
  return ref.replace('#/components/schemas/', '');
}

/** A schema in one line: its type, or the schema it refers to as a link. */
function TypeOf(props: { schema: Schema }): preact.JSX.Element {
  const { schema } = props;
  if (typeof schema.$ref === 'string') {
    const name = refName(schema.$ref);
    return <a href={`#schema-${name}`}>{name}</a>;
  }
  if (Array.isArray(schema.enum)) return <code>{schema.enum.map((value) => JSON.stringify(value)).join(' | ')}</code>;
  if (schema.const !== undefined) return <code>{JSON.stringify(schema.const)}</code>;
  const union = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  if (union) {
    return (
      <span>
        {union.map((member, index) => (
          <>
            {index > 0 && ' | '}
            <TypeOf schema={member} />
          </>
        ))}
      </span>
    );
  }
  if (schema.type === 'array' && schema.items) {
    return (
      <span>
        array of <TypeOf schema={schema.items as Schema} />
      </span>
    );
  }
  const type = Array.isArray(schema.type) ? schema.type.join(' | ') : (schema.type as string | undefined) ?? 'any';
  const facts = [
    schema.format && `format ${schema.format}`,
    schema.pattern && `pattern ${schema.pattern}`,
    schema.minLength !== undefined && `min length ${schema.minLength}`,
    schema.maxLength !== undefined && `max length ${schema.maxLength}`,
    schema.minimum !== undefined && `≥ ${schema.minimum}`,
    schema.exclusiveMinimum !== undefined && `> ${schema.exclusiveMinimum}`,
    schema.maximum !== undefined && `≤ ${schema.maximum}`,
    schema.default !== undefined && `default ${JSON.stringify(schema.default)}`,
  ].filter(Boolean);
  return (
    <span>
      <code>{type}</code>
      {facts.length > 0 && <span class="muted"> ({facts.join(', ')})</span>}
    </span>
  );
}

/** A schema with its fields, nested objects and union members spelled out; references stay links. */
function SchemaView(props: { schema: Schema }): preact.JSX.Element {
  const { schema } = props;
  const union = (schema.anyOf ?? schema.oneOf) as Schema[] | undefined;
  const properties = schema.properties as Record<string, Schema> | undefined;
  const items = schema.type === 'array' ? (schema.items as Schema | undefined) : undefined;
  if (properties) {
    const required = new Set((schema.required as string[] | undefined) ?? []);
    return (
      <div class="schema">
        {schema.description && <p class="muted"><Prose text={schema.description} /></p>}
        <table>
          <tbody>
            {Object.entries(properties).map(([name, property]) => (
              <tr>
                <td>
                  <code>{name}</code>
                  {required.has(name) && <span class="req" title="required"> *</span>}
                </td>
                <td>
                  <TypeOf schema={property} />
                  {property.description && <div class="muted"><Prose text={property.description} /></div>}
                  {(property.properties || (property.type === 'array' && (property.items as Schema | undefined)?.properties) || property.anyOf || property.oneOf) && (
                    <SchemaView schema={property} />
                  )}
                </td>
              </tr>
            ))}
          </tbody>
        </table>
      </div>
    );
  }
  if (items?.properties || items?.anyOf || items?.oneOf) {
    return (
      <div class="schema">
        array of:
        <SchemaView schema={items} />
      </div>
    );
  }
  if (union && union.some((member) => member.properties)) {
    return (
      <div class="schema">
        one of:
        {union.map((member) => (
          <SchemaView schema={member} />
        ))}
      </div>
    );
  }
  return (
    <div class="schema">
      <TypeOf schema={schema} />
      {schema.description && <span class="muted"> — <Prose text={schema.description} /></span>}
    </div>
  );
}

function Content(props: { content: JsonObject | undefined }) {
  if (!props.content) return null;
  return (
    <>
      {Object.entries(props.content).map(([type, media]) => (
        <div>
          <code>{type}</code>
          <SchemaView schema={(media as JsonObject).schema as Schema} />
        </div>
      ))}
    </>
  );
}

function Section(props: { title: string; children: ComponentChildren }) {
  return (
    <>
      <h4>{props.title}</h4>
      {props.children}
    </>
  );
}

function OperationView(props: { method: string; path: string; operation: JsonObject }) {
  const { method, path, operation } = props;
  const parameters = (operation.parameters ?? []) as JsonObject[];
  const security = (operation.security ?? []) as JsonObject[];
  const body = operation.requestBody as JsonObject | undefined;
  const id = String(operation.operationId);
  return (
    <details class="op" id={id}>
      <summary>
        <span class={`method ${method}`}>{method}</span> <span class="path">{path}</span> — <Prose text={operation.summary} />
      </summary>
      {operation.description && <p><Prose text={operation.description} /></p>}
      <p class="muted">
        Operation id <code>{id}</code>; {security.length === 0 ? 'no authentication' : `authentication: ${security.map((scheme) => Object.keys(scheme).join(' + ') || 'none').join(' or ')}`}
      </p>
      {parameters.length > 0 && (
        <Section title="Parameters">
          <table>
            <thead>
              <tr>
                <th>Name</th>
                <th>In</th>
                <th>Type</th>
              </tr>
            </thead>
            <tbody>
              {parameters.map((parameter) => (
                <tr>
                  <td>
                    <code>{String(parameter.name)}</code>
                    {parameter.required && <span class="req" title="required"> *</span>}
                  </td>
                  <td>{String(parameter.in)}</td>
                  <td>
                    <TypeOf schema={parameter.schema as Schema} />
                    {parameter.description && <div class="muted"><Prose text={parameter.description} /></div>}
                  </td>
                </tr>
              ))}
            </tbody>
          </table>
        </Section>
      )}
      {body && (
        <Section title="Request body">
          <Content content={body.content as JsonObject} />
        </Section>
      )}
      <Section title="Responses">
        {Object.entries(operation.responses as JsonObject).map(([status, reply]) => (
          <div>
            <strong>{status}</strong> <Prose text={(reply as JsonObject).description} />
            <Content content={(reply as JsonObject).content as JsonObject | undefined} />
          </div>
        ))}
      </Section>
    </details>
  );
}

export function ReferencePage(props: { document: JsonObject }) {
  const { document } = props;
  const info = document.info as JsonObject;
  const tags = document.tags as Array<{ name: string; description: string }>;
  const paths = document.paths as Record<string, Record<string, JsonObject>>;
  const schemas = (document.components as JsonObject).schemas as Record<string, Schema>;
  const operations = Object.entries(paths).flatMap(([path, methods]) => Object.entries(methods).map(([method, operation]) => ({ path, method, operation })));
  return (
    <html lang="en">
      <head>
        <meta charset="utf-8" />
        <meta name="viewport" content="width=device-width, initial-scale=1" />
        <title>{String(info.title)} reference</title>
        <style>{STYLE}</style>
      </head>
      <body>
        <main>
          <h1>{String(info.title)}</h1>
          <p class="muted">
            OpenAPI {String(document.openapi)}, version {String(info.version)}. The machine-readable document: <a href="/api/openapi.json">/api/openapi.json</a>.
          </p>
          <p><Prose text={info.description} /></p>
          <nav aria-label="Tags">
            <ul>
              {tags.map((tag) => (
                <li>
                  <a href={`#tag-${tag.name}`}>{tag.name}</a> — <Prose text={tag.description} />
                </li>
              ))}
              <li>
                <a href="#schemas">Schemas</a>
              </li>
            </ul>
          </nav>
          {tags.map((tag) => (
            <section id={`tag-${tag.name}`}>
              <h2>{tag.name}</h2>
              <p class="muted"><Prose text={tag.description} /></p>
              {operations
                .filter(({ operation }) => (operation.tags as string[])[0] === tag.name)
                .map(({ path, method, operation }) => (
                  <OperationView method={method} path={path} operation={operation} />
                ))}
            </section>
          ))}
          <section id="schemas">
            <h2>Schemas</h2>
            {Object.entries(schemas).map(([name, schema]) => (
              <section id={`schema-${name}`}>
                <h3>{name}</h3>
                <SchemaView schema={schema} />
              </section>
            ))}
          </section>
        </main>
      </body>
    </html>
  );
}
