import type { CaptureSink } from '../packet';
import { PacketBuilder, textPacket } from './builder';
import { fillAscii, readHexTokens } from './hexTokens';
import { hexValue, isSpace, type Line } from './lines';
import { guessLinkType, originalLength } from './link';
import { hex4, Reporter } from './report';
import { scanTcpdumpStyle, tcpdumpLineKind, type TcpdumpStyle } from './tcpdumpLines';
import { tcpdumpTimeAt } from './timestamps';

/**
 * tcpdump's -X layout: after "0xOOOO:  ", eight 4-digit groups joined by
 * single spaces (39 columns), two spaces, then the ASCII pane, which stays in
 * that column on a short last line.
 */
const ASCII_FROM_FIRST_GROUP = 39 + 2;

interface Pending {
  header: Line | null;
  time: number;
  /** Set after an error inside the packet: its remaining hex lines are skipped. */
  broken: boolean;
}

/**
 * tcpdump -x / -xx / -X / -XX output: a header line per packet (any
 * timestamp option, -v continuation lines, -e link fields), then indented
 * "0xOOOO:" hex lines. The address text is never interpreted.
 */
export class TcpdumpHexParser {
  private readonly b = new PacketBuilder();
  private readonly style: TcpdumpStyle;
  private cur: Pending | null = null;
  private index = 0;
  private lastLink: number | null = null;

  constructor(
    private readonly lines: Line[],
    private readonly sink: CaptureSink,
    private readonly rep: Reporter,
  ) {
    this.style = scanTcpdumpStyle(lines);
    this.lastLink = this.style.linkHint;
  }

  run(): void {
    for (const line of this.lines) this.line(line);
    this.finish();
  }

  private line(line: Line): void {
    const s = line.text;
    switch (tcpdumpLineKind(s)) {
      case 'blank':
      case 'chatter':
        return;
      case 'hex':
        this.hexLine(line);
        return;
      case 'timed':
        this.start(line, this.style.clock.time(tcpdumpTimeAt(s)));
        return;
      case 'other':
        if (!this.style.timed) {
          this.start(line, NaN);
          return;
        }
        this.rep.line('warning', 'text.garbage',
          'expected a tcpdump header line starting with a timestamp (like 12:00:01.123456) or an indented ' +
          "hex line ('\\t0x0000:  4500 …'); ignoring this line", line, this.packetIndex());
        return;
      case 'indented':
        // -v prints the rest of the header on indented lines before the hex.
        if (this.cur && this.cur.header && this.b.length === 0 && !this.cur.broken) return;
        this.rep.line('warning', 'text.garbage',
          "expected a hex line ('\\t0x0010:  …') or a tcpdump header line; ignoring this line", line, this.packetIndex());
        return;
    }
  }

  /** Index the packet being read will get, when it has bytes to be emitted with. */
  private packetIndex(): number | undefined {
    return this.cur && this.b.length > 0 ? this.index : undefined;
  }

  private start(header: Line | null, time: number): void {
    this.finish();
    this.cur = { header, time, broken: false };
  }

  private hexLine(line: Line): void {
    const s = line.text;
    let i = 0;
    while (isSpace(s.charCodeAt(i))) i++;
    const offStart = i;
    let j = i + 2;
    let offset = 0;
    while (j < s.length) {
      const v = hexValue(s.charCodeAt(j));
      if (v < 0) break;
      offset = offset * 16 + v;
      j++;
    }
    const offEnd = j + 1; // past ':'
    if (!this.cur && offset !== 0) {
      this.rep.at('error', 'text.offset',
        `hex line at offset ${hex4(offset)} before any packet; expected a tcpdump header line and then offset 0x0000`,
        line, offStart, offEnd);
      return;
    }
    // Offset 0 where the current packet already has (or lost) bytes: its header line is missing.
    if (!this.cur || (offset === 0 && (this.b.length > 0 || this.cur.broken))) {
      if (this.cur) {
        this.rep.at('warning', 'text.no-header',
          'hex for a new packet (offset 0x0000) without a tcpdump header line before it; its time is unknown',
          line, offStart, offEnd);
      } else {
        this.rep.first('no-header', 'info', 'text.no-header',
          'hex lines without a tcpdump header line before them; the packet time is unknown', line, offStart, offEnd);
      }
      this.start(null, NaN);
    }
    const cur = this.cur!;
    if (cur.broken) return;
    const have = this.b.length;
    if (offset !== have) {
      this.rep.at('error', 'text.offset',
        `expected offset ${hex4(have)} (the packet has ${have} bytes so far), found ${hex4(offset)}; ` +
        'a line is missing or out of place, so the rest of this packet is skipped',
        line, offStart, offEnd, have > 0 ? this.index : undefined);
      cur.broken = true;
      return;
    }
    let k = offEnd;
    while (k < s.length && isSpace(s.charCodeAt(k))) k++;
    const first = k;
    const run = readHexTokens(line, first, this.b, 4, 8, 2);
    if (run.error) {
      this.rep.at('error', 'text.bad-hex', `${run.error.message}; the rest of this packet is skipped`,
        line, run.error.from, run.error.to, this.b.length > 0 ? this.index : undefined);
      cur.broken = true;
      return;
    }
    if (run.count === 0) {
      this.rep.at('error', 'text.bad-hex', 'expected hex bytes after the offset; the rest of this packet is skipped',
        line, offStart, s.length, this.b.length > 0 ? this.index : undefined);
      cur.broken = true;
      return;
    }
    fillAscii(line, this.b, run.count, run.end, first + ASCII_FROM_FIRST_GROUP);
  }

  private finish(): void {
    const cur = this.cur;
    if (!cur) return;
    this.cur = null;
    if (this.b.length === 0) {
      if (!cur.broken && cur.header) {
        this.rep.line('warning', 'text.no-bytes',
          "no hex lines after this tcpdump header line; expected lines like '\\t0x0000:  4500 …' " +
          '(dumps need -x, -xx, -X or -XX); no packet is made from it', cur.header);
      }
      this.b.reset();
      return;
    }
    const { data, text } = this.b.take();
    this.b.reset();
    const lt = guessLinkType(data, this.lastLink);
    this.lastLink = lt;
    this.sink.packet(textPacket(this.index++, cur.time, lt, data, originalLength(lt, data), text, cur.header?.no));
  }
}
