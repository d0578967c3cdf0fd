/** The stored choice: its cookie encoding, whether it still holds, and how a new choice is named for the record. */
import { CATEGORIES, decisionExpiresAt, type Choices, type ConsentAction, type ConsentSource } from '../server/domain/consent.ts';

export interface StoredConsent {
  readonly id: string;
  readonly policyVersion: number;
  readonly choices: Choices;
  /** When the choice was made, in ms since the epoch. */
  readonly at: number;
  /** Set until the collector has recorded the decision: it is sent again on the next page. */
  readonly pending: { readonly action: ConsentAction; readonly source: ConsentSource } | null;
}

// Compact cookie value: id.version.bits.time36[.action.source]; one bit per category in CATEGORIES order. The
// collector validates action and source again, so a tampered cookie can at most be refused there.
export function encodeConsent({ id, policyVersion, choices, at, pending }: StoredConsent): string {
  const bits = CATEGORIES.reduce((sum, category, index) => sum + (choices[category] ? 1 << index : 0), 0);
  return [id, policyVersion, bits, at.toString(36), ...(pending ? [pending.action, pending.source] : [])].join('.');
}

export function decodeConsent(value: string): StoredConsent | null {
  const [id = '', version, bits, at = '', action, source] = value.split('.');
  const consent: StoredConsent = {
    id,
    policyVersion: Number(version),
    choices: choicesFrom((_, index) => (Number(bits) & (1 << index)) > 0),
    at: parseInt(at, 36),
    pending: action && source ? { action: action as ConsentAction, source: source as ConsentSource } : null,
  };
  return /^[\w-]{16,64}$/.test(id) && consent.policyVersion > 0 && consent.at > 0 ? consent : null;
}

export function choicesFrom(choose: (category: (typeof CATEGORIES)[number], index: number) => boolean): Choices {
  return Object.fromEntries(CATEGORIES.map((category, index) => [category, choose(category, index)])) as Choices;
}

/** A stored choice holds while its policy version is current and its lifetime has not passed. */
export function isCurrent(consent: StoredConsent, policyVersion: number, lifetimeMonths: number, now: number): boolean {
  return consent.policyVersion === policyVersion && decisionExpiresAt(new Date(consent.at), lifetimeMonths).getTime() > now;
}

/** Withdrawing anything outweighs the rest; otherwise the name says how much was granted. */
export function actionFor(choices: Choices, previous: Choices | null): ConsentAction {
  if (previous && CATEGORIES.some((category) => previous[category] && !choices[category])) return 'withdraw';
  if (CATEGORIES.every((category) => choices[category])) return 'accept_all';
  if (!choices.analytics && !choices.ads) return 'reject_all';
  return 'custom';
}

/** A random pseudonymous ID: 32 hex characters, 128 bits (getRandomValues works on plain-http intranets too). */
export function newConsentId(): string {
  return Array.from(crypto.getRandomValues(new Uint8Array(16)), (byte) => byte.toString(16).padStart(2, '0')).join('');
}
