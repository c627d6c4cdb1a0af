/**
 * The connection list: a filter box and a listbox drawn only where visible
 * (captures can hold thousands of connections), with a roving tabindex kept
 * on the active row (which is always drawn). ↑/↓/Home/End/PgUp/PgDn move and
 * select. The filter matches every word against address, port, SNI, JA3/JA4,
 * verdict and suspect fields.
 */
import { ce, h, icon } from './dom';

const ROW_H = 46;

export interface ListItem {
  key: string;
  title: string;
  subtitle: string;
  /** Badge text and class, e.g. ['dropped', 'verdict-drop']. */
  badges: Array<[string, string]>;
  /** Lower-cased text the filter searches. */
  haystack: string;
  label: string;
}

export class ConnectionList {
  readonly el: HTMLElement;
  readonly filter: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly count: HTMLElement;
  private items: ListItem[] = [];
  private shown: ListItem[] = [];
  private query = '';
  private emptyText = 'No TLS connection yet.';
  private activeKey: string | null = null;
  private selectedKey: string | null = null;
  private frame = 0;

  constructor(label: string, private readonly onSelect: (key: string) => void) {
    this.filter = ce('vscode-textfield', { placeholder: 'Filter: address, port, SNI, JA3/JA4, verdict, suspect', 'aria-label': 'Filter connections', type: 'search', class: 'list-filter' });
    this.filter.append(Object.assign(icon('filter'), { slot: 'content-before' }));
    this.filter.addEventListener('input', () => {
      this.query = ((this.filter as unknown as { value: string }).value ?? '').toLowerCase();
      this.apply();
    });
    this.filter.addEventListener('keydown', (e) => {
      if ((e as KeyboardEvent).key === 'ArrowDown') {
        e.preventDefault();
        this.focusActive();
      }
    });
    this.count = h('div', { class: 'list-count muted', role: 'status' });
    this.spacer = h('div', { class: 'list-spacer' });
    this.scroller = h('div', { class: 'list-scroll', role: 'listbox', 'aria-label': label }, this.spacer);
    this.el = h('div', { class: 'conn-list' }, h('div', { class: 'list-top' }, this.filter, this.count), this.scroller);
    this.scroller.addEventListener('scroll', () => this.schedule());
    new ResizeObserver(() => this.schedule()).observe(this.scroller);
    this.scroller.addEventListener('click', (e) => {
      const row = (e.target as Element).closest<HTMLElement>('[role=option]');
      if (row) this.choose(row.dataset.key!, true);
    });
    this.scroller.addEventListener('keydown', (e) => this.key(e));
  }

  setItems(items: ListItem[]): void {
    this.items = items;
    this.apply();
  }

  get visibleKeys(): string[] {
    return this.shown.map((i) => i.key);
  }

  select(key: string, focus = false): void {
    this.selectedKey = key;
    this.activeKey = key;
    const k = this.shown.findIndex((i) => i.key === key);
    if (k >= 0) this.reveal(k);
    this.draw();
    if (focus) this.focusActive();
  }

  private choose(key: string, focus: boolean): void {
    this.select(key, focus);
    this.onSelect(key);
  }

  private apply(): void {
    const words = this.query.split(/\s+/).filter(Boolean);
    this.shown = words.length ? this.items.filter((i) => words.every((w) => i.haystack.includes(w))) : this.items;
    this.count.textContent = words.length ? `${this.shown.length} of ${this.items.length}` : `${this.items.length}`;
    this.count.setAttribute('aria-label', `${this.shown.length} of ${this.items.length} connections shown`);
    this.spacer.style.height = `${this.shown.length * ROW_H}px`;
    if (!this.shown.some((i) => i.key === this.activeKey)) this.activeKey = this.shown[0]?.key ?? null;
    // Drawn at once: typing in the filter should show its result in the same frame.
    this.draw();
  }

  private focusActive(): void {
    this.draw();
    this.scroller.querySelector<HTMLElement>('[tabindex="0"]')?.focus();
  }

  private reveal(k: number): void {
    const top = k * ROW_H;
    if (top < this.scroller.scrollTop) this.scroller.scrollTop = top;
    else if (top + ROW_H > this.scroller.scrollTop + this.scroller.clientHeight) this.scroller.scrollTop = top + ROW_H - this.scroller.clientHeight;
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /** What the empty list says: "yet" only while decoding goes on. */
  setEmptyText(text: string): void {
    if (text === this.emptyText) return;
    this.emptyText = text;
    this.draw();
  }

  private draw(): void {
    const hadFocus = this.scroller.contains(document.activeElement);
    const first = Math.max(0, Math.floor(this.scroller.scrollTop / ROW_H) - 3);
    const last = Math.min(this.shown.length, Math.ceil((this.scroller.scrollTop + this.scroller.clientHeight) / ROW_H) + 3);
    const idx = new Set<number>();
    for (let k = first; k < last; k++) idx.add(k);
    const active = this.shown.findIndex((i) => i.key === this.activeKey);
    // The row holding the tab stop is always drawn, so focus never falls out of the list.
    if (active >= 0) idx.add(active);
    const rows = [...idx].sort((a, b) => a - b).map((k) => this.row(this.shown[k], k));
    this.spacer.replaceChildren(...rows);
    if (!this.shown.length) this.spacer.append(h('div', { class: 'empty-note' }, this.items.length ? 'No connection matches the filter.' : this.emptyText));
    if (hadFocus) this.scroller.querySelector<HTMLElement>('[tabindex="0"]')?.focus({ preventScroll: true });
  }

  private row(item: ListItem, k: number): HTMLElement {
    const sel = item.key === this.selectedKey;
    const el = h('div', {
      role: 'option', class: `list-row${sel ? ' selected' : ''}`, 'aria-selected': String(sel), tabindex: item.key === this.activeKey ? 0 : -1,
      'aria-setsize': this.shown.length, 'aria-posinset': k + 1, 'aria-label': item.label, id: `conn-${item.key}`, title: `${item.title}\n${item.subtitle}`,
    },
    h('div', { class: 'list-line1' }, h('span', { class: 'list-title' }, item.title), ...item.badges.map(([t, c]) => h('span', { class: `badge ${c}` }, t))),
    h('div', { class: 'list-line2 muted' }, item.subtitle));
    el.dataset.key = item.key;
    el.style.top = `${k * ROW_H}px`;
    return el;
  }

  private key(e: KeyboardEvent): void {
    const k = this.shown.findIndex((i) => i.key === this.activeKey);
    const page = Math.max(1, Math.floor(this.scroller.clientHeight / ROW_H) - 1);
    let t = k;
    switch (e.key) {
      case 'ArrowDown': t = k + 1; break;
      case 'ArrowUp': t = k - 1; break;
      case 'Home': t = 0; break;
      case 'End': t = this.shown.length - 1; break;
      case 'PageDown': t = k + page; break;
      case 'PageUp': t = k - page; break;
      case 'Enter': case ' ': if (this.activeKey) this.choose(this.activeKey, true); e.preventDefault(); return;
      default: return;
    }
    e.preventDefault();
    t = Math.max(0, Math.min(this.shown.length - 1, t));
    if (this.shown[t]) this.choose(this.shown[t].key, true);
  }
}
