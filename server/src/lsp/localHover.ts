/**
 * A hover that needs no analysis of the whole dump: the hovered packet's
 * lines alone (its header line and hex lines, found around the hovered line
 * in the current text) are parsed on the spot and the byte named by its
 * link, IP or TCP header field. Used where the last complete analysis cannot
 * answer: before the first one ends (a big dump just opened) and on text
 * typed since. Costs one packet's parse, whatever the size of the dump.
 */
import { MarkupKind, type Hover } from 'vscode-languageserver-types';
import type { RawPacket } from '../capture/packet';
import { parseTextDump } from '../capture/text';
import { headerFieldAt, packetHeaderFields } from '../net/headerFields';
import { hexString } from './fieldText';
import { escapeMd, renderFieldHover } from './hover';

/** A packet of 64 KiB at 16 bytes per line, and some. */
const MAX_PACKET_LINES = 4200;

/** Offset of a hex line as tcpdump (`\t0x0010:`), tshark (`0010  `) or text2pcap (`000010 `) prints it, or -1. */
export function hexLineOffset(s: string): number {
  const m = /^\s*(?:0x)?([0-9a-fA-F]{4,8})(?::|\s\s|\s(?=[0-9a-fA-F]{2}\b))/.exec(s);
  return m ? parseInt(m[1], 16) : -1;
}

export interface LineSource {
  lineCount: number;
  line(n: number): string;
}

/** The lines of the packet that `line` belongs to: [first, last] and the header line above the hex (or -1). */
function packetLines(src: LineSource, line: number): { header: number; first: number; last: number } | null {
  let first = line;
  let header = -1;
  const here = hexLineOffset(src.line(line));
  if (here < 0) {
    // A header line: its packet's hex starts on the next line.
    if (line + 1 >= src.lineCount || hexLineOffset(src.line(line + 1)) !== 0) return null;
    header = line;
    first = line + 1;
  } else {
    let off = here;
    while (off > 0 && first > 0 && line - first < MAX_PACKET_LINES) {
      off = hexLineOffset(src.line(first - 1));
      if (off < 0) return null;
      first--;
    }
    if (off !== 0) return null;
    if (first > 0) {
      const above = src.line(first - 1);
      if (above.trim() !== '' && hexLineOffset(above) < 0) header = first - 1;
    }
  }
  let last = first;
  while (last + 1 < src.lineCount && last - first < MAX_PACKET_LINES) {
    const off = hexLineOffset(src.line(last + 1));
    if (off <= 0) break;
    last++;
  }
  return { header, first, last };
}

/** The packet around `line`, parsed from its own lines; byte positions are in document lines. */
function localPacket(src: LineSource, line: number): { packet: RawPacket; header: number } | null {
  const at = packetLines(src, line);
  if (!at) return null;
  const from = at.header >= 0 ? at.header : at.first;
  const lines: string[] = [];
  for (let l = from; l <= at.last; l++) lines.push(src.line(l));
  let packet: RawPacket | null = null;
  parseTextDump(lines.join('\n'), {
    packet: (p) => {
      if (packet || !p.text) return;
      // Copied: the parser may reuse its buffers after the call.
      const line = Uint32Array.from(p.text.line, (l) => l + from);
      packet = { ...p, data: p.data.slice(), text: { line, column: p.text.column.slice(), asciiColumn: p.text.asciiColumn?.slice() } };
    },
    diagnostic: () => undefined,
  });
  return packet ? { packet, header: at.header } : null;
}

/**
 * Hover for a position from the packet's own lines, with `why` said under it
 * (why the full analysis was not used). Null when the position is not in a packet.
 */
export function localHover(src: LineSource, line: number, character: number, why: string): Hover | null {
  if (line < 0 || line >= src.lineCount) return null;
  const found = localPacket(src, line);
  if (!found) return null;
  const { packet: p } = found;
  const note = `_${why}_`;
  const pos = p.text as NonNullable<RawPacket['text']>;
  const headers = packetHeaderFields(p.linkType, p.data);
  if (line === found.header) {
    const rows: Array<[string, string]> = [['captured bytes', String(p.data.length)]];
    const first = headers.fields.find((f) => f.key === 'ip.src');
    const last = headers.fields.find((f) => f.key === 'ip.dst');
    if (first && last) rows.push(['addresses', escapeMd(`${first.value} → ${last.value}`)]);
    return { contents: { kind: MarkupKind.Markdown, value: renderFieldHover({ path: ['Packet'], value: null, raw: null, rows, notes: [note] }) } };
  }
  let g = -1;
  for (let i = 0; i < p.data.length; i++) {
    if (pos.line[i] !== line) continue;
    const c = pos.column[i];
    if ((character >= c && character < c + 2) || pos.asciiColumn?.[i] === character) {
      g = i;
      break;
    }
  }
  if (g < 0) return null;
  const h = headerFieldAt(headers, g);
  if (h) {
    const rows: Array<[string, string]> = [['frame offset', `${h.offset}${h.length > 1 ? `–${h.offset + h.length - 1}` : ''} (key \`${h.key}\`)`]];
    return { contents: { kind: MarkupKind.Markdown, value: renderFieldHover({ path: [h.layer, h.name], value: h.value, raw: hexString(p.data.subarray(h.offset, h.offset + h.length)), rows, notes: [note] }) } };
  }
  const raw = hexString(p.data.subarray(g, g + 1));
  if (headers.payload && g >= headers.payload.offset) {
    const rows: Array<[string, string]> = [['packet', `payload byte ${g - headers.payload.offset} of ${headers.payload.length}`]];
    return { contents: { kind: MarkupKind.Markdown, value: renderFieldHover({ path: ['TCP', 'payload'], value: null, raw, rows, notes: [note] }) } };
  }
  return { contents: { kind: MarkupKind.Markdown, value: renderFieldHover({ path: ['Frame', `byte ${g}`], value: null, raw, rows: [], notes: headers.note ? [`_${escapeMd(headers.note)}_`, note] : [note] }) } };
}
