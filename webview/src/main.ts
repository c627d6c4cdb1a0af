/**
 * The webviews of Handshake Inspector: the capture editor (connection list,
 * timeline, handshake tree, hex pane) and the compare panel (client and
 * relay on one ladder, verdict, suspect fields, baseline diff). Both get
 * their data from the extension through the messages of
 * shared/webviewProtocol.ts.
 *
 * Everything shown comes from captures, so all of it is inserted as text
 * (textContent / text nodes), never parsed as markup; events are wired with
 * addEventListener and styles set through the CSSOM (the CSP allows neither
 * inline handlers nor style attributes).
 */
import '@vscode-elements/elements/dist/vscode-button/index.js';
import '@vscode-elements/elements/dist/vscode-textfield/index.js';
import '@vscode-elements/elements/dist/vscode-textarea/index.js';
import '@vscode-elements/elements/dist/vscode-split-layout/index.js';
import '@vscode-elements/elements/dist/vscode-tabs/index.js';
import '@vscode-elements/elements/dist/vscode-tab-header/index.js';
import '@vscode-elements/elements/dist/vscode-tab-panel/index.js';
import '@vscode-elements/elements/dist/vscode-single-select/index.js';
import '@vscode-elements/elements/dist/vscode-option/index.js';
import '@vscode-elements/elements/dist/vscode-progress-bar/index.js';
import type { ConnectionReport, InputReport, PacketReport, ReportDiagnostic } from '../../shared/analysis';
import { connectionRow, type ConnectionRow } from '../../shared/connectionRow';
import type { CompareReport, ConnectionPair, Interference, RuleTexts } from '../../shared/compare';
import type { CaptureSide, ConnectionVerdict, NoteTarget, TimeDisplay, ToWebview, WebviewNote } from '../../shared/webviewProtocol';
import { buildLadder, buildSections, confidenceWords, endpoint, verdictSentence, type Section } from '../../shared/report/model';
import { isNotTlsReason, notTlsReasons, packetCountsLine } from '../../shared/captureContents';
import { assertNever } from '../../shared/assertNever';
import { bytesArrived, post } from './api';
import { DetailPane } from './detail';
import { button, ce, h, icon } from './dom';
import { duration, plural } from './format';
import { Ladder } from './ladder';
import { ConnectionList, type ListItem } from './list';
import { openNoteDialog } from './notes';
import './style.css';

const state = {
  mode: null as 'capture' | 'compare' | null,
  fileName: '',
  timeDisplay: 'relative' as TimeDisplay,
  /** The list's rows; a connection in full is in `details` once asked for (the capture editor sends rows only). */
  connections: new Map<number, ConnectionRow>(),
  /** Connections in full, by id: as they came (a `connections` message), or asked for when shown (null: asked, not here yet). */
  details: new Map<number, ConnectionReport | null>(),
  /** Connections the server no longer had when asked for in full. */
  detailsGone: new Set<number>(),
  /** Connections that came in a `detail` answer (asked for again with their timeline when they came without), and those asked for so. */
  detailAnswered: new Set<number>(),
  timelineAsked: new Set<number>(),
  verdicts: new Map<number, ConnectionVerdict>(),
  /** The texts of the rules the verdicts' suspects name. */
  rules: {} as RuleTexts,
  input: null as InputReport | null,
  diagnostics: [] as ReportDiagnostic[],
  done: false,
  /** The one-vantage verdicts have arrived (after the list, from the full analysis). */
  verdictsIn: false,
  /** The user cancelled the decode: what arrived before is kept and shown, marked incomplete. */
  cancelled: false,
  /** The decode has begun (after any "Decode every handshake?" question): before that there is no progress to show. */
  started: false,
  error: null as string | null,
  progress: null as number | null,
  notes: [] as WebviewNote[],
  noteProblems: [] as string[],
  notesSavedTo: {} as Partial<Record<CaptureSide, string>>,
  compare: null as { report: CompareReport; clientName: string; relayName: string; baseline: number | null } | null,
  /**
   * Packet timelines fetched for the connections shown (the capture editor's
   * connections arrive without them: a large capture's timelines are most of
   * its data). null: asked for, not here yet.
   */
  timelines: new Map<number, PacketReport[] | null>(),
  /** A connection the extension asked to show (Open Timeline) that is not decoded yet: shown when it arrives. */
  pendingSelect: null as number | null,
};

/**
 * The connection in full with its packet timeline: as it came if it has one,
 * else fetched (asked for once; `loading` until it is here, `c` null while
 * only its row is here).
 */
function withTimeline(id: number): { c: ConnectionReport | null; loading: boolean } {
  const c = state.details.get(id);
  if (!c) {
    if (c === undefined) {
      state.details.set(id, null);
      post({ type: 'detail', connection: id });
    }
    return { c: null, loading: true };
  }
  if (c.packets !== undefined) return { c, loading: false };
  // From the server's list decode: the same connection again once its full analysis is in (timeline, every QUIC datagram).
  if (state.detailAnswered.has(id)) {
    if (!state.timelineAsked.has(id)) {
      state.timelineAsked.add(id);
      post({ type: 'detail', connection: id, timeline: true });
    }
    return { c, loading: true };
  }
  const t = state.timelines.get(c.id);
  if (t) return { c: { ...c, packets: t }, loading: false };
  if (t === undefined) {
    state.timelines.set(c.id, null);
    post({ type: 'timeline', connection: c.id });
  }
  return { c, loading: true };
}

/**
 * What the banner says of a connection without a verdict. The list is done
 * before the verdicts: they need the full analysis (packet timelines), made
 * after the list's quicker decode.
 */
function verdictNote(id: number): string {
  if (state.verdictsIn || state.cancelled || state.error) return `Connection ${id}: no verdict from one vantage point.`;
  return state.done ? `Connection ${id} — the verdict comes once the packet timelines are analysed.` : `Connection ${id} — the verdict comes when the whole capture is read.`;
}

/** The timeline never gets less than this of its split (the Problems panel open left it 20 px), nor the detail below it. */
const LADDER_MIN = '380px';
const DETAIL_MIN = '120px';

/** Below this width the list and the views side by side leave neither usable: they are stacked instead. */
const NARROW_PX = 640;

/**
 * The stacked list's height: a share of a short editor left the views below
 * it a sliver (the page scrolls instead, style.css); the user can drag it.
 */
const NARROW_LIST = '150px';

/** The timeline's height when narrow, where its bar wraps to three or four lines (the compare view's offset controls). */
const NARROW_LADDER = '460px';

/**
 * A list-beside-view split that turns into list-above-view in a narrow editor
 * (two editors side by side, a 400 px panel), and back when widened.
 */
