/**
 * The hex pane: one message's bytes, 16 a row, drawn only where visible.
 * Each byte knows the innermost field over it (the smallest field whose
 * bytes include it), so hovering names it and clicking selects it in the
 * tree; the tree's selection and the suspect fields are highlighted here.
 * Keyboard: the pane is a grid with an active cell (arrows, Home/End,
 * PgUp/PgDn), Enter selects the field under the cursor, a adds a note.
 * A ClientHello's layout (the TLS records and TCP segments its bytes came
 * in) is evidence of evasion or of a censor that does not reassemble: it is
 * said under the title, and where a record or a segment begins inside the
 * message the byte is marked.
 */
import type { HelloLayout, MessageReport, SourceLocation } from '../../shared/analysis';
import type { CaptureBytes } from './api';
import { h } from './dom';
import { ownSuspects, type FieldNode } from './fields';
import { hex } from './format';
import { hideTip, showTip, type TipContent } from './tooltip';

const ROW_H = 20;
const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'));

export interface HexOptions {
  onPick(node: FieldNode): void;
  describeByte(node: FieldNode | null, byteIndex: number, where: string): TipContent;
  onNote(node: FieldNode): void;
  hasNote(node: FieldNode): boolean;
}

export interface HexContent {
  title: string;
  message: MessageReport;
  /** The message's node and every node inside it. */
  nodes: FieldNode[];
  bytes: CaptureBytes;
}

export class HexPane {
  readonly el: HTMLElement;
  private readonly header: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly rowsEl: HTMLElement;
  private content: HexContent | null = null;
  /** Innermost field per byte. */
  private owner: Array<FieldNode | null> = [];
  private spans = new Map<FieldNode, Array<[number, number]>>();
  private suspectLevel: Uint8Array = new Uint8Array(0);
  private noteMark: Uint8Array = new Uint8Array(0);
  /** Per byte: 1 where a TCP segment begins inside the message, 2 where a TLS record does, 3 both. */
  private boundary: Uint8Array = new Uint8Array(0);
  private selected: FieldNode | null = null;
  private hovered: FieldNode | null = null;
  private cursor = 0;
  private frame = 0;
  /** Byte under the last press of the main button, until its release. */
  private pressed: number | null = null;

  constructor(private readonly opts: HexOptions) {
    this.header = h('div', { class: 'hex-header' });
    this.rowsEl = h('div', { class: 'hex-rows' });
    this.spacer = h('div', { class: 'hex-spacer' }, this.rowsEl);
    this.scroller = h('div', { class: 'hex-scroll', role: 'grid', tabindex: 0, 'aria-label': 'Message bytes', 'aria-readonly': 'true' }, this.spacer);
    this.el = h('div', { class: 'hex-pane' }, this.header, this.scroller);
    this.scroller.addEventListener('scroll', () => this.schedule());
    new ResizeObserver(() => this.schedule()).observe(this.scroller);
    this.scroller.addEventListener('mousemove', (e) => this.hover(e));
    this.scroller.addEventListener('mouseleave', () => {
      this.hovered = null;
      hideTip();
      this.schedule();
    });
    // A click is a press and a release of the main button on the same byte,
    // paired by index rather than by element: a hover redraw replaces the
    // cells, and one landing between press and release sent the browser's
    // click to the row around them, so the pick was lost.
    this.scroller.addEventListener('mousedown', (e) => {
      this.pressed = e.button === 0 ? this.byteAt(e.target as Element) : null;
    });
    this.scroller.addEventListener('mouseup', (e) => {
      const i = e.button === 0 ? this.byteAt(e.target as Element) : null;
      const pressed = this.pressed;
      this.pressed = null;
      if (i === null || i !== pressed) return;
      this.cursor = i;
      const node = this.owner[i];
      if (node) this.opts.onPick(node);
      this.schedule();
    });
    this.scroller.addEventListener('keydown', (e) => this.key(e));
    this.scroller.addEventListener('focus', () => this.schedule());
    this.scroller.addEventListener('blur', () => hideTip(this.scroller));
    this.clear('Select a handshake message or field to see its bytes.');
  }

  clear(text: string): void {
    this.content = null;
    this.owner = [];
    this.header.replaceChildren(h('span', { class: 'muted' }, text));
    this.spacer.style.height = '0px';
    this.rowsEl.replaceChildren();
  }

  get message(): MessageReport | null {
    return this.content?.message ?? null;
  }

