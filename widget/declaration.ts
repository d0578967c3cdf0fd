/**
 * The declaration embed: `<div data-samtykke-declaration>` on a terms page shows every cookie, storage key and
 * pixel per category, how to block it, whether it is allowed now, and a button to change the choice.
 */
import type { Choices, Locale } from '../server/domain/consent.ts';
import type { Declaration } from '../server/contract.ts';
import { DECLARATION_ATTRIBUTE, type UiTexts } from './constants.ts';
import { button, h } from './dom.ts';
import { warn } from './transport.ts';

export function renderDeclaration(declaration: Declaration, lang: Locale, ui: UiTexts, choices: Choices | null, open: () => void): Node[] {
  return [
    ...declaration.categories.map(({ category, required, texts, items }) =>
      h(
        'section',
        {},
        h('h3', {}, `${texts[lang].title}: ${required || choices?.[category] ? ui.allowed : ui.denied}`),
        h('p', {}, texts[lang].description),
        items.length > 0 &&
          h(
            'table',
            {},
            h('thead', {}, h('tr', {}, ...ui.columns.map((column) => h('th', { scope: 'col' }, column)))),
            h(
              'tbody',
              {},
              ...items.map((item) =>
                h(
                  'tr',
                  {},
                  ...[item.name, item.provider, item.purpose[lang], item.retention[lang], item.blocking[lang]].map((cell) => h('td', {}, cell)),
                ),
              ),
            ),
          ),
      ),
    ),
    button(ui.settings, open),
  ];
}

/** Fills every embed on the page; the returned function redraws them after a change of choice. */
export function mountDeclarations(url: string, lang: Locale, ui: UiTexts, choices: () => Choices | null, open: () => void): () => void {
  const targets = document.querySelectorAll(`[${DECLARATION_ATTRIBUTE}]`);
  let declaration: Declaration | null = null;
  const draw = (): void => {
    if (declaration) for (const target of targets) target.replaceChildren(...renderDeclaration(declaration, lang, ui, choices(), open));
  };
  if (targets.length) {
    fetch(url)
      .then((response) => (response.ok ? response.json() : Promise.reject(new Error(`HTTP ${response.status}`))))
      .then((body: Declaration) => {
        declaration = body;
        draw();
      })
      .catch((error) => warn('declaration not loaded', error));
  }
  return draw;
}
