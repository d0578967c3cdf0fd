/**
 * The consent evidence hash chain. Every record's hash covers its own content and the hash of the record
 * before it on the same site, so editing, deleting or reordering any stored record breaks the chain.
 */
import { hash } from 'node:crypto';
import type { Checkpoint } from './checkpoint.ts';
import type { ConsentAction, ConsentSource } from './consent.ts';

/** The first link's predecessor. */
export const GENESIS_HASH = '0'.repeat(64);

/** Everything a consent record asserts; the fields the hash covers, in a fixed order. */
export interface ChainedContent {
  readonly siteId: number;
  readonly seq: number;
  readonly consentId: string;
  readonly policyVersion: number;
  readonly functional: boolean;
  readonly analytics: boolean;
  readonly ads: boolean;
  readonly action: ConsentAction;
  readonly source: ConsentSource;
  readonly locale: string;
  readonly pageUrl: string | null;
  readonly browser: string | null;
  readonly os: string | null;
  readonly device: string;
  readonly account: string | null;
  readonly recordedAt: Date;
  readonly clientHash: string;
  /** SHA-256 of the content the user was shown; null only on records from before it was kept. */
  readonly shownHash: string | null;
  readonly gpc: boolean | null;
  readonly stale: boolean;
}

export function chainHash(prevHash: string, content: ChainedContent): string {
  // A JSON array, not an object: the order is fixed by this code, not by how a row happens to be read back.
  // Records from before the shown content was kept hash the fields they had; every newer one covers the content
  // hash, GPC and the stale mark too, so setting its content hash to null breaks the link like any other edit.
  const covered = [
    content.siteId,
    content.seq,
    content.consentId,
    content.policyVersion,
    content.functional,
    content.analytics,
    content.ads,
    content.action,
    content.source,
    content.locale,
    content.pageUrl,
    content.browser,
    content.os,
    content.device,
    content.account,
    content.recordedAt.toISOString(),
    content.clientHash,
  ];
  const canonical = JSON.stringify(content.shownHash === null ? covered : [...covered, content.shownHash, content.gpc, content.stale]);
  // One-shot hashing (Node 20.12+) costs half of a createHash object per record, which verify pays a million times.
  return hash('sha256', `${prevHash}\n${canonical}`, 'hex');
}

export type ChainBreak =
  | { readonly kind: 'missing'; readonly expectedSeq: number; readonly foundSeq: number }
  | { readonly kind: 'relinked'; readonly seq: number }
  | { readonly kind: 'altered'; readonly seq: number }
  | { readonly kind: 'truncated'; readonly headSeq: number; readonly lastSeq: number }
  /** A signed checkpoint names a record past the end of the stored chain. */
  | { readonly kind: 'cut'; readonly checkpoint: Checkpoint; readonly lastSeq: number }
  /** The record a signed checkpoint names has another hash now: the chain was recomputed up to there. */
  | { readonly kind: 'rewritten'; readonly checkpoint: Checkpoint };

/**
 * Checks chain links one at a time, so a verifier can stream any number of records in constant memory, and holds
 * them against the signed checkpoints of the site: each must find its record, with the hash it signed.
 */
export class ChainVerifier {
  private expectedSeq: number;
  private prevHash: string;
  /** Checkpoints still ahead of the walk, by sequence number (the latest signed for each). */
  private readonly ahead = new Map<number, Checkpoint>();
  private firstBreak: ChainBreak | null = null;
  checked = 0;

  /** Starts after `anchor`: the last record retention removed, whose hash the first kept record links to. */
  constructor(anchor: { readonly seq: number; readonly hash: string } = { seq: 0, hash: GENESIS_HASH }, checkpoints: readonly Checkpoint[] = []) {
    this.expectedSeq = anchor.seq + 1;
    this.prevHash = anchor.hash;
    for (const checkpoint of checkpoints) {
      // Older than what retention kept, a checkpoint has nothing left to compare, except the anchor itself.
      if (checkpoint.seq === anchor.seq && checkpoint.hash !== anchor.hash) this.firstBreak ??= { kind: 'rewritten', checkpoint };
      if (checkpoint.seq > anchor.seq) this.ahead.set(checkpoint.seq, checkpoint);
    }
  }

  /** Returns the first break this record shows, or null when it links correctly. */
  next(record: ChainedContent & { readonly prevHash: string; readonly hash: string }): ChainBreak | null {
    if (this.firstBreak) return this.firstBreak;
    if (record.seq !== this.expectedSeq) {
      return { kind: 'missing', expectedSeq: this.expectedSeq, foundSeq: record.seq };
    }
    if (record.prevHash !== this.prevHash) return { kind: 'relinked', seq: record.seq };
    if (chainHash(record.prevHash, record) !== record.hash) return { kind: 'altered', seq: record.seq };
    const checkpoint = this.ahead.get(record.seq);
    if (checkpoint) {
      if (checkpoint.hash !== record.hash) return { kind: 'rewritten', checkpoint };
      this.ahead.delete(record.seq);
    }
    this.expectedSeq += 1;
    this.prevHash = record.hash;
    this.checked += 1;
    return null;
  }

  /**
   * Compares the end of the walked chain with the stored head, which catches records cut off the end, and with
   * the checkpoints, which catch it even when the head was moved back with them.
   */
  finish(head: { readonly seq: number; readonly hash: string } | null): ChainBreak | null {
    const cut = this.finishAgainstCheckpoints();
    if (cut) return cut;
    const lastSeq = this.expectedSeq - 1;
    const headSeq = head?.seq ?? 0;
    if (headSeq !== lastSeq || (head !== null && head.hash !== this.prevHash)) {
      return { kind: 'truncated', headSeq, lastSeq };
    }
    return null;
  }

  /** The end of the walk against the checkpoints alone, where no stored head is at hand (an exported file). */
  finishAgainstCheckpoints(): ChainBreak | null {
    if (this.firstBreak) return this.firstBreak;
    const beyond = [...this.ahead.values()].sort((a, b) => b.seq - a.seq)[0];
    return beyond ? { kind: 'cut', checkpoint: beyond, lastSeq: this.expectedSeq - 1 } : null;
  }
}

export function describeChainBreak(siteKey: string, problem: ChainBreak): string {
  switch (problem.kind) {
    case 'missing':
      return `site ${siteKey}: record #${problem.expectedSeq} is missing (the next stored record is #${problem.foundSeq})`;
    case 'relinked':
      return `site ${siteKey}: record #${problem.seq} does not link to the record before it (deleted, inserted or reordered)`;
    case 'altered':
      return `site ${siteKey}: record #${problem.seq} was altered after it was stored (its hash no longer matches its content)`;
    case 'truncated':
      return `site ${siteKey}: the chain head says #${problem.headSeq} but the records end at #${problem.lastSeq} (records removed from the end)`;
    case 'cut':
      return `site ${siteKey}: a checkpoint signed at ${problem.checkpoint.at} saw record #${problem.checkpoint.seq}, but the records end at #${problem.lastSeq} (records removed from the end, and the head moved back)`;
    case 'rewritten':
      return `site ${siteKey}: record #${problem.checkpoint.seq} does not have the hash signed at ${problem.checkpoint.at} (the chain was recomputed up to there: records inserted, removed, reordered or edited)`;
  }
}
