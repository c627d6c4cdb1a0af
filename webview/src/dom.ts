/**
 * DOM building. Strings always become text nodes and attributes are set one
 * by one, so nothing from a capture is ever parsed as markup; styles are set
 * through the CSSOM (the CSP allows no inline style attributes).
 */
export type Child = Node | string | number | null | undefined | false;

export function h<K extends keyof HTMLElementTagNameMap>(tag: K, attrs: Record<string, string | number | boolean | null | undefined> = {}, ...children: Child[]): HTMLElementTagNameMap[K] {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

/** Custom elements (@vscode-elements) by tag name. */
export function ce(tag: string, attrs: Record<string, string | number | boolean | null | undefined> = {}, ...children: Child[]): HTMLElement {
  const el = document.createElement(tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

const SVG_NS = 'http://www.w3.org/2000/svg';

export function s<K extends keyof SVGElementTagNameMap>(tag: K, attrs: Record<string, string | number | null | undefined> = {}, ...children: Child[]): SVGElementTagNameMap[K] {
  const el = document.createElementNS(SVG_NS, tag);
  setAttrs(el, attrs);
  append(el, children);
  return el;
}

function setAttrs(el: Element, attrs: Record<string, string | number | boolean | null | undefined>): void {
  for (const [k, v] of Object.entries(attrs)) {
    if (v === null || v === undefined || v === false) continue;
    if (k === 'class') el.setAttribute('class', String(v));
    else el.setAttribute(k, v === true ? '' : String(v));
  }
}

function append(el: Element, children: Child[]): void {
  for (const c of children) {
    if (c === null || c === undefined || c === false) continue;
    el.append(typeof c === 'string' || typeof c === 'number' ? document.createTextNode(String(c)) : c);
  }
}

export function icon(name: string, label?: string): HTMLElement {
  const el = h('span', { class: `codicon codicon-${name}` });
  if (label) {
    el.setAttribute('role', 'img');
    el.setAttribute('aria-label', label);
  } else el.setAttribute('aria-hidden', 'true');
  return el;
}

/**
 * A @vscode-elements button; `secondary` for the quieter look. `compact`: its
 * label can be hidden in a narrow editor (style.css), leaving the icon, so the
 * label is also its accessible name and the title its tooltip.
 */
export function button(label: string, iconName: string | null, onClick: () => void, opts: { title?: string; secondary?: boolean; id?: string; compact?: boolean } = {}): HTMLElement {
  const b = opts.compact
    ? ce('vscode-button', { icon: iconName ?? undefined, secondary: opts.secondary ?? false, title: opts.title ?? label, id: opts.id, 'aria-label': label, class: 'compact' }, h('span', { class: 'btn-label' }, label))
    : ce('vscode-button', { icon: iconName ?? undefined, secondary: opts.secondary ?? false, title: opts.title, id: opts.id }, label);
  b.addEventListener('click', onClick);
  return b;
}

/** A small codicon-only button with an accessible name. */
export function iconButton(iconName: string, label: string, onClick: (ev: MouseEvent) => void): HTMLButtonElement {
  const b = h('button', { type: 'button', class: 'icon-button', 'aria-label': label, title: label }, icon(iconName));
  b.addEventListener('click', onClick);
  return b;
}

export function clear(el: Element): void {
  el.replaceChildren();
}
