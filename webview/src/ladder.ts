/**
 * The timeline as an interactive SVG ladder: client on the left, relay (or
 * server) on the right, and with two captures the censor's position between
 * them. Time runs down on one axis (the client capture's clock); each packet
 * is an arrow from its sender to its receiver, drawn from the send time at
 * one end to the receive time at the other, so the same packet seen by both
 * captures crosses the middle. Dropped packets stop at the censor with ✕,
 * injected ones start there, retransmissions are one arrow ×N.
 *
 * The axis is to scale but compressed: every distinct timestamp gets a
 * minimum row, gaps add `scale` pixels a second, and gaps that would be
 * taller than BREAK_PX are cut with a mark saying how long they were, so a
 * handshake of microseconds and a minute of retransmissions fit one view.
 *
 * Drawing is virtual: a sorted time index (knots) maps times to y, arrows
 * are kept sorted by their top y, and only the arrows in view are made into
 * SVG elements, so 100,000 packets scroll and zoom like 20.
 */
import type { LadderArrow } from '../../shared/report/model';
import { ARROW_WORDS, frameList, isDatagram } from '../../shared/report/model';
import type { TimeDisplay } from '../../shared/webviewProtocol';
import { h, iconButton, s } from './dom';
import { duration, plural, timeLabel } from './format';
import { hideTip, showTip, type TipContent } from './tooltip';

const ROW_PX = 22;
const BREAK_PX = 56;
const SLOPE_PX = 10;
const TIME_COL = 96;
const MIN_SCALE = 0.01;
const MAX_SCALE = 5e7;

/** Lane positions: 0 client, 1 censor, 2 relay/server. */
type Lane = 0 | 1 | 2;

export interface LadderInput {
  mode: 'single' | 'compare';
  arrows: LadderArrow[];
  t0: number;
  laneTitles: string[];
  laneSubtitles: string[];
  /** Seconds added to relay times to put them on the client clock (compare). */
  relayClockOffset: number;
  /** Notes count per `side:index`. */
  notes: Map<string, number>;
  timeDisplay: TimeDisplay;
  /** What an empty ladder says instead of "No packets in this timeline." (the timeline is still on its way). */
  emptyText?: string;
}

export interface LadderOptions {
  onSelect(arrow: LadderArrow, index: number): void;
  onActivate(arrow: LadderArrow, index: number): void;
  onNote(arrow: LadderArrow): void;
  announce(text: string): void;
}

export function isAnomaly(a: LadderArrow): boolean {
  return a.kind === 'dropped' || a.kind === 'injected' || a.kind === 'modified' || a.kind === 'unseen' || a.count > 1 || /R/.test(a.flags);
}

