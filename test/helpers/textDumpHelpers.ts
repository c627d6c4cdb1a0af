// Shared helpers for the text-dump tests (no tests in here).
import * as fs from 'fs';
import * as path from 'path';
import assert from 'node:assert/strict';
import type { CaptureFormat, RawPacket } from '../../server/src/capture/packet';
import type { Diagnostic } from '../../server/src/capture/source';
import { parseTextDump } from '../../server/src/capture/text';
export { ROOT } from './paths';
import { ROOT } from './paths';

export const TEXT_DIR = path.join(ROOT, 'test/fixtures/text');
export const TORKZ_DIR = path.join(ROOT, 'test/fixtures/tor-kz');

export function readText(dir: string, name: string): string {
  return fs.readFileSync(path.join(dir, name), 'utf8');
}

export interface PcapRecord {
  sec: number;
  usec: number;
  /** sec + usec / 1e6 */
  time: number;
  data: Uint8Array;
  origLength: number;
}

/**
 * A deliberately tiny pcap reader (microsecond, either byte order), kept
 * independent of the project's PcapParser so the text parsers are checked
 * against an implementation that shares no code with them.
 */
export function readPcap(file: string): { linkType: number; records: PcapRecord[] } {
  const b = fs.readFileSync(file);
  const magic = b.readUInt32LE(0);
  const le = magic === 0xa1b2c3d4;
  assert.ok(le || b.readUInt32BE(0) === 0xa1b2c3d4, `${file}: not a microsecond pcap`);
  const u32 = (o: number) => (le ? b.readUInt32LE(o) : b.readUInt32BE(o));
  const linkType = u32(20);
  const records: PcapRecord[] = [];
  let o = 24;
  while (o + 16 <= b.length) {
    const sec = u32(o);
    const usec = u32(o + 4);
    const incl = u32(o + 8);
    const orig = u32(o + 12);
    records.push({ sec, usec, time: sec + usec / 1e6, data: new Uint8Array(b.subarray(o + 16, o + 16 + incl)), origLength: orig });
    o += 16 + incl;
  }
  return { linkType, records };
}

export interface Parsed {
  format: CaptureFormat;
  packets: RawPacket[];
  diagnostics: Diagnostic[];
}

export function parse(text: string): Parsed {
  const packets: RawPacket[] = [];
  const diagnostics: Diagnostic[] = [];
  const format = parseTextDump(text, { packet: (p) => packets.push(p), diagnostic: (d) => diagnostics.push(d) });
  return { format, packets, diagnostics };
}

/** The editor's lines (LSP line ends). */
export function editorLines(text: string): string[] {
  return text.split(/\r\n|\r|\n/);
}

export const NO_COLUMN = 0xffffffff;

/**
 * Every byte's recorded position holds two hex digits spelling that byte, and
 * its ASCII-pane column (when recorded) holds the character the printer shows
 * for it. Returns a message for the first mismatch, or null.
 */
export function positionProblem(lines: string[], p: RawPacket, checkAscii = true): string | null {
  const t = p.text;
  if (!t) return 'no text positions';
  const n = p.data.length;
  if (t.line.length !== n || t.column.length !== n) return `position arrays of ${t.line.length}/${t.column.length} for ${n} bytes`;
  if (t.asciiColumn && t.asciiColumn.length !== n) return `asciiColumn of ${t.asciiColumn.length} for ${n} bytes`;
  for (let i = 0; i < n; i++) {
    const line = lines[t.line[i]];
    if (line === undefined) return `byte ${i}: line ${t.line[i]} out of range`;
    const pair = line.slice(t.column[i], t.column[i] + 2);
    if (!/^[0-9a-fA-F]{2}$/.test(pair) || parseInt(pair, 16) !== p.data[i]) {
      return `byte ${i} (0x${p.data[i].toString(16)}) at ${t.line[i]}:${t.column[i]} reads ${JSON.stringify(pair)}`;
    }
    if (t.asciiColumn && t.asciiColumn[i] !== NO_COLUMN) {
      if (t.asciiColumn[i] >= line.length) return `byte ${i}: ASCII column ${t.asciiColumn[i]} past the end of line ${t.line[i]}`;
      if (!checkAscii) continue;
      const ch = line[t.asciiColumn[i]];
      const c = p.data[i];
      // tcpdump shows only graphic characters (space as '.'); tshark shows the space itself.
      const ok = c > 0x20 && c < 0x7f ? ch === String.fromCharCode(c) : c === 0x20 ? ch === ' ' || ch === '.' : ch === '.';
      if (!ok) return `byte ${i} (0x${c.toString(16)}): ASCII column ${t.asciiColumn[i]} on line ${t.line[i]} shows ${JSON.stringify(ch)}`;
    }
  }
  return null;
}

export function hexOf(d: Uint8Array): string {
  return Buffer.from(d).toString('hex');
}

/** Link header length of the pcap link types the fixtures use. */
export function linkHeaderLength(linkType: number): number {
  switch (linkType) {
    case 1:
      return 14;
    case 113:
      return 16;
    case 276:
      return 20;
    default:
      return 0;
  }
}

/** "YYYY-MM-DD HH:MM:SS.uuuuuu" in UTC, as tcpdump -tttt prints under TZ=UTC. */
export function utcStamp(r: PcapRecord): string {
  const d = new Date(r.sec * 1000);
  const p = (n: number, w = 2) => String(n).padStart(w, '0');
  return (
    `${d.getUTCFullYear()}-${p(d.getUTCMonth() + 1)}-${p(d.getUTCDate())} ` +
    `${p(d.getUTCHours())}:${p(d.getUTCMinutes())}:${p(d.getUTCSeconds())}.${p(r.usec, 6)}`
  );
}

export function diagnosticsOf(parsed: Parsed, severities: string[] = ['warning', 'error']): Diagnostic[] {
  return parsed.diagnostics.filter((d) => severities.includes(d.severity));
}

export function textLoc(d: Diagnostic): { line: number; column: number; endColumn: number } {
  assert.ok(d.location && d.location.kind === 'text', `diagnostic ${d.code} has no text location`);
  return { line: d.location.line, column: d.location.column, endColumn: d.location.endColumn };
}
