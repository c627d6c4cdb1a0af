/**
 * The timeline as an SVG ladder: vertical lines for client | censor | relay
 * (or client | server for one capture), one arrow per transmitted segment.
 *
 * Rows follow time but are not to scale: a handshake happens within
 * milliseconds and a blackholed connection then idles for a minute, so rows
 * get a minimum height, short pauses add a little space, and pauses over
 * BREAK_AT seconds are cut with a break mark that says how long they were.
 * Arrows slope a fixed amount to show direction; exact times are in the left
 * column and in each arrow's tooltip.
 *
 * No xmlns: the SVG lives inside HTML, whose parser puts it in the SVG
 * namespace anyway, and the report then contains no URL of ours at all.
 */
import { escapeXmlAttr as x, raw, SafeHtml } from './escape';
import { ARROW_WORDS, frameList, type Ladder, type LadderArrow, relTime, seconds } from '../../../shared/report/model';

export const LADDER_WIDTH = 880;
const LANES_3 = [190, 430, 670];
const LANES_2 = [190, 670];
const NOTES_X = 688;
const SLOPE = 12;
const LINE_H = 13;
const BREAK_AT = 1.0;
const CHAR_W = 6.1;

export interface LadderGeometry {
  lanes: number[];
  censorX: number | null;
}

export function ladderGeometry(l: Pick<Ladder, 'lanes'>): LadderGeometry {
  return l.lanes === 3 ? { lanes: LANES_3, censorX: LANES_3[1] } : { lanes: LANES_2, censorX: null };
}

/** Splits a label at ", " so it fits the space the arrow spans. */
function wrap(label: string, maxChars: number): string[] {
  if (label.length <= maxChars) return [label];
  const parts = label.split(', ');
  const lines: string[] = [];
  let cur = '';
  for (const p of parts) {
    const next = cur ? `${cur}, ${p}` : p;
    if (next.length > maxChars && cur) {
      lines.push(`${cur},`);
      cur = p;
    } else cur = next;
  }
  if (cur) lines.push(cur);
  return lines.map((l) => (l.length > maxChars + 8 ? `${l.slice(0, maxChars + 7)}…` : l));
}

function num(n: number): string {
  return String(Math.round(n * 10) / 10);
}

function arrowTitle(a: LadderArrow, t0: number): string {
  const lines = [`${a.label} — ${ARROW_WORDS[a.kind]}`];
  lines.push(a.count > 1 ? `sent ${a.count} times, ${relTime(a.time, t0)} … ${relTime(a.lastTime, t0)}` : `at ${relTime(a.time, t0)}`);
  if (a.delay !== null) lines.push(`one-way delay ${seconds(a.delay)}`);
  lines.push(`frames ${frameList(a.packets)} (c = client capture, r = relay capture)`);
  lines.push(`flags ${a.flags}, ${a.length} bytes of payload${a.seq >= 0 ? ` at stream offset ${a.seq}` : ''}`);
  if (a.notes.length) lines.push(`notes: ${a.notes.join(', ')}`);
  for (const e of a.evidence) lines.push(e);
  return lines.join('\n');
}

/**
 * @param marks annotation numbers per packet, keyed `side:index`, shown as ✎n next to the arrow.
 */
