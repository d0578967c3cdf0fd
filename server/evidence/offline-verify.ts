/**
 * Verifies an exported evidence file with no database and no server: the records export as NDJSON (every record
 * of the sites it holds, as the dashboard's export gives them), each site's records walked along the chain from
 * the first one exported and held against the signed checkpoints when they are given.
 */
import { createReadStream } from 'node:fs';
import { createInterface } from 'node:readline';
import { z } from 'zod';
import { ChainVerifier, type ChainBreak } from '../domain/chain.ts';
import { ACTIONS, SOURCES } from '../domain/consent.ts';
import type { CheckedCheckpoints } from './checkpoint-log.ts';

const sha256 = z.string().regex(/^[0-9a-f]{64}$/);
const exportedRecordSchema = z.object({
  site: z.string(),
  site_id: z.number().int().positive(),
  seq: z.number().int().positive(),
  consent_id: z.string(),
  recorded_at: z.iso.datetime(),
  policy_version: z.number().int(),
  functional: z.boolean(),
  analytics: z.boolean(),
  ads: z.boolean(),
  action: z.enum(ACTIONS),
  source: z.enum(SOURCES),
  locale: z.string(),
  page_url: z.string().nullable(),
  browser: z.string().nullable(),
  os: z.string().nullable(),
  device: z.string(),
  account: z.string().nullable(),
  gpc: z.boolean().nullable(),
  stale: z.boolean(),
  shown_hash: sha256.nullable(),
  prev_hash: sha256,
  hash: sha256,
  client_hash: z.string(),
});

export interface ExportedSiteReport {
  readonly siteKey: string;
  readonly siteId: number;
  readonly checked: number;
  /** The first break, a checkpoint the key did not sign (its line in the log), or null when all verifies. */
  readonly problem: ChainBreak | { readonly kind: 'forged'; readonly line: number } | null;
}

interface SiteWalk {
  readonly siteKey: string;
  readonly verifier: ChainVerifier;
  problem: ExportedSiteReport['problem'];
}

/** Every site of the file with its verdict; `onProgress` hears the number of lines read, every 100,000. */
export async function verifyExportFile(file: string, checkpoints: CheckedCheckpoints | null, onProgress?: (lines: number) => void): Promise<ExportedSiteReport[]> {
  const walks = new Map<number, SiteWalk>();
  const lines = createInterface({ input: createReadStream(file, { encoding: 'utf8' }), crlfDelay: Infinity });
  let lineNumber = 0;
  for await (const line of lines) {
    lineNumber += 1;
    if (onProgress && lineNumber % 100_000 === 0) onProgress(lineNumber);
    if (line.trim() === '') continue;
    let parsed: unknown;
    try {
      parsed = JSON.parse(line);
    } catch {
      throw new Error(`${file}, line ${lineNumber}: not JSON`);
    }
    const result = exportedRecordSchema.safeParse(parsed);
    if (!result.success) {
      const issue = result.error.issues[0];
      throw new Error(`${file}, line ${lineNumber}: not an exported consent record (${issue?.path.join('.')}: ${issue?.message}); export as NDJSON from the dashboard`);
    }
    const record = result.data;
    let walk = walks.get(record.site_id);
    if (!walk) {
      const forged = checkpoints?.forged.find((entry) => entry.siteId === record.site_id);
      // The export starts where it starts: records retention removed before it are not in the file to check.
      const verifier = new ChainVerifier({ seq: record.seq - 1, hash: record.prev_hash }, checkpoints?.bySite.get(record.site_id) ?? []);
      walk = { siteKey: record.site, verifier, problem: forged ? { kind: 'forged', line: forged.line } : null };
      walks.set(record.site_id, walk);
    }
    if (walk.problem) continue;
    walk.problem = walk.verifier.next({
      siteId: record.site_id,
      seq: record.seq,
      consentId: record.consent_id,
      policyVersion: record.policy_version,
      functional: record.functional,
      analytics: record.analytics,
      ads: record.ads,
      action: record.action,
      source: record.source,
      locale: record.locale,
      pageUrl: record.page_url,
      browser: record.browser,
      os: record.os,
      device: record.device,
      account: record.account,
      recordedAt: new Date(record.recorded_at),
      clientHash: record.client_hash,
      shownHash: record.shown_hash,
      gpc: record.gpc,
      stale: record.stale,
      prevHash: record.prev_hash,
      hash: record.hash,
    });
  }
  return [...walks].map(([siteId, walk]) => ({
    siteKey: walk.siteKey,
    siteId,
    checked: walk.verifier.checked,
    problem: walk.problem ?? walk.verifier.finishAgainstCheckpoints(),
  }));
}
