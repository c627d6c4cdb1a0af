/**
 * The lower half of both views: the handshake tree, the hex pane of the
 * message being looked at, and tabs with the selected field's details, the
 * connection's suspect fields and its notes. Tree and hex select each other.
 */
import type { ConnectionReport } from '../../shared/analysis';
import type { RuleTexts, Suspect } from '../../shared/compare';
import { foldSuspects, ruleText, suspectWhy } from '../../shared/suspects';
import type { CaptureSide, NoteTarget, WebviewNote } from '../../shared/webviewProtocol';
import { readBytes } from './api';
import { ce, h, icon, iconButton } from './dom';
import { buildTree, flatten, nodeForField, ownSuspects, type FieldNode } from './fields';
import { hex, hexBytes } from './format';
import { HexPane } from './hex';
import type { TipContent } from './tooltip';
import { TreeView } from './tree';

export interface DetailOptions {
  notes(): WebviewNote[];
  /** Where a side's notes are kept; null when not known (the capture is not a file). */
  notesSavedTo(side: CaptureSide): string | null;
  addNote(side: CaptureSide, target: NoteTarget, what: string): void;
}

export class DetailPane {
  readonly el: HTMLElement;
  readonly tree: TreeView;
  readonly hex: HexPane;
  private readonly fieldTab: HTMLElement;
  private readonly suspectTab: HTMLElement;
  private readonly notesTab: HTMLElement;
  private readonly tabs: HTMLElement;
  private readonly suspectHeader: HTMLElement;
  private readonly notesHeader: HTMLElement;
  private conn: ConnectionReport | null = null;
  private side: CaptureSide = 'client';
  private suspects: Suspect[] = [];
  private rules: RuleTexts = {};
  private nodes: FieldNode[] = [];
  private loading = 0;

  constructor(private readonly opts: DetailOptions) {
    this.tree = new TreeView({
      label: 'Handshake fields',
      onSelect: (n) => void this.onTreeSelect(n),
      describe: (n) => this.describe(n),
      onNote: (n) => this.noteOn(n),
      notesOn: (n) => this.fieldNotes(n).length,
      why: (s) => s.reason ?? ruleText(this.rules, s.rule).title,
    });
    this.hex = new HexPane({
      onPick: (n) => this.tree.select(n, { focus: false }),
      describeByte: (n, i, where) => this.describeByte(n, i, where),
      onNote: (n) => this.noteOn(n),
      hasNote: (n) => this.fieldNotes(n).length > 0,
    });
    this.fieldTab = h('div', { class: 'tab-body field-details' });
    this.suspectTab = h('div', { class: 'tab-body' });
    this.notesTab = h('div', { class: 'tab-body' });
    this.suspectHeader = ce('vscode-tab-header', { slot: 'header' }, 'Suspect fields');
    this.notesHeader = ce('vscode-tab-header', { slot: 'header' }, 'Notes');
    this.tabs = ce('vscode-tabs', { class: 'detail-tabs', 'aria-label': 'Field details' },
      ce('vscode-tab-header', { slot: 'header' }, 'Field'), ce('vscode-tab-panel', {}, this.fieldTab),
      this.suspectHeader, ce('vscode-tab-panel', {}, this.suspectTab),
      this.notesHeader, ce('vscode-tab-panel', {}, this.notesTab));
    const treeBox = h('section', { class: 'pane tree-pane', 'aria-label': 'Handshake' }, h('h2', { class: 'pane-title' }, icon('list-tree'), 'Handshake'), this.tree.el);
    const hexBox = h('section', { class: 'pane hex-box', 'aria-label': 'Bytes' }, this.hex.el);
    const right = ce('vscode-split-layout', { split: 'horizontal', 'initial-handle-position': '58%', class: 'split fill' },
      Object.assign(hexBox, { slot: 'start' }), Object.assign(h('section', { class: 'pane tabs-box' }, this.tabs), { slot: 'end' }));
    this.el = ce('vscode-split-layout', { split: 'vertical', 'initial-handle-position': '42%', class: 'split fill detail' },
      Object.assign(treeBox, { slot: 'start' }), Object.assign(right, { slot: 'end' }));
    this.renderField(null);
  }

  get connection(): ConnectionReport | null {
    return this.conn;
  }

