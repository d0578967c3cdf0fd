/**
 * The declaration embed, a script of its own (GET /sites/:key/declaration.js?lang=…) that a terms page loads beside
 * `<div data-samtykke-declaration>`: every cookie, storage key and pixel per category, how to block it, whether it
 * is allowed now, and a button to change the choice. The server inlines the declaration in the page's locale; the
 * choices come from the widget's public API, so the banner bundle, loaded on every page, carries none of this.
 */
import type { Category, Choices } from '../server/domain/consent.ts';
import { DECLARATION_ATTRIBUTE } from './constants.ts';
import { button, h } from './dom.ts';

/** What the server inlines: one locale's declaration, already flattened into table rows. */
export interface DeclarationEmbed {
  readonly texts: {
    readonly allowed: string;
    readonly denied: string;
    /** The settings label of the site's banner, on the button that opens the preferences. */
    readonly settings: string;
    readonly columns: readonly [name: string, provider: string, purpose: string, retention: string, blocking: string];
  };
  readonly categories: ReadonlyArray<{
    readonly category: Category;
    readonly required: boolean;
    readonly title: string;
    readonly description: string;
    /** One row per item, in the order of the columns. */
    readonly rows: ReadonlyArray<readonly string[]>;
  }>;
}

function renderDeclaration({ texts, categories }: DeclarationEmbed, choices: Choices | null, open: () => void): Node[] {
  const cells = (tag: 'th' | 'td', row: readonly string[]) => h('tr', {}, ...row.map((cell) => h(tag, tag === 'th' ? { scope: 'col' } : {}, cell)));
  return [
    ...categories.map(({ category, required, title, description, rows }) =>
      h(
        'section',
        {},
        h('h3', {}, `${title}: ${required || choices?.[category] ? texts.allowed : texts.denied}`),
        h('p', {}, description),
        rows.length > 0 && h('table', {}, h('thead', {}, cells('th', texts.columns)), h('tbody', {}, ...rows.map((row) => cells('td', row)))),
      ),
    ),
    button(texts.settings, open),
  ];
}

// The server replaces this identifier with the declaration when it serves the script.
declare const __SAMTYKKE_DECLARATION__: DeclarationEmbed;
/** Fills every embed on the page, and again after each change of choice. */
function mount(): void {
  const api = window.Samtykke;
  if (!api) {
    console.warn('Samtykke: the declaration embed needs the widget tag on the page');
    return;
  }
  const draw = (): void => {
    for (const target of document.querySelectorAll(`[${DECLARATION_ATTRIBUTE}]`)) {
      target.replaceChildren(...renderDeclaration(__SAMTYKKE_DECLARATION__, api.get(), api.open));
    }
  };
  draw();
  api.on('change', draw);
}

// Both tags may be async: whichever runs second finds the other. The load event waits for every async script the
// page's markup holds, the widget's included.
if ((window.Samtykke && document.readyState !== 'loading') || document.readyState === 'complete') mount();
else addEventListener('load', mount, { once: true });
