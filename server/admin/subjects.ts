/** /subjects/:consentId: a data-subject request — show and export everything held, erase the analytics events. */
import { Hono } from 'hono';
import { z } from 'zod';
import { say } from '../i18n.ts';
import { ApiError } from '../errors.ts';
import { consentHistory } from '../queries/record-search.ts';
import { countSubjectEvents, eraseSubjectEvents, streamSubjectEvents, type SubjectEvent } from '../queries/subject-data.ts';
import type { AppDeps } from '../services.ts';
import { requirePermission } from './auth.ts';
import type { AdminContext, AdminEnv } from './env.ts';
import { exportHeaders, exportStream, ndjsonLines, type Columns } from './export-stream.ts';
import { RECORD_COLUMNS } from './records.ts';
import { audit, ownedSiteIds } from './scope.ts';

export const consentIdSchema = z.string().regex(/^[A-Za-z0-9_-]{1,64}$/, { error: () => say({ en: 'must be a consent ID', nb: 'må være en samtykke-ID' }) });

function consentIdParam(c: AdminContext): string {
  const parsed = consentIdSchema.safeParse(c.req.param('consentId'));
  if (!parsed.success) throw new ApiError(400, 'invalid_query', `consentId: ${parsed.error.issues[0]?.message}`, 'consentId');
  return parsed.data;
}

const EVENT_COLUMNS: Columns<SubjectEvent> = [
  ['id', (row) => row.id],
  ['site', (row) => row.siteKey],
  ['occurred_at', (row) => row.occurredAt.toISOString()],
  ['type', (row) => row.type],
  ['name', (row) => row.name],
  ['path', (row) => row.path],
  ['referrer_host', (row) => row.referrerHost],
  ['utm', (row) => JSON.stringify(row.utm)],
  ['ad_click', (row) => row.adClick],
  ['browser', (row) => row.browser],
  ['os', (row) => row.os],
  ['device', (row) => row.device],
  ['country', (row) => row.country],
  ['props', (row) => (row.props ? JSON.stringify(row.props) : null)],
  ['target', (row) => row.target],
  ['engaged_ms', (row) => row.engagedMs],
  ['scroll', (row) => row.scroll],
];

/** The consent records first, then the events, as one NDJSON stream with a `kind` on every line. */
async function* subjectLines(deps: AppDeps, siteIds: number[], consentId: string): AsyncGenerator<Array<Record<string, unknown>>> {
  const history = await consentHistory(deps.db, siteIds, consentId);
  yield history.map((record) => ({ kind: 'consent_record', ...Object.fromEntries(RECORD_COLUMNS.map(([name, read]) => [name, read(record)])), chain: record.chain }));
  for await (const page of streamSubjectEvents(deps.db, siteIds, consentId)) {
    yield page.map((event) => ({ kind: 'event', ...Object.fromEntries(EVENT_COLUMNS.map(([name, read]) => [name, read(event)])) }));
  }
}

export function subjectRoutes(deps: AppDeps): Hono<AdminEnv> {
  const app = new Hono<AdminEnv>();
  app.use(requirePermission('subject_requests.handle'));

  app.get('/:consentId', async (c) => {
    const consentId = consentIdParam(c);
    const siteIds = await ownedSiteIds(c, deps);
    const [records, eventCount] = await Promise.all([consentHistory(deps.db, siteIds, consentId), countSubjectEvents(deps.db, siteIds, consentId)]);
    return c.json({ consentId, records, eventCount });
  });

  app.get('/:consentId/export', async (c) => {
    const consentId = consentIdParam(c);
    const siteIds = await ownedSiteIds(c, deps);
    await audit(c, deps, { action: 'subject.export', target: consentId });
    const lines = subjectLines(deps, siteIds, consentId);
    return new Response(exportStream(lines, ndjsonLines((line) => line)), {
      headers: exportHeaders('ndjson', `subject-${consentId}`),
    });
  });

  app.delete('/:consentId/events', async (c) => {
    const consentId = consentIdParam(c);
    const erased = await eraseSubjectEvents(deps.db, await ownedSiteIds(c, deps), consentId);
    await audit(c, deps, { action: 'subject.erase_events', target: consentId, detail: { erased } });
    return c.json({ consentId, erased });
  });
  return app;
}