function stackWhenNarrow(split: HTMLElement, side: string, above: string): void {
  whenNarrowChanges((narrow) => {
    const el = split as SplitLayout;
    el.split = narrow ? 'horizontal' : 'vertical';
    el.handlePosition = narrow ? above : side;
  });
}

type SplitLayout = HTMLElement & { split: string; handlePosition: string };

/** Calls `f` now and whenever the editor turns narrow or wide. */
function whenNarrowChanges(f: (narrow: boolean) => void): void {
  let narrow: boolean | null = null;
  const apply = () => {
    const now = app.clientWidth > 0 && app.clientWidth < NARROW_PX;
    if (now === narrow) return;
    narrow = now;
    f(now);
  };
  new ResizeObserver(apply).observe(app);
  apply();
}

/**
 * The timeline/detail split: a share of the height when wide; when narrow,
 * where the page scrolls, a height in pixels, kept as the split resizes (a
 * share, taken of the split's height at its first layout, had left the
 * timeline ~270 px, below its minimum).
 */
function timelineSplit(start: HTMLElement, end: HTMLElement, wide: string): HTMLElement {
  const split = ce('vscode-split-layout', { split: 'horizontal', 'initial-handle-position': wide, 'min-start': LADDER_MIN, 'min-end': DETAIL_MIN, class: 'split fill' },
    Object.assign(start, { slot: 'start' }), Object.assign(end, { slot: 'end' })) as SplitLayout & { fixedPane: string };
  whenNarrowChanges((narrow) => {
    const apply = () => {
      split.handlePosition = narrow ? NARROW_LADDER : wide;
      split.fixedPane = narrow ? 'start' : 'none';
    };
    // Narrow, a frame later: the split clamps the position to its height when set, which is only the narrow layout's
    // once the other splits have turned (under load the code-server test saw it clamped to 380 px).
    if (narrow) requestAnimationFrame(apply);
    else apply();
  });
  return split;
}

/** Offsets typed in seconds and kept in milliseconds: rounded to the microsecond, so 3.7 stays 3.7. */
function round6(x: number): number {
  return Math.round(x * 1e6) / 1e6;
}

/** Shows the asked-for connection once it is here; keeps asking until then. */
function selectWhenDecoded(): void {
  const id = state.pendingSelect;
  if (id === null || !captureView || !state.connections.has(id)) return;
  state.pendingSelect = null;
  captureView.choose(id, true);
}

const app = document.getElementById('app') ?? document.body.appendChild(h('main', { id: 'app' }));
// Narrow-width styles (style.css, body.narrow) for every view, with or without a list beside it; set at once too, so
// the views' first layout is already the narrow one (their splits take their first sizes from it).
const narrowClass = () => document.body.classList.toggle('narrow', app.clientWidth > 0 && app.clientWidth < NARROW_PX);
new ResizeObserver(narrowClass).observe(app);
narrowClass();
const live = h('div', { class: 'sr-only', role: 'status', 'aria-live': 'polite' });
document.body.append(live);

/** The relay side of a pair: a connection id, or none when every packet the client sent was dropped before the relay. */
function relayName(pair: ConnectionPair): string {
  return pair.relay === null ? 'never at the relay' : `relay #${pair.relay}`;
}

function announce(text: string): void {
  live.textContent = text;
}

function notesByPacket(): Map<string, number> {
  const m = new Map<string, number>();
  for (const n of state.notes) if (n.target.kind === 'packet') m.set(`${n.side}:${n.target.packet}`, (m.get(`${n.side}:${n.target.packet}`) ?? 0) + 1);
  return m;
}

/** What went wrong decoding a connection or the file (info notes, such as a not-TLS stream's first bytes, are not problems). */
function problems(diagnostics: readonly ReportDiagnostic[]): ReportDiagnostic[] {
  return diagnostics.filter((d) => d.severity !== 'info');
}

