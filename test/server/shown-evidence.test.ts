/**
 * Evidence of what was shown: each decision carries the SHA-256 of the content its user saw (stored once per
 * hash), GPC as its own field, and a stale mark when made under a version a material change superseded; events
 * under such a decision are refused with consent_stale, while a wording fix keeps earlier decisions counting.
 */
import { createHash } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import type { StoredConsentReceipt } from '../../server/contract.ts';
import { DEMO_POLICY_TEXTS } from '../../server/demo/content.ts';
import type { ShownContent } from '../../server/domain/shown-content.ts';
import { verifySiteChain } from '../../server/queries/consent-records.ts';
import { templateContent } from '../../server/sites/template.ts';
import { signedInStaff } from '../admin/helpers.ts';
import { createTestContext, type TestContext } from '../helpers/app.ts';
import { engines } from '../helpers/database.ts';
import { servedInEveryLocale, type EveryLocale } from '../helpers/served.ts';
import { publishVersion } from '../helpers/policies.ts';
import { consentRequest, errorOf, eventsRequest, post } from '../helpers/requests.ts';

const RULES = { texts: DEMO_POLICY_TEXTS, functionalRequired: true, consentLifetimeMonths: 12 };

describe.each(engines)('what the user was shown (%s)', (engine) => {
  // One server for the file: tests that publish versions do so on a site of their own, and tests that tamper
  // with stored evidence put it back.
  let ctx: TestContext;
  beforeAll(async () => {
    ctx = await createTestContext(engine);
  });
  afterAll(() => ctx?.close());

  const minSide = () => ctx.demo.sites.find((site) => site.key === 'min-side')!;
  const served = (key = 'min-side'): Promise<EveryLocale> => servedInEveryLocale(ctx.deps, key);
  const record = (id: number) => ctx.database.db.selectFrom('consent_records').selectAll().where('id', '=', id).executeTakeFirstOrThrow();
  const newSite = (key: string) =>
    ctx.deps.sites.create({ organisationId: ctx.demo.organisationId, key, name: key, surface: 'web', allowedOrigins: [] }, templateContent('web', 'Demo Bedrift AS'));
  const decide = async (overrides: Parameters<typeof consentRequest>[0] = {}) => {
    const response = await post(ctx.app, '/api/consent', consentRequest(overrides));
    expect(response.status, await response.clone().text()).toBe(201);
    return (await response.json()) as StoredConsentReceipt;
  };

  it('the served script carries one content hash per locale, each stored once with its exact text', async () => {
    const config = await served();
    const hashes = [config.texts.nb.shown, config.texts.nn!.shown, config.texts.en.shown];
    expect(new Set(hashes).size).toBe(3);
    await served();
    const rows = await ctx.database.db.selectFrom('shown_contents').selectAll().where('site_id', '=', minSide().id).orderBy('locale').execute();
    expect(rows.map((row) => row.locale)).toEqual(['en', 'nb', 'nn']);
    for (const row of rows) {
      expect(createHash('sha256').update(row.content).digest('hex')).toBe(row.hash);
      const content = JSON.parse(row.content) as ShownContent;
      expect(content).toMatchObject({ site: 'min-side', policyVersion: 1, locale: row.locale });
      expect(content.labels.rejectAll).toBe(config.texts[row.locale as 'nb'].labels.rejectAll);
      // The inventory as declared: the consent cookie is among the necessary items.
      expect(content.categories.find((category) => category.category === 'functional')!.items.map((item) => item.name)).toContain('samtykke');
    }
    expect(rows.find((row) => row.locale === 'nn')!.content).toContain(DEMO_POLICY_TEXTS.nn!.title);
  });

  it('a decision citing the served content keeps its hash inside the chained content, and its GPC', async () => {
    const config = await served();
    const receipt = await decide({ locale: 'nn', shown: config.texts.nn!.shown, gpc: true, source: 'gpc', action: 'custom', choices: { functional: true, analytics: true, ads: false } });
    const row = await record(receipt.id);
    expect(row).toMatchObject({ shown_hash: config.texts.nn!.shown, gpc: true, stale: false, locale: 'nn' });
    expect(receipt.stale).toBe(false);
    expect((await verifySiteChain(ctx.database.db, minSide().id)).problem).toBeNull();

    // Nulling the content hash is an edit like any other: the chain shows it.
    await ctx.database.db.updateTable('consent_records').set({ shown_hash: null }).where('id', '=', receipt.id).execute();
    expect((await verifySiteChain(ctx.database.db, minSide().id)).problem).toMatchObject({ kind: 'altered', seq: receipt.seq });
    await ctx.database.db.updateTable('consent_records').set({ shown_hash: config.texts.nn!.shown }).where('id', '=', receipt.id).execute();
    expect((await verifySiteChain(ctx.database.db, minSide().id)).problem).toBeNull();
  });

  it('GPC is recorded on every decision from a browser that sent it, not only when it changed the outcome', async () => {
    const withGpc = await decide({ gpc: true, choices: { functional: true, analytics: false, ads: false }, action: 'reject_all' });
    const without = await decide();
    expect((await record(withGpc.id)).gpc).toBe(true);
    expect((await record(without.id)).gpc).toBe(false);
  });

  it('a client citing no content gets the content the server shows under that version and locale', async () => {
    const config = await served();
    const receipt = await decide({ locale: 'en', source: 'app' });
    expect((await record(receipt.id)).shown_hash).toBe(config.texts.en.shown);
  });

  it('refuses a hash the site never served, or one of another locale, naming the field', async () => {
    const config = await served();
    const stored = () => ctx.database.db.selectFrom('consent_records').select('id').execute();
    const before = await stored();
    const unknown = await post(ctx.app, '/api/consent', consentRequest({ shown: 'a'.repeat(64) }));
    expect(unknown.status).toBe(400);
    expect(await errorOf(unknown)).toMatchObject({ field: 'shown', message: expect.stringMatching(/not a content site "min-side" has served/) });
    const otherLocale = await post(ctx.app, '/api/consent', consentRequest({ locale: 'nb', shown: config.texts.en.shown }));
    expect(otherLocale.status).toBe(400);
    expect((await errorOf(otherLocale)).message).toMatch(/en content of policy version 1, not nb/);
    const otherSite = await servedInEveryLocale(ctx.deps, 'min-bedrift');
    const crossSite = await post(ctx.app, '/api/consent', consentRequest({ shown: otherSite.texts.nb.shown }));
    expect(crossSite.status).toBe(400);
    const malformed = await post(ctx.app, '/api/consent', consentRequest({ shown: 'not-a-hash' }));
    expect(await errorOf(malformed)).toMatchObject({ code: 'invalid_body', field: 'shown' });
    expect(await stored()).toEqual(before);
  });

  it('a material version makes earlier decisions stale: events under them are refused, late decisions kept and marked', async () => {
    const site = await newSite('materiell');
    const on = { site: site.key };
    const before = await served(site.key);
    const early = await decide({ ...on, shown: before.texts.nb.shown });
    const earlyId = (await record(early.id)).consent_id;
    expect((await post(ctx.app, '/api/events', eventsRequest(earlyId, on))).status).toBe(202);

    await publishVersion(ctx.deps, site, RULES, true);
    const after = await served(site.key);
    expect(after).toMatchObject({ policyVersion: 2, askedSince: 2 });
    expect(after.texts.nb.shown).not.toBe(before.texts.nb.shown);

    const refused = await post(ctx.app, '/api/events', eventsRequest(earlyId, on));
    expect(refused.status).toBe(403);
    expect(await errorOf(refused)).toMatchObject({ code: 'consent_stale', message: expect.stringMatching(/version 1; version 2 changed/) });

    // A page still showing version 1 decides: what that user saw is evidence, so it is kept, marked stale.
    const late = await decide({ ...on, shown: before.texts.nb.shown });
    expect(late.stale).toBe(true);
    expect(await record(late.id)).toMatchObject({ policy_version: 1, stale: true, shown_hash: before.texts.nb.shown });
    expect((await post(ctx.app, '/api/events', eventsRequest((await record(late.id)).consent_id, on))).status).toBe(403);

    const current = await decide({ ...on, policyVersion: 2, shown: after.texts.nb.shown });
    expect(current.stale).toBe(false);
    expect((await post(ctx.app, '/api/events', eventsRequest((await record(current.id)).consent_id, on))).status).toBe(202);
    expect((await verifySiteChain(ctx.database.db, site.id)).problem).toBeNull();
  });

  it('a wording fix keeps earlier decisions counting, and the widget keeps its stored choice', async () => {
    const site = await newSite('ordlyd');
    const on = { site: site.key };
    const early = await decide(on);
    await publishVersion(ctx.deps, site, RULES, false);
    expect(await served(site.key)).toMatchObject({ policyVersion: 2, askedSince: 1 });
    expect((await post(ctx.app, '/api/events', eventsRequest((await record(early.id)).consent_id, on))).status).toBe(202);
    const late = await decide({ ...on, policyVersion: 1 });
    expect(late.stale).toBe(false);
  });

  it('the record view shows the content as shown and detects a stored text changed afterwards', async () => {
    const config = await served();
    const receipt = await decide({ locale: 'en', shown: config.texts.en.shown });
    const officer = await signedInStaff(ctx, ['privacy_officer']);
    const detail = async () => (await (await officer.get(`/api/admin/records/${receipt.id}`)).json()) as {
      record: { shownHash: string; gpc: boolean };
      shown: { hash: string; matches: boolean; content: ShownContent | null };
    };
    const intact = await detail();
    expect(intact.shown).toMatchObject({ hash: config.texts.en.shown, matches: true, content: { locale: 'en', title: DEMO_POLICY_TEXTS.en.title } });
    expect(intact.shown.content!.labels.acceptAll).toBe('Accept all');

    await ctx.database.db
      .updateTable('shown_contents')
      .set((eb) => ({ content: eb.fn('replace', ['content', eb.val('We use cookies'), eb.val('We barely use cookies')]) }))
      .where('hash', '=', config.texts.en.shown)
      .execute();
    const tampered = await detail();
    expect(tampered.shown.matches).toBe(false);
    expect(tampered.shown.content!.title).toBe('We barely use cookies');
    await ctx.database.db
      .updateTable('shown_contents')
      .set((eb) => ({ content: eb.fn('replace', ['content', eb.val('We barely use cookies'), eb.val('We use cookies')]) }))
      .where('hash', '=', config.texts.en.shown)
      .execute();
    expect((await detail()).shown.matches).toBe(true);

    const other = await signedInStaff(ctx, ['analyst']);
    expect((await other.get(`/api/admin/records/${receipt.id}`)).status).toBe(403);
  });

  it('exports carry the content hash, and the contents export lets an auditor check each record offline', async () => {
    const config = await served();
    const receipt = await decide({ locale: 'nb', shown: config.texts.nb.shown });
    const officer = await signedInStaff(ctx, ['privacy_officer']);
    const only = `site=${minSide().id}&consentId=${(await record(receipt.id)).consent_id}`;
    const csv = await (await officer.get(`/api/admin/records/export.csv?${only}`)).text();
    const [header, line] = csv.replace(/^\uFEFF/, '').trim().split('\n');
    const columns = header!.split(',');
    expect(line!.split(',')[columns.indexOf('shown_hash')]).toBe(config.texts.nb.shown);
    expect(line!.split(',')[columns.indexOf('gpc')]).toBe('false');

    const ndjson = await (await officer.get(`/api/admin/records/export.ndjson?${only}`)).text();
    expect(JSON.parse(ndjson.trim().split('\n')[0]!)).toMatchObject({ id: receipt.id, shown_hash: config.texts.nb.shown, stale: false });

    const contents = (await (await officer.get(`/api/admin/records/contents.ndjson?site=${minSide().id}`)).text())
      .trim()
      .split('\n')
      .map((text) => JSON.parse(text) as { hash: string; content: string; locale: string; site: string });
    expect(contents.map((entry) => entry.locale).sort()).toEqual(['en', 'nb', 'nn']);
    for (const entry of contents) expect(createHash('sha256').update(entry.content, 'utf8').digest('hex')).toBe(entry.hash);
    expect(contents.map((entry) => entry.hash)).toContain(config.texts.nb.shown);
  });
});
