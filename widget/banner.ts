/**
 * The two layers in a shadow root: the notice (logo, text, Accept all / Reject all / Choose, one style for all
 * three) and the preferences dialog (one switch per category with its purpose). Focus moves in on open and back on
 * close.
 */
import { CATEGORIES, type Choices } from '../server/domain/consent.ts';
import type { WidgetTexts } from '../server/contract.ts';
import type { ServedConfig } from './config.ts';
import { choicesFrom } from './consent.ts';
import { button, h } from './dom.ts';

export interface BannerOptions {
  /** The stylesheet, logo and rules; the texts are those of `lang`. */
  readonly config: ServedConfig;
  readonly texts: WidgetTexts;
  readonly lang: string;
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

export function createBanner({ config, texts, lang, declarationUrl, gpc, decide, current }: BannerOptions): Banner {
  const { labels } = texts;
  const host = document.createElement('samtykke-consent');
  // Both layers take the language from their host.
  host.lang = lang;
  const root = host.attachShadow({ mode: 'open' });
  const sheet = new CSSStyleSheet();
  sheet.replaceSync(config.css);
  root.adoptedStyleSheets = [sheet];
  let returnFocus: HTMLElement | null = null;

  const locked = (index: number): boolean => CATEGORIES[index] === 'functional' && config.functionalRequired;
  const everything = (granted: boolean): Choices => choicesFrom((_, index) => granted || locked(index));
  const answer = (choices: () => Choices, source: 'banner' | 'preferences', explicit = false) => () => {
    notice.hidden = true;
    decide(choices(), source, explicit);
    preferences?.close();
    returnFocus?.focus();
    returnFocus = null;
  };
  const actions = (source: 'banner' | 'preferences', first: HTMLButtonElement): HTMLElement =>
    h(
      'div',
      { class: 'r' },
      first,
      button(labels.acceptAll, answer(() => everything(true), source)),
      button(labels.rejectAll, answer(() => everything(false), source)),
    );

  const notice = h(
    'div',
    { class: 'n', role: 'dialog', 'aria-labelledby': 'st', 'aria-describedby': 'sb', tabindex: '-1' },
    config.logo && h('img', { src: config.logo, alt: '' }),
    h('h2', { id: 'st' }, texts.title),
    h('p', { id: 'sb' }, texts.body, ' ', h('a', { href: declarationUrl }, labels.declaration)),
    gpc && labels.gpc && h('p', {}, labels.gpc),
    actions('banner', button(labels.choose, () => {
      notice.hidden = true;
      open();
    })),
  );
  notice.hidden = true;

  // The preferences are built on first use: most page views never open them.
  let switches: HTMLInputElement[] = [];
  let preferences: HTMLDialogElement | undefined;

  function buildPreferences(): HTMLDialogElement {
    const dialog = h(
      'dialog',
      { 'aria-labelledby': 'pt' },
      h('h2', { id: 'pt' }, labels.settings),
      ...CATEGORIES.map((category, index) => {
        const { title, description } = texts.categories[category];
        switches[index] = h('input', { type: 'checkbox', role: 'switch', 'aria-describedby': `d-${category}` });
        return h('div', { class: 'c' }, h('label', {}, switches[index], title), h('p', { id: `d-${category}` }, description));
      }),
      actions('preferences', button(labels.save, answer(() => choicesFrom((_, index) => switches[index]!.checked), 'preferences', true))),
    );
    // Closing without an answer (Escape) goes back to the notice while nothing is decided yet.
    dialog.onclose = () => {
      if (!current()) showNotice();
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
    const choices = current();
    switches.forEach((input, index) => {
      input.checked = locked(index) || !!choices?.[CATEGORIES[index]!];
      input.disabled = locked(index);
    });
    if (!preferences.open) preferences.showModal();
  }

  return { showNotice, showPreferences: open };
}
