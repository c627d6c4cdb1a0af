// Shared helpers for the TLS decoder tests (no tests in here).
import * as fs from 'fs';
import * as path from 'path';
import { TlsStreamDecoder, type TlsDecoderOptions } from '../../server/src/tls/recordLayer';
import type { Direction, HandshakeMessage, RangeMap, Span, TlsAlert, TlsRecord, TlsSink } from '../../server/src/tls/types';
export { ROOT } from './paths';
import { ROOT } from './paths';

export const TLS_FIXTURES = path.join(ROOT, 'test/fixtures/tls');

export const SCENARIOS = [
  'tls12-ecdhe',
  'tls12-dhe',
  'tls12-ecdsa',
  'tls12-clientcert',
  'tls12-alert',
  'tls13',
  'tls13-hrr',
  'tls10',
  'tls11',
] as const;

export interface Fixture {
  name: string;
  client: Uint8Array;
  server: Uint8Array;
  segments: Record<Direction, number[]>;
  tshark: TsharkFrame[];
}

export interface TsharkFrame {
  frame: string;
  from: Direction;
  tls: unknown;
}

export function loadFixture(name: string): Fixture {
  const f = (ext: string): string => path.join(TLS_FIXTURES, `${name}.${ext}`);
  return {
    name,
    client: new Uint8Array(fs.readFileSync(f('c2s.bin'))),
    server: new Uint8Array(fs.readFileSync(f('s2c.bin'))),
    segments: JSON.parse(fs.readFileSync(f('segments.json'), 'utf8')),
    tshark: JSON.parse(fs.readFileSync(f('tshark.json'), 'utf8')),
  };
}

export interface Problem {
  from: Direction;
  code: string;
  message: string;
  span: Span;
  severity: string;
}

export interface Events {
  records: TlsRecord[];
  messages: HandshakeMessage[];
  alerts: TlsAlert[];
  ccs: Array<{ from: Direction; span: Span }>;
  appData: Array<{ from: Direction; length: number; span: Span }>;
  problems: Problem[];
  notTls: Array<{ from: Direction; offset: number }>;
  /** Every event in order, for equality checks between feeding strategies. */
  log: unknown[];
}

export function collector(): { sink: TlsSink; ev: Events } {
  const ev: Events = { records: [], messages: [], alerts: [], ccs: [], appData: [], problems: [], notTls: [], log: [] };
  const sink: TlsSink = {
    record: (r) => { ev.records.push(r); ev.log.push(['record', r]); },
    handshake: (m) => { ev.messages.push(m); ev.log.push(['handshake', m]); },
    alert: (a) => { ev.alerts.push(a); ev.log.push(['alert', a]); },
    changeCipherSpec: (from, span) => { ev.ccs.push({ from, span }); ev.log.push(['ccs', from, span]); },
    applicationData: (from, length, span) => { ev.appData.push({ from, length, span }); ev.log.push(['app', from, length, span]); },
    problem: (from, code, message, span, severity) => { ev.problems.push({ from, code, message, span, severity }); ev.log.push(['problem', from, code, message, span, severity]); },
    notTls: (from, offset) => { ev.notTls.push({ from, offset }); ev.log.push(['notTls', from, offset]); },
  };
  return { sink, ev };
}

/** Feed a stream in chunks of the given sizes (the last size repeats), each chunk a fresh copy that is scribbled over afterwards. */
export function feed(dec: TlsStreamDecoder, bytes: Uint8Array, sizes: number[] | number, end = true): void {
  const list = typeof sizes === 'number' ? [sizes] : sizes;
  let off = 0;
  let i = 0;
  while (off < bytes.length) {
    const n = Math.max(1, Math.min(list[Math.min(i, list.length - 1)], bytes.length - off));
    const chunk = bytes.slice(off, off + n);
    dec.push(chunk, off);
    // The caller may reuse its buffer once push returns: anything kept must have been copied.
    chunk.fill(0xee);
    off += n;
    i++;
  }
  if (end) dec.end();
}

/**
 * Decode a fixture: the server direction first, so the shared connection
 * state knows the suite when the client's ClientKeyExchange is decoded (as in
 * a real capture, where the ServerHello precedes it).
 */
