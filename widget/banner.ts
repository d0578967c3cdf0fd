/**
 * The two layers in a shadow root: the notice (text, Accept all / Reject all / Choose, equal in look and place)
 * and the preferences dialog (one switch per category with its purpose). Focus moves in on open and back on close.
 */
import { CATEGORIES, type Choices } from '../server/domain/consent.ts';
import type { PolicyTexts } from '../server/domain/policy.ts';
import type { UiTexts } from './constants.ts';
import { choicesFrom } from './consent.ts';
import { button, h } from './dom.ts';
import { BANNER_CSS } from './styles.ts';

export interface BannerOptions {
  readonly texts: PolicyTexts;
  readonly ui: UiTexts;
  readonly lang: string;
  readonly functionalRequired: boolean;
  readonly declarationUrl: string;
  readonly gpc: boolean;
  /** `explicit` is true when the user set each switch themselves, false for the one-click answers. */
  decide(choices: Choices, source: 'banner' | 'preferences', explicit: boolean): void;
  /** The choices in force, or null before the first decision. */
  current(): Choices | null;
}

export interface Banner {
  showNotice(): void;
  showPreferences(): void;
}

export function createBanner(options: BannerOptions): Banner {
  const { texts, ui, functionalRequired } = options;
  const host = document.createElement('samtykke-consent');
  const root = host.attachShadow({ mode: 'open' });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(BANNER_CSS);
  root.adoptedStyleSheets = [sheet];
  let returnFocus: HTMLElement | null = null;

  const everything = (granted: boolean): Choices =>
    choicesFrom((category) => granted || (category === 'functional' && functionalRequired));
  const answer = (choices: Choices, source: 'banner' | 'preferences', explicit = false) => () => {
    notice.hidden = true;
    options.decide(choices, source, explicit);
    preferences?.close();
    returnFocus?.focus();
    returnFocus = null;
  };
  const actions = (source: 'banner' | 'preferences', ...extra: HTMLButtonElement[]): HTMLElement =>
    h(
      'div',
      { class: 'r' },
      ...extra,
      button(ui.acceptAll, answer(everything(true), source)),
      button(ui.rejectAll, answer(everything(false), source)),
    );

  const notice = h(
    'div',
    { class: 'n', role: 'dialog', 'aria-labelledby': 'st', 'aria-describedby': 'sb', tabindex: '-1', lang: options.lang, hidden: true },
    h('h2', { id: 'st' }, texts.title),
    h('p', { id: 'sb' }, texts.body, ' ', h('a', { href: options.declarationUrl }, ui.declaration)),
    options.gpc && h('p', {}, ui.gpc),
    actions('banner', button(ui.choose, () => {
      notice.hidden = true;
      open();
    })),
  );

  // The preferences are built on first use: most page views never open them.
  let switches: HTMLInputElement[] = [];
  let preferences: HTMLDialogElement | undefined;

  function buildPreferences(): HTMLDialogElement {
    switches = CATEGORIES.map((category) =>
      h('input', { type: 'checkbox', role: 'switch', id: `s-${category}`, 'aria-describedby': `d-${category}` }),
    );
    const save = button(ui.save, () => answer(choicesFrom((_, index) => switches[index]!.checked), 'preferences', true)());
    const dialog = h(
      'dialog',
      { 'aria-labelledby': 'pt', lang: options.lang },
      h('h2', { id: 'pt' }, ui.settings),
      ...CATEGORIES.map((category, index) =>
        h(
          'div',
          { class: 'c' },
          h('label', {}, switches[index]!, texts.categories[category].title),
          h('p', { id: `d-${category}` }, texts.categories[category].description),
        ),
      ),
      actions('preferences', save),
    );
    // Closing without an answer (Escape) goes back to the notice while nothing is decided yet.
    dialog.onclose = () => {
      if (!options.current()) showNotice();
      else if (returnFocus) {
        returnFocus.focus();
        returnFocus = null;
      }
    };
    root.append(dialog);
    return dialog;
  }

  root.append(notice);
  document.body.append(host);

  function remember(): void {
    const active = document.activeElement;
    if (active !== host && active instanceof HTMLElement) returnFocus ??= active;
  }

  function showNotice(): void {
    remember();
    notice.hidden = false;
    // Once the notice is painted: focusing at once would force a layout of the whole page inside our script.
    requestAnimationFrame(() => setTimeout(() => notice.focus({ preventScroll: true })));
  }

  function open(): void {
    remember();
    preferences ??= buildPreferences();
    const current = options.current();
    switches.forEach((input, index) => {
      const locked = CATEGORIES[index] === 'functional' && functionalRequired;
      input.checked = locked || (current?.[CATEGORIES[index]!] ?? false);
      input.disabled = locked;
    });
    if (!preferences.open) preferences.showModal();
  }

  return { showNotice, showPreferences: open };
}
