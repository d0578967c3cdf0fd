/**
 * A word-level diff of two policy versions, field by field in every locale either version has, so an admin sees
 * exactly which words a new version changes before publishing it. jsdiff's diffWords does the word alignment.
 */
import { diffWords } from 'diff';
import { CATEGORIES, LOCALES, type Locale } from './consent.ts';
import type { PolicyRules, PolicyTexts } from './policy.ts';

export interface DiffPart {
  readonly change: 'same' | 'added' | 'removed';
  readonly text: string;
}

export interface FieldDiff {
  readonly locale: Locale;
  /** `title`, `body`, or `categories.<category>.title` / `.description`. */
  readonly field: string;
  readonly changed: boolean;
  readonly parts: readonly DiffPart[];
}

export interface PolicyDiff {
  readonly fields: readonly FieldDiff[];
  readonly functionalRequired: { readonly from: boolean; readonly to: boolean } | null;
  readonly consentLifetimeMonths: { readonly from: number; readonly to: number } | null;
}

function fieldsOf(texts: PolicyTexts | undefined): Array<[string, string]> {
  if (!texts) return [];
  return [
    ['title', texts.title],
    ['body', texts.body],
    ...CATEGORIES.flatMap((category): Array<[string, string]> => [
      [`categories.${category}.title`, texts.categories[category].title],
      [`categories.${category}.description`, texts.categories[category].description],
    ]),
  ];
}

export function diffPolicies(from: PolicyRules, to: PolicyRules): PolicyDiff {
  const fields = LOCALES.flatMap((locale) => {
    const before = new Map(fieldsOf(from.texts[locale]));
    const after = new Map(fieldsOf(to.texts[locale]));
    const names = [...new Set([...before.keys(), ...after.keys()])];
    return names.map((field): FieldDiff => {
      const parts = diffWords(before.get(field) ?? '', after.get(field) ?? '').map(
        (part): DiffPart => ({ change: part.added ? 'added' : part.removed ? 'removed' : 'same', text: part.value }),
      );
      return { locale, field, changed: parts.some((part) => part.change !== 'same'), parts };
    });
  });
  return {
    fields,
    functionalRequired: from.functionalRequired === to.functionalRequired ? null : { from: from.functionalRequired, to: to.functionalRequired },
    consentLifetimeMonths:
      from.consentLifetimeMonths === to.consentLifetimeMonths ? null : { from: from.consentLifetimeMonths, to: to.consentLifetimeMonths },
  };
}