function diagnosticText(d: ReportDiagnostic): string {
  return `${d.severity}: ${d.message}${d.packet !== undefined ? ` (packet #${d.packet + 1})` : ''}`;
}

/** A connection's decoding problems, listed in its detail; the first 100 (the badge gives the count). */
function problemList(list: ReportDiagnostic[]): HTMLElement | null {
  if (!list.length) return null;
  const worst = list.some((d) => d.severity === 'error') ? 'error' : 'warning';
  return h('details', { class: 'conn-problems', open: true },
    h('summary', {}, icon(worst), ` ${plural(list.length, 'problem')} decoding this connection`),
    h('ul', {}, ...list.slice(0, 100).map((d) => h('li', { class: `sev-${d.severity}` }, diagnosticText(d)))));
}

const KIND_BADGE: Record<Interference['kind'], string> = {
  none: 'no interference seen', drop: 'dropped', 'injected-reset': 'injected reset', modified: 'modified', undetermined: 'undetermined',
};

/** The verdict banner: what happened in plain words, how sure, and why. */
function banner(v: Interference | null, remote: 'relay' | 'server', extra: HTMLElement[] = [], fallback?: string): HTMLElement {
  if (!v) return h('div', { class: 'banner neutral', role: 'region', 'aria-label': 'Verdict' }, icon('info'), h('div', { class: 'banner-body' }, h('div', { class: 'banner-title' }, fallback ?? 'Verdict not known yet.'), ...extra));
  const cls = v.kind === 'none' ? 'ok' : v.kind === 'undetermined' ? 'warn' : 'bad';
  const ic = v.kind === 'none' ? 'pass' : v.kind === 'undetermined' ? 'question' : 'error';
  // The first sentence is the one that says what happened; the rest is there on demand.
  const evidence = v.evidence.length
    ? h('div', { class: 'evidence-first' }, v.evidence[0])
    : null;
  const more = v.evidence.length > 1
    ? h('details', { class: 'evidence' }, h('summary', {}, `All evidence (${v.evidence.length})`), h('ul', {}, ...v.evidence.slice(1).map((e) => h('li', {}, e))))
    : null;
  return h('div', { class: `banner ${cls}`, role: 'region', 'aria-label': 'Verdict' },
    icon(ic),
    h('div', { class: 'banner-body' },
      h('div', { class: 'banner-title' }, verdictSentence(v, remote), h('span', { class: 'confidence' }, ` Confidence ${confidenceWords(v.confidence)}.`)),
      evidence, more, ...extra));
}

function addNote(side: CaptureSide, target: NoteTarget, what: string): void {
  openNoteDialog(side, target, what, side === 'relay' ? 'relay capture' : state.mode === 'compare' ? 'client capture' : 'capture');
}

function ladderSection(ladder: Ladder, title: string, extra: HTMLElement[] = []): HTMLElement {
  const legend = h('div', { class: 'legend', 'aria-hidden': 'true' },
    h('span', { class: 'lg lg-client' }, '→ client'), h('span', { class: 'lg lg-relay' }, state.mode === 'compare' ? '← relay' : '← server'),
    h('span', { class: 'lg lg-drop' }, '✕ dropped'), h('span', { class: 'lg lg-inject' }, '◆ injected'), h('span', { class: 'lg lg-mod' }, '● modified'), h('span', { class: 'lg' }, '×N retransmitted'));
  return h('section', { class: 'pane ladder-pane', 'aria-label': 'Timeline' },
    h('div', { class: 'pane-bar' }, h('h2', { class: 'pane-title' }, icon('graph-line'), title), ...extra, h('span', { class: 'grow' }), legend, ladder.controls()),
    ladder.el,
    h('div', { class: 'hint muted' }, '↑/↓ packet · N / Shift+N anomaly · + / − or Ctrl+wheel zoom · drag, PgUp/PgDn pan · Enter open · A note'));
}

/** n / Shift+N jump between anomalies from anywhere outside text fields. */
let activeLadder: Ladder | null = null;
document.addEventListener('keydown', (e) => {
  const t = e.target as HTMLElement;
  if (e.defaultPrevented || e.ctrlKey || e.metaKey || e.altKey) return;
  if (t.closest('vscode-textfield, vscode-textarea, input, textarea, dialog')) return;
  if ((e.key === 'n' || e.key === 'N') && activeLadder) {
    e.preventDefault();
    activeLadder.nextAnomaly(e.shiftKey ? -1 : 1);
  }
});

// ------------------------------------------------------------------------------------------------
// Single capture

class CaptureView {
  readonly list = new ConnectionList('Connections', (key) => this.choose(Number(key), true));
  readonly ladder: Ladder;
  readonly detail = new DetailPane({ notes: () => state.notes, notesSavedTo: (side) => state.notesSavedTo[side] ?? null, addNote });
  private readonly bannerBox = h('div', { class: 'banner-box' });
  private readonly status = h('div', { class: 'status-line', role: 'status' });
  // The progress row is built once and updated in place: rebuilt on every
  // progress message, its Cancel button was replaced under the pointer and
  // clicks landed on a detached element.
  private readonly progressText = h('span', { class: 'progress-text' });
  private readonly progressBar = ce('vscode-progress-bar', { 'aria-label': 'Decoding', indeterminate: true });
  private readonly cancelButton = button('Cancel', 'close', () => this.cancel(), { secondary: true, id: 'cancel-decode' });
  private readonly progressRow = h('div', { class: 'progress-row' }, this.progressText, this.progressBar, this.cancelButton);
  private readonly callouts = h('div', { class: 'status-callouts' });
  private readonly summary = h('span', { class: 'muted header-summary' });
  private selected: number | null = null;
  private userChose = false;
  private frame = 0;

  constructor() {
    this.ladder = new Ladder({
      onSelect: (a) => this.openArrow(a.packets[0]?.index ?? -1, false),
      onActivate: (a) => this.openArrow(a.packets[0]?.index ?? -1, true),
      onNote: (a) => addNote('client', { kind: 'packet', packet: a.packets[0].index }, `packet #${a.packets[0].index + 1} (${a.label})`),
      announce,
    });
    activeLadder = this.ladder;
    const header = h('header', { class: 'app-header' },
      h('h1', {}, icon('file-binary'), h('span', { class: 'file-name' }, state.fileName)), this.summary, h('span', { class: 'grow' }),
      h('div', { class: 'toolbar' },
        button('Compare With…', 'git-compare', () => post({ type: 'compareWith' }), { secondary: true, title: 'Compare this capture (the client view) with the relay\'s capture of the same connections', compact: true }),
        button('Text Dissection', 'list-tree', () => post({ type: 'openDissection' }), { secondary: true, title: 'Open as Text Dissection', compact: true }),
        button('Export Report', 'export', () => post({ type: 'exportReport' }), { title: 'Export an annotated report (HTML, Markdown or JSON)', id: 'export-report', compact: true })));
    const right = h('div', { class: 'right-col' }, this.bannerBox,
      timelineSplit(ladderSection(this.ladder, 'Timeline'), h('div', { class: 'fill-box' }, this.detail.el), '44%'));
    const listPane = h('section', { class: 'pane list-pane', 'aria-label': 'Connections' }, h('h2', { class: 'pane-title' }, icon('plug'), 'Connections'), this.list.el);
    const main = ce('vscode-split-layout', { split: 'vertical', 'initial-handle-position': '300px', 'fixed-pane': 'start', class: 'split main-split' },
      Object.assign(listPane, { slot: 'start' }), Object.assign(right, { slot: 'end' }));
    app.replaceChildren(header, this.status, main);
    stackWhenNarrow(main, '300px', NARROW_LIST);
    this.detail.clear('Waiting for the first handshake…');
    this.bannerBox.replaceChildren(banner(null, 'server', [], 'Opening the capture…'));
    this.status.append(this.progressRow, this.callouts);
    this.progressRow.hidden = true;
  }

  private cancel(): void {
    this.cancelButton.setAttribute('disabled', '');
    this.cancelButton.textContent = 'Cancelling…';
    post({ type: 'cancel' });
  }

  private renderProgress(): void {
    const running = state.started && !state.done && !state.error;
    this.progressRow.hidden = !running;
    if (!running) return;
    this.progressText.replaceChildren(icon('loading'), ` Decoding… ${state.progress !== null ? `${state.progress} %` : ''} — ${plural(state.connections.size, 'connection')} so far`);
    if (state.progress !== null) {
      this.progressBar.removeAttribute('indeterminate');
      this.progressBar.setAttribute('max', '100');
      this.progressBar.setAttribute('value', String(state.progress));
    }
  }

  /** Said in the banner once decoding ended with nothing to list: what the capture holds, and why none of it is TLS. */
  private nothingDecoded(): void {
    const extra: HTMLElement[] = [];
    if (state.input) extra.push(h('div', { class: 'capture-contents' }, `${state.input.format}${state.input.compressed ? ' (gzip)' : ''}: ${packetCountsLine(state.input, 0)}`));
    const reasons = notTlsReasons(state.diagnostics);
    if (reasons.length) extra.push(h('ul', { class: 'not-tls' }, ...reasons.map((d) => h('li', {}, d.message))));
    const title = state.cancelled ? 'Cancelled before a TLS connection was found.' : 'No TLS connection in this capture.';
    this.bannerBox.replaceChildren(banner(null, 'server', extra, title));
    this.list.setEmptyText(title);
  }

  update(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.render();
    });
  }

  private render(): void {
    const conns = [...state.connections.values()].sort((a, b) => a.id - b.id);
    this.list.setItems(conns.map((c) => this.itemOf(c)));
    this.renderProgress();
    this.callouts.replaceChildren();
    if (state.error) this.callouts.append(h('div', { class: 'callout error' }, icon('error'), h('span', {}, state.error)));
    if (state.cancelled) this.callouts.append(h('div', { class: 'callout warn', id: 'cancelled' }, icon('debug-stop'), h('span', {}, `Cancelled after ${plural(state.connections.size, 'connection')}: what was decoded before the stop is shown, the rest of the capture was not read. Reopen the file to decode all of it.`)));
    if (state.noteProblems.length) this.callouts.append(h('div', { class: 'callout warn' }, icon('warning'), h('span', {}, `Notes file: ${state.noteProblems.join('; ')}`)));
    // The not-TLS streams' first bytes are said in the banner when nothing was decoded; elsewhere they are notes like any other.
    const fileNotes = conns.length === 0 ? state.diagnostics.filter((d) => !isNotTlsReason(d)) : state.diagnostics;
    if (fileNotes.length) {
      this.callouts.append(h('details', { class: 'file-problems' }, h('summary', {}, icon('warning'), ` ${plural(fileNotes.length, 'note')} about the file`),
        h('ul', {}, ...fileNotes.slice(0, 200).map((d) => h('li', { class: `sev-${d.severity}` }, d.message)))));
    }
    const i = state.input;
    const count = problems(state.diagnostics).length + conns.reduce((n, c) => n + problems(c.diagnostics).length, 0);
    const trouble = count ? ` · ${plural(count, 'decoding problem')}` : '';
    this.summary.textContent = (i ? `${i.format}${i.compressed ? ' (gzip)' : ''} · ${plural(i.packets, 'packet')} · ${plural(state.connections.size, 'TLS connection')}` : `${plural(state.connections.size, 'TLS connection')}`) + trouble;
    // In a narrow editor the summary is one line, cut off at its end: the tooltip has all of it.
    this.summary.title = this.summary.textContent;
    // The first connection is shown as soon as it arrives; once verdicts are in, the most telling one, unless the user chose.
    if (!this.userChose) {
      const telling = conns.find((c) => { const v = state.verdicts.get(c.id); return v && v.interference.kind !== 'none'; }) ?? conns.find((c) => (state.verdicts.get(c.id)?.suspects.length ?? 0) > 0);
      const want = telling?.id ?? (this.selected ?? conns[0]?.id ?? null);
      if (want !== null && (want !== this.selected || (state.done && this.stale))) this.choose(want, false);
    } else if (this.selected !== null && this.stale && state.connections.has(this.selected)) this.choose(this.selected, false);
    if (state.done && conns.length === 0 && !state.error) {
      this.detail.clear('No TLS handshake was found in this capture.');
      this.nothingDecoded();
    }
  }

  /** The shown connection was drawn before its verdict or final report arrived. */
  private stale = false;

  /** List items by connection id: a row's item is made once, again only when verdicts or notes change. */
  private readonly items = new Map<number, ListItem>();

  itemsChanged(): void {
    this.items.clear();
  }

  private itemOf(c: ConnectionRow): ListItem {
    let item = this.items.get(c.id);
    if (!item) this.items.set(c.id, (item = this.item(c)));
    return item;
  }

  private item(c: ConnectionRow): ListItem {
    const v = state.verdicts.get(c.id);
    const badges: Array<[string, string]> = [];
    if (v) badges.push([KIND_BADGE[v.interference.kind], `verdict-${v.interference.kind}`]);
    if (v?.suspects.length) badges.push([`⚠ ${v.suspects.length}`, v.suspects.some((s) => s.weight === 'high') ? 'weight-high' : 'weight-medium']);
    const trouble = problems(c.diagnostics);
    if (trouble.length) badges.push([plural(trouble.length, 'problem'), trouble.some((d) => d.severity === 'error') ? 'diag-error' : 'diag-warning']);
    if (c.versionName) badges.push([c.versionName, '']);
    if (c.decryption) badges.push([c.decryption, 'decrypted']);
    // Over UDP: said once (a DTLS version badge already says DTLS).
    if (c.transport && !c.versionName?.startsWith('DTLS')) badges.push([c.transport.toUpperCase(), 'transport']);
    const iceUser = c.iceUser;
    // How TLS was reached, when not at the stream's first byte (STARTTLS, SOCKS, CONNECT, PROXY).
    if (c.preamble) badges.push([c.preamble.noTls === null ? c.preamble.protocol : `no TLS: ${c.preamble.protocol}`, '']);
    const sni = c.serverName;
    const notes = state.notes.filter((n) => n.target.kind !== 'packet' && n.target.connection === c.id).length;
    const hay = [c.id, c.client.address, c.client.port, c.server.address, c.server.port, endpoint(c.client), endpoint(c.server), sni ?? '', c.fingerprints.ja3 ?? '', c.fingerprints.ja3s ?? '', c.fingerprints.ja4 ?? '', c.fingerprints.ja4s ?? '',
      v ? KIND_BADGE[v.interference.kind] : '', v?.interference.kind ?? '', ...(v?.suspects ?? []).flatMap((s) => [s.field, s.rule, 'suspect']), c.lastMessage ?? '', c.versionName ?? '', trouble.length ? 'problem' : '', c.decryption ? 'decrypted' : '',
      c.transport ?? 'tcp', c.transport ? 'udp' : '', iceUser ?? ''].join(' ').toLowerCase();
    return {
      key: String(c.id),
      title: `#${c.id} ${sni ?? endpoint(c.server)}`,
      subtitle: `${endpoint(c.client)} → ${endpoint(c.server)}${c.transport ? ` · ${c.transport.toUpperCase()}/UDP` : ''}${iceUser ? ` · ICE ${iceUser}` : ''}${c.lastMessage ? ` · last: ${c.lastMessage}` : ''}${notes ? ` · ✎ ${notes}` : ''}`,
      badges, haystack: hay,
      label: `${c.transport ? `${c.transport.toUpperCase()} connection` : 'Connection'} ${c.id}, ${endpoint(c.client)} to ${endpoint(c.server)}${sni ? `, server name ${sni}` : ''}${v ? `, ${KIND_BADGE[v.interference.kind]}` : ''}${v?.suspects.length ? `, ${plural(v.suspects.length, 'suspect field')}` : ''}${trouble.length ? `, ${plural(trouble.length, 'decoding problem')}` : ''}`,
    };
  }

  choose(id: number, user: boolean): void {
    const decoded = state.connections.get(id);
    if (!decoded) return;
    const { c, loading } = withTimeline(id);
    if (user) this.userChose = true;
    this.selected = id;
    this.stale = !state.done;
    this.list.select(String(id), false);
    const v = state.verdicts.get(id) ?? null;
    if (!c) {
      this.loading(decoded, v, state.detailsGone.has(id) ? 'The server no longer has this connection: reopen the capture.' : 'Loading the connection…');
      return;
    }
    const section: Section = { anchor: '', kind: 'single', client: c, relay: null, pair: null, side: 'client', verdict: v?.interference ?? null, suspects: v?.suspects ?? [], rules: state.rules, remote: 'server' };
    const l = buildLadder(section, Number.MAX_SAFE_INTEGER);
    this.ladder.setInput({
      mode: 'single', arrows: l.arrows, t0: l.t0, laneTitles: ['client', 'server'], laneSubtitles: [endpoint(c.client), endpoint(c.server)],
      relayClockOffset: 0, notes: notesByPacket(), timeDisplay: state.timeDisplay, emptyText: loading ? 'Loading the packet timeline…' : undefined,
    });
    const sni = c.tls.serverName ?? c.clientHello?.serverName;
    const facts = h('div', { class: 'facts' },
      h('span', { class: 'mono' }, `${endpoint(c.client)} → ${endpoint(c.server)}`),
      sni ? h('span', { class: 'sni' }, sni) : null,
      c.tls.versionName ? h('span', {}, c.tls.versionName) : null,
      c.tls.cipherSuiteName ? h('span', { class: 'mono' }, c.tls.cipherSuiteName) : null,
      c.fingerprints.ja4 ? h('span', { class: 'mono' }, `JA4 ${c.fingerprints.ja4}`) : null,
      c.preamble ? h('span', {}, c.preamble.noTls === null ? `TLS after ${c.preamble.chain.join(' › ')}` : `no TLS after ${c.preamble.chain.join(' › ')}: ${c.preamble.noTls}`) : null,
      h('span', {}, `${plural(c.tcp.packets, 'packet')} over ${duration(c.endTime - c.startTime)}`));
    const reveal = button('Reveal in Text Dissection', 'go-to-file', () => post({ type: 'select', connection: id }), { secondary: true });
    this.bannerBox.replaceChildren(banner(v?.interference ?? null, 'server', [facts, problemList(problems(c.diagnostics)), h('div', { class: 'banner-actions' }, reveal)].filter((x): x is HTMLElement => x !== null),
      verdictNote(id)));
    // Undetermined from one end still means the handshake stopped somewhere: open what the server sent.
    const blocked = v && v.interference.kind !== 'none';
    this.detail.show(c, 'client', v?.suspects ?? [], state.rules, blocked ? ['ServerHello', 'Certificate', 'ServerKeyExchange'] : []);
  }

  /** The connection's row while the connection in full is on its way (a request to the server, answered at once unless it is still decoding). */
  private loading(row: ConnectionRow, v: ConnectionVerdict | null, text: string): void {
    this.ladder.setInput({
      mode: 'single', arrows: [], t0: 0, laneTitles: ['client', 'server'], laneSubtitles: [endpoint(row.client), endpoint(row.server)],
      relayClockOffset: 0, notes: notesByPacket(), timeDisplay: state.timeDisplay, emptyText: text,
    });
    const facts = h('div', { class: 'facts' },
      h('span', { class: 'mono' }, `${endpoint(row.client)} → ${endpoint(row.server)}`),
      row.serverName ? h('span', { class: 'sni' }, row.serverName) : null,
      row.versionName ? h('span', {}, row.versionName) : null);
    this.bannerBox.replaceChildren(banner(v?.interference ?? null, 'server', [facts], `Connection ${row.id}`));
    this.detail.clear(text);
  }

  private openArrow(packet: number, focusTree: boolean): void {
    const c = this.detail.connection;
    if (!c || packet < 0) return;
    const m = c.messages.findIndex((x) => x.packets.includes(packet));
    if (m >= 0) {
      void this.detail.openMessage(m);
      if (focusTree) this.detail.tree.el.querySelector<HTMLElement>('[tabindex="0"]')?.focus();
    }
  }

  notesChanged(): void {
    this.detail.renderNotes();
    if (this.selected !== null) {
      const { c } = withTimeline(this.selected);
      if (c) this.ladder.setInput({ ...(this.ladderInputCache(c)) }, true);
    }
    this.captureItemsChanged();
  }

  private ladderInputCache(c: ConnectionReport) {
    const section: Section = { anchor: '', kind: 'single', client: c, relay: null, pair: null, side: 'client', verdict: null, suspects: [], rules: state.rules, remote: 'server' };
    const l = buildLadder(section, Number.MAX_SAFE_INTEGER);
    return { mode: 'single' as const, arrows: l.arrows, t0: l.t0, laneTitles: ['client', 'server'], laneSubtitles: [endpoint(c.client), endpoint(c.server)], relayClockOffset: 0, notes: notesByPacket(), timeDisplay: state.timeDisplay };
  }

  settingsChanged(): void {
    if (this.selected !== null) this.choose(this.selected, false);
  }

  /** Verdicts or notes changed what the list's items say. */
  private captureItemsChanged(): void {
    this.itemsChanged();
    this.update();
  }

  timelineArrived(id: number): void {
    if (this.selected === id) this.choose(id, false);
  }
}

