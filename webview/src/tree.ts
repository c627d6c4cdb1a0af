/**
 * The handshake tree: an ARIA tree (role=tree, treeitems with level, set size
 * and position) drawn flat, with a roving tabindex. ↑/↓ move, ←/→ collapse,
 * expand or go to the parent, Home/End, * expands the siblings, Enter selects,
 * a adds a note. Selection follows focus so the hex pane follows the keys.
 */
import { h, icon } from './dom';
import { flatten, ownSuspects, type FieldNode } from './fields';
import type { Suspect } from '../../shared/compare';
import { hideTip, showTip, type TipContent } from './tooltip';

export interface TreeOptions {
  label: string;
  onSelect(node: FieldNode): void;
  describe(node: FieldNode): TipContent;
  onNote(node: FieldNode): void;
  notesOn(node: FieldNode): number;
  /** One line on why a suspect field is marked. */
  why(s: Suspect): string;
}

export class TreeView {
  readonly el: HTMLElement;
  private roots: FieldNode[] = [];
  private all: FieldNode[] = [];
  private expanded = new Set<string>();
  private rows: FieldNode[] = [];
  private selected: FieldNode | null = null;
  private focusId: string | null = null;

  constructor(private readonly opts: TreeOptions) {
    this.el = h('div', { class: 'tree', role: 'tree', 'aria-label': opts.label });
    this.el.addEventListener('keydown', (e) => this.key(e));
    this.el.addEventListener('click', (e) => {
      const row = (e.target as Element).closest<HTMLElement>('[role=treeitem]');
      if (!row) return;
      const node = this.byId(row.dataset.id!);
      if (!node) return;
      if ((e.target as Element).closest('.twistie') && node.children.length) this.toggle(node);
      this.select(node, { focus: true });
    });
    this.el.addEventListener('dblclick', (e) => {
      const row = (e.target as Element).closest<HTMLElement>('[role=treeitem]');
      const node = row && this.byId(row.dataset.id!);
      if (node?.children.length) this.toggle(node);
    });
    this.el.addEventListener('mouseover', (e) => {
      const row = (e.target as Element).closest<HTMLElement>('[role=treeitem]');
      const node = row && this.byId(row.dataset.id!);
      if (row && node) showTip(row, this.opts.describe(node), { x: (e as MouseEvent).clientX, y: row.getBoundingClientRect().bottom - 12 });
    });
    this.el.addEventListener('mouseleave', () => hideTip());
  }

  private byId(id: string): FieldNode | undefined {
    return this.all.find((n) => n.id === id);
  }

  setRoots(roots: FieldNode[], expand: (n: FieldNode) => boolean): void {
    this.roots = roots;
    this.all = flatten(roots);
    this.expanded = new Set(this.all.filter((n) => n.children.length && expand(n)).map((n) => n.id));
    this.selected = null;
    this.focusId = this.roots[0]?.id ?? null;
    this.render();
  }

  get nodes(): FieldNode[] {
    return this.all;
  }

  get selection(): FieldNode | null {
    return this.selected;
  }

  /**
   * Scrolls the tree, and only the tree, to show a row: scrollIntoView also
   * scrolled the page of a narrow editor (which scrolls as a whole) down to
   * the detail whenever a connection was shown.
   */
  private reveal(row: HTMLElement): void {
    const box = this.el.getBoundingClientRect();
    const r = row.getBoundingClientRect();
    if (r.top < box.top) this.el.scrollTop += r.top - box.top;
    else if (r.bottom > box.bottom) this.el.scrollTop += Math.min(r.bottom - box.bottom, r.top - box.top);
  }

  /** Selects (and reveals) a node; `notify` false when the caller already knows. */
  select(node: FieldNode, opts: { focus?: boolean; notify?: boolean } = {}): void {
    for (let p = node.parent; p; p = p.parent) this.expanded.add(p.id);
    this.selected = node;
    this.focusId = node.id;
    this.render();
    const row = this.rowEl(node.id);
    if (row) this.reveal(row);
    if (opts.focus) row?.focus();
    if (opts.notify !== false) this.opts.onSelect(node);
  }

  private rowEl(id: string): HTMLElement | null {
    for (const r of Array.from(this.el.children)) if ((r as HTMLElement).dataset.id === id) return r as HTMLElement;
    return null;
  }

  private toggle(node: FieldNode): void {
    if (this.expanded.has(node.id)) this.expanded.delete(node.id);
    else this.expanded.add(node.id);
    this.render();
    this.rowEl(node.id)?.focus();
  }

  refresh(): void {
    this.render();
  }

