/**
 * Helpers for the TLS 1.0–1.2 decryption tests (no tests in here): the TLS
 * records of a lab/decrypt12 capture, read with the engine's capture and TCP
 * readers, and a walk over them that does what the pipeline is to do with
 * server/src/decrypt/tls12 — decrypt after each direction's ChangeCipherSpec,
 * switch epochs on renegotiation, check every Finished against the transcript.
 */
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { readCaptureBytes } from '../../server/src/capture/readCapture';
import { decodeTcpPacket, newTcpPacket, TcpFlag } from '../../server/src/net/tcpPacket';
import type { DecryptResult, RecordDecryptor, RecordHeader } from '../../server/src/decrypt/recordDecryptor';
import { createTls12Decryptors, finishedVerifyData, type Tls12Params } from '../../server/src/decrypt/tls12';
import { ROOT } from './paths';

export const DECRYPT12_FIXTURES = join(ROOT, 'test/fixtures/decrypt12');

export type Side = 'client' | 'server';

export interface CapturedRecord {
  from: Side;
  /** 1-based number of the frame holding the record's last byte (tshark's frame.number). */
  frame: number;
  header: RecordHeader;
  body: Uint8Array;
}

/** The TLS records of a one-connection capture, in capture order (both directions interleaved by the frame that completed them). */
export function captureRecords(pcap: Uint8Array): CapturedRecord[] {
  const tcp = newTcpPacket();
  let clientPort = -1;
  const streams: Record<Side, { isn: number; bytes: number[]; ends: Array<{ at: number; frame: number }> }> = {
    client: { isn: -1, bytes: [], ends: [] },
    server: { isn: -1, bytes: [], ends: [] },
  };
  readCaptureBytes(pcap, {
    diagnostic: () => {},
    packet: (p) => {
      if (decodeTcpPacket(p.linkType, p.data, tcp) !== null) return;
      if (tcp.flags & TcpFlag.SYN && !(tcp.flags & TcpFlag.ACK)) clientPort = tcp.srcPort;
      const side: Side = tcp.srcPort === clientPort ? 'client' : 'server';
      const s = streams[side];
      if (tcp.flags & TcpFlag.SYN) {
        s.isn = tcp.seq;
        return;
      }
      if (tcp.payloadLength === 0) return;
      const at = (tcp.seq - s.isn - 1) >>> 0;
      // Loopback captures arrive in order; a retransmission repeats bytes already held.
      if (at > s.bytes.length) throw new Error(`frame ${p.index + 1}: a hole in the ${side} stream`);
      const payload = p.data.subarray(tcp.payloadOffset, tcp.payloadOffset + tcp.payloadLength);
      for (let i = at + payload.length - s.bytes.length; i > 0; i--) s.bytes.push(payload[payload.length - i]);
      s.ends.push({ at: s.bytes.length, frame: p.index + 1 });
    },
  });
  const out: CapturedRecord[] = [];
  for (const from of ['client', 'server'] as const) {
    const b = Uint8Array.from(streams[from].bytes);
    for (let o = 0; o + 5 <= b.length; ) {
      const length = (b[o + 3] << 8) | b[o + 4];
      const end = o + 5 + length;
      const frame = streams[from].ends.find((e) => e.at >= end)!.frame;
      out.push({ from, frame, header: { contentType: b[o], version: (b[o + 1] << 8) | b[o + 2], length }, body: b.slice(o + 5, end) });
      o = end;
    }
  }
  // Stable: records of one frame keep their stream order.
  return out.sort((a, b) => a.frame - b.frame);
}

/** A tiny NSS key-log reader for the tests: CLIENT_RANDOM lines only (the real parser is decrypt/keyLog.ts). */
export function masterSecrets(text: string): Map<string, Uint8Array> {
  const out = new Map<string, Uint8Array>();
  for (const line of text.split('\n')) {
    const m = /^CLIENT_RANDOM ([0-9a-f]{64}) ([0-9a-f]{96})$/i.exec(line.trim());
    if (m) out.set(m[1].toLowerCase(), Uint8Array.from(Buffer.from(m[2], 'hex')));
  }
  return out;
}