  show(c: HexContent): void {
    this.content = c;
    const n = c.bytes.bytes.length;
    const addr = this.addresses(c.message.range, c.bytes);
    this.owner = new Array(n).fill(null);
    this.spans.clear();
    const size = new Float64Array(n).fill(Infinity);
    const depth = new Int32Array(n).fill(-1);
    this.suspectLevel = new Uint8Array(n);
    this.noteMark = new Uint8Array(n);
    for (const node of c.nodes) {
      const sp = this.spansOf(node.ranges, addr, n);
      if (!sp.length) continue;
      this.spans.set(node, sp);
      const len = sp.reduce((k, s) => k + s[1] - s[0], 0);
      const level = Math.max(0, ...ownSuspects(node).map((s) => (s.weight === 'high' ? 3 : s.weight === 'medium' ? 2 : 1)));
      const note = this.opts.hasNote(node);
      for (const [a, b] of sp) {
        for (let i = a; i < b; i++) {
          if (len < size[i] || (len === size[i] && node.depth > depth[i])) {
            size[i] = len;
            depth[i] = node.depth;
            this.owner[i] = node;
          }
          if (level > this.suspectLevel[i]) this.suspectLevel[i] = level;
          if (note) this.noteMark[i] = 1;
        }
      }
    }
    this.cursor = Math.min(this.cursor, Math.max(0, n - 1));
    const where = c.message.range[0];
    this.boundary = new Uint8Array(n);
    const layout = c.message.layout;
    if (layout) {
      // Byte i of the pane is stream offset span[0] + i: the message's bytes, with any record headers inside it.
      const base = c.message.span[0];
      for (const g of layout.segments) if (g.span[0] > base && g.span[0] - base < n) this.boundary[g.span[0] - base] |= 1;
      for (const r of layout.records) if (r.span[0] > base && r.span[0] - base < n) this.boundary[r.span[0] - base] |= 2;
    }
    this.header.replaceChildren(
      h('span', { class: 'hex-title' }, c.title),
      h('span', { class: 'muted' }, ` ${n} bytes${where ? ` · ${where.kind === 'offset' ? `file offset ${where.offset}` : `line ${where.line + 1}`}` : ''}${c.bytes.truncated ? ' · truncated' : ''}`),
      ...(layout ? [layoutLine(layout)] : []));
    this.spacer.style.height = `${Math.ceil(n / 16) * ROW_H}px`;
    this.scroller.setAttribute('aria-rowcount', String(Math.ceil(n / 16)));
    this.schedule();
  }

  /** Byte addresses: file offset for binary captures; line*1e6+column for text dumps. */
  private addresses(range: SourceLocation[], b: CaptureBytes): Float64Array {
    const n = b.bytes.length;
    const out = new Float64Array(n).fill(-1);
    if (b.positions) {
      for (let i = 0; i < n && i < b.positions.length; i++) out[i] = b.positions[i][0] * 1e6 + b.positions[i][1];
      return out;
    }
    let i = 0;
    for (const p of range) {
      if (p.kind !== 'offset') continue;
      for (let k = 0; k < p.length && i < n; k++) out[i++] = p.offset + k;
    }
    return out;
  }

  private spansOf(ranges: SourceLocation[], addr: Float64Array, n: number): Array<[number, number]> {
    const out: Array<[number, number]> = [];
    for (const r of ranges) {
      const lo = r.kind === 'offset' ? r.offset : r.line * 1e6 + r.column;
      const hi = r.kind === 'offset' ? r.offset + r.length : r.endLine * 1e6 + r.endColumn;
      let start = -1;
      for (let i = 0; i <= n; i++) {
        const inside = i < n && addr[i] >= lo && addr[i] < hi;
        if (inside && start < 0) start = i;
        else if (!inside && start >= 0) {
          out.push([start, i]);
          start = -1;
        }
      }
    }
    return out;
  }

  /** Highlights a field's bytes and scrolls them into view; null clears. */
  highlight(node: FieldNode | null): void {
    // A whole message selected would paint every byte: only fields are highlighted.
    this.selected = node && node.depth > 0 ? node : null;
    const sp = node ? this.spans.get(node) : undefined;
    if (sp && sp.length) {
      const top = Math.floor(sp[0][0] / 16) * ROW_H;
      const bottom = Math.ceil(sp[sp.length - 1][1] / 16) * ROW_H;
      const view = this.scroller;
      if (top < view.scrollTop || top > view.scrollTop + view.clientHeight - ROW_H) view.scrollTop = Math.max(0, Math.min(top - ROW_H, bottom - view.clientHeight + ROW_H));
      this.cursor = sp[0][0];
    }
    this.schedule();
  }