// ------------------------------------------------------------------------------------------------
// Compare

class CompareView {
  readonly ladder: Ladder;
  readonly detail = new DetailPane({ notes: () => state.notes, notesSavedTo: (side) => state.notesSavedTo[side] ?? null, addNote });
  readonly list = new ConnectionList('Connection pairs', (key) => this.choose(Number(key)));
  private readonly bannerBox = h('div', { class: 'banner-box' });
  private readonly diffBox = h('div', { class: 'diff-box' });
  /** Connections compare could not pair and says why: spoofed at the relay, or sent while the relay's capture was off. */
  private readonly unseenBox = h('div', { class: 'unseen-box' });
  private readonly baselineBox = h('div', { class: 'baseline-picker' });
  private readonly offsetBox = h('div', { class: 'offset-box' });
  private readonly sideBox = h('div', { class: 'side-toggle', role: 'radiogroup', 'aria-label': 'Handshake from which capture' });
  private readonly listPane: HTMLElement;
  private sections: Section[] = [];
  private current = 0;
  private side: CaptureSide = 'relay';
  private shiftMs = 0;

  constructor() {
    this.ladder = new Ladder({
      onSelect: (a) => this.openArrow(a.packets, false),
      onActivate: (a) => this.openArrow(a.packets, true),
      onNote: (a) => {
        const p = a.packets.find((x) => x.side === this.side) ?? a.packets[0];
        if (p) addNote(p.side, { kind: 'packet', packet: p.index }, `packet #${p.index + 1} (${a.label})`);
      },
      announce,
    });
    activeLadder = this.ladder;
    const c = state.compare!;
    const header = h('header', { class: 'app-header' },
      h('h1', {}, icon('git-compare'), h('span', { class: 'file-name' }, c.clientName), h('span', { class: 'muted' }, ' client ⇄ relay '), h('span', { class: 'file-name' }, c.relayName)),
      h('span', { class: 'grow' }), this.baselineBox,
      h('div', { class: 'toolbar' }, button('Export Report', 'export', () => post({ type: 'exportReport' }), { title: 'Export an annotated report of this comparison (HTML, Markdown or JSON)', id: 'export-report', compact: true })));
    const ladderPane = ladderSection(this.ladder, 'Client ⇄ relay', [this.offsetBox]);
    const detailWrap = h('div', { class: 'fill-box detail-wrap' }, h('div', { class: 'pane-bar' }, h('span', { class: 'muted' }, 'Handshake as seen in the'), this.sideBox), this.detail.el);
    const right = h('div', { class: 'right-col' }, this.bannerBox, this.unseenBox, this.diffBox,
      timelineSplit(ladderPane, detailWrap, '50%'));
    this.listPane = h('section', { class: 'pane list-pane', 'aria-label': 'Connection pairs' }, h('h2', { class: 'pane-title' }, icon('plug'), 'Pairs'), this.list.el);
    app.replaceChildren(header, right);
    this.refresh(true);
    void this.listPane;
  }