export interface TsharkRecord { type: number; length: number; handshake?: number[]; verifyData?: string[]; alert?: Array<[number, number]> }
export interface TsharkFrame { frame: number; srcport: number; records: TsharkRecord[]; data?: string[] }

export interface Decrypt12Fixture {
  name: string;
  records: CapturedRecord[];
  keys: Map<string, Uint8Array>;
  keyLog: string;
  tshark: TsharkFrame[];
}

export function loadDecrypt12(name: string): Decrypt12Fixture {
  const f = (ext: string): string => join(DECRYPT12_FIXTURES, `${name}.${ext}`);
  const keyLog = readFileSync(f('keys'), 'utf8');
  return {
    name,
    records: captureRecords(readFileSync(f('pcap'))),
    keys: masterSecrets(keyLog),
    keyLog,
    tshark: JSON.parse(readFileSync(f('tshark.json'), 'utf8')) as TsharkFrame[],
  };
}

/** What the walk saw in one record, in the shape of lab/decrypt12/reference.py's records. */
export interface WalkedRecord {
  from: Side;
  frame: number;
  header: RecordHeader;
  body: Uint8Array;
  /** Epoch the record was read under: 0 cleartext, 1 the first handshake's keys, 2 the renegotiated ones. */
  epoch: number;
  seq: bigint;
  result: DecryptResult | null;
  plaintext: Uint8Array | null;
  handshake: number[];
  verifyData: string[];
  alert: Array<[number, number]>;
}

export interface FinishedCheck {
  from: Side;
  epoch: number;
  sent: string;
  computed: string;
  /** The handshake messages the Finished covers. */
  transcript: Uint8Array[];
}

export interface Handshake {
  params: Tls12Params | null;
  reason: string | null;
  suite: string | null;
}

export interface Walk {
  records: WalkedRecord[];
  finished: FinishedCheck[];
  handshakes: Handshake[];
}

const hex = (b: Uint8Array): string => Buffer.from(b).toString('hex');

interface HelloFacts { random: Uint8Array; version?: number; suite?: number; etm?: boolean }

function clientHelloRandom(msg: Uint8Array): HelloFacts {
  return { random: msg.slice(6, 38) };
}

/** The ServerHello's version, random, suite and whether it echoed encrypt_then_mac (22). */
function serverHelloFacts(msg: Uint8Array): HelloFacts {
  const b = msg.subarray(4);
  let o = 2 + 32;
  o += 1 + b[o];
  const suite = (b[o] << 8) | b[o + 1];
  o += 3;
  let etm = false;
  if (o + 2 <= b.length) {
    const end = o + 2 + ((b[o] << 8) | b[o + 1]);
    for (o += 2; o + 4 <= end; o += 4 + ((b[o + 2] << 8) | b[o + 3])) if (((b[o] << 8) | b[o + 1]) === 22) etm = true;
  }
  return { version: (b[0] << 8) | b[1], random: b.slice(2, 34), suite, etm };
}

/**
 * Walk the records the way the pipeline should: cleartext until a direction's
 * CCS, then that direction's decryptor of the current epoch with seq from 0;
 * a (possibly encrypted) ClientHello starts a new handshake whose keys, from
 * the key log line of its client random, take over at each side's next CCS.
 * `decryptors` lets a test swap in its own (a wrong key).
 */