  get captureSide(): CaptureSide {
    return this.side;
  }

  /**
   * Shows a connection's handshake. `focusMessages` are opened (e.g. the
   * ServerHello, Certificate and ServerKeyExchange of a blocked connection)
   * and the first of them shown in the hex pane.
   */
  show(conn: ConnectionReport, side: CaptureSide, suspects: Suspect[], rules: RuleTexts, focusMessages: string[] = []): void {
    this.conn = conn;
    this.side = side;
    this.suspects = suspects;
    this.rules = rules;
    const roots = buildTree(conn, `${side}:${conn.id}`, suspects);
    this.nodes = flatten(roots);
    const open = (n: FieldNode) => n.depth === 0 ? (focusMessages.includes(n.label) || (focusMessages.length === 0 && n.suspects.length > 0)) : ownSuspects(n).length === 0 && n.suspects.length > 0 && n.depth < 2;
    this.tree.setRoots(roots, open);
    this.renderSuspects();
    this.renderNotes();
    const first = roots.find((r) => focusMessages.includes(r.label)) ?? roots.find((r) => r.message >= 0);
    if (first) {
      const rank = (n: FieldNode) => Math.max(...ownSuspects(n).map((x) => (x.weight === 'high' ? 3 : x.weight === 'medium' ? 2 : 1)));
      const candidates = this.nodes.filter((n) => n.message === first.message && n !== first && ownSuspects(n).length);
      const firstSuspect = candidates.reduce<FieldNode | null>((best, n) => (!best || rank(n) > rank(best) ? n : best), null);
      void this.showMessage(first.message).then(() => {
        this.tree.select(firstSuspect ?? first, { notify: false });
        this.renderField(firstSuspect ?? first);
      });
      this.renderField(firstSuspect ?? first);
      if (firstSuspect) this.hex.highlight(firstSuspect);
    } else {
      this.hex.clear('No handshake message in clear in this connection.');
      this.renderField(null);
    }
  }

  clear(text: string): void {
    this.conn = null;
    this.nodes = [];
    this.tree.setRoots([], () => false);
    this.hex.clear(text);
    this.renderField(null);
    this.suspectTab.replaceChildren();
    this.notesTab.replaceChildren();
  }

  /** Opens a message (by index) in the hex pane and selects its node. */
  async openMessage(index: number): Promise<void> {
    const node = this.nodes.find((n) => n.depth === 0 && n.message === index);
    if (!node) return;
    this.tree.select(node, { notify: false });
    this.renderField(node);
    await this.showMessage(index);
    this.hex.highlight(node);
  }

  /** Selects the field a suspect or note names. */
  selectField(field: string, focus = false): void {
    const node = nodeForField(this.nodes, field);
    if (node) this.tree.select(node, { focus });
  }

  private async onTreeSelect(n: FieldNode): Promise<void> {
    this.renderField(n);
    if (n.message >= 0 && this.hex.message !== this.conn?.messages[n.message]) {
      await this.showMessage(n.message);
      // The raw bytes are known now.
      if (this.tree.selection === n) this.renderField(n);
    }
    this.hex.highlight(n);
  }

  private async showMessage(index: number): Promise<void> {
    const conn = this.conn;
    const m = conn?.messages[index];
    if (!conn || !m) return;
    if (this.hex.message === m) return;
    const ticket = ++this.loading;
    this.hex.clear(`Reading the bytes of ${m.name}…`);
    const bytes = m.range.length ? await readBytes(this.side, m.range) : null;
    if (ticket !== this.loading || this.conn !== conn) return;
    if (!bytes || bytes.bytes.length === 0) {
      this.hex.clear(`The bytes of ${m.name} are not available (the capture is compressed or the bytes were not captured).`);
      return;
    }
    const nodes = this.nodes.filter((n) => n.message === index);
    // A decrypted message's bytes in the file are its ciphertext (AEAD: same positions as the plaintext fields).
    this.hex.show({ title: `${m.name} (${m.from === 'client' ? 'client → server' : 'server → client'})${m.decrypted ? ' · decrypted, ciphertext shown' : ''}`, message: m, nodes, bytes });
    const sel = this.tree.selection;
    if (sel && sel.message === index) this.hex.highlight(sel);
  }

