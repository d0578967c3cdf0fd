/** A small element builder for the banner and the declaration embed: attributes and children in one call. */

type Child = Node | string | false | null | undefined;

export function h<K extends keyof HTMLElementTagNameMap>(
  tag: K,
  attributes: Record<string, string | boolean> = {},
  ...children: Child[]
): HTMLElementTagNameMap[K] {
  const element = document.createElement(tag);
  for (const [name, value] of Object.entries(attributes)) {
    if (value !== false) element.setAttribute(name, value === true ? '' : value);
  }
  element.append(...(children.filter((child) => child || child === '') as Array<Node | string>));
  return element;
}

export function button(label: string, onClick: () => void): HTMLButtonElement {
  const element = h('button', { type: 'button' }, label);
  element.onclick = onClick;
  return element;
}