  /** Index of the field's first byte in this message, or null when it isn't in it. */
  firstByte(node: FieldNode): number | null {
    return this.spans.get(node)?.[0]?.[0] ?? null;
  }

  rawOf(node: FieldNode): Uint8Array | null {
    const sp = this.spans.get(node);
    if (!sp || !this.content) return null;
    const parts = sp.map(([a, b]) => this.content!.bytes.bytes.subarray(a, b));
    const out = new Uint8Array(parts.reduce((k, p) => k + p.length, 0));
    let o = 0;
    for (const p of parts) {
      out.set(p, o);
      o += p.length;
    }
    return out;
  }

  whereOf(i: number): string {
    const c = this.content;
    if (!c) return '';
    if (c.bytes.positions) {
      const p = c.bytes.positions[i];
      return p ? `line ${p[0] + 1}, column ${p[1] + 1}` : '';
    }
    let k = i;
    for (const p of c.message.range) {
      if (p.kind !== 'offset') continue;
      if (k < p.length) return `file offset ${p.offset + k} (${hex(p.offset + k, 6)})`;
      k -= p.length;
    }
    return '';
  }

  /** Where byte i is, with the TCP segment and TLS record it came in when the message has a layout. */
  private placeOf(i: number): string {
    const where = this.whereOf(i);
    const layout = this.content?.message.layout;
    if (!layout) return where;
    const off = this.content!.message.span[0] + i;
    const gi = layout.segments.findIndex((g) => off >= g.span[0] && off < g.span[1]);
    const ri = layout.records.findIndex((r) => off >= r.span[0] && off < r.span[1]);
    const parts = [where];
    if (gi >= 0) parts.push(`TCP segment ${gi + 1} of ${layout.segments.length} (packet #${layout.segments[gi].packet + 1})`);
    if (ri >= 0) parts.push(`TLS record ${ri + 1} of ${layout.records.length}`);
    return parts.filter((x) => x !== '').join(' · ');
  }

  private byteAt(t: Element): number | null {
    const cell = t.closest<HTMLElement>('[data-i]');
    return cell ? Number(cell.dataset.i) : null;
  }

  private hover(e: MouseEvent): void {
    const i = this.byteAt(e.target as Element);
    if (i === null || !this.content) return;
    const node = this.owner[i];
    if (node !== this.hovered) {
      this.hovered = node;
      this.schedule();
    }
    const cell = (e.target as Element).closest('[data-i]')!;
    showTip(cell, this.opts.describeByte(node, i, this.placeOf(i)));
  }

