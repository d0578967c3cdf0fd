/** A small element builder for the banner and the declaration embed: attributes and children in one call. */

// Falsy children are skipped, so optional parts read `condition && h(…)`; an empty text would show nothing anyway.
type Child = Node | string | false | null | undefined;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attributes: Record<string, string> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) element.setAttribute(name, value);
  element.append(...(children.filter(Boolean) as Array<Node | string>));
  return element;
}

export function button(label: string, onClick: () => void): HTMLButtonElement {
  const element = h('button', { type: 'button' }, label);
  element.onclick = onClick;
  return element;
}
