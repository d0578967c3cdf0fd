/** A site's policy versions: the list, a diff of any two, the one draft being edited, its preview, and publishing it. */
import { computed, effect, signal } from '@preact/signals';
import { api, type Policy, type PolicyChange, type PolicyDiff, type PolicyInput } from '../api.ts';
import type { Locale } from '../../server/domain/consent.ts';
import type { PolicyTexts } from '../../server/domain/policy.ts';
import { attemptForm, createLoader, type Problem } from './loader.ts';
import type { PreviewLayer, PreviewWidth } from './banner.ts';
import { currentSite, currentSiteId, reloadSites } from './session.ts';

export interface Notice {
  readonly key: 'publishedMaterial' | 'publishedWording' | 'draftSaved' | 'draftDiscarded' | 'draftStarted';
  readonly version?: number;
}

const rulesOf = (entry: Policy): PolicyInput => ({ texts: entry.texts, functionalRequired: entry.functionalRequired, consentLifetimeMonths: entry.consentLifetimeMonths });

export function createPolicyModel() {
  // Peeked: the start effect reruns when another site is picked, not when publishing reloads the site list.
  const versions = createLoader(() => api.policies(currentSite.peek()!.id));
  /** The key of the site whose versions are on screen. */
  const site = signal<string | null>(null);
  const inForce = computed(() => versions.data.value?.find((entry) => entry.state === 'published') ?? null);
  /** The draft as edited here; saved to the server on Save, Preview and Publish. */
  const draft = signal<{ id: number; rules: PolicyInput } | null>(null);
  const dirty = signal(false);
  const problem = signal<Problem | null>(null);
  const notice = signal<Notice | null>(null);
  const change = signal<PolicyChange | null>(null);

  const diffFrom = signal<number | null>(null);
  const diffTo = signal<number | null>(null);
  const diff = signal<PolicyDiff | null>(null);
  const diffProblem = signal<Problem | null>(null);

  const previewing = signal(false);
  /** Bumped after each save, so the preview frame loads the draft as it now is. */
  const revision = signal(0);
  const lang = signal<Locale>('nb');
  const layer = signal<PreviewLayer>('notice');
  const width = signal<PreviewWidth>('desktop');
  const previewUrl = computed(() => {
    const site = currentSite.value;
    const open = draft.value;
    if (!site || !open || !previewing.value) return null;
    return api.previewUrl(site.id, { lang: lang.value, layer: layer.value, policy: open.id });
  });

  async function reload(): Promise<void> {
    const picked = currentSite.peek()?.key ?? null;
    await versions.load();
    // A load for a site picked before the current one must not replace what is on screen.
    if (picked !== (currentSite.peek()?.key ?? null)) return;
    site.value = picked;
    const list = versions.data.peek() ?? [];
    const open = list.find((entry) => entry.state === 'draft');
    draft.value = open ? { id: open.id, rules: rulesOf(open) } : null;
    dirty.value = false;
    if (!open) previewing.value = false;
    // After every change to the list the comparison starts at its newest two: what was just drafted or published.
    diffFrom.value = list[1]?.id ?? null;
    diffTo.value = list[0]?.id ?? null;
    diff.value = null;
  }

  function edit(rules: PolicyInput): void {
    if (!draft.value) return;
    draft.value = { ...draft.value, rules };
    dirty.value = true;
  }

  function setTexts(language: Locale, texts: PolicyTexts | undefined): void {
    const open = draft.value;
    if (!open) return;
    const { [language]: _old, ...others } = open.rules.texts;
    edit({ ...open.rules, texts: (texts ? { ...others, [language]: texts } : others) as PolicyInput['texts'] });
  }

  async function startDraft(): Promise<void> {
    const site = currentSite.value;
    const from = inForce.value;
    if (!site || !from) return;
    notice.value = null;
    if (await attemptForm(problem, () => api.createDraft(site.id, rulesOf(from)))) {
      await reload();
      notice.value = { key: 'draftStarted' };
    }
  }

  async function saveDraft(): Promise<boolean> {
    const site = currentSite.value;
    const open = draft.value;
    if (!site || !open) return false;
    const saved = await attemptForm(problem, () => api.updateDraft(site.id, open.id, open.rules));
    if (saved) {
      dirty.value = false;
      revision.value += 1;
    }
    return saved;
  }

  async function save(): Promise<void> {
    notice.value = null;
    if (await saveDraft()) notice.value = { key: 'draftSaved' };
  }

  async function preview(): Promise<void> {
    if (dirty.value && !(await saveDraft())) return;
    previewing.value = true;
  }

  async function discard(confirmText: string): Promise<void> {
    const site = currentSite.value;
    const open = draft.value;
    if (!site || !open || !confirm(confirmText)) return;
    notice.value = null;
    if (await attemptForm(problem, () => api.discardDraft(site.id, open.id))) {
      await reload();
      notice.value = { key: 'draftDiscarded' };
    }
  }

  async function publish(): Promise<void> {
    const site = currentSite.value;
    const open = draft.value;
    const kind = change.value;
    if (!site || !open || !kind) return;
    notice.value = null;
    if (dirty.value && !(await saveDraft())) return;
    let version = 0;
    if (await attemptForm(problem, async () => (version = (await api.publishDraft(site.id, open.id, kind)).version))) {
      change.value = null;
      await Promise.all([reload(), reloadSites()]);
      notice.value = { key: kind === 'material' ? 'publishedMaterial' : 'publishedWording', version };
    }
  }

  async function compare(): Promise<void> {
    const site = currentSite.value;
    const from = diffFrom.value;
    const to = diffTo.value;
    if (!site || from === null || to === null) return;
    diff.value = null;
    await attemptForm(diffProblem, async () => (diff.value = await api.policyDiff(site.id, from, to)));
  }

  function start(): () => void {
    return effect(() => {
      if (currentSiteId.value === null) return;
      site.value = null;
      notice.value = null;
      problem.value = null;
      previewing.value = false;
      void reload();
    });
  }

  return {
    versions,
    site,
    inForce,
    draft,
    dirty,
    problem,
    notice,
    change,
    diffFrom,
    diffTo,
    diff,
    diffProblem,
    previewing,
    revision,
    lang,
    layer,
    width,
    previewUrl,
    edit,
    setTexts,
    startDraft,
    save,
    preview,
    discard,
    publish,
    compare,
    start,
  };
}

export type PolicyModel = ReturnType<typeof createPolicyModel>;
