import type { CaptureSink } from '../packet';
import { PacketBuilder, textPacket } from './builder';
import { fillAscii, readHexTokens } from './hexTokens';
import { isBlank, isDigit, isSpace, type Line } from './lines';
import { guessLinkType, originalLength } from './link';
import { lineOffset } from './offsetHex';
import { hex4, quote, Reporter } from './report';
import { parseTimestampAt } from './timestamps';

/** tshark -x: 16 bytes "xx " (47 columns), three spaces, then the ASCII pane. */
const ASCII_FROM_FIRST_BYTE = 47 + 3;

/** A pane title "NAME (N bytes):" → [name, N], or null. */
export function paneTitle(s: string): [string, number] | null {
  const t = s.trimEnd();
  if (!t.endsWith(' bytes):')) return null;
  const open = t.lastIndexOf('(');
  if (open < 1) return null;
  const n = Number(t.slice(open + 1, t.length - 8));
  if (!Number.isInteger(n) || n < 0) return null;
  return [t.slice(0, open).trim(), n];
}

/** What the text before a frame's hex said about it. */
interface FrameInfo {
  /** Which line described the frame: a -P summary line or -V's "Frame N:" line. */
  kind: 'summary' | 'frame' | null;
  headerLine: Line | null;
  time: number;
  /** Absolute time from -V's "Epoch Time:", preferred over the summary line's column. */
  epoch: number;
  /** "N bytes on wire" from -V. */
  wire: number;
}

function emptyInfo(): FrameInfo {
  return { kind: null, headerLine: null, time: NaN, epoch: NaN, wire: -1 };
}

/**
 * tshark -x output (optionally with -P summary lines or -V details).
 * Frames are separated by blank lines; a frame's first byte pane is the
 * packet, further panes (reassembled, decrypted, decompressed data) are
 * tshark's own derivations and are skipped.
 */
export class TsharkHexParser {
  private readonly b = new PacketBuilder();
  private index = 0;
  private lastLink: number | null = null;
  private info = emptyInfo();
  /** A pane is being read into the builder. */
  private inPacket = false;
  /** Inside a second or later pane of the current frame. */
  private inExtraPane = false;
  /** The current frame's packet pane is done; later panes are extra. */
  private frameHasPacket = false;
  private broken = false;
  private expected = -1;
  private expectedLine: Line | null = null;
  /** A non-hex line inside a pane, reported if the pane's hex continues after it. */
  private stray: Line | null = null;

  constructor(
    private readonly lines: Line[],
    private readonly sink: CaptureSink,
    private readonly rep: Reporter,
  ) {}

  run(): void {
    for (const line of this.lines) this.line(line);
    this.endFrame();
  }

  private line(line: Line): void {
    const s = line.text;
    if (isBlank(s)) {
      this.endFrame();
      return;
    }
    const off = lineOffset(s, 4);
    if (off && off.gap >= 1) {
      this.hexLine(line, off.value, off.end);
      return;
    }
    const title = paneTitle(s);
    if (title) {
      this.stray = null;
      if (this.inPacket || this.frameHasPacket) {
        this.finishPacket();
        this.inExtraPane = true;
        this.rep.first(`pane:${title[0]}`, 'info', 'text.extra-pane',
          `tshark pane ${quote(title[0], 40)} is data tshark derived from the frame (reassembly, decryption, ` +
          'decompression), not a captured packet; such panes are skipped', line, 0, s.trimEnd().length);
        return;
      }
      this.expected = title[1];
      this.expectedLine = line;
      return;
    }
    if (this.inPacket && !this.broken) {
      if (!this.stray) this.stray = line;
      return;
    }
    this.metadata(line);
  }