  private fieldNotes(n: FieldNode): WebviewNote[] {
    const conn = this.conn;
    if (!conn) return [];
    return this.opts.notes().filter((x) => x.side === this.side && x.target.kind === 'field' && x.target.connection === conn.id && x.target.field === n.path);
  }

  private noteOn(n: FieldNode): void {
    if (!this.conn) return;
    this.opts.addNote(this.side, { kind: 'field', connection: this.conn.id, field: n.path }, `${n.label} (${n.path})`);
  }

  private locationWords(n: FieldNode): string {
    const r = n.ranges[0];
    if (!r) return 'not located in the capture';
    const total = n.ranges.reduce((k, x) => k + (x.kind === 'offset' ? x.length : 0), 0);
    return r.kind === 'offset' ? `file offset ${r.offset} (${hex(r.offset, 6)})${total ? `, ${total} bytes` : ''}${n.ranges.length > 1 ? ` in ${n.ranges.length} pieces` : ''}` : `line ${r.line + 1}, column ${r.column + 1}`;
  }

  describe(n: FieldNode): TipContent {
    const raw = this.hex.rawOf(n);
    const rows: Array<[string, string]> = [['field', n.path]];
    if (n.value) rows.push(['value', n.value]);
    if (raw) rows.push(['raw', hexBytes(raw)]);
    rows.push(['where', this.locationWords(n)]);
    const notes: TipContent['notes'] = ownSuspects(n).map((s) => ({ text: `Suspect (${s.weight}): ${suspectWhy(this.rules, s)}`, kind: `suspect-${s.weight}` as const }));
    for (const x of this.fieldNotes(n)) notes.push({ text: `✎ ${x.text}`, kind: 'note' });
    return { title: n.label, rows, notes };
  }

  private describeByte(n: FieldNode | null, i: number, where: string): TipContent {
    if (!n) return { title: `Byte ${i}`, rows: [['where', where]] };
    const d = this.describe(n);
    d.rows = d.rows.filter((r) => r[0] !== 'where');
    d.rows.push(['byte', `${i} of the message (${hex(i, 4)}) · ${where}`]);
    return d;
  }

  private renderField(n: FieldNode | null): void {
    if (!n) {
      this.fieldTab.replaceChildren(h('p', { class: 'muted' }, 'Select a field in the tree or a byte in the hex pane.'));
      return;
    }
    const raw = this.hex.rawOf(n);
    const dl = h('dl', { class: 'kv' },
      h('dt', {}, 'field'), h('dd', { class: 'mono' }, n.path),
      h('dt', {}, 'value'), h('dd', {}, n.value || '—'),
      h('dt', {}, 'raw'), h('dd', { class: 'mono' }, raw ? hexBytes(raw, 64) : 'select the field to load its bytes'),
      h('dt', {}, 'where'), h('dd', {}, this.locationWords(n)));
    const sus = ownSuspects(n).map((s) => this.suspectCard(s, false));
    const notes = this.fieldNotes(n).map((x) => h('div', { class: 'note-card' }, icon('comment'), h('span', {}, x.text), h('span', { class: 'muted' }, ` — ${x.author ? `${x.author}, ` : ''}${x.created.slice(0, 10)}`)));
    const add = iconButton('comment', `Add a note to ${n.label}`, () => this.noteOn(n));
    add.classList.add('labelled');
    add.append(h('span', {}, 'Add note (A)'));
    this.fieldTab.replaceChildren(h('h3', { class: 'field-title' }, n.label, add), dl, ...sus, ...notes);
  }

  private suspectCard(s: Suspect, withField: boolean): HTMLElement {
    const rule = ruleText(this.rules, s.rule);
    const card = h('div', { class: `suspect-card w-${s.weight}` },
      h('div', { class: 'suspect-head' }, withField ? h('span', { class: 'suspect-rank', title: 'rank by evidence' }, `#${s.rank}`) : null,
        icon(s.weight === 'high' ? 'error' : 'warning'), h('span', { class: `badge weight-${s.weight}` }, s.weight),
        withField ? h('code', {}, s.field) : null, s.value ? h('span', { class: 'suspect-value' }, s.value) : null),
      s.reason ? h('p', { class: 'suspect-reason' }, s.reason) : null,
      h('p', {}, h('span', { class: 'suspect-rule' }, `${rule.title}. `), rule.explanation),
      rule.reference ? h('p', { class: 'muted reference' }, rule.reference) : null);
    if (withField) {
      card.tabIndex = 0;
      card.setAttribute('role', 'button');
      card.setAttribute('aria-label', `Suspect ${s.field}, rank ${s.rank}: ${suspectWhy(this.rules, s)}`);
      const go = () => this.selectField(s.field, true);
      card.addEventListener('click', go);
      card.addEventListener('keydown', (e) => {
        if (e.key === 'Enter' || e.key === ' ') {
          e.preventDefault();
          go();
        }
      });
    }
    return card;
  }

