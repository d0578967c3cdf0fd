/** The banner theme's contrast rule (WCAG 2.2 AA) and the word diff between policy versions. */
import { describe, expect, test } from 'vitest';
import { contrastProblems, contrastRatio, DEFAULT_THEME } from '../../server/domain/banner.ts';
import { DEMO_POLICY_TEXTS } from '../../server/demo/content.ts';
import { diffPolicies } from '../../server/domain/policy-diff.ts';

describe('contrast', () => {
  test('follows the WCAG formula: black on white is 21:1, #767676 on white just passes AA', () => {
    expect(contrastRatio('#000000', '#ffffff')).toBeCloseTo(21, 5);
    expect(contrastRatio('#ffffff', '#000000')).toBeCloseTo(21, 5);
    expect(contrastRatio('#767676', '#ffffff')).toBeGreaterThanOrEqual(4.5);
    expect(contrastRatio('#777777', '#ffffff')).toBeLessThan(4.5);
  });

  test('the default theme passes every pair', () => {
    expect(contrastProblems(DEFAULT_THEME)).toEqual([]);
  });

  test('names each failing pair with its colours and ratio, in both staff languages', () => {
    const problems = contrastProblems({ accent: '#ffcc00', background: '#ffffff', text: '#999999' });
    expect(problems.map((problem) => problem.en)).toEqual([
      expect.stringMatching(/^The contrast of the text on the background \(#999999 on #ffffff\) is 2\.84:1; WCAG 2\.2 AA needs at least 4\.5:1$/),
      expect.stringMatching(/the button labels \(background colour\) on the accent \(#ffffff on #ffcc00\)/),
      expect.stringMatching(/the links \(accent\) on the background \(#ffcc00 on #ffffff\)/),
    ]);
    expect(problems[0]!.nb).toMatch(/teksten mot bakgrunnen/);
  });
});

describe('policy diff', () => {
  const rules = { texts: DEMO_POLICY_TEXTS, functionalRequired: true, consentLifetimeMonths: 12 };

  test('marks the words that changed, field by field, and nothing else', () => {
    const changed = {
      ...rules,
      consentLifetimeMonths: 6,
      texts: { ...DEMO_POLICY_TEXTS, nb: { ...DEMO_POLICY_TEXTS.nb, title: 'Vi bruker informasjonskapsler og piksler' } },
    };
    const diff = diffPolicies(rules, changed);
    const title = diff.fields.find((field) => field.locale === 'nb' && field.field === 'title')!;
    expect(title.changed).toBe(true);
    expect(title.parts.filter((part) => part.change === 'added').map((part) => part.text.trim())).toEqual(['og piksler']);
    expect(title.parts.filter((part) => part.change === 'removed')).toEqual([]);
    expect(diff.fields.filter((field) => field.changed).map((field) => `${field.locale}.${field.field}`)).toEqual(['nb.title']);
    expect(diff.consentLifetimeMonths).toEqual({ from: 12, to: 6 });
    expect(diff.functionalRequired).toBeNull();
  });

  test('a locale only one version has shows as wholly added', () => {
    const { nn: _nn, ...withoutNn } = DEMO_POLICY_TEXTS;
    const diff = diffPolicies({ ...rules, texts: withoutNn }, rules);
    const nnBody = diff.fields.find((field) => field.locale === 'nn' && field.field === 'body')!;
    expect(nnBody.parts).toEqual([{ change: 'added', text: DEMO_POLICY_TEXTS.nn!.body }]);
  });
});
