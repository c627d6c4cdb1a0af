// Shared helpers for the capture-reader tests (no tests in here).
import * as fs from 'fs';
import * as path from 'path';
import type { CaptureParser, CaptureSink, DecryptionSecrets, InterfaceInfo, RawPacket } from '../../server/src/capture/packet';
import type { Diagnostic } from '../../server/src/capture/source';
export { ROOT } from './paths';
import { ROOT } from './paths';

export const CAPTURE_DIR = path.join(ROOT, 'test/fixtures/capture');
export const REFERENCE_DIR = path.join(ROOT, 'test/fixtures/pcapng-reference');

/** A packet as kept by the tests: data copied, since readers hand out views valid only in the callback. */
export interface KeptPacket extends Omit<RawPacket, 'data'> {
  data: Uint8Array;
}

export interface Collected {
  packets: KeptPacket[];
  diagnostics: Diagnostic[];
  interfaces: InterfaceInfo[];
  secrets: DecryptionSecrets[];
  names: Array<{ address: string; names: string[] }>;
}

export function collector(): { sink: CaptureSink; out: Collected } {
  const out: Collected = { packets: [], diagnostics: [], interfaces: [], secrets: [], names: [] };
  const sink: CaptureSink = {
    packet: (p) => {
      // What a packet is, without a reader's zero-copy form of it (frame*: a view of its read buffer).
      const { frame: _f, frameStart: _s, frameEnd: _e, ...rest } = p;
      out.packets.push({ ...rest, data: Uint8Array.from(p.data), comments: p.comments ? [...p.comments] : undefined });
    },
    diagnostic: (d) => out.diagnostics.push(d),
    interface: (i) => out.interfaces.push({ ...i }),
    secrets: (s) => out.secrets.push(s),
    names: (address, names) => out.names.push({ address, names }),
  };
  return { sink, out };
}

/** Pushes `bytes` in pieces whose sizes cycle through `sizes` (the whole buffer at once when empty). */
export function feed(parser: CaptureParser, bytes: Uint8Array, sizes: number[] = []): void {
  if (sizes.length === 0) {
    parser.push(bytes);
  } else {
    let o = 0;
    for (let i = 0; o < bytes.length; i++) {
      const n = Math.max(1, sizes[i % sizes.length]);
      parser.push(bytes.subarray(o, o + n));
      o += n;
    }
  }
  parser.end();
}

export function parseWith(make: (sink: CaptureSink) => CaptureParser, bytes: Uint8Array, sizes: number[] = []): Collected {
  const { sink, out } = collector();
  feed(make(sink), bytes, sizes);
  return out;
}

export function readFixture(...parts: string[]): Buffer {
  return fs.readFileSync(path.join(...parts));
}

/** A tab-separated tshark -T fields -E header=y dump, as rows keyed by field name. */
export function readTsv(file: string): Array<Record<string, string>> {
  const lines = fs.readFileSync(file, 'utf8').split('\n').filter((l) => l.length > 0);
  const header = lines[0].split('\t');
  return lines.slice(1).map((line) => {
    const cells = line.split('\t');
    const row: Record<string, string> = {};
    header.forEach((h, i) => (row[h] = cells[i] ?? ''));
    return row;
  });
}

/** Link types recorded by make.sh: the pcap header's, or each IDB's in order. */
export function readLinkTypes(file: string): number[] {
  return fs.readFileSync(file, 'utf8').trim().split(',').map(Number);
}

/**
 * Difference between a float timestamp and tshark's "sec.nnnnnnnnn" text,
 * computed without first squeezing the text into one double.
 */
export function timestampError(ours: number, epoch: string): number {
  const [sec, frac = '0'] = epoch.split('.');
  const s = Number(sec);
  const f = Number(`0.${frac}`);
  return Math.abs(ours - s - f);
}

/** Float timestamps near 2^31 s are only good to ~2.4e-7 s; allow for that and tshark's rounding. */
export const TIMESTAMP_TOLERANCE = 5e-7;

/** Block boundaries of a well-formed pcapng file, walked independently of the reader under test. */
export function pcapngBlocks(bytes: Uint8Array): Array<{ offset: number; length: number; type: number; le: boolean }> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const blocks: Array<{ offset: number; length: number; type: number; le: boolean }> = [];
  let le = true;
  for (let o = 0; o + 12 <= bytes.length; ) {
    if (dv.getUint32(o, false) === 0x0a0d0d0a) le = dv.getUint32(o + 8, true) === 0x1a2b3c4d;
    const length = dv.getUint32(o + 4, le);
    blocks.push({ offset: o, length, type: dv.getUint32(o, le), le });
    o += length;
  }
  return blocks;
}

/** Record boundaries of a well-formed pcap file (after the 24-byte header). */
export function pcapRecords(bytes: Uint8Array): Array<{ offset: number; length: number }> {
  const dv = new DataView(bytes.buffer, bytes.byteOffset, bytes.byteLength);
  const le = dv.getUint32(0, true) === 0xa1b2c3d4 || dv.getUint32(0, true) === 0xa1b23c4d;
  const records: Array<{ offset: number; length: number }> = [];
  for (let o = 24; o + 16 <= bytes.length; ) {
    const length = 16 + dv.getUint32(o + 8, le);
    records.push({ offset: o, length });
    o += length;
  }
  return records;
}

/** A pcap file as its file header and its records (header and data), each a copy to reorder, drop or edit. */
export function splitPcap(bytes: Uint8Array): { header: Buffer; records: Buffer[] } {
  const copy = (from: number, to: number) => Buffer.from(bytes.subarray(from, to));
  return { header: copy(0, 24), records: pcapRecords(bytes).map((r) => copy(r.offset, r.offset + r.length)) };
}

export const PCAP_FIXTURES = [
  'tls-eth.pcap',
  'tls-eth-nano.pcap',
  'tls-eth-be.pcap',
  'tls-eth-snap96.pcap',
  'tls-sll.pcap',
  'tls-sll2.pcap',
  'tls-rawip.pcap',
];
export const PCAPNG_FIXTURES = ['tls-eth.pcapng', 'tls-merged.pcapng'];

/** A little-endian pcap file header (version 2.4, microseconds) for captures a test writes itself. */
export function pcapGlobalHeader(snaplen: number, linkType: number): Buffer {
  const h = Buffer.alloc(24);
  h.writeUInt32LE(0xa1b2c3d4, 0);
  h.writeUInt16LE(2, 4);
  h.writeUInt16LE(4, 6);
  h.writeUInt32LE(snaplen, 16);
  h.writeUInt32LE(linkType, 20);
  return h;
}

/** Every file under `dir` (recursively, sorted) that may be a capture: notes, keys and scripts beside them left out. */
export function captureFilesUnder(dir: string): string[] {
  const out: string[] = [];
  for (const name of fs.readdirSync(dir).sort()) {
    const p = path.join(dir, name);
    if (fs.statSync(p).isDirectory()) out.push(...captureFilesUnder(p));
    else if (!/\.(json|md|sh|py|key|keylog|keys|crt|pem|der|cnf|torrc|nft|log|upstream|tsv|js)$/.test(p)) out.push(p);
  }
  return out;
}
