/**
 * Holds back scripts, images and iframes marked with data-category until their category is allowed, then
 * releases them in document order without a reload. Elements added later (single-page apps) are watched for.
 */
import type { Category } from '../server/domain/consent.ts';
import { CATEGORY_ATTRIBUTE } from './constants.ts';

const HELD = `script[type="text/plain"][${CATEGORY_ATTRIBUTE}],img[${CATEGORY_ATTRIBUTE}][data-src],iframe[${CATEGORY_ATTRIBUTE}][data-src]`;

export interface Blocker {
  /** Releases everything now allowed; safe to call again after each decision. */
  release(): void;
}

/**
 * `{cid}` and `{url}` in a held image's or iframe's data-src are filled in when it is released (pixels need both);
 * `placeholders` gives null until the decision is recorded, because a pixel sent before that would not count.
 */
export function createBlocker(
  isAllowed: (category: Category) => boolean,
  placeholders: () => Record<'cid' | 'url', string> | null,
): Blocker {
  const released = new WeakSet<Element>();
  // External scripts run one after the other, as the page wrote them; each waits for the one before.
  let chain: Promise<unknown> = Promise.resolve();

  function releaseScript(held: HTMLScriptElement): Promise<unknown> {
    const script = document.createElement('script');
    for (const attribute of held.attributes) {
      if (attribute.name !== 'type') script.setAttribute(attribute.name, attribute.value);
    }
    // The nonce attribute is hidden once parsed; only the property still holds it.
    script.nonce = held.nonce;
    if (held.dataset.type) script.type = held.dataset.type;
    script.text = held.text;
    const loaded = script.src ? new Promise((done) => (script.onload = script.onerror = done)) : null;
    if (loaded) script.async = held.hasAttribute('async');
    held.replaceWith(script);
    return loaded ?? Promise.resolve();
  }

  function release(): void {
    const values = placeholders();
    for (const element of document.querySelectorAll<HTMLElement>(HELD)) {
      if (released.has(element) || !isAllowed(element.getAttribute(CATEGORY_ATTRIBUTE) as Category)) continue;
      if (element instanceof HTMLScriptElement) {
        chain = chain.then(() => releaseScript(element));
      } else {
        const source = element.dataset.src!;
        if (!values && source.includes('{cid}')) continue;
        element.removeAttribute('data-src');
        element.setAttribute('src', source.replace(/\{(cid|url)\}/g, (_, name: 'cid' | 'url') => encodeURIComponent(values![name])));
      }
      released.add(element);
    }
  }

  new MutationObserver(release).observe(document.documentElement, { childList: true, subtree: true });
  return { release };
}