  private render(): void {
    const rows: FieldNode[] = [];
    const walk = (n: FieldNode) => {
      rows.push(n);
      if (this.expanded.has(n.id)) n.children.forEach(walk);
    };
    this.roots.forEach(walk);
    this.rows = rows;
    if (!rows.some((r) => r.id === this.focusId)) this.focusId = rows[0]?.id ?? null;
    const hadFocus = this.el.contains(document.activeElement);
    const els = rows.map((n) => this.row(n));
    this.el.replaceChildren(...els);
    if (rows.length === 0) this.el.append(h('div', { class: 'empty-note' }, 'No TLS handshake message was seen in clear.'));
    if (hadFocus && this.focusId) this.rowEl(this.focusId)?.focus();
  }

  private row(n: FieldNode): HTMLElement {
    const siblings = n.parent ? n.parent.children : this.roots;
    const own = ownSuspects(n);
    const weight = own.some((s) => s.weight === 'high') ? 'high' : own.length ? own.some((s) => s.weight === 'medium') ? 'medium' : 'low' : null;
    const inner = !weight && n.suspects.length ? n.suspects.length : 0;
    const notes = this.opts.notesOn(n);
    const expanded = this.expanded.has(n.id);
    const el = h('div', {
      role: 'treeitem', class: `tree-row${n === this.selected ? ' selected' : ''}${weight ? ` suspect w-${weight}` : ''}${n.depth === 0 ? ' top' : ''}`,
      'aria-level': n.depth + 1, 'aria-setsize': siblings.length, 'aria-posinset': siblings.indexOf(n) + 1,
      'aria-expanded': n.children.length ? String(expanded) : null, 'aria-selected': String(n === this.selected),
      tabindex: n.id === this.focusId ? 0 : -1,
      'aria-label': `${n.label}${n.decrypted ? ' (decrypted)' : ''}${n.value ? `: ${n.value}` : ''}${weight ? `. Suspect (${weight}): ${this.opts.why(own[0])}` : ''}${inner ? `. ${inner} suspect field${inner === 1 ? '' : 's'} inside` : ''}${notes ? `. ${notes} note${notes === 1 ? '' : 's'}` : ''}`,
    });
    el.dataset.id = n.id;
    el.style.setProperty('--depth', String(n.depth));
    const line = h('div', { class: 'tree-line' },
      h('span', { class: `twistie codicon ${n.children.length ? (expanded ? 'codicon-chevron-down' : 'codicon-chevron-right') : ''}`, 'aria-hidden': 'true' }),
      weight ? icon(weight === 'high' ? 'error' : 'warning') : null,
      h('span', { class: 'tree-label' }, n.label),
      n.decrypted ? h('span', { class: 'badge decrypted', title: `Decrypted with a ${n.decrypted}; its bytes in the hex view are the ciphertext` }, icon('unlock'), 'decrypted') : null,
      n.value ? h('span', { class: 'tree-value' }, n.value) : null,
      inner ? h('span', { class: 'tree-count', title: `${inner} suspect field(s) inside` }, icon('warning'), String(inner)) : null,
      notes ? h('span', { class: 'tree-notes' }, icon('comment'), String(notes)) : null);
    el.append(line);
    if (weight && own[0]) el.append(h('div', { class: 'tree-why' }, own.length > 1 ? `${this.opts.why(own[0])} (+${own.length - 1} more)` : this.opts.why(own[0])));
    return el;
  }

  private key(e: KeyboardEvent): void {
    const i = this.rows.findIndex((r) => r.id === this.focusId);
    if (i < 0) return;
    const n = this.rows[i];
    const go = (k: number) => {
      const t = this.rows[Math.max(0, Math.min(this.rows.length - 1, k))];
      if (t) this.select(t, { focus: true });
    };
    switch (e.key) {
      case 'ArrowDown': go(i + 1); break;
      case 'ArrowUp': go(i - 1); break;
      case 'Home': go(0); break;
      case 'End': go(this.rows.length - 1); break;
      case 'PageDown': go(i + 10); break;
      case 'PageUp': go(i - 10); break;
      case 'ArrowRight':
        if (n.children.length && !this.expanded.has(n.id)) this.toggle(n);
        else if (n.children.length) go(i + 1);
        break;
      case 'ArrowLeft':
        if (n.children.length && this.expanded.has(n.id)) this.toggle(n);
        else if (n.parent) this.select(n.parent, { focus: true });
        break;
      case '*':
        for (const s of n.parent ? n.parent.children : this.roots) if (s.children.length) this.expanded.add(s.id);
        this.render();
        break;
      case 'Enter': case ' ':
        if (n.children.length) this.toggle(n);
        this.select(n, { focus: true });
        break;
      case 'a':
        if (e.ctrlKey || e.metaKey || e.altKey) return;
        this.opts.onNote(n);
        break;
      default:
        return;
    }
    e.preventDefault();
    e.stopPropagation();
  }
}
