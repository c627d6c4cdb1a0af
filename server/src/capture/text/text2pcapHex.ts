import type { CaptureSink } from '../packet';
import { PacketBuilder, textPacket } from './builder';
import { readHexTokens } from './hexTokens';
import { isBlank, skipSpaces, type Line } from './lines';
import { guessLinkType, originalLength } from './link';
import { lineOffset } from './offsetHex';
import { hex4, Reporter } from './report';
import { parseTimestampAt } from './timestamps';

/**
 * The input text2pcap reads: "<hex offset> <hex bytes> [ASCII]" lines as od
 * -Ax -tx1, hexdump -C or tshark -x print them. Offset 0 starts a packet; any
 * other offset must continue the current one. Text lines between packets are
 * ignored, except that one holding a timestamp dates the packet after it
 * (text2pcap -t does the same with an explicit format; here the usual forms
 * are recognised: "YYYY-MM-DD HH:MM:SS.f", "HH:MM:SS.f", epoch "S.f").
 */
export class Text2pcapParser {
  private readonly b = new PacketBuilder();
  private index = 0;
  private lastLink: number | null = null;
  private inPacket = false;
  private broken = false;
  /** od prints the total length alone on its last line; after it, only offset 0 may follow. */
  private closed = false;
  private time = NaN;
  private timeLine: Line | null = null;
  private pendingTime = NaN;
  private pendingTimeLine: Line | null = null;
  private stray: Line | null = null;

  constructor(
    private readonly lines: Line[],
    private readonly sink: CaptureSink,
    private readonly rep: Reporter,
  ) {}

  run(): void {
    for (const line of this.lines) this.line(line);
    this.finish();
  }

  private line(line: Line): void {
    const s = line.text;
    if (isBlank(s)) return;
    const off = lineOffset(s, 2);
    if (off) {
      this.hexLine(line, off.value, off.end);
      return;
    }
    if (s.trim() === '*') {
      this.rep.line('error', 'text.od-repeat',
        "od replaced repeated lines with '*', so bytes are missing here; make the dump with od -v",
        line, this.inPacket && this.b.length > 0 ? this.index : undefined);
      if (this.inPacket) this.broken = true;
      return;
    }
    const i = skipSpaces(s, 0);
    const t = parseTimestampAt(s, i, false);
    if (t) {
      this.pendingTime = t.seconds;
      this.pendingTimeLine = line;
      return;
    }
    if (this.inPacket && !this.broken && !this.closed && !this.stray) this.stray = line;
  }

  private hexLine(line: Line, offset: number, offEnd: number): void {
    const s = line.text;
    if (offset === 0) {
      this.finish();
      this.inPacket = true;
      this.broken = false;
      this.closed = false;
      this.time = this.pendingTime;
      this.timeLine = this.pendingTimeLine;
      this.pendingTime = NaN;
      this.pendingTimeLine = null;
    }
    if (!this.inPacket) {
      this.rep.at('error', 'text.offset',
        `hex line at offset ${hex4(offset)} before any packet; a packet starts at offset 0`, line, 0, offEnd);
      return;
    }
    if (this.broken) return;
    const have = this.b.length;
    const pkt = have > 0 ? this.index : undefined;
    const k = skipSpaces(s, offEnd);
    // od's closing line: the offset alone, equal to the byte count.
    if (k >= s.length && offset === have && offset > 0) {
      this.closed = true;
      this.stray = null;
      return;
    }
    if (offset !== have || this.closed) {
      this.rep.at('error', 'text.offset', this.closed
        ? `expected offset 0 to start a new packet after the closing offset line, found ${hex4(offset)}`
        : `expected offset ${hex4(have)} (the packet has ${have} bytes so far), found ${hex4(offset)}; ` +
          'a line is missing or out of place, so the rest of this packet is skipped', line, 0, offEnd, pkt);
      this.broken = true;
      return;
    }
    if (this.stray) {
      this.rep.line('warning', 'text.garbage', 'expected an offset and hex bytes inside a packet; ignoring this line',
        this.stray, pkt);
      this.stray = null;
    }
    const run = readHexTokens(line, k, this.b, 2, 256, 2, 8, true);
    if (run.error || run.count === 0) {
      const e = run.error ?? { from: offEnd, to: s.length, message: 'expected hex bytes after the offset' };
      this.rep.at('error', 'text.bad-hex', `${e.message}; the rest of this packet is skipped`, line, e.from, e.to,
        this.b.length > 0 ? this.index : undefined);
      this.broken = true;
    }
  }

  private finish(): void {
    if (!this.inPacket) return;
    this.inPacket = false;
    this.stray = null;
    const n = this.b.length;
    if (n === 0) {
      this.b.reset();
      return;
    }
    const { data, text } = this.b.take();
    this.b.reset();
    // text2pcap writes Ethernet unless told otherwise (-l), hence the default hint.
    const lt = guessLinkType(data, this.lastLink ?? 1);
    this.lastLink = lt;
    this.sink.packet(textPacket(this.index++, this.time, lt, data, originalLength(lt, data), text, this.timeLine?.no));
  }
}