  refresh(first = false): void {
    const c = state.compare!;
    this.sections = buildSections('compare', c.report).filter((s) => s.kind === 'pair');
    const main = app.querySelector('.right-col') as HTMLElement;
    if (this.sections.length > 1 && !this.listPane.isConnected) {
      const split = ce('vscode-split-layout', { split: 'vertical', 'initial-handle-position': '280px', 'fixed-pane': 'start', class: 'split main-split' },
        Object.assign(this.listPane, { slot: 'start' }), Object.assign(main, { slot: 'end' }));
      app.replaceChildren(app.firstChild!, split);
      stackWhenNarrow(split, '280px', NARROW_LIST);
    }
    this.list.setItems(this.sections.map((s, i) => this.item(s, i)));
    this.drawUnseen();
    if (first) {
      const bad = this.sections.findIndex((s) => s.verdict && s.verdict.kind !== 'none');
      this.current = bad >= 0 ? bad : 0;
    }
    this.current = Math.min(this.current, Math.max(0, this.sections.length - 1));
    this.choose(this.current, !first);
  }

  private item(s: Section, i: number): ListItem {
    const v = s.verdict;
    const sni = s.client?.tls.serverName ?? s.relay?.tls.serverName ?? null;
    return {
      key: String(i), title: `${sni ?? endpoint(s.relay?.server ?? s.client?.server)}`,
      subtitle: `client #${s.pair!.client} ⇄ ${relayName(s.pair!)} · ${endpoint(s.client?.client)}`,
      badges: v ? [[KIND_BADGE[v.kind], `verdict-${v.kind}`], ...(s.suspects.length ? [[`⚠ ${s.suspects.length}`, 'weight-medium'] as [string, string]] : [])] : [],
      haystack: [sni ?? '', s.client?.transport ?? 'tcp', endpoint(s.client?.client), endpoint(s.client?.server), endpoint(s.relay?.server), v?.kind ?? '', v ? KIND_BADGE[v.kind] : '', s.client?.fingerprints.ja3 ?? '', s.client?.fingerprints.ja4 ?? '', ...s.suspects.map((x) => x.field)].join(' ').toLowerCase(),
      label: `Pair ${i + 1}: ${sni ?? ''} ${v ? KIND_BADGE[v.kind] : ''}`,
    };
  }