  private renderSuspects(): void {
    this.suspectHeader.textContent = `Suspect fields (${this.suspects.length})`;
    if (!this.suspects.length) {
      this.suspectTab.replaceChildren(h('p', { class: 'muted' }, 'No suspect field in this connection.'));
      return;
    }
    // The strongest few by rank; the rest folded per rule behind a button (keyboard: Tab, Enter/Space).
    const { shown, folded } = foldSuspects(this.suspects);
    const groups = folded.map((g) => {
      const body = h('div', { class: 'suspect-fold-body', hidden: '' }, ...g.suspects.map((s) => this.suspectCard(s, true)));
      body.id = `fold-${this.side}-${g.rule.replace(/[^a-z0-9-]/gi, '-')}`;
      const label = `${g.suspects.length} more, same reason: ${ruleText(this.rules, g.rule).title}`;
      const toggle = h('button', { type: 'button', class: 'suspect-fold', 'aria-expanded': 'false', 'aria-controls': body.id },
        h('span', { class: 'codicon codicon-chevron-right', 'aria-hidden': 'true' }), h('span', {}, label));
      toggle.addEventListener('click', () => {
        const open = toggle.getAttribute('aria-expanded') !== 'true';
        toggle.setAttribute('aria-expanded', String(open));
        body.hidden = !open;
        toggle.firstElementChild?.classList.replace(open ? 'codicon-chevron-right' : 'codicon-chevron-down', open ? 'codicon-chevron-down' : 'codicon-chevron-right');
      });
      return h('div', { class: 'suspect-group' }, toggle, body);
    });
    this.suspectTab.replaceChildren(...shown.map((s) => this.suspectCard(s, true)), ...groups);
  }

  renderNotes(): void {
    const conn = this.conn;
    if (!conn) return;
    const packets = new Set((conn.packets ?? []).map((p) => p.index));
    const mine = this.opts.notes().filter((n) => n.side === this.side && (n.target.kind === 'packet' ? packets.has(n.target.packet) : n.target.connection === conn.id));
    this.notesHeader.textContent = `Notes (${mine.length})`;
    const add = iconButton('comment', 'Add a note to this connection', () => this.opts.addNote(this.side, { kind: 'connection', connection: conn.id }, `connection ${conn.id}`));
    add.classList.add('labelled');
    add.append(h('span', {}, 'Add a note to the connection'));
    const cards = mine.map((n) => {
        const what = n.target.kind === 'packet' ? `packet #${n.target.packet + 1}` : n.target.kind === 'field' ? n.target.field : 'connection';
        const card = h('div', { class: 'note-card' }, icon('comment'), h('code', {}, what), h('span', {}, ` ${n.text}`), h('span', { class: 'muted' }, ` — ${n.author ? `${n.author}, ` : ''}${n.created.slice(0, 10)}`));
        if (n.target.kind === 'field') {
          const f = n.target.field;
          card.tabIndex = 0;
          card.setAttribute('role', 'button');
          card.addEventListener('click', () => this.selectField(f, true));
          card.addEventListener('keydown', (e) => { if (e.key === 'Enter') this.selectField(f, true); });
        }
        return card;
      });
    if (!mine.length) cards.push(h('p', { class: 'muted' }, 'No notes yet. Select a field or a packet and press A, or:'));
    const where = this.opts.notesSavedTo(this.side);
    if (where) cards.push(h('p', { class: 'muted notes-where' }, `Notes saved to ${where}`));
    this.notesTab.replaceChildren(...cards, add);
    this.tree.refresh();
  }
}
