/** The stored choice: its cookie encoding, whether it still holds, and how a new choice is named for the record. */
import {
  CATEGORIES,
  decisionExpiresAt,
  type Choices,
  type ConsentAction,
  type ConsentSource,
  type Locale,
} from '../server/domain/consent.ts';

/** A decision the collector has not recorded yet, with what it is recorded as. */
export interface PendingDecision {
  readonly action: ConsentAction;
  readonly source: ConsentSource;
  /** The locale and the hash of the content the choice was made on: the collector checks the hash against both. */
  readonly locale: Locale;
  readonly shown: string;
}

export interface StoredConsent {
  readonly id: string;
  readonly policyVersion: number;
  readonly choices: Choices;
  /** When the choice was made, in ms since the epoch. */
  readonly at: number;
  /**
   * Set until the collector has recorded the decision: it is sent again on the next page, as it was made. Left out
   * of a decision an app handed over (widget/handoff.ts), which the app recorded.
   */
  readonly pending?: PendingDecision | null;
}

// Compact cookie value: id.version.bits.time36[.action.source.locale.shown]; one bit per category in CATEGORIES
// order. The collector validates the pending fields again, so a tampered cookie can at most be refused there.
export function encodeConsent({ id, policyVersion, choices, at, pending }: StoredConsent): string {
  const bits = CATEGORIES.reduce((sum, category, index) => sum + (choices[category] ? 1 << index : 0), 0);
  return [id, policyVersion, bits, at.toString(36), ...(pending ? [pending.action, pending.source, pending.locale, pending.shown] : [])].join('.');
}

export function decodeConsent(value: string): StoredConsent | null {
  const [id = '', version, bits, at = '', action, source, locale, shown] = value.split('.');
  const consent: StoredConsent = {
    id,
    policyVersion: Number(version),
    choices: choicesFrom((_, index) => (Number(bits) & (1 << index)) > 0),
    at: parseInt(at, 36),
    // The hash comes last: with it, the fields before it are there too.
    pending: shown ? { action: action as ConsentAction, source: source as ConsentSource, locale: locale as Locale, shown } : null,
  };
  return /^[\w-]{16,64}$/.test(id) && consent.policyVersion > 0 && consent.at > 0 ? consent : null;
}

export function choicesFrom(choose: (category: (typeof CATEGORIES)[number], index: number) => boolean): Choices {
  return Object.fromEntries(CATEGORIES.map((category, index) => [category, choose(category, index)])) as Choices;
}

/**
 * A stored choice holds while its lifetime has not passed and it was made under the latest material policy
 * version or later: a wording fix published since does not ask again.
 */
export function isCurrent(consent: StoredConsent, askedSince: number, lifetimeMonths: number, now: number): boolean {
  return consent.policyVersion >= askedSince && decisionExpiresAt(new Date(consent.at), lifetimeMonths).getTime() > now;
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
