import { describe, expect, test } from 'vitest';
import { actionFor, decodeConsent, encodeConsent, isCurrent, newConsentId, type StoredConsent } from '../../widget/consent.ts';

const choice: StoredConsent = {
  id: 'a1b2c3d4e5f6a7b8c9d0e1f2a3b4c5d6',
  policyVersion: 3,
  choices: { functional: true, analytics: false, ads: true },
  at: Date.UTC(2026, 0, 31, 12),
  pending: null,
};

describe('the consent cookie', () => {
  test('round-trips a recorded and a pending choice', () => {
    expect(decodeConsent(encodeConsent(choice))).toEqual(choice);
    const shown = 'a'.repeat(64);
    const pending = { ...choice, pending: { action: 'custom', source: 'gpc', locale: 'nn', shown } } as const;
    expect(encodeConsent(pending)).toMatch(new RegExp(`\\.custom\\.gpc\\.nn\\.${shown}$`));
    expect(decodeConsent(encodeConsent(pending))).toEqual(pending);
  });

  test('anything malformed counts as no choice', () => {
    for (const value of ['', 'short.1.7.abc', `${choice.id}.0.7.abc`, `${choice.id}.x.7.abc`, `${choice.id}.1.7`, 'a b.1.7.abc']) {
      expect(decodeConsent(value)).toBeNull();
    }
  });

  test('holds while made under the latest material version or later, and the lifetime has not passed', () => {
    const month = 31 * 24 * 3600 * 1000;
    expect(isCurrent(choice, 3, 12, choice.at + month)).toBe(true);
    // Versions after 3 that were wording fixes (the latest material one is still 3, or earlier) keep it.
    expect(isCurrent(choice, 2, 12, choice.at + month)).toBe(true);
    expect(isCurrent(choice, 4, 12, choice.at + month)).toBe(false);
    expect(isCurrent(choice, 3, 1, choice.at + month * 2)).toBe(false);
    expect(isCurrent(choice, 3, 12, Date.UTC(2027, 0, 31, 12))).toBe(false);
  });

  test('consent IDs are random and fit the collector pattern', () => {
    const ids = new Set(Array.from({ length: 100 }, newConsentId));
    expect(ids.size).toBe(100);
    for (const id of ids) expect(id).toMatch(/^[0-9a-f]{32}$/);
  });
});

describe('naming a decision for the record', () => {
  const all = { functional: true, analytics: true, ads: true };
  const none = { functional: true, analytics: false, ads: false };
  const some = { functional: true, analytics: true, ads: false };

  test('by how much it grants', () => {
    expect(actionFor(all, null)).toBe('accept_all');
    expect(actionFor(none, null)).toBe('reject_all');
    expect(actionFor(some, null)).toBe('custom');
    expect(actionFor(all, some)).toBe('accept_all');
  });

  test('taking back any category is a withdrawal', () => {
    expect(actionFor(none, all)).toBe('withdraw');
    expect(actionFor(some, all)).toBe('withdraw');
    expect(actionFor({ functional: true, analytics: false, ads: true }, some)).toBe('withdraw');
  });
});