export function decodeFixture(fx: Fixture, sizes: number[] | number | 'segments' = 1 << 20, opts: TlsDecoderOptions = {}): Events {
  const { sink, ev } = collector();
  const pair = TlsStreamDecoder.pair(sink, opts);
  feed(pair.server, fx.server, sizes === 'segments' ? fx.segments.server : sizes);
  feed(pair.client, fx.client, sizes === 'segments' ? fx.segments.client : sizes);
  return ev;
}

/** All values of a key anywhere below `o`, in document order (tshark merges repeated keys into arrays). */
export function values(o: unknown, key: string): string[] {
  const out: string[] = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const x of v) walk(x);
    } else if (v && typeof v === 'object') {
      for (const [k, x] of Object.entries(v)) {
        if (k === key) {
          if (Array.isArray(x)) for (const y of x) out.push(String(y));
          else if (typeof x !== 'object') out.push(String(x));
          else walk(x);
        } else {
          walk(x);
        }
      }
    }
  };
  walk(o);
  return out;
}

/** tshark objects of a kind (those having `marker` as a direct key), in document order. */
export function objectsWith(o: unknown, marker: string): Array<Record<string, unknown>> {
  const out: Array<Record<string, unknown>> = [];
  const walk = (v: unknown): void => {
    if (Array.isArray(v)) {
      for (const x of v) walk(x);
    } else if (v && typeof v === 'object') {
      const rec = v as Record<string, unknown>;
      if (marker in rec) out.push(rec);
      for (const x of Object.values(rec)) walk(x);
    }
  };
  walk(o);
  return out;
}

/** tshark's handshake messages per direction, each with the direction of its frame. */
export function tsharkHandshakes(fx: Fixture): Array<{ from: Direction; hs: Record<string, unknown> }> {
  const out: Array<{ from: Direction; hs: Record<string, unknown> }> = [];
  for (const f of fx.tshark) for (const hs of objectsWith(f.tls, 'tls.handshake.type')) out.push({ from: f.from, hs });
  return out;
}

export function tsharkRecords(fx: Fixture): Array<{ from: Direction; rec: Record<string, unknown> }> {
  const out: Array<{ from: Direction; rec: Record<string, unknown> }> = [];
  for (const f of fx.tshark) {
    for (const rec of objectsWith(f.tls, 'tls.record.length')) out.push({ from: f.from, rec });
  }
  return out;
}

/** Extension types of a tshark handshake object, in wire order. */
export function tsharkExtensionTypes(hs: Record<string, unknown>): number[] {
  const out: number[] = [];
  for (const [k, v] of Object.entries(hs)) {
    if (!k.startsWith('Extension: ')) continue;
    for (const e of Array.isArray(v) ? v : [v]) out.push(Number((e as Record<string, unknown>)['tls.handshake.extension.type']));
  }
  return out;
}

export const hexNum = (s: string): number => (s.startsWith('0x') ? parseInt(s, 16) : Number(s));
export const colonHex = (s: string): string => s.replace(/:/g, '');

/** Every Span in the events: `span` fields, `ranges` maps (nested ones too) and the positional spans of the sink calls. */
export function allSpans(ev: Events): Array<{ where: string; span: Span }> {
  const out: Array<{ where: string; span: Span }> = [];
  const walk = (v: unknown, where: string): void => {
    if (v instanceof Uint8Array || v === null || typeof v !== 'object') return;
    if (Array.isArray(v)) {
      v.forEach((x, i) => walk(x, `${where}[${i}]`));
      return;
    }
    for (const [k, x] of Object.entries(v)) {
      if (k === 'span') out.push({ where: `${where}.span`, span: x as Span });
      else if (k === 'ranges') for (const [rk, rv] of Object.entries((x as RangeMap).toRecord())) out.push({ where: `${where}.ranges[${rk}]`, span: rv });
      else walk(x, `${where}.${k}`);
    }
  };
  walk(ev.records, 'records');
  walk(ev.messages, 'messages');
  walk(ev.alerts, 'alerts');
  for (const c of ev.ccs) out.push({ where: 'ccs', span: c.span });
  for (const a of ev.appData) out.push({ where: 'appData', span: a.span });
  for (const p of ev.problems) out.push({ where: `problem ${p.code}`, span: p.span });
  return out;
}
