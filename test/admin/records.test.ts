import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createTestContext, type TestContext } from '../helpers/app.ts';
import { engines } from '../helpers/database.ts';
import { CONSENT_IDS, seedActivity } from './fixtures.ts';
import { signedInStaff, type StaffClient } from './helpers.ts';

describe.each(engines)('consent records API on %s', (engine) => {
  let context: TestContext;
  let officer: StaffClient;
  let siteId: number;
  beforeAll(async () => {
    context = await createTestContext(engine);
    siteId = context.demo.sites[0]!.id;
    await seedActivity(context.database.db, siteId);
    officer = await signedInStaff(context, ['privacy_officer']);
  });
  afterAll(() => context.close());

  it('searches by consent ID, action, account and period', async () => {
    const search = async (query: string) =>
      ((await (await officer.get(`/api/admin/records?${query}`)).json()) as Array<{ consentId: string; action: string }>).map((r) => `${r.consentId}/${r.action}`);
    expect(await search(`consentId=${CONSENT_IDS.granted}`)).toEqual([`${CONSENT_IDS.granted}/withdraw`, `${CONSENT_IDS.granted}/accept_all`]);
    expect(await search('action=reject_all')).toEqual([`${CONSENT_IDS.rejected}/reject_all`]);
    expect(await search('account=Acme%20AS')).toEqual([`${CONSENT_IDS.granted}/accept_all`]);
    expect(await search(`site=${siteId}&policyVersion=2`)).toEqual([]);
    expect(await search('from=2000-01-01&to=2000-01-31')).toEqual([]);
    expect((await officer.get('/api/admin/records?from=yesterday')).status).toBe(400);
  });

  it('shows a consent ID history with each record verified, and names a tampered record', async () => {
    const history = async () =>
      (await (await officer.get(`/api/admin/records/history/${CONSENT_IDS.granted}`)).json()) as Array<{ seq: number; chain: string }>;
    expect((await history()).map((entry) => [entry.seq, entry.chain])).toEqual([[1, 'verified'], [4, 'verified']]);
    const chain = await (await officer.get(`/api/admin/records/chain/${siteId}`)).json();
    expect(chain).toMatchObject({ checked: 4, intact: true, problem: null });
    // Tampering on purpose, as an attacker with database access would; the evidence must show it.
    await context.database.db.updateTable('consent_records').set({ analytics: true }).where('seq', '=', 4).where('site_id', '=', siteId).execute();
    expect((await history()).map((entry) => entry.chain)).toEqual(['verified', 'altered']);
    const broken = (await (await officer.get(`/api/admin/records/chain/${siteId}`)).json()) as { intact: boolean; problem: string };
    expect(broken.intact).toBe(false);
    expect(broken.problem).toContain('#4 was altered');
    await context.database.db.updateTable('consent_records').set({ analytics: false }).where('seq', '=', 4).where('site_id', '=', siteId).execute();
  });

  it('exports CSV with a BOM, every row with its hash, and formulas neutralised', async () => {
    const response = await officer.get(`/api/admin/records/export.csv?site=${siteId}`);
    expect(response.status).toBe(200);
    expect(response.headers.get('content-type')).toBe('text/csv; charset=utf-8');
    expect(response.headers.get('content-disposition')).toMatch(/attachment; filename="consent-records-.*\.csv"/);
    const bytes = new Uint8Array(await response.arrayBuffer());
    expect([...bytes.slice(0, 3)]).toEqual([0xef, 0xbb, 0xbf]);
    const lines = new TextDecoder().decode(bytes).trim().split('\n');
    expect(lines[0]).toBe('id,site,seq,consent_id,recorded_at,policy_version,functional,analytics,ads,action,source,locale,page_url,browser,os,device,account,gpc,stale,shown_hash,prev_hash,hash,site_id,client_hash');
    const stored = await context.database.db.selectFrom('consent_records').select(['seq', 'hash', 'account']).orderBy('id').execute();
    expect(lines).toHaveLength(stored.length + 1);
    stored.forEach((row, index) => expect(lines[index + 1]!).toContain(`,${row.hash},`));
    expect(lines[2]).toContain(`"'=HYPERLINK(""x"")"`);
    expect(lines[3]).toContain('Blåbær AS');
    const audit = await context.database.db.selectFrom('audit_log').select(['action', 'site_id']).where('action', '=', 'records.export').execute();
    expect(audit).toContainEqual({ action: 'records.export', site_id: siteId });
  });

  it('exports NDJSON, one record per line', async () => {
    const text = await (await officer.get(`/api/admin/records/export.ndjson?action=withdraw`)).text();
    const rows = text.trim().split('\n').map((line) => JSON.parse(line) as { consent_id: string; action: string; hash: string });
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ consent_id: CONSENT_IDS.granted, action: 'withdraw' });
    expect(rows[0]!.hash).toMatch(/^[0-9a-f]{64}$/);
  });

  it('answers a data-subject request: shows, exports, and erases the events but keeps the evidence', async () => {
    const shown = (await (await officer.get(`/api/admin/subjects/${CONSENT_IDS.granted}`)).json()) as { records: unknown[]; eventCount: number };
    expect(shown.records).toHaveLength(2);
    expect(shown.eventCount).toBe(5);
    const exported = (await (await officer.get(`/api/admin/subjects/${CONSENT_IDS.granted}/export`)).text()).trim().split('\n').map((line) => JSON.parse(line) as { kind: string });
    expect(exported.map((line) => line.kind)).toEqual(['consent_record', 'consent_record', 'event', 'event', 'event', 'event', 'event']);
    const erased = await officer.send('DELETE', `/api/admin/subjects/${CONSENT_IDS.granted}/events`);
    expect(await erased.json()).toEqual({ consentId: CONSENT_IDS.granted, erased: 5 });
    const db = context.database.db;
    expect(await db.selectFrom('events').select('consent_id').execute()).toEqual([{ consent_id: CONSENT_IDS.analyticsOnly }]);
    expect(await db.selectFrom('consent_records').select('id').where('consent_id', '=', CONSENT_IDS.granted).execute()).toHaveLength(2);
    const audit = await db.selectFrom('audit_log').select(['action', 'target', 'detail']).where('action', 'like', 'subject.%').orderBy('id').execute();
    expect(audit).toEqual([
      { action: 'subject.export', target: CONSENT_IDS.granted, detail: null },
      { action: 'subject.erase_events', target: CONSENT_IDS.granted, detail: { erased: 5 } },
    ]);
  });

  it('shows the audit log to the privacy officer, newest first', async () => {
    const entries = (await (await officer.get('/api/admin/organisation/audit?limit=3')).json()) as Array<{ action: string; userEmail: string }>;
    expect(entries[0]).toMatchObject({ action: 'subject.erase_events', userEmail: officer.user.email });
    expect(entries).toHaveLength(3);
  });
});