  private key(e: KeyboardEvent): void {
    const c = this.content;
    if (!c) return;
    const n = c.bytes.bytes.length;
    let k = this.cursor;
    switch (e.key) {
      case 'ArrowRight': k++; break;
      case 'ArrowLeft': k--; break;
      case 'ArrowDown': k += 16; break;
      case 'ArrowUp': k -= 16; break;
      case 'Home': k = e.ctrlKey ? 0 : k - (k % 16); break;
      case 'End': k = e.ctrlKey ? n - 1 : k - (k % 16) + 15; break;
      case 'PageDown': k += 16 * Math.max(1, Math.floor(this.scroller.clientHeight / ROW_H) - 1); break;
      case 'PageUp': k -= 16 * Math.max(1, Math.floor(this.scroller.clientHeight / ROW_H) - 1); break;
      case 'Enter': case ' ': {
        const node = this.owner[k];
        if (node) this.opts.onPick(node);
        e.preventDefault();
        return;
      }
      case 'a': {
        if (e.ctrlKey || e.metaKey || e.altKey) return;
        const node = this.owner[k];
        if (node) this.opts.onNote(node);
        e.preventDefault();
        return;
      }
      default:
        return;
    }
    e.preventDefault();
    e.stopPropagation();
    this.cursor = Math.max(0, Math.min(n - 1, k));
    const rowTop = Math.floor(this.cursor / 16) * ROW_H;
    if (rowTop < this.scroller.scrollTop) this.scroller.scrollTop = rowTop;
    else if (rowTop + ROW_H > this.scroller.scrollTop + this.scroller.clientHeight) this.scroller.scrollTop = rowTop + ROW_H - this.scroller.clientHeight;
    this.hovered = this.owner[this.cursor];
    this.draw();
    const cell = this.scroller.querySelector(`#hx-${this.cursor}`);
    if (cell) showTip(this.scroller, this.opts.describeByte(this.owner[this.cursor], this.cursor, this.placeOf(this.cursor)), { x: cell.getBoundingClientRect().left, y: cell.getBoundingClientRect().bottom - 12 });
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  private draw(): void {
    const c = this.content;
    if (!c) return;
    const b = c.bytes.bytes;
    const first = Math.max(0, Math.floor(this.scroller.scrollTop / ROW_H) - 2);
    const last = Math.min(Math.ceil(b.length / 16), Math.ceil((this.scroller.scrollTop + this.scroller.clientHeight) / ROW_H) + 2);
    const sel = this.selected ? this.spans.get(this.selected) : undefined;
    const hov = this.hovered && this.hovered !== this.selected ? this.spans.get(this.hovered) : undefined;
    const inSpans = (sp: Array<[number, number]> | undefined, i: number) => !!sp && sp.some(([a, z]) => i >= a && i < z);
    const focused = document.activeElement === this.scroller;
    const rows: HTMLElement[] = [];
    for (let r = first; r < last; r++) {
      const hexCells = h('span', { class: 'hex-bytes' });
      const asc = h('span', { class: 'hex-ascii', 'aria-hidden': 'true' });
      for (let i = r * 16; i < Math.min(b.length, r * 16 + 16); i++) {
        const cls = ['b'];
        if (inSpans(sel, i)) cls.push('sel');
        else if (inSpans(hov, i)) cls.push('hov');
        const lvl = this.suspectLevel[i];
        if (lvl) cls.push(lvl === 3 ? 'sus-high' : lvl === 2 ? 'sus-medium' : 'sus-low');
        if (this.noteMark[i]) cls.push('noted');
        if (i === this.cursor && focused) cls.push('cur');
        if (i % 16 === 8) cls.push('mid');
        const edge = this.boundary[i];
        if (edge & 1) cls.push('seg-start');
        if (edge & 2) cls.push('rec-start');
        const cell = h('span', { class: cls.join(' '), role: 'gridcell', id: `hx-${i}`, 'aria-label': `byte ${i}: ${HEX[b[i]]}${this.owner[i] ? `, ${this.owner[i]!.label}` : ''}` }, HEX[b[i]]);
        cell.dataset.i = String(i);
        hexCells.append(cell);
        const ch = b[i] >= 0x20 && b[i] < 0x7f ? String.fromCharCode(b[i]) : '.';
        const a = h('span', { class: cls.filter((x) => x !== 'mid').join(' ') }, ch);
        a.dataset.i = String(i);
        asc.append(a);
      }
      const row = h('div', { class: 'hex-row', role: 'row', 'aria-rowindex': r + 1 }, h('span', { class: 'hex-off', 'aria-hidden': 'true' }, (r * 16).toString(16).padStart(4, '0')), hexCells, asc);
      row.style.top = `${r * ROW_H}px`;
      rows.push(row);
    }
    this.rowsEl.replaceChildren(...rows);
    if (b.length) this.scroller.setAttribute('aria-activedescendant', `hx-${this.cursor}`);
  }
}

/** The layout under the title: how many records and segments, the packets, and whether that is a split. */
function layoutLine(l: HelloLayout): HTMLElement {
  const packets = l.segments.map((g) => `#${g.packet + 1}`).join(', ');
  const split = l.splitRecords || l.splitSegments;
  const text = `${l.records.length} TLS record${l.records.length === 1 ? '' : 's'} · ${l.segments.length} TCP segment${l.segments.length === 1 ? '' : 's'}${packets ? ` (packet${l.segments.length === 1 ? '' : 's'} ${packets})` : ''}`;
  const marks = [l.segments.length > 1 ? h('span', { class: 'hex-mark seg-start' }, 'segment starts') : '', l.records.length > 1 ? h('span', { class: 'hex-mark rec-start' }, 'record starts') : ''];
  return h('div', { class: split ? 'hex-layout split' : 'hex-layout', title: 'Where the hello\'s bytes were on the wire: a split over records or segments can evade a censor that does not reassemble' },
    h('span', { class: 'hex-layout-text' }, `${split ? 'Split: ' : 'Layout: '}${text}`), ...marks);
}
