/**
 * One hover card for the whole page (packet marks, tree rows, hex bytes): the
 * decoded value, raw bytes and where they are. Shown for the mouse and for
 * keyboard focus alike, and linked with aria-describedby to what it describes.
 */
import { h } from './dom';

export interface TipContent {
  title: string;
  rows: Array<[string, string]>;
  /** Paragraphs under the rows: suspect explanations, evidence, notes. */
  notes?: Array<{ text: string; kind?: 'suspect-high' | 'suspect-medium' | 'suspect-low' | 'note' | 'evidence' }>;
}

let tip: HTMLElement | null = null;
let owner: Element | null = null;

function el(): HTMLElement {
  if (!tip) {
    tip = h('div', { id: 'hover-tip', role: 'tooltip', class: 'hover-tip', hidden: true });
    document.body.append(tip);
  }
  return tip;
}

export function showTip(target: Element, content: TipContent, at?: { x: number; y: number }): void {
  const t = el();
  const dl = h('dl');
  for (const [k, v] of content.rows) dl.append(h('dt', {}, k), h('dd', {}, v));
  t.replaceChildren(h('div', { class: 'tip-title' }, content.title), dl, ...(content.notes ?? []).map((n) => h('p', { class: `tip-note ${n.kind ?? ''}` }, n.text)));
  t.hidden = false;
  if (owner && owner !== target) owner.removeAttribute('aria-describedby');
  owner = target;
  target.setAttribute('aria-describedby', 'hover-tip');
  const r = target.getBoundingClientRect();
  const x = at?.x ?? r.left;
  const y = at?.y ?? r.bottom;
  const w = t.offsetWidth;
  const hgt = t.offsetHeight;
  const left = Math.max(4, Math.min(x + 12, window.innerWidth - w - 8));
  const below = y + 16;
  const top = below + hgt > window.innerHeight - 4 ? Math.max(4, (at ? y : r.top) - hgt - 8) : below;
  t.style.left = `${left}px`;
  t.style.top = `${top}px`;
}

export function hideTip(target?: Element): void {
  if (!tip || (target && owner !== target)) return;
  tip.hidden = true;
  owner?.removeAttribute('aria-describedby');
  owner = null;
}

export function tipText(): string {
  return tip && !tip.hidden ? tip.innerText : '';
}

document.addEventListener('keydown', (e) => {
  if (e.key === 'Escape') hideTip();
});
