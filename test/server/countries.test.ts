/**
 * Countries without keeping addresses: the collector places each request's client address in its country (the
 * packaged DB-IP database), stores the country with events, visits and consent records, and never the address;
 * the usage and consent analytics break down and filter by it; a missing or broken database stops start-up.
 */
import { spawnSync } from 'node:child_process';
import { mkdtempSync, rmSync, writeFileSync } from 'node:fs';
import { copyFile, readFile } from 'node:fs/promises';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { SERVER_ENTRY } from '../../server/build.ts';
import { CountryDatabase } from '../../server/collector/countries.ts';
import { ConfigError, loadConfig } from '../../server/config.ts';
import { verifySiteChain } from '../../server/queries/consent-records.ts';
import { createTestContext, type TestContext } from '../helpers/app.ts';
import { engines } from '../helpers/database.ts';
import { consentRequest, eventsRequest, newConsentId, post } from '../helpers/requests.ts';
import { signedInStaff, type StaffClient } from '../admin/helpers.ts';

/** Public addresses and the countries the packaged database places them in (universities' and Google's networks). */
const PLACED = [
  { address: '129.240.2.3', country: 'NO' },
  { address: '::ffff:130.237.0.1', country: 'SE' },
  { address: '8.8.8.8', country: 'US' },
  { address: '2001:67c:21e0::1', country: 'NO' },
] as const;
const LOCAL = ['127.0.0.1', '::1', '10.1.2.3', '192.168.1.20', '172.20.0.5', '169.254.1.1', '100.64.0.1', 'fd00::1', 'FE80::1', '::ffff:127.0.0.1'];

describe('the country database', () => {
  const countries = CountryDatabase.open(loadConfig({}).countryDatabase);

  it('places public addresses, IPv4, IPv4-mapped IPv6 and IPv6, in their countries', () => {
    for (const { address, country } of PLACED) expect(countries.countryOf(address), address).toBe(country);
  });

  it('gives local and private addresses, and what is no address, no country', () => {
    for (const address of [...LOCAL, 'unknown', '', '1.2.3', '8.8.8.8.8']) expect(countries.countryOf(address), address).toBeNull();
  });
});

describe('a country database that cannot be used stops start-up', () => {
  let folder: string;
  beforeAll(() => {
    folder = mkdtempSync(path.join(tmpdir(), 'samtykke-countries-'));
  });
  afterAll(() => rmSync(folder, { recursive: true, force: true }));

  it('names the setting and the path of a missing file', () => {
    const missing = path.join(folder, 'missing.mmdb');
    const config = loadConfig({ SAMTYKKE_COUNTRY_DATABASE: missing });
    expect(config.countryDatabase).toBe(missing);
    expect(() => CountryDatabase.open(missing)).toThrow(ConfigError);
    expect(() => CountryDatabase.open(missing)).toThrow(new RegExp(`SAMTYKKE_COUNTRY_DATABASE .*cannot be read: ${missing}`));
  });

  it('names the setting and the path of a file that is not a country database, or one cut short', async () => {
    const text = path.join(folder, 'countries.csv');
    writeFileSync(text, '1.0.0.0,1.0.0.255,AU\n');
    expect(() => CountryDatabase.open(text)).toThrow(new RegExp(`SAMTYKKE_COUNTRY_DATABASE names a file that is not a country database .*: ${text}`));
    const whole = await readFile(loadConfig({}).countryDatabase);
    const cut = path.join(folder, 'cut.mmdb');
    // The metadata (at the end) survives; the search tree and data section are cut.
    writeFileSync(cut, Buffer.concat([whole.subarray(0, 1000), whole.subarray(whole.length - 4000)]));
    expect(() => CountryDatabase.open(cut)).toThrow(new RegExp(`SAMTYKKE_COUNTRY_DATABASE .*${cut}`));
  });

  it('is the server’s start-up error: it says so and exits before opening the database', async () => {
    const broken = path.join(folder, 'broken.mmdb');
    await copyFile(path.join(folder, 'countries.csv'), broken);
    for (const file of [path.join(folder, 'missing.mmdb'), broken]) {
      const started = spawnSync(process.execPath, [SERVER_ENTRY], {
        env: { ...process.env, DATABASE_URL: '', SAMTYKKE_DATA_DIR: ':memory:', PORT: '0', SAMTYKKE_COUNTRY_DATABASE: file },
        encoding: 'utf8',
        timeout: 60_000,
      });
      expect(started.status, started.stdout + started.stderr).toBe(1);
      expect(started.stderr).toContain(`Configuration error: SAMTYKKE_COUNTRY_DATABASE`);
      expect(started.stderr).toContain(file);
      expect(started.stdout).not.toContain('listening');
    }
  }, 120_000);
});