function lowerBound(a: Float64Array, v: number, n = a.length): number {
  let lo = 0;
  let hi = n;
  while (lo < hi) {
    const mid = (lo + hi) >> 1;
    if (a[mid] < v) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}

export class Ladder {
  readonly el: HTMLElement;
  private readonly head: HTMLElement;
  private readonly scroller: HTMLElement;
  private readonly spacer: HTMLElement;
  private readonly svg: SVGSVGElement;
  private readonly status: HTMLElement;
  private input: LadderInput | null = null;
  private n = 0;
  // Endpoints: lane and time (before the relay shift), and extra pixels for ends drawn at the same time.
  private sLane = new Uint8Array(0);
  private eLane = new Uint8Array(0);
  private sT = new Float64Array(0);
  private eT = new Float64Array(0);
  private sK = new Int32Array(0);
  private eK = new Int32Array(0);
  private knotT = new Float64Array(0);
  private knotY = new Float64Array(0);
  private breakAt = new Float64Array(0);
  private breakDt = new Float64Array(0);
  private breakN = 0;
  private order = new Int32Array(0);
  private topSorted = new Float64Array(0);
  private yS = new Float64Array(0);
  private yE = new Float64Array(0);
  private maxSpan = 0;
  private height = 0;
  private shift = 0;
  private scale = 1000;
  private selected = -1;
  private anomalies: number[] = [];
  private frame = 0;
  private drag: { y: number; top: number; moved: boolean } | null = null;
  private lanesX: [number, number, number] = [0, 0, 0];
  private width = 0;
  private wantReveal = false;
  /** Frame times of the last draws, for the benchmark. */
  readonly drawTimes: number[] = [];

  constructor(private readonly opts: LadderOptions) {
    this.head = h('div', { class: 'ladder-head', 'aria-hidden': 'true' });
    this.svg = s('svg', { class: 'ladder-svg', role: 'presentation' });
    this.spacer = h('div', { class: 'ladder-spacer' });
    this.scroller = h('div', { class: 'ladder-scroll', tabindex: 0, role: 'listbox', 'aria-label': 'Packet timeline' }, this.svg, this.spacer);
    this.status = h('div', { class: 'ladder-status muted', 'aria-hidden': 'true' });
    this.el = h('div', { class: 'ladder' }, this.head, this.scroller, this.status);
    this.scroller.addEventListener('scroll', () => this.schedule());
    new ResizeObserver(() => this.resize()).observe(this.scroller);
    this.scroller.addEventListener('wheel', (e) => {
      if (!e.ctrlKey && !e.metaKey) return;
      e.preventDefault();
      this.zoomAt(Math.pow(1.0015, -e.deltaY), e.clientY - this.scroller.getBoundingClientRect().top);
    }, { passive: false });
    this.scroller.addEventListener('pointerdown', (e) => {
      if (e.button !== 0) return;
      this.drag = { y: e.clientY, top: this.scroller.scrollTop, moved: false };
    });
    window.addEventListener('pointermove', (e) => {
      if (!this.drag) return;
      const dy = e.clientY - this.drag.y;
      if (Math.abs(dy) > 3) this.drag.moved = true;
      if (this.drag.moved) this.scroller.scrollTop = this.drag.top - dy;
    });
    window.addEventListener('pointerup', () => {
      setTimeout(() => (this.drag = null), 0);
    });
    this.scroller.addEventListener('click', (e) => {
      if (this.drag?.moved) return;
      const g = (e.target as Element).closest<SVGGElement>('g.arrow');
      if (g) this.select(Number(g.dataset.i), { focus: true });
    });
    this.scroller.addEventListener('dblclick', (e) => {
      const g = (e.target as Element).closest<SVGGElement>('g.arrow');
      if (g && this.input) this.opts.onActivate(this.input.arrows[Number(g.dataset.i)], Number(g.dataset.i));
    });
    this.scroller.addEventListener('mouseover', (e) => {
      const g = (e.target as Element).closest<SVGGElement>('g.arrow');
      if (g && this.input) showTip(g, this.describe(Number(g.dataset.i)), { x: (e as MouseEvent).clientX, y: (e as MouseEvent).clientY });
    });
    this.scroller.addEventListener('mouseleave', () => hideTip());
    this.scroller.addEventListener('keydown', (e) => this.key(e));
    this.scroller.addEventListener('focus', () => {
      if (this.selected < 0 && this.n) this.select(this.firstVisible(), { quiet: true });
    });
  }

  /** Toolbar controls (zoom, anomalies, axis) for the caller to place. */
  controls(): HTMLElement {
    const prev = iconButton('arrow-up', 'Previous anomaly (Shift+N)', () => this.nextAnomaly(-1));
    const next = iconButton('arrow-down', 'Next anomaly (N)', () => this.nextAnomaly(1));
    const zin = iconButton('zoom-in', 'Zoom in on time (Ctrl+wheel, +)', () => this.zoomAt(1.6));
    const zout = iconButton('zoom-out', 'Zoom out (Ctrl+wheel, −)', () => this.zoomAt(1 / 1.6));
    const fit = iconButton('screen-normal', 'Reset zoom (0)', () => this.resetZoom());
    return h('div', { class: 'ladder-controls', role: 'toolbar', 'aria-label': 'Timeline controls' }, prev, next, h('span', { class: 'sep' }), zout, zin, fit);
  }

  get arrowsShown(): number {
    return this.n;
  }

  get selectedIndex(): number {
    return this.selected;
  }

  get anomalyCount(): number {
    return this.anomalies.length;
  }

  get currentScale(): number {
    return this.scale;
  }

  get scrollElement(): HTMLElement {
    return this.scroller;
  }

  setInput(input: LadderInput, keepView = false): void {
    const prevSel = keepView ? this.selected : -1;
    this.input = input;
    const arrows = input.arrows;
    const n = arrows.length;
    this.n = n;
    this.sLane = new Uint8Array(n);
    this.eLane = new Uint8Array(n);
    this.sT = new Float64Array(n);
    this.eT = new Float64Array(n);
    this.anomalies = [];
    const compare = input.mode === 'compare';
    for (let i = 0; i < n; i++) {
      const a = arrows[i];
      const from: Lane = a.dir === 'right' ? 0 : 2;
      const to: Lane = a.dir === 'right' ? 2 : 0;
      let sl: Lane = from;
      let el: Lane = to;
      let st = a.time;
      let et = a.recvTime ?? a.time;
      if (!compare) et = st;
      else if (a.kind === 'dropped') {
        el = 1;
        et = st;
      } else if (a.kind === 'injected') {
        sl = 1;
        st = et = a.recvTime ?? a.time;
      } else if (!Number.isFinite(et)) et = st;
      if (!Number.isFinite(st)) st = et;
      this.sLane[i] = sl;
      this.eLane[i] = el;
      this.sT[i] = st;
      this.eT[i] = et;
      if (isAnomaly(a)) this.anomalies.push(i);
    }
    this.selected = prevSel < n ? prevSel : -1;
    if (!keepView) this.scale = this.defaultScale();
    this.scroller.setAttribute('aria-label', `Packet timeline: ${plural(n, 'arrow')}, ${plural(this.anomalies.length, 'anomaly', 'anomalies')}. Up and down arrows move between packets, N and Shift+N between anomalies, plus and minus zoom.`);
    this.buildKnots();
    this.layout();
    this.drawHead();
    if (!keepView) {
      this.scroller.scrollTop = 0;
      this.revealFirstAnomaly();
    }
    this.schedule();
  }

  /** The first anomaly is usually why the view was opened: make sure it is on screen. */
  private revealFirstAnomaly(): void {
    if (!this.anomalies.length) return;
    // Before the first layout the view has no height yet: do it when drawing.
    if (!this.scroller.clientHeight) {
      this.wantReveal = true;
      return;
    }
    this.wantReveal = false;
    const first = this.anomalies.reduce((a, b) => (this.orderPos(b) < this.orderPos(a) ? b : a));
    const bottom = Math.max(this.yS[first], this.yE[first]) + 2 * ROW_PX;
    const view = this.scroller.clientHeight;
    if (bottom <= view) return;
    // The handshake that led to it stays in view when both fit (the SYN or ClientHello at the top),
    // else the anomaly a third of the way down: never scrolled to the end with the start off-screen.
    const hello = this.input!.arrows.findIndex((a) => /ClientHello/.test(a.label));
    const start = Math.max(0, Math.min(this.yS[hello >= 0 ? hello : 0], this.yE[hello >= 0 ? hello : 0]) - ROW_PX);
    const top = Math.min(this.yS[first], this.yE[first]);
    this.scroller.scrollTop = bottom - start <= view ? Math.max(0, bottom - view) : Math.max(0, top - view / 3);
  }

  /** Moves the relay lane's times by `seconds` on top of the estimated clock offset. */
  setRelayShift(seconds: number): void {
    if (seconds === this.shift) return;
    const anchorI = this.selected >= 0 ? this.selected : this.firstVisible();
    const before = anchorI >= 0 ? this.yS[anchorI] - this.scroller.scrollTop : 0;
    this.shift = seconds;
    this.buildKnots();
    this.layout();
    if (anchorI >= 0) this.scroller.scrollTop = this.yS[anchorI] - before;
    this.schedule();
  }

  private relayTime(lane: number, t: number): number {
    return lane === 2 ? t + this.shift : t;
  }

  private defaultScale(): number {
    // Median gap between successive timestamps → about half a row.
    const ts: number[] = [];
    for (let i = 0; i < this.n && ts.length < 4000; i++) if (Number.isFinite(this.sT[i])) ts.push(this.sT[i]);
    ts.sort((a, b) => a - b);
    const gaps: number[] = [];
    for (let i = 1; i < ts.length; i++) if (ts[i] > ts[i - 1]) gaps.push(ts[i] - ts[i - 1]);
    gaps.sort((a, b) => a - b);
    const med = gaps.length ? gaps[gaps.length >> 1] : 0.001;
    return Math.max(MIN_SCALE, Math.min(MAX_SCALE, 12 / med));
  }

  private buildKnots(): void {
    const n = this.n;
    const all = new Float64Array(n * 2);
    let k = 0;
    for (let i = 0; i < n; i++) {
      const a = this.relayTime(this.sLane[i], this.sT[i]);
      const b = this.relayTime(this.eLane[i], this.eT[i]);
      if (Number.isFinite(a)) all[k++] = a;
      if (Number.isFinite(b)) all[k++] = b;
    }
    const sorted = all.subarray(0, k).sort();
    let u = 0;
    for (let i = 0; i < k; i++) if (i === 0 || sorted[i] !== sorted[u - 1]) sorted[u++] = sorted[i];
    this.knotT = sorted.slice(0, u);
    this.sK = new Int32Array(n);
    this.eK = new Int32Array(n);
    const minT = new Float64Array(n);
    for (let i = 0; i < n; i++) {
      const a = this.relayTime(this.sLane[i], this.sT[i]);
      const b = this.relayTime(this.eLane[i], this.eT[i]);
      this.sK[i] = Number.isFinite(a) ? lowerBound(this.knotT, a) : 0;
      this.eK[i] = Number.isFinite(b) ? lowerBound(this.knotT, b) : this.sK[i];
      minT[i] = Math.min(this.sK[i], this.eK[i]);
    }
    const idx = Array.from({ length: n }, (_, i) => i);
    idx.sort((x, y) => minT[x] - minT[y] || x - y);
    this.order = Int32Array.from(idx);
  }

  private layout(): void {
    const K = this.knotT.length;
    this.knotY = new Float64Array(K);
    const breaks: number[] = [];
    const dts: number[] = [];
    let y = ROW_PX * 1.5;
    for (let i = 0; i < K; i++) {
      if (i > 0) {
        const dt = this.knotT[i] - this.knotT[i - 1];
        const px = dt * this.scale;
        if (px > BREAK_PX) {
          breaks.push(y + (ROW_PX + BREAK_PX) / 2);
          dts.push(dt);
          y += ROW_PX + BREAK_PX;
        } else y += ROW_PX + px;
      }
      this.knotY[i] = y;
    }
    this.breakAt = Float64Array.from(breaks);
    this.breakDt = Float64Array.from(dts);
    this.breakN = breaks.length;
    const n = this.n;
    this.yS = new Float64Array(n);
    this.yE = new Float64Array(n);
    this.topSorted = new Float64Array(n);
    let span = 0;
    for (let i = 0; i < n; i++) {
      const ys = this.knotY[this.sK[i]] ?? 0;
      let ye = this.knotY[this.eK[i]] ?? ys;
      // Ends at the same instant still slope, so the direction shows.
      if (ye - ys < SLOPE_PX) ye = ys + SLOPE_PX;
      this.yS[i] = ys;
      this.yE[i] = ye;
      span = Math.max(span, Math.abs(ye - ys));
    }
    for (let k = 0; k < n; k++) {
      const i = this.order[k];
      this.topSorted[k] = Math.min(this.yS[i], this.yE[i]);
    }
    this.maxSpan = span;
    this.height = (K ? this.knotY[K - 1] : 0) + ROW_PX * 3;
    this.sizeSpacer();
    const tMin = K ? this.knotT[0] : 0;
    const tMax = K ? this.knotT[K - 1] : 0;
    this.status.textContent = `${plural(this.n, 'arrow')} · ${duration(tMax - tMin)} · ${this.breakN ? `${plural(this.breakN, 'pause')} cut · ` : ''}scale ${scaleWords(this.scale)}`;
  }

  private sizeSpacer(): void {
    const view = this.scroller.clientHeight;
    this.svg.style.height = `${view}px`;
    this.spacer.style.height = `${Math.max(0, this.height - view)}px`;
  }

  private resize(): void {
    this.width = this.scroller.clientWidth;
    const w = this.width;
    const left = TIME_COL + 40;
    const right = this.input?.mode === 'compare' ? w - TIME_COL - 40 : w - 150;
    this.lanesX = [left, (left + right) / 2, Math.max(left + 120, right)];
    this.sizeSpacer();
    this.drawHead();
    this.schedule();
  }

  private drawHead(): void {
    if (!this.input) return;
    const lanes: Lane[] = this.input.mode === 'compare' ? [0, 1, 2] : [0, 2];
    this.head.replaceChildren(...lanes.map((l, k) => {
      const name = this.input!.laneTitles[k] ?? '';
      const d = h('div', { class: `lane-title lane-${l}`, title: name }, h('div', { class: 'lane-name' }, name), h('div', { class: 'lane-sub' }, this.input!.laneSubtitles[k] ?? ''));
      d.style.left = `${this.lanesX[l]}px`;
      // No wider than the room to the next lane: at 400 px the compare view's lanes are ~60 px apart and their names ran together.
      const room = Math.min(...lanes.filter((o) => o !== l).map((o) => Math.abs(this.lanesX[o] - this.lanesX[l])));
      d.style.maxWidth = `min(40%, ${Math.max(40, room - 8)}px)`;
      return d;
    }), (() => {
      const t = h('div', { class: 'lane-title time-title' }, h('div', { class: 'lane-name' }, 'time'), h('div', { class: 'lane-sub' }, this.input!.mode === 'compare' ? 'client clock' : 'capture clock'));
      t.style.left = `${TIME_COL / 2 + 4}px`;
      return t;
    })(), ...(this.input.mode === 'compare' ? [(() => {
      const t = h('div', { class: 'lane-title time-title' }, h('div', { class: 'lane-name' }, 'time'), h('div', { class: 'lane-sub' }, 'relay clock'));
      t.style.left = `${this.width - TIME_COL / 2 - 4}px`;
      return t;
    })()] : []));
  }

  private schedule(): void {
    if (this.frame) return;
    this.frame = requestAnimationFrame(() => {
      this.frame = 0;
      this.draw();
    });
  }

  /** Arrows whose vertical extent meets [top, bottom], in drawing order. */
  private visible(top: number, bottom: number): number[] {
    const from = lowerBound(this.topSorted, top - this.maxSpan - ROW_PX);
    const to = lowerBound(this.topSorted, bottom + ROW_PX);
    const out: number[] = [];
    for (let k = from; k < to; k++) {
      const i = this.order[k];
      if (Math.max(this.yS[i], this.yE[i]) + ROW_PX >= top) out.push(i);
    }
    return out;
  }

  private firstVisible(): number {
    const v = this.visible(this.scroller.scrollTop + ROW_PX, this.scroller.scrollTop + this.scroller.clientHeight);
    return v.length ? v[0] : this.n ? this.order[0] : -1;
  }

  private draw(): void {
    const t0 = performance.now();
    const input = this.input;
    if (!input) return;
    if (this.wantReveal && this.scroller.clientHeight) {
      this.sizeSpacer();
      this.revealFirstAnomaly();
    }
    const top = this.scroller.scrollTop;
    const view = this.scroller.clientHeight;
    const w = this.width || this.scroller.clientWidth;
    const [xc, xm, xr] = this.lanesX;
    const compare = input.mode === 'compare';
    const parts: SVGElement[] = [];
    // Lanes.
    for (const [x, cls] of compare ? [[xc, 'lane'], [xm, 'lane censor'], [xr, 'lane']] as const : [[xc, 'lane'], [xr, 'lane']] as const) {
      parts.push(s('line', { class: cls, x1: x, x2: x, y1: 0, y2: view }));
    }
    // Pauses cut from the axis.
    const b0 = lowerBound(this.breakAt, top - 20, this.breakN);
    for (let k = b0; k < this.breakN && this.breakAt[k] < top + view + 20; k++) {
      const y = this.breakAt[k] - top;
      parts.push(s('g', { class: 'break' },
        s('rect', { class: 'break-band', x: 0, y: y - 8, width: w, height: 16 }),
        ...(compare ? [xc, xm, xr] : [xc, xr]).map((x) => s('path', { class: 'break-mark', d: `M${x - 6} ${y - 1}l12 -6M${x - 6} ${y + 7}l12 -6` })),
        s('text', { class: 'break-text', x: (xc + xr) / 2, y: y + 4, 'text-anchor': 'middle' }, `≈ ${duration(this.breakDt[k])} later`)));
    }
    const vis = this.visible(top, top + view);
    if (this.selected >= 0 && !vis.includes(this.selected)) vis.push(this.selected);
    let prevTime: number | null = null;
    for (const i of vis) {
      parts.push(this.arrow(i, top, prevTime));
      prevTime = this.sT[i];
    }
    if (this.n === 0) parts.push(s('text', { class: 'empty-text', x: (xc + xr) / 2, y: 40, 'text-anchor': 'middle' }, this.input?.emptyText ?? 'No packets in this timeline.'));
    this.svg.replaceChildren(...parts);
    if (this.selected >= 0) this.scroller.setAttribute('aria-activedescendant', `arrow-${this.selected}`);
    else this.scroller.removeAttribute('aria-activedescendant');
    this.drawTimes.push(performance.now() - t0);
    if (this.drawTimes.length > 2000) this.drawTimes.splice(0, 1000);
  }

  private arrow(i: number, top: number, prevTime: number | null): SVGGElement {
    const input = this.input!;
    const a = input.arrows[i];
    const x1 = this.lanesX[this.sLane[i]];
    const x2 = this.lanesX[this.eLane[i]];
    const y1 = this.yS[i] - top;
    const y2 = this.yE[i] - top;
    const sel = i === this.selected;
    const g = s('g', {
      class: `arrow k-${a.kind} from-${a.dir === 'right' ? 'client' : 'relay'}${sel ? ' selected' : ''}${isAnomaly(a) ? ' anomaly' : ''}`,
      id: `arrow-${i}`, role: 'option', 'aria-selected': String(sel), 'aria-label': this.ariaLabel(i),
    });
    g.dataset.i = String(i);
    g.dataset.kind = a.kind;
    if (sel) g.append(s('rect', { class: 'sel-band', x: 2, y: Math.min(y1, y2) - 16, width: (this.width || 600) - 4, height: Math.abs(y2 - y1) + 24, rx: 3 }));
    g.append(s('line', { class: 'hit', x1, y1, x2, y2 }));
    g.append(s('line', { class: 'shaft', x1, y1, x2, y2 }));
    if (a.kind === 'dropped') {
      g.append(s('path', { class: 'drop-mark', d: `M${x2 - 7} ${y2 - 7}L${x2 + 7} ${y2 + 7}M${x2 - 7} ${y2 + 7}L${x2 + 7} ${y2 - 7}` }));
      // "dropped" left of the censor line, "injected" right of it: a drop and the injection that answers it come close together.
      g.append(s('text', { class: 'mark-text drop-text', x: x2 - 12, y: y2 + 16, 'text-anchor': 'end' }, 'dropped'));
    } else if (a.kind === 'unseen') {
      g.append(s('text', { class: 'unseen-mark', x: x2 + (x1 < x2 ? 6 : -6), y: y2 + 4, 'text-anchor': x1 < x2 ? 'start' : 'end' }, '?'));
    } else {
      const len = Math.hypot(x2 - x1, y2 - y1) || 1;
      const ux = (x2 - x1) / len;
      const uy = (y2 - y1) / len;
      const bx = x2 - ux * 9;
      const by = y2 - uy * 9;
      g.append(s('path', { class: 'head', d: `M${x2} ${y2}L${bx - uy * 4.5} ${by + ux * 4.5}L${bx + uy * 4.5} ${by - ux * 4.5}Z` }));
    }
    if (a.kind === 'injected') {
      g.append(s('path', { class: 'inject-mark', d: `M${x1} ${y1 - 7}l7 7l-7 7l-7 -7Z` }));
      g.append(s('text', { class: 'mark-text inject-text', x: x1 + 10, y: y1 - 6, 'text-anchor': 'start' }, 'injected'));
    }
    if (a.kind === 'modified') {
      const xm = this.lanesX[1];
      const t = (xm - x1) / ((x2 - x1) || 1);
      g.append(s('circle', { class: 'modify-mark', cx: xm, cy: y1 + (y2 - y1) * t, r: 5 }));
    }
    // Label on the shaft, clipped to the space between the ends.
    const room = Math.max(40, Math.abs(x2 - x1) - 30);
    const label = fit(a.label, room);
    const lx = (x1 + x2) / 2;
    const ly = (y1 + y2) / 2 - 5;
    g.append(s('text', { class: 'lbl', x: lx, y: ly, 'text-anchor': 'middle' }, label));
    if (a.count > 1) {
      const cx = x1 + (x1 < x2 ? 14 : -14);
      g.append(s('text', { class: 'count', x: cx, y: y1 - 5, 'text-anchor': x1 < x2 ? 'start' : 'end' }, `×${a.count}`));
    }
    // Times: the client-side end on the left, the relay-side end (its own clock) on the right.
    const clientEnd = this.sLane[i] === 0 ? { t: this.sT[i], y: y1 } : this.eLane[i] === 0 ? { t: this.eT[i], y: y2 } : null;
    const relayEnd = this.sLane[i] === 2 ? { t: this.sT[i], y: y1 } : this.eLane[i] === 2 ? { t: this.eT[i], y: y2 } : null;
    const mode = input.timeDisplay;
    if (input.mode === 'compare') {
      if (clientEnd && Number.isFinite(clientEnd.t)) g.append(s('text', { class: 't', x: TIME_COL, y: clientEnd.y + 4, 'text-anchor': 'end' }, timeLabel(clientEnd.t, input.t0, prevTime, mode)));
      if (relayEnd && Number.isFinite(relayEnd.t)) g.append(s('text', { class: 't', x: (this.width || 600) - TIME_COL, y: relayEnd.y + 4 }, timeLabel(relayEnd.t - input.relayClockOffset, input.t0 - input.relayClockOffset, prevTime === null ? null : prevTime - input.relayClockOffset, mode)));
    } else {
      g.append(s('text', { class: 't', x: TIME_COL, y: y1 + 4, 'text-anchor': 'end' }, timeLabel(this.sT[i], input.t0, prevTime, mode)));
      g.append(s('text', { class: 'frames', x: this.lanesX[2] + 12, y: Math.max(y1, y2) + 2 }, frames(a.packets)));
    }
    const notes = a.packets.reduce((k, p) => k + (input.notes.get(`${p.side}:${p.index}`) ?? 0), 0);
    // Notes sit in the gutter between the time column and the client lane, clear of labels and pause marks.
    if (notes) g.append(s('text', { class: 'note-mark', x: TIME_COL + 8, y: y1 + 4 }, `✎${notes}`));
    return g;
  }

  private ariaLabel(i: number): string {
    const a = this.input!.arrows[i];
    const compare = this.input!.mode === 'compare';
    const from = a.dir === 'right' ? 'client' : compare ? 'relay' : 'server';
    const to = a.dir === 'right' ? (compare ? 'relay' : 'server') : 'client';
    const what = a.kind === 'dropped' ? `dropped on the path: it stops at the censor (✕) and never reached the ${to}`
      : a.kind === 'injected' ? `injected on the path: the ${from} never sent it; it starts at the censor`
        : a.kind === 'modified' ? `modified on the path between the ${from} and the ${to}`
          : a.kind === 'unseen' ? `not observed at the ${to}`
            : a.kind === 'observed' ? `${from} to ${to}` : `delivered from the ${from} to the ${to}`;
    const t = (x: number) => `${(x - this.input!.t0).toFixed(6)} s`;
    const times = a.count > 1 ? `, sent ${a.count} times from ${t(a.time)} to ${t(a.lastTime)}` : `, at ${t(a.time)}`;
    return `${a.label} from the ${from}: ${what}${times}`;
  }

  describe(i: number): TipContent {
    const input = this.input!;
    const a = input.arrows[i];
    const rows: Array<[string, string]> = [];
    rows.push(['status', ARROW_WORDS[a.kind]]);
    rows.push(['sent', a.count > 1 ? `${a.count} times, ${timeLabel(a.time, input.t0, null, 'relative')} … ${timeLabel(a.lastTime, input.t0, null, 'relative')} s` : `${timeLabel(a.time, input.t0, null, 'relative')} s (${timeLabel(a.time, input.t0, null, 'absolute')})`]);
    if (a.delay !== null) rows.push(['one-way delay', duration(a.delay)]);
    if (isDatagram(a)) rows.push(['UDP', `${a.length}-byte datagram`]);
    else rows.push(['TCP', `flags ${a.flags}, ${a.length} bytes${a.seq >= 0 ? ` at stream offset ${a.seq}` : ''}`]);
    rows.push(['frames', input.mode === 'compare' ? `${frameList(a.packets)} (c = client capture, r = relay capture)` : frames(a.packets)]);
    const notes: TipContent['notes'] = [];
    for (const n of a.notes) notes.push({ text: n, kind: 'evidence' });
    for (const e of a.evidence) notes.push({ text: e, kind: 'evidence' });
    return { title: `${a.label} — ${a.dir === 'right' ? 'client →' : '← ' + (input.mode === 'compare' ? 'relay' : 'server')}`, rows, notes };
  }

  select(i: number, opts: { focus?: boolean; quiet?: boolean; center?: boolean } = {}): void {
    if (i < 0 || i >= this.n) return;
    this.selected = i;
    this.reveal(i, opts.center);
    if (opts.focus) this.scroller.focus({ preventScroll: true });
    this.schedule();
    if (!opts.quiet) this.opts.onSelect(this.input!.arrows[i], i);
    this.opts.announce(this.ariaLabel(i));
  }

  private reveal(i: number, center = false): void {
    const top = Math.min(this.yS[i], this.yE[i]) - 2 * ROW_PX;
    const bottom = Math.max(this.yS[i], this.yE[i]) + 2 * ROW_PX;
    const view = this.scroller.clientHeight;
    if (center) this.scroller.scrollTop = Math.max(0, (top + bottom) / 2 - view / 2);
    else if (top < this.scroller.scrollTop) this.scroller.scrollTop = top;
    else if (bottom > this.scroller.scrollTop + view) this.scroller.scrollTop = bottom - view;
  }

  /** Moves to the next (dir 1) or previous (-1) anomaly; wraps around. */
  nextAnomaly(dir: 1 | -1): void {
    if (!this.anomalies.length) {
      this.opts.announce('No anomaly in this timeline.');
      return;
    }
    const pos = this.orderPos(this.selected);
    const ranked = this.anomalies.map((i) => ({ i, p: this.orderPos(i) })).sort((x, y) => x.p - y.p);
    let pick = dir > 0 ? ranked.find((r) => r.p > pos) : [...ranked].reverse().find((r) => r.p < pos);
    if (!pick) pick = dir > 0 ? ranked[0] : ranked[ranked.length - 1];
    this.select(pick.i, { focus: true, center: true });
  }

  private orderPos(i: number): number {
    if (i < 0) return -1;
    return Math.min(this.yS[i], this.yE[i]) * 1e6 + i;
  }

  private step(dir: 1 | -1): void {
    if (!this.n) return;
    const k = this.selected < 0 ? -1 : this.order.indexOf(this.selected);
    const next = k < 0 ? 0 : Math.max(0, Math.min(this.n - 1, k + dir));
    this.select(this.order[next], { focus: true });
  }

  zoomAt(factor: number, anchorPx?: number): void {
    const view = this.scroller.clientHeight;
    const off = anchorPx ?? (this.selected >= 0 ? this.yS[this.selected] - this.scroller.scrollTop : view / 2);
    const tAnchor = this.timeAt(this.scroller.scrollTop + off);
    this.scale = Math.max(MIN_SCALE, Math.min(MAX_SCALE, this.scale * factor));
    this.layout();
    this.scroller.scrollTop = Math.max(0, this.yAt(tAnchor) - off);
    this.schedule();
  }

  resetZoom(): void {
    this.zoomAt(this.defaultScale() / this.scale);
  }

  private timeAt(y: number): number {
    const K = this.knotT.length;
    if (!K) return 0;
    const k = lowerBound(this.knotY, y);
    if (k <= 0) return this.knotT[0];
    if (k >= K) return this.knotT[K - 1];
    const f = (y - this.knotY[k - 1]) / ((this.knotY[k] - this.knotY[k - 1]) || 1);
    return this.knotT[k - 1] + f * (this.knotT[k] - this.knotT[k - 1]);
  }

  private yAt(t: number): number {
    const K = this.knotT.length;
    if (!K) return 0;
    const k = lowerBound(this.knotT, t);
    if (k <= 0) return this.knotY[0];
    if (k >= K) return this.knotY[K - 1];
    const f = (t - this.knotT[k - 1]) / ((this.knotT[k] - this.knotT[k - 1]) || 1);
    return this.knotY[k - 1] + f * (this.knotY[k] - this.knotY[k - 1]);
  }

  private key(e: KeyboardEvent): void {
    const page = this.scroller.clientHeight * 0.9;
    switch (e.key) {
      case 'ArrowDown':
        if (e.shiftKey || e.altKey) this.scroller.scrollTop += ROW_PX * 2;
        else this.step(1);
        break;
      case 'ArrowUp':
        if (e.shiftKey || e.altKey) this.scroller.scrollTop -= ROW_PX * 2;
        else this.step(-1);
        break;
      case 'PageDown': this.scroller.scrollTop += page; break;
      case 'PageUp': this.scroller.scrollTop -= page; break;
      case 'Home': if (this.n) this.select(this.order[0], { focus: true }); break;
      case 'End': if (this.n) this.select(this.order[this.n - 1], { focus: true }); break;
      case '+': case '=': this.zoomAt(1.6); break;
      case '-': case '_': this.zoomAt(1 / 1.6); break;
      case '0': this.resetZoom(); break;
      case 'Enter': if (this.selected >= 0) this.opts.onActivate(this.input!.arrows[this.selected], this.selected); break;
      case 'a': if (this.selected >= 0 && !e.ctrlKey && !e.metaKey) this.opts.onNote(this.input!.arrows[this.selected]); else return; break;
      default: return;
    }
    e.preventDefault();
    e.stopPropagation();
  }
}

/** Frame numbers of one capture, as Wireshark shows them: #6, #6–#15. */
function frames(packets: LadderArrow['packets']): string {
  if (!packets.length) return '';
  const first = packets[0].index + 1;
  const last = packets[packets.length - 1].index + 1;
  return packets.length === 1 ? `#${first}` : last - first + 1 === packets.length ? `#${first}–#${last}` : `#${first} … #${last} (${packets.length})`;
}

function scaleWords(pxPerSecond: number): string {
  const perRow = ROW_PX / pxPerSecond;
  return `${duration(perRow)} per row`;
}

/** Cuts a label to about `px` pixels (average glyph width of the UI font). */
function fit(label: string, px: number): string {
  const max = Math.floor(px / 6.6);
  return label.length <= max ? label : `${label.slice(0, Math.max(1, max - 1))}…`;
}