  /** Summary (-P) and detail (-V) lines before the hex: time, wire length, where the frame is described. */
  private metadata(line: Line): void {
    const s = line.text;
    let i = 0;
    while (isSpace(s.charCodeAt(i))) i++;
    if (s.startsWith('Frame ', i) && s.includes(' bytes on wire')) {
      // Each description starts afresh, so one left by a frame whose hex was lost does not stick to the next.
      // With -P -V the summary line comes first and stays the header line.
      if (this.info.kind !== 'summary') {
        this.info = emptyInfo();
        this.info.kind = 'frame';
        this.info.headerLine = line;
      }
      const k = s.indexOf(': ', i);
      const n = k > 0 ? parseInt(s.slice(k + 2), 10) : NaN;
      if (Number.isFinite(n)) this.info.wire = n;
      return;
    }
    if (s.startsWith('Epoch Time: ', i) || s.startsWith('Epoch Arrival Time: ', i)) {
      const k = s.indexOf(': ', i) + 2;
      const t = parseTimestampAt(s, k, false);
      if (t) this.info.epoch = t.seconds;
      return;
    }
    // -P: "    1   0.000041    10.0.0.1 → 10.0.0.2    TCP 74 …": frame number, then the time column.
    if (i > 0 && isDigit(s.charCodeAt(i)) && this.info.kind !== 'frame') {
      let j = i;
      while (isDigit(s.charCodeAt(j))) j++;
      if (isSpace(s.charCodeAt(j))) {
        while (isSpace(s.charCodeAt(j))) j++;
        const t = parseTimestampAt(s, j, false);
        if (t) {
          this.info = emptyInfo();
          this.info.kind = 'summary';
          this.info.headerLine = line;
          this.info.time = t.seconds;
        }
      }
    }
  }

  private hexLine(line: Line, offset: number, offEnd: number): void {
    if (this.inExtraPane) return;
    if (offset === 0 && (this.inPacket || this.frameHasPacket)) {
      // A new frame without the blank line tshark puts between frames.
      this.endFrame();
    }
    if (!this.inPacket) {
      if (offset !== 0) {
        if (!this.frameHasPacket) {
          this.rep.at('error', 'text.offset',
            `hex line at offset ${hex4(offset)} before the frame's first line; expected offset 0000`, line, 0, offEnd);
        }
        return;
      }
      this.inPacket = true;
      this.broken = false;
    }
    if (this.broken) return;
    const have = this.b.length;
    const pkt = have > 0 ? this.index : undefined;
    if (offset !== have) {
      this.rep.at('error', 'text.offset',
        `expected offset ${hex4(have).slice(2)} (the frame has ${have} bytes so far), found ${hex4(offset).slice(2)}; ` +
        'a line is missing or out of place, so the rest of this frame is skipped', line, 0, offEnd, pkt);
      this.broken = true;
      return;
    }
    if (this.stray) {
      this.rep.line('warning', 'text.garbage', "expected a hex line ('0010  45 00 …') inside a frame; ignoring this line",
        this.stray, pkt);
      this.stray = null;
    }
    const s = line.text;
    let k = offEnd;
    while (k < s.length && isSpace(s.charCodeAt(k))) k++;
    const run = readHexTokens(line, k, this.b, 2, 16, 2);
    if (run.error || run.count === 0) {
      const e = run.error ?? { from: offEnd, to: s.length, message: 'expected hex bytes after the offset' };
      this.rep.at('error', 'text.bad-hex', `${e.message}; the rest of this frame is skipped`, line, e.from, e.to,
        this.b.length > 0 ? this.index : undefined);
      this.broken = true;
      return;
    }
    fillAscii(line, this.b, run.count, run.end, k + ASCII_FROM_FIRST_BYTE);
  }

  private finishPacket(): void {
    if (!this.inPacket) return;
    this.inPacket = false;
    this.frameHasPacket = true;
    this.stray = null;
    const info = this.info;
    this.info = emptyInfo();
    const n = this.b.length;
    if (n === 0) {
      this.b.reset();
      return;
    }
    if (this.expected >= 0 && this.expected !== n && !this.broken && this.expectedLine) {
      this.rep.line('warning', 'text.length', `the pane title says ${this.expected} bytes but its hex lines hold ${n}`,
        this.expectedLine, this.index);
    }
    const { data, text } = this.b.take();
    this.b.reset();
    const lt = guessLinkType(data, this.lastLink);
    this.lastLink = lt;
    let orig = originalLength(lt, data);
    if (info.wire > orig) orig = info.wire;
    const time = Number.isNaN(info.epoch) ? info.time : info.epoch;
    this.sink.packet(textPacket(this.index++, time, lt, data, orig, text, info.headerLine?.no));
  }

  private endFrame(): void {
    this.finishPacket();
    this.inExtraPane = false;
    this.frameHasPacket = false;
    this.broken = false;
    this.expected = -1;
    this.expectedLine = null;
    this.stray = null;
  }
}