describe.each(engines)('countries at ingest and in the analytics (%s)', (engine) => {
  let ctx: TestContext;
  let analyst: StaffClient;
  let officer: StaffClient;
  let siteId: number;
  /** consent IDs by the address their requests came from */
  const consentIds = new Map<string, string>();

  beforeAll(async () => {
    // Behind a proxy the collector takes the client address from X-Forwarded-For: how tests reach it with any address.
    ctx = await createTestContext(engine, { SAMTYKKE_TRUST_PROXY: 'true' });
    siteId = ctx.demo.sites.find((site) => site.key === 'min-side')!.id;
    for (const [index, address] of [...PLACED.map((placed) => placed.address), '127.0.0.1'].entries()) {
      const consentId = newConsentId();
      consentIds.set(address, consentId);
      // Every other client rejects analytics, so the opt-in rate differs by country.
      const choices = { functional: true, analytics: index % 2 === 0, ads: false };
      const decided = await post(ctx.app, '/api/consent', consentRequest({ consentId, choices, action: choices.analytics ? 'custom' : 'reject_all' }), { 'x-forwarded-for': address });
      expect(decided.status, address).toBe(201);
      if (!choices.analytics) continue;
      const sent = await post(
        ctx.app,
        '/api/events',
        eventsRequest(consentId, { events: [{ type: 'pageview', url: 'https://portal.test/' }, { type: 'pageview', url: 'https://portal.test/pris' }] }),
        // The proxy appends the address it saw; what the client wrote to the left of it is not believed.
        { 'x-forwarded-for': `81.0.0.1, ${address}` },
      );
      expect(sent.status, address).toBe(202);
    }
    await ctx.deps.eventWriter.close();
    analyst = await signedInStaff(ctx, ['analyst']);
    officer = await signedInStaff(ctx, ['privacy_officer']);
  }, 60_000);
  afterAll(() => ctx?.close());

  it('stores the country of each request with its consent record, events and visit, none for loopback', async () => {
    const { db } = ctx.database;
    const records = await db.selectFrom('consent_records').select(['consent_id', 'country']).execute();
    const events = await db.selectFrom('events').select(['consent_id', 'country']).execute();
    const visits = await db.selectFrom('visits').select(['visitor', 'country']).execute();
    for (const [index, address] of [...PLACED.map((placed) => placed.address), '127.0.0.1'].entries()) {
      const consentId = consentIds.get(address)!;
      const country = PLACED.find((placed) => placed.address === address)?.country ?? null;
      expect(records.filter((row) => row.consent_id === consentId), address).toEqual([{ consent_id: consentId, country }]);
      if (index % 2 !== 0) continue;
      expect(events.filter((row) => row.consent_id === consentId), address).toEqual([
        { consent_id: consentId, country },
        { consent_id: consentId, country },
      ]);
      expect(visits.filter((row) => row.visitor === consentId), address).toEqual([{ visitor: consentId, country }]);
    }
  });

  it('keeps no client address anywhere it stores', async () => {
    const { db } = ctx.database;
    const stored = JSON.stringify([
      await db.selectFrom('consent_records').selectAll().execute(),
      await db.selectFrom('events').selectAll().execute(),
      await db.selectFrom('visits').selectAll().execute(),
      await db.selectFrom('usage_daily').selectAll().execute(),
    ]);
    for (const address of ['129.240', '130.237', '8.8.8.8', '2001:67c', '127.0.0.1', '10.0.0.1']) expect(stored).not.toContain(address);
  });

  it('leaves the country out of the evidence hash: the chain verifies, with the countries changed too', async () => {
    const { db } = ctx.database;
    expect(await verifySiteChain(db, siteId)).toEqual({ checked: 5, problem: null });
    const stored = await db.selectFrom('consent_records').select(['id', 'country']).where('site_id', '=', siteId).execute();
    await db.updateTable('consent_records').set({ country: 'ZZ' }).where('site_id', '=', siteId).execute();
    expect(await verifySiteChain(db, siteId)).toEqual({ checked: 5, problem: null });
    for (const { id, country } of stored) await db.updateTable('consent_records').set({ country }).where('id', '=', id).execute();
  });

  it('gives the overview a country panel and filters by country, as the raw events say', async () => {
    const overview = async (query = '') => {
      const response = await analyst.get(`/api/admin/sites/${siteId}/usage/overview?period=7d${query}`);
      expect(response.status).toBe(200);
      return (await response.json()) as { panels: Record<string, Array<{ value: string | null; metrics: Record<string, number> }>>; totals: { current: Record<string, number> } };
    };
    // Analytics granted from NO (IPv4), US and loopback: NO and US one visit of two pageviews each, loopback none.
    const all = await overview();
    expect(all.panels.country).toEqual([
      { value: 'NO', metrics: { visits: 1, pageviews: 2, events: 0 } },
      { value: 'US', metrics: { visits: 1, pageviews: 2, events: 0 } },
    ]);
    expect(all.totals.current.visits).toBe(3);
    const norway = await overview('&f.country=NO');
    expect(norway.totals.current).toMatchObject({ visits: 1, pageviews: 2 });
    expect(norway.panels.country!.map((row) => row.value)).toEqual(['NO']);
    const breakdown = await analyst.get(`/api/admin/sites/${siteId}/usage/breakdown?period=30d&dimension=country&sort=value&order=asc`);
    expect(((await breakdown.json()) as { rows: Array<{ value: string }> }).rows.map((row) => row.value)).toEqual(['NO', 'US']);
  });

  it('gives consent analytics the opt-in rate by country, decisions without a country under ""', async () => {
    const response = await officer.get(`/api/admin/consent-stats?period=7d&site=${siteId}`);
    expect(response.status).toBe(200);
    const stats = (await response.json()) as { country: Array<{ value: string; decisions: number; granted: { analytics: number } }> };
    expect(stats.country.map(({ value, decisions, granted }) => ({ value, decisions, analytics: granted.analytics }))).toEqual([
      { value: '', decisions: 1, analytics: 1 },
      { value: 'NO', decisions: 2, analytics: 1 },
      { value: 'SE', decisions: 1, analytics: 0 },
      { value: 'US', decisions: 1, analytics: 1 },
    ]);
  });
});