  choose(i: number, keepShift = false): void {
    const s = this.sections[i];
    const c = state.compare!;
    this.current = i;
    if (!s) {
      this.bannerBox.replaceChildren(banner(null, 'relay', [], c.report.pairs.length === 0 ? 'No connection appears in both captures: check that they were taken at the same time, of the same connection.' : ''));
      this.detail.clear('No matched connection.');
      this.ladder.setInput({ mode: 'compare', arrows: [], t0: 0, laneTitles: [], laneSubtitles: [], relayClockOffset: 0, notes: new Map(), timeDisplay: state.timeDisplay });
      return;
    }
    this.list.select(String(i));
    const pair = s.pair!;
    if (!keepShift) this.shiftMs = 0;
    this.drawLadder(s, keepShift);
    const blocked = s.verdict && s.verdict.kind !== 'none';
    const show = button(`Show the ${s.verdict?.firstMissingTlsMessage ?? 'ServerHello'} that did not arrive`, 'eye', () => this.showBlocked(), { secondary: true, id: 'show-blocked' });
    const anomaly = button('Next anomaly (N)', 'arrow-down', () => this.ladder.nextAnomaly(1), { secondary: true });
    const match = h('div', { class: 'facts' },
      h('span', {}, `client #${pair.client} ⇄ ${relayName(pair)}`),
      h('span', {}, `matched by ${pair.matchedBy.join(', ') || '—'}`),
      s.client?.tls.serverName ? h('span', { class: 'sni' }, s.client.tls.serverName) : null);
    this.bannerBox.replaceChildren(banner(s.verdict, 'relay', [match, h('div', { class: 'banner-actions' }, ...(blocked ? [show] : []), anomaly)]));
    this.drawOffset(pair);
    this.drawDiff(s);
    // A blocked handshake opens on the relay's copy of what never arrived.
    const relayHas = !!s.relay?.serverHello && !s.client?.serverHello;
    this.side = blocked && relayHas ? 'relay' : s.client ? 'client' : 'relay';
    this.showSide(blocked ? ['ServerHello', 'Certificate', 'ServerKeyExchange'] : []);
  }

  private drawLadder(s: Section, keepView: boolean): void {
    const l = buildLadder(s, Number.MAX_SAFE_INTEGER);
    this.ladder.setInput({
      mode: 'compare', arrows: l.arrows, t0: l.t0,
      laneTitles: ['client', 'censor (path)', 'relay'],
      laneSubtitles: [endpoint(s.client?.client), 'between the captures', endpoint(s.relay?.server)],
      relayClockOffset: s.pair!.clockOffset.seconds, notes: notesByPacket(), timeDisplay: state.timeDisplay,
    }, keepView);
    this.ladder.setRelayShift(this.shiftMs / 1000);
  }