export function renderLadder(l: Ladder, marks: Map<string, number[]> = new Map()): SafeHtml {
  const g = ladderGeometry(l);
  const left = g.lanes[0];
  const right = g.lanes[g.lanes.length - 1];
  const parts: string[] = [];
  const overlays: string[] = [];
  let cursor = 58;

  const breakMark = (y: number, text: string) => {
    overlays.push(`<g class="break"><rect x="${left - 30}" y="${y - 7}" width="${right - left + 60}" height="14" class="bg"/>`);
    for (const lx of g.lanes) overlays.push(`<path d="M${lx - 6} ${y - 2}l12 -6M${lx - 6} ${y + 6}l12 -6" class="brk"/>`);
    overlays.push(`<text x="${(left + right) / 2}" y="${y + 4}" class="brk-text" text-anchor="middle">${x(text)}</text></g>`);
  };

  l.arrows.forEach((a, i) => {
    const prev = i > 0 ? l.arrows[i - 1] : null;
    if (l.omitted && i === l.omitted.after + 1) {
      cursor += 14;
      const from = l.arrows[l.omitted.after].time;
      breakMark(cursor, `… ${l.omitted.packets} packets (${l.omitted.arrows} arrows) not drawn, ${relTime(from, l.t0)} to ${relTime(a.time, l.t0)}; the JSON report lists them all …`);
      cursor += 18;
    } else if (prev && Number.isFinite(a.time) && Number.isFinite(prev.time)) {
      const dt = a.time - prev.time;
      if (dt > BREAK_AT) {
        cursor += 14;
        breakMark(cursor, `≈ ${dt < 100 ? dt.toFixed(3) : dt.toFixed(0)} s later`);
        cursor += 16;
      } else cursor += Math.round((Math.max(0, dt) / BREAK_AT) * 24);
    }

    const fromX = a.dir === 'right' ? left : right;
    const toX = a.dir === 'right' ? right : left;
    const censor = g.censorX ?? (left + right) / 2;
    let x1 = fromX;
    let x2 = toX;
    let dy = SLOPE;
    if (a.kind === 'dropped') {
      x2 = censor;
      dy = SLOPE / 2;
    } else if (a.kind === 'injected') {
      x1 = censor;
      dy = SLOPE / 2;
    }
    const midX = (x1 + x2) / 2;
    // Centred on the shaft, and clear of the notes column (a dropped arrow's label ran into its "×10 until …").
    const room = Math.min(Math.abs(x2 - x1) + 60, 2 * (NOTES_X - 10 - midX));
    const label = wrap(a.label, Math.floor(room / CHAR_W));
    const y = cursor + label.length * LINE_H + 2;
    const y2 = y + dy;
    const packets = a.packets.map((p) => `${p.side}:${p.index}`).join(' ');
    const out: string[] = [];
    out.push(`<g class="arrow k-${a.kind}" data-kind="${a.kind}" data-dir="${a.dir}" data-count="${a.count}" data-packets="${x(packets)}">`);
    out.push(`<title>${x(arrowTitle(a, l.t0))}</title>`);
    out.push(`<line class="shaft" x1="${num(x1)}" y1="${num(y)}" x2="${num(x2)}" y2="${num(y2)}"/>`);
    if (a.kind === 'dropped') {
      out.push(`<path class="drop-mark" d="M${num(x2 - 6)} ${num(y2 - 6)}L${num(x2 + 6)} ${num(y2 + 6)}M${num(x2 - 6)} ${num(y2 + 6)}L${num(x2 + 6)} ${num(y2 - 6)}"/>`);
    } else if (a.kind === 'unseen') {
      // Its fate is unknown (the receiving capture had stopped): no head, a question mark.
      out.push(`<text class="unseen-mark" x="${num(x2 + (a.dir === 'right' ? 6 : -6))}" y="${num(y2 + 4)}" text-anchor="${a.dir === 'right' ? 'start' : 'end'}">?</text>`);
    } else {
      // Arrowhead along the shaft's direction.
      const len = Math.hypot(x2 - x1, y2 - y);
      const ux = (x2 - x1) / len;
      const uy = (y2 - y) / len;
      const bx = x2 - ux * 9;
      const by = y2 - uy * 9;
      out.push(`<path class="head" d="M${num(x2)} ${num(y2)}L${num(bx - uy * 4)} ${num(by + ux * 4)}L${num(bx + uy * 4)} ${num(by - ux * 4)}Z"/>`);
    }
    if (a.kind === 'injected') out.push(`<path class="inject-mark" d="M${num(x1)} ${num(y - 6)}l6 6l-6 6l-6 -6Z"/>`);
    if (a.kind === 'modified') {
      const my = y + (dy * (censor - x1)) / (x2 - x1);
      out.push(`<circle class="modify-mark" cx="${num(censor)}" cy="${num(my)}" r="5"/>`);
    }
    label.forEach((line, k) => {
      out.push(`<text class="lbl" x="${num(midX)}" y="${num(y - 4 - (label.length - 1 - k) * LINE_H)}" text-anchor="middle">${x(line)}</text>`);
    });
    out.push(`<text class="t" x="8" y="${num(y + 4)}">${x(relTime(a.time, l.t0))}</text>`);
    const noteBits: string[] = [];
    if (a.count > 1) noteBits.push(`×${a.count} until ${relTime(a.lastTime, l.t0)}`);
    else if (a.kind !== 'delivered' && a.kind !== 'observed') noteBits.push(a.kind === 'unseen' ? 'not observed' : a.kind);
    const ann = [...new Set(a.packets.flatMap((p) => marks.get(`${p.side}:${p.index}`) ?? []))];
    if (ann.length) noteBits.push(ann.map((n) => `✎${n}`).join(' '));
    if (noteBits.length) out.push(`<text class="note" x="${NOTES_X}" y="${num(y - 1)}">${x(noteBits.join(' · '))}</text>`);
    out.push(`<text class="frames" x="${NOTES_X}" y="${num(y + 11)}">${x(frameList(a.packets))}</text>`);
    out.push('</g>');
    parts.push(out.join(''));
    cursor = Math.max(y2, y + 12) + 11;
  });
  if (l.arrows.length === 0) {
    parts.push(`<text class="note" x="${(left + right) / 2}" y="${cursor + 16}" text-anchor="middle">No packets in the timeline.</text>`);
    cursor += 28;
  }
  const height = cursor + 12;
  const head: string[] = [];
  l.laneNames.forEach((name, k) => {
    const lx = g.lanes[k];
    const censorLane = l.lanes === 3 && k === 1;
    head.push(`<line class="${censorLane ? 'lane censor' : 'lane'}" x1="${lx}" y1="40" x2="${lx}" y2="${height - 6}"/>`);
    head.push(`<text class="lane-name" x="${lx}" y="16" text-anchor="middle">${x(name)}</text>`);
    head.push(`<text class="lane-ep" x="${lx}" y="31" text-anchor="middle">${x(l.laneEndpoints[k] ?? '')}</text>`);
  });
  head.push(`<text class="lane-ep" x="8" y="31">time (client clock)</text>`);
  const desc = `Timeline ladder: ${l.laneNames.join(' | ')}; ${l.arrows.length} arrows for ${l.packets} packets.`;
  return raw(
    `<svg class="ladder" viewBox="0 0 ${LADDER_WIDTH} ${height}" width="${LADDER_WIDTH}" height="${height}" role="img" aria-label="${x(desc)}">` +
      head.join('') + parts.join('') + overlays.join('') + '</svg>',
  );
}

/** Small inline-SVG swatches for the legend under a ladder. */
export function legendSwatch(kind: LadderArrow['kind']): SafeHtml {
  const mark = kind === 'dropped' ? '<path class="drop-mark" d="M30 2L40 12M30 12L40 2"/>'
    : kind === 'injected' ? '<path class="inject-mark" d="M4 1l6 6l-6 6l-6 -6Z"/><path class="head" d="M44 7L36 3L36 11Z"/>'
      : kind === 'modified' ? '<circle class="modify-mark" cx="22" cy="7" r="5"/><path class="head" d="M44 7L36 3L36 11Z"/>'
        : kind === 'unseen' ? '<text class="unseen-mark" x="42" y="11">?</text>'
          : '<path class="head" d="M44 7L36 3L36 11Z"/>';
  const x2 = kind === 'dropped' ? 35 : 40;
  return raw(`<svg class="swatch arrow k-${kind}" viewBox="-4 0 52 14" width="52" height="14" aria-hidden="true"><line class="shaft" x1="${kind === 'injected' ? 4 : 0}" y1="7" x2="${x2}" y2="7"/>${mark}</svg>`);
}