export function walkSession(
  fx: Pick<Decrypt12Fixture, 'records' | 'keys'>,
  make: (p: Tls12Params) => ReturnType<typeof createTls12Decryptors> = createTls12Decryptors,
): Walk {
  const out: Walk = { records: [], finished: [], handshakes: [] };
  const cur: Record<Side, { dec: RecordDecryptor | null; seq: bigint; epoch: number; pending: number[] }> = {
    client: { dec: null, seq: 0n, epoch: 0, pending: [] },
    server: { dec: null, seq: 0n, epoch: 0, pending: [] },
  };
  let transcript: Uint8Array[] = [];
  let client: HelloFacts | null = null;
  let server: HelloFacts | null = null;
  let next: { keys: ReturnType<typeof createTls12Decryptors>; params: Tls12Params | null; epoch: number } | null = null;
  let epochs = 0;
  const params = (): Tls12Params | null => {
    const ms = client && fx.keys.get(hex(client.random));
    if (!client || !server || !ms) return null;
    return { version: server.version!, cipherSuite: server.suite!, masterSecret: ms, clientRandom: client.random, serverRandom: server.random, encryptThenMac: server.etm! };
  };
  const prepare = (): void => {
    if (next) return;
    const p = params();
    const keys = p ? make(p) : ({ ok: false, reason: 'no key log line for this ClientHello' } as const);
    next = { keys, params: p, epoch: ++epochs };
    out.handshakes.push({ params: p, reason: keys.ok ? null : keys.reason, suite: keys.ok ? keys.suite : null });
  };
  for (const r of fx.records) {
    const side = cur[r.from];
    const w: WalkedRecord = { from: r.from, frame: r.frame, header: r.header, body: r.body, epoch: side.epoch, seq: side.seq, result: null, plaintext: null, handshake: [], verifyData: [], alert: [] };
    out.records.push(w);
    if (side.dec) {
      w.result = side.dec.decrypt(r.header, r.body, side.seq);
      side.seq++;
      if (w.result.ok) w.plaintext = w.result.record.plaintext;
    } else if (side.epoch === 0) {
      w.plaintext = r.body;
    }
    if (w.plaintext && r.header.contentType === 21) {
      for (let i = 0; i + 1 < w.plaintext.length; i += 2) w.alert.push([w.plaintext[i], w.plaintext[i + 1]]);
    }
    if (w.plaintext && r.header.contentType === 22) {
      side.pending.push(...w.plaintext);
      while (side.pending.length >= 4) {
        const len = (side.pending[1] << 16) | (side.pending[2] << 8) | side.pending[3];
        if (side.pending.length < 4 + len) break;
        const msg = Uint8Array.from(side.pending.splice(0, 4 + len));
        w.handshake.push(msg[0]);
        if (msg[0] === 0) continue; // HelloRequest: never in the transcript
        if (msg[0] === 1) {
          transcript = [];
          client = clientHelloRandom(msg);
          server = null;
          next = null;
        }
        if (msg[0] === 2) server = serverHelloFacts(msg);
        if (msg[0] === 20) {
          prepare();
          const sent = hex(msg.subarray(4));
          w.verifyData.push(sent);
          const p = next!.params;
          out.finished.push({ from: r.from, epoch: next!.epoch, sent, computed: p ? hex(finishedVerifyData(p, r.from, transcript)) : '', transcript: [...transcript] });
        }
        transcript.push(msg);
      }
    }
    // The outer type says CCS in TLS 1.0–1.2, encrypted or not: the switch does not wait for a decryption.
    if (r.header.contentType === 20) {
      prepare();
      const n = next!;
      side.dec = n.keys.ok ? n.keys[r.from] : null;
      side.seq = 0n;
      side.epoch = n.epoch;
      side.pending = [];
    }
  }
  return out;
}

/** The walk in the shape of the tshark reference, per direction: records, and the non-empty application data. */
export function walkedLikeTshark(walk: Walk, from: Side): { records: TsharkRecord[]; data: string[] } {
  const records: TsharkRecord[] = [];
  const data: string[] = [];
  for (const w of walk.records) {
    if (w.from !== from) continue;
    const rec: TsharkRecord = { type: w.header.contentType, length: w.header.length };
    if (w.handshake.length) rec.handshake = w.handshake;
    if (w.verifyData.length) rec.verifyData = w.verifyData;
    if (w.alert.length) rec.alert = w.alert;
    records.push(rec);
    if (w.header.contentType === 23 && w.plaintext && w.plaintext.length > 0) data.push(hex(w.plaintext));
  }
  return { records, data };
}

/** The tshark reference per direction, in the same shape (the first frame is the client's ClientHello). */
export function tsharkLike(frames: TsharkFrame[], from: Side): { records: TsharkRecord[]; data: string[] } {
  const records: TsharkRecord[] = [];
  const data: string[] = [];
  for (const f of frames) {
    if ((f.srcport === frames[0].srcport) !== (from === 'client')) continue;
    records.push(...f.records);
    data.push(...(f.data ?? []));
  }
  return { records, data };
}