  private showSide(focus: string[]): void {
    const s = this.sections[this.current];
    const conn = this.side === 'relay' ? s.relay : s.client;
    this.sideBox.replaceChildren(...(['relay', 'client'] as const).map((side) => {
      const on = side === this.side;
      const b = h('button', { type: 'button', class: `seg${on ? ' on' : ''}`, role: 'radio', 'aria-checked': String(on), tabindex: on ? 0 : -1 },
        side === 'relay' ? `relay capture${s.relay?.serverHello && !s.client?.serverHello ? ' (has the ServerHello)' : ''}` : 'client capture');
      b.addEventListener('click', () => {
        this.side = side;
        this.showSide(focus);
      });
      b.addEventListener('keydown', (e) => {
        if (e.key === 'ArrowLeft' || e.key === 'ArrowRight') {
          e.preventDefault();
          this.side = this.side === 'relay' ? 'client' : 'relay';
          this.showSide(focus);
          (this.sideBox.querySelector('[aria-checked="true"]') as HTMLElement | null)?.focus();
        }
      });
      return b;
    }));
    if (conn) this.detail.show(conn, this.side, s.suspects, s.rules, focus);
    else this.detail.clear(`The ${this.side} capture has no copy of this connection.`);
  }

  private showBlocked(): void {
    const s = this.sections[this.current];
    const name = s.verdict?.firstMissingTlsMessage ?? 'ServerHello';
    const side: CaptureSide = s.relay?.messages.some((m) => m.name === name) ? 'relay' : 'client';
    if (side !== this.side) {
      this.side = side;
      this.showSide(['ServerHello', 'Certificate', 'ServerKeyExchange']);
    }
    const conn = side === 'relay' ? s.relay : s.client;
    const idx = conn?.messages.findIndex((m) => m.name === name) ?? -1;
    if (idx >= 0) void this.detail.openMessage(idx);
    this.ladder.nextAnomaly(1);
  }

  private openArrow(packets: Array<{ side: CaptureSide; index: number }>, focusTree: boolean): void {
    const s = this.sections[this.current];
    const mine = packets.find((p) => p.side === this.side) ?? packets[0];
    if (!mine) return;
    if (mine.side !== this.side) {
      this.side = mine.side;
      this.showSide([]);
    }
    const conn = mine.side === 'relay' ? s.relay : s.client;
    const m = conn?.messages.findIndex((x) => x.packets.includes(mine.index)) ?? -1;
    if (m >= 0) {
      void this.detail.openMessage(m);
      if (focusTree) this.detail.tree.el.querySelector<HTMLElement>('[tabindex="0"]')?.focus();
    }
  }

  /**
   * One number: the relay clock offset in use (the estimate plus the user's
   * adjustment), in seconds, editable; the slider follows it, its range
   * widened to take in whatever is typed (so it never sits pinned at an end).
   */
  private drawOffset(pair: ConnectionPair): void {
    const o = pair.clockOffset;
    const rangeMs = Math.max(5, Math.min(5000, Math.ceil(Math.max(o.uncertainty * 4, (o.oneWayDelay ?? 0) * 20, 0.002) * 1000)));
    const inUse = (shiftMs: number) => round6(o.seconds + shiftMs / 1000);
    const slider = h('input', { type: 'range', step: rangeMs / 200, 'aria-label': 'Relay clock offset, milliseconds from the estimate', class: 'offset-slider' }) as HTMLInputElement;
    const field = ce('vscode-textfield', { type: 'number', value: String(inUse(this.shiftMs)), step: 0.001, 'aria-label': 'Relay clock offset in use, seconds', class: 'offset-field' }) as HTMLElement & { value: string };
    const follow = (ms: number) => {
      const reach = Math.max(rangeMs, Math.ceil(Math.abs(ms)));
      slider.min = String(-reach);
      slider.max = String(reach);
      slider.value = String(ms);
    };
    const apply = (ms: number, fromField = false) => {
      if (!Number.isFinite(ms)) return;
      this.shiftMs = ms;
      follow(ms);
      if (!fromField) field.value = String(inUse(ms));
      this.ladder.setRelayShift(ms / 1000);
      shown.textContent = this.offsetWords(o.seconds, ms);
    };
    slider.addEventListener('input', () => apply(Number(slider.value)));
    field.addEventListener('change', () => {
      const typed = Number(field.value);
      if (field.value.trim() !== '' && Number.isFinite(typed)) apply(round6((typed - o.seconds) * 1000), true);
    });
    const reset = button('Estimate', 'discard', () => apply(0), { secondary: true, title: 'Back to the estimated offset' });
    const shown = h('span', { class: 'offset-value muted' }, this.offsetWords(o.seconds, this.shiftMs));
    follow(this.shiftMs);
    const est = `${o.method === 'none' ? 'no estimate (no packet seen by both captures in both directions)' : `estimated ${duration(o.seconds)} ± ${duration(o.uncertainty)} from ${o.samples.clientToRelay + o.samples.relayToClient} packets (${o.method})`}`;
    this.offsetBox.replaceChildren(h('span', { class: 'offset-label', title: est }, icon('clock'), ' Relay clock offset'), field, h('span', { class: 'muted' }, 's'), slider, shown, reset);
    this.offsetBox.setAttribute('title', est);
  }

  /**
   * The connections without a pair that compare explained (CompareReport.uncovered, .spoofed), whatever pair is
   * shown: a client connection the relay's capture could not have seen must not read as one the relay lost.
   */
  private drawUnseen(): void {
    const r = state.compare!.report;
    const conn = (a: typeof r.client | null, id: number) => a?.connections.find((c) => c.id === id) ?? null;
    const where = (c: ConnectionReport | null) => (c ? ` ${endpoint(c.client)} → ${endpoint(c.server)}${c.tls.serverName ? ` (${c.tls.serverName})` : ''}` : '');
    const item = (title: string, evidence: string[]) => h('li', {}, h('span', { class: 'unseen-title' }, title), ...evidence.map((e) => h('div', { class: 'unseen-why' }, e)));
    const items = [
      ...(r.uncovered ?? []).map((u) => item(`client #${u.client}${where(conn(r.client, u.client))}: not covered by the relay capture`, u.evidence)),
      ...(r.spoofed ?? []).map((s) => item(`relay #${s.relay}${where(conn(r.relay, s.relay))}: only at the relay, never sent by the client (spoofed)`, s.evidence)),
    ];
    if (items.length === 0) {
      this.unseenBox.replaceChildren();
      return;
    }
    this.unseenBox.replaceChildren(h('details', { class: 'unseen', open: true }, h('summary', {}, icon('info'), ` ${plural(items.length, 'connection')} without a pair, and why`), h('ul', {}, ...items)));
  }

  /** What the number in the box is, next to it: the estimate itself, or how far from the estimate. */
  private offsetWords(estimate: number, shiftMs: number): string {
    const est = `${estimate >= 0 ? '+' : '−'}${duration(Math.abs(estimate))}`;
    return shiftMs ? `estimate ${est} ${shiftMs > 0 ? '+' : '−'} ${round6(Math.abs(shiftMs))} ms` : `the estimate`;
  }

  private drawDiff(s: Section): void {
    const c = state.compare!;
    const pair = s.pair!;
    const candidates = (c.report.client.connections ?? []).filter((x) => x.id !== pair.client && x.isTls);
    const select = ce('vscode-single-select', { 'aria-label': 'Baseline: a connection that works', class: 'baseline-select' }) as HTMLElement & { value: string };
    select.append(ce('vscode-option', { value: '' }, 'No baseline'));
    for (const x of candidates) {
      const v = c.report.pairs.find((p) => p.client === x.id)?.interference.kind;
      select.append(ce('vscode-option', { value: String(x.id), selected: c.baseline === x.id }, `#${x.id} ${x.tls.serverName ?? endpoint(x.server)}${v ? ` (${KIND_BADGE[v]})` : ''}`));
    }
    select.addEventListener('change', () => post({ type: 'baseline', connection: select.value === '' ? null : Number(select.value) }));
    this.baselineBox.replaceChildren(icon('diff'), h('span', {}, 'Baseline:'),
      candidates.length ? select : h('span', { class: 'muted', title: 'Pick a connection that works to diff the blocked handshake against it' }, 'no other TLS connection in the client capture'));
    const rows = pair.baselineDiff ?? [];
    if (!rows.length) {
      if (c.baseline === null) this.diffBox.replaceChildren();
      else this.diffBox.replaceChildren(h('p', { class: 'muted' }, `No field differs from baseline connection #${c.baseline}.`));
      return;
    }
    const table = h('table', { class: 'diff-table' },
      h('thead', {}, h('tr', {}, h('th', { scope: 'col' }, 'field'), h('th', { scope: 'col' }, 'blocked'), h('th', { scope: 'col' }, `baseline #${c.baseline}`))),
      h('tbody', {}, ...[...rows].sort((a, b) => Number(b.distinctive) - Number(a.distinctive)).map((r) => {
        const tr = h('tr', { class: r.distinctive ? 'distinctive' : 'ordinary', tabindex: 0, 'aria-label': `${r.field}: blocked ${r.blocked ?? 'absent'}, baseline ${r.baseline ?? 'absent'}${r.distinctive ? ', distinctive' : ', differs between any two connections'}` },
          h('td', { class: 'mono' }, r.distinctive ? icon('warning') : null, r.field), h('td', { class: 'mono' }, r.blocked ?? '—'), h('td', { class: 'mono' }, r.baseline ?? '—'));
        const go = () => this.detail.selectField(r.field, true);
        tr.addEventListener('click', go);
        tr.addEventListener('keydown', (e) => { if (e.key === 'Enter') go(); });
        return tr;
      })));
    const distinctive = rows.filter((r) => r.distinctive).length;
    this.diffBox.replaceChildren(h('details', { class: 'diff', open: true }, h('summary', {}, `${plural(distinctive, 'distinctive difference')} from the baseline (${rows.length} in all)`), table));
  }

  notesChanged(): void {
    this.detail.renderNotes();
    const s = this.sections[this.current];
    if (s) this.drawLadder(s, true);
  }

  settingsChanged(): void {
    const s = this.sections[this.current];
    if (s) this.drawLadder(s, true);
  }
}

let captureView: CaptureView | null = null;
let compareView: CompareView | null = null;

window.addEventListener('message', (ev: MessageEvent<ToWebview>) => {
  const msg = ev.data;
  switch (msg.type) {
    case 'init':
      state.mode = msg.mode;
      state.fileName = msg.fileName;
      state.timeDisplay = msg.timeDisplay;
      document.title = msg.fileName;
      if (msg.mode === 'capture' && !captureView) captureView = new CaptureView();
      break;
    case 'progress':
      state.started = true;
      state.progress = msg.percentage;
      captureView?.update();
      break;
    case 'connections':
    case 'rows': {
      state.started = true;
      if (msg.done && !msg.streamed) state.connections.clear();
      // Connections in full (a small capture, the test harness) are their own detail; rows get theirs when shown.
      if (msg.type === 'connections') {
        for (const c of msg.connections) {
          state.connections.set(c.id, connectionRow(c));
          state.details.set(c.id, c);
        }
      } else {
        for (const r of msg.rows) state.connections.set(r.id, r);
      }
      if (msg.done) {
        state.done = true;
        state.input = msg.input ?? null;
        state.diagnostics = msg.diagnostics ?? [];
      }
      captureView?.update();
      selectWhenDecoded();
      break;
    }
    case 'detail':
      state.details.set(msg.connection, msg.report);
      state.detailAnswered.add(msg.connection);
      // Not on the server any more (the file changed since): said, rather than loading for ever.
      if (!msg.report) state.detailsGone.add(msg.connection);
      captureView?.timelineArrived(msg.connection);
      break;
    case 'verdicts':
      state.verdictsIn = true;
      for (const v of msg.verdicts) state.verdicts.set(v.connection, v);
      state.rules = { ...state.rules, ...msg.rules };
      captureView?.itemsChanged();
      captureView?.update();
      if (captureView) (captureView as unknown as { stale: boolean }).stale = true;
      break;
    case 'compare':
      state.compare = { report: msg.report, clientName: msg.clientName, relayName: msg.relayName, baseline: msg.baseline };
      state.mode = 'compare';
      if (!compareView) compareView = new CompareView();
      else compareView.refresh();
      break;
    case 'select':
      state.pendingSelect = msg.connection;
      selectWhenDecoded();
      break;
    case 'settings':
      state.timeDisplay = msg.timeDisplay;
      captureView?.settingsChanged();
      compareView?.settingsChanged();
      break;
    case 'notes':
      state.notes = msg.notes;
      state.noteProblems = msg.problems;
      state.notesSavedTo = msg.savedTo;
      captureView?.notesChanged();
      compareView?.notesChanged();
      break;
    case 'bytes':
      bytesArrived(msg.requestId, msg.bytes);
      break;
    case 'annotated':
      announce(msg.message);
      break;
    case 'timeline':
      state.timelines.set(msg.connection, msg.packets ?? []);
      captureView?.timelineArrived(msg.connection);
      break;
    case 'cancelled':
      state.cancelled = true;
      state.done = true;
      captureView?.update();
      announce('Decoding cancelled.');
      break;
    case 'error':
      state.error = msg.message;
      state.done = true;
      captureView?.update();
      if (compareView) announce(msg.message);
      break;
    default:
      assertNever(msg, 'message from the extension');
  }
});

post({ type: 'ready' });
