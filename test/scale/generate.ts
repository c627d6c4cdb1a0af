/**
 * Hostile inputs for the scale tests (issue #16), generated as streams into a
 * file chunk by chunk: none is committed, and none is ever whole in this
 * process's memory. Each mirrors a row of the table.
 */
import { closeSync, fstatSync, openSync, readSync, writeSync } from 'node:fs';
import { createGzip, constants as zc } from 'node:zlib';
import { createWriteStream } from 'node:fs';
import { once } from 'node:events';
import { pcapGlobalHeader } from '../helpers/captureFixtures';

const SYN = 0x02, ACK = 0x10, FIN = 0x01, PSH = 0x08;

/** Buffered pcap (LINKTYPE_ETHERNET) writer onto a file descriptor. */
export class PcapStream {
  private buf = Buffer.alloc(1 << 20);
  private len = 0;
  written = 0;
  constructor(private readonly out: (b: Buffer) => void) {
    this.raw(pcapGlobalHeader(262144, 1));
  }
  raw(b: Uint8Array): void {
    if (this.len + b.length > this.buf.length) this.flush();
    if (b.length > this.buf.length) { this.out(Buffer.from(b)); this.written += b.length; return; }
    this.buf.set(b, this.len);
    this.len += b.length;
    this.written += b.length;
  }
  /** An IPv4 packet; `fragOffset8`/`moreFragments` make it an IP fragment carrying `l4` as is. */
  ipv4(time: number, src: number, dst: number, proto: number, l4: Uint8Array, ipId = 0, fragOffset8 = 0, moreFragments = false): void {
    const ipLen = 20 + l4.length;
    const frame = Buffer.alloc(16 + 14 + ipLen);
    const sec = Math.floor(time);
    frame.writeUInt32LE(sec, 0);
    frame.writeUInt32LE(Math.floor((time - sec) * 1e6), 4);
    frame.writeUInt32LE(14 + ipLen, 8);
    frame.writeUInt32LE(14 + ipLen, 12);
    frame[16 + 5] = 1; frame[16 + 11] = 2;
    frame.writeUInt16BE(0x0800, 16 + 12);
    const o = 30;
    frame[o] = 0x45;
    frame.writeUInt16BE(ipLen, o + 2);
    frame.writeUInt16BE(ipId & 0xffff, o + 4);
    frame.writeUInt16BE((moreFragments ? 0x2000 : 0) | (fragOffset8 & 0x1fff), o + 6);
    frame[o + 8] = 64; frame[o + 9] = proto;
    frame.writeUInt32BE(src >>> 0, o + 12); frame.writeUInt32BE(dst >>> 0, o + 16);
    let sum = 0;
    for (let i = 0; i < 20; i += 2) sum += (frame[o + i] << 8) | frame[o + i + 1];
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    frame.writeUInt16BE(~sum & 0xffff, o + 10);
    frame.set(l4, o + 20);
    this.raw(frame);
  }
  tcp(time: number, src: number, dst: number, sport: number, dport: number, seq: number, ack: number, flags: number, payload: Uint8Array = EMPTY): void {
    const t = Buffer.alloc(20 + payload.length);
    t.writeUInt16BE(sport, 0); t.writeUInt16BE(dport, 2);
    t.writeUInt32BE(seq >>> 0, 4); t.writeUInt32BE(ack >>> 0, 8);
    t[12] = 5 << 4; t[13] = flags; t.writeUInt16BE(65535, 14);
    t.set(payload, 20);
    this.ipv4(time, src, dst, 6, t);
  }
  flush(): void {
    if (this.len > 0) this.out(Buffer.from(this.buf.subarray(0, this.len)));
    this.len = 0;
  }
}

const EMPTY = new Uint8Array(0);

/** Writes through `make` into `path`, optionally gzipped (level 1: bombs compress anyway). */
export async function writeCapture(path: string, make: (w: PcapStream) => void | Promise<void>, opts: { gzip?: boolean } = {}): Promise<number> {
  if (!opts.gzip) {
    const fd = openSync(path, 'w');
    const w = new PcapStream((b) => { writeSync(fd, b); });
    try {
      await make(w);
      w.flush();
    } finally {
      closeSync(fd);
    }
    return w.written;
  }
  const file = createWriteStream(path);
  const z = createGzip({ level: 1 });
  z.pipe(file);
  let pending: Buffer[] = [];
  const w = new PcapStream((b) => { pending.push(b); });
  const drain = async () => {
    for (const b of pending) if (!z.write(b)) await once(z, 'drain');
    pending = [];
  };
  const origFlush = w.flush.bind(w);
  await make(w);
  origFlush();
  await drain();
  z.end();
  await once(file, 'close');
  return w.written;
}

/** A port scan: `n` SYNs from one host to distinct ports of many hosts, none answered. */
export function synFlood(n: number) {
  return (w: PcapStream): void => {
    for (let i = 0; i < n; i++) {
      w.tcp(1_700_000_000 + i * 1e-5, 0x0a000001, 0xc6336400 + (i >>> 16), 40000 + (i % 20000), 1 + (i % 65535), i * 7919, 0, SYN);
    }
  };
}

/** A minimal TLS 1.2 ClientHello record with SNI and a fresh random. */
export function clientHelloRecord(random: Uint8Array, sni = 'example.com'): Buffer {
  const name = Buffer.from(sni, 'ascii');
  const sniExt = Buffer.alloc(9 + name.length);
  sniExt.writeUInt16BE(0, 0); sniExt.writeUInt16BE(5 + name.length, 2);
  sniExt.writeUInt16BE(3 + name.length, 4); sniExt[6] = 0; sniExt.writeUInt16BE(name.length, 7);
  name.copy(sniExt, 9);
  const body = Buffer.concat([
    Buffer.from([0x03, 0x03]), Buffer.from(random), Buffer.from([0]),
    Buffer.from([0x00, 0x04, 0xc0, 0x2f, 0x00, 0x9c]), Buffer.from([1, 0]),
    Buffer.from([sniExt.length >> 8, sniExt.length & 255]), sniExt,
  ]);
  const hs = Buffer.concat([Buffer.from([1, 0, body.length >> 8, body.length & 255]), body]);
  return Buffer.concat([Buffer.from([0x16, 0x03, 0x01, hs.length >> 8, hs.length & 255]), hs]);
}

/** A minimal TLS 1.2 ServerHello record. */
export function serverHelloRecord(random: Uint8Array): Buffer {
  const body = Buffer.concat([Buffer.from([0x03, 0x03]), Buffer.from(random), Buffer.from([0, 0xc0, 0x2f, 0, 0, 0])]);
  const hs = Buffer.concat([Buffer.from([2, 0, body.length >> 8, body.length & 255]), body]);
  return Buffer.concat([Buffer.from([0x16, 0x03, 0x03, hs.length >> 8, hs.length & 255]), hs]);
}

function random32(seed: number): Uint8Array {
  const r = new Uint8Array(32);
  let s = seed >>> 0 || 1;
  for (let i = 0; i < 32; i++) {
    s ^= s << 13; s >>>= 0; s ^= s >>> 17; s ^= s << 5; s >>>= 0;
    r[i] = s & 255;
  }
  return r;
}

/**
 * Ordinary short TLS connections, each closed with FINs: handshake, a little
 * application data, teardown; `concurrent` of them interleaved. `bytes`
 * bounds the file size.
 */
export function shortConnections(bytes: number, opts: { concurrent?: number; dataSegments?: number } = {}) {
  const concurrent = opts.concurrent ?? 32;
  const dataSegments = opts.dataSegments ?? 6;
  const data = Buffer.alloc(1400, 0x17);
  data[0] = 0x17; data[1] = 3; data[2] = 3; data.writeUInt16BE(1395, 3);
  return (w: PcapStream): void => {
    let id = 0;
    let t = 1_700_000_000;
    const active: Generator<void>[] = [];
    const conn = function* (k: number): Generator<void> {
      const c = 0x0a000000 + (k & 0xffffff), s = 0xc6336400 + (k % 200);
      const cp = 1024 + (k % 60000), sp = 443;
      const ic = (k * 2654435761) >>> 0, is = (k * 40503 + 12345) >>> 0;
      const ch = clientHelloRecord(random32(k * 2 + 1));
      const sh = serverHelloRecord(random32(k * 2 + 2));
      w.tcp(t, c, s, cp, sp, ic, 0, SYN); yield;
      w.tcp(t, s, c, sp, cp, is, ic + 1, SYN | ACK); yield;
      w.tcp(t, c, s, cp, sp, ic + 1, is + 1, ACK); yield;
      w.tcp(t, c, s, cp, sp, ic + 1, is + 1, ACK | PSH, ch); yield;
      w.tcp(t, s, c, sp, cp, is + 1, ic + 1 + ch.length, ACK | PSH, sh); yield;
      let so = 1 + sh.length;
      for (let i = 0; i < dataSegments; i++) {
        w.tcp(t, s, c, sp, cp, is + so, ic + 1 + ch.length, ACK | PSH, data); so += data.length; yield;
      }
      w.tcp(t, c, s, cp, sp, ic + 1 + ch.length, is + so, ACK | FIN); yield;
      w.tcp(t, s, c, sp, cp, is + so, ic + 2 + ch.length, ACK | FIN); yield;
      w.tcp(t, c, s, cp, sp, ic + 2 + ch.length, is + so + 1, ACK);
    };
    while (w.written < bytes || active.length > 0) {
      while (active.length < concurrent && w.written < bytes) active.push(conn(id++));
      for (let i = 0; i < active.length; i++) {
        t += 0.0001;
        if (active[i].next().done) { active.splice(i, 1); i--; }
      }
    }
  };
}

/**
 * `conns` connections at once, each holding `perConn` bytes out of order:
 * their first segment never comes. Segments of 8,200 bytes, so 4 MiB is
 * under the per-direction caps (4 MiB, 512 segments) and all of it waits.
 */
export function outOfOrderFlood(conns: number, perConn: number) {
  const seg = Buffer.alloc(8200, 0x41);
  return (w: PcapStream): void => {
    let t = 1_700_000_000;
    const host = (k: number) => 0x0a000000 + k;
    for (let k = 0; k < conns; k++) {
      w.tcp(t, host(k), 0xc6336401, 1024 + k, 443, k * 1000, 0, SYN);
      w.tcp(t, 0xc6336401, host(k), 443, 1024 + k, 5, k * 1000 + 1, SYN | ACK);
    }
    // Round robin: every connection's wait grows at the same time.
    for (let o = seg.length; o < perConn; o += seg.length) {
      for (let k = 0; k < conns; k++) {
        t += 1e-6;
        w.tcp(t, host(k), 0xc6336401, 1024 + k, 443, k * 1000 + 1 + o, 6, ACK | PSH, seg);
      }
    }
  };
}

/** `n` first IP fragments (8 bytes each, more-fragments set), all within one second, none completed. */
export function fragmentFlood(n: number) {
  const eight = Buffer.alloc(8, 0x42);
  return (w: PcapStream): void => {
    for (let i = 0; i < n; i++) w.ipv4(1_700_000_000 + i / n, 0x0a000000 + (i >>> 16), 0xc6336401, 6, eight, i & 0xffff, 0, true);
  };
}

export { zc };

/**
 * A gzip bomb: a pcap header, then `bytes` of zeros, compressed at `level`
 * (9 reaches deflate's ~1,030x, 1 about 230x); with `badCrc` the CRC-32 in
 * the trailer is damaged afterwards, as in the 219-second case.
 */
export async function writeZeroBomb(path: string, bytes: number, opts: { level: number; badCrc: boolean }): Promise<void> {
  const file = createWriteStream(path);
  const z = createGzip({ level: opts.level });
  z.pipe(file);
  z.write(pcapGlobalHeader(262144, 1));
  const zeros = Buffer.alloc(1 << 20);
  for (let n = 0; n < bytes; n += zeros.length) {
    if (!z.write(zeros.subarray(0, Math.min(zeros.length, bytes - n)))) await once(z, 'drain');
  }
  z.end();
  await once(file, 'close');
  if (!opts.badCrc) return;
  const fd = openSync(path, 'r+');
  try {
    const at = fstatSync(fd).size - 8;
    const b = Buffer.alloc(1);
    readSync(fd, b, 0, 1, at);
    b[0] ^= 0xff;
    writeSync(fd, b, 0, 1, at);
  } finally {
    closeSync(fd);
  }
}

/** pcapng blocks (little-endian), for the secrets and comments floods. */
function pcapngBlock(type: number, body: Buffer): Buffer {
  const padded = (body.length + 3) & ~3;
  const total = 12 + padded;
  const b = Buffer.alloc(total);
  b.writeUInt32LE(type, 0);
  b.writeUInt32LE(total, 4);
  body.copy(b, 8);
  b.writeUInt32LE(total, total - 4);
  return b;
}

function pcapngHeader(): Buffer {
  const shb = Buffer.alloc(16);
  shb.writeUInt32LE(0x1a2b3c4d, 0);
  shb.writeUInt16LE(1, 4);
  shb.writeUInt16LE(0, 6);
  shb.writeBigInt64LE(-1n, 8);
  const idb = Buffer.alloc(8);
  idb.writeUInt16LE(1, 0); // Ethernet
  idb.writeUInt32LE(262144, 4);
  return Buffer.concat([pcapngBlock(0x0a0d0d0a, shb), pcapngBlock(1, idb)]);
}

/** An Enhanced Packet Block of one SYN, with `comment` as opt_comment when given. */
function pcapngSyn(i: number, comment: Buffer | null): Buffer {
  const chunks: Buffer[] = [];
  const w = new PcapStream((b) => chunks.push(b));
  w.tcp(1_700_000_000 + i * 1e-3, 0x0a000001, 0xc6336401, 1024 + (i % 60000), 443, i * 7919, 0, SYN);
  w.flush();
  const frame = Buffer.concat(chunks).subarray(24 + 16);
  const opt = comment
    ? Buffer.concat([Buffer.from([1, 0, comment.length & 255, comment.length >> 8]), comment, Buffer.alloc(((comment.length + 3) & ~3) - comment.length), Buffer.alloc(4)])
    : Buffer.alloc(0);
  const head = Buffer.alloc(20);
  const ts = BigInt(1_700_000_000_000_000 + i * 1000);
  head.writeUInt32LE(0, 0);
  head.writeUInt32LE(Number(ts >> 32n), 4);
  head.writeUInt32LE(Number(ts & 0xffffffffn), 8);
  head.writeUInt32LE(frame.length, 12);
  head.writeUInt32LE(frame.length, 16);
  const pad = Buffer.alloc(((frame.length + 3) & ~3) - frame.length);
  return pcapngBlock(6, Buffer.concat([head, frame, pad, opt]));
}

/** Writes pcapng blocks from `blocks` gzipped into `path` (every flood here compresses to a few MB). */
export async function writePcapngGz(path: string, blocks: () => Generator<Buffer>): Promise<number> {
  const file = createWriteStream(path);
  const z = createGzip({ level: 1 });
  z.pipe(file);
  let n = 0;
  const put = async (b: Buffer) => {
    n += b.length;
    if (!z.write(b)) await once(z, 'drain');
  };
  await put(pcapngHeader());
  for (const b of blocks()) await put(b);
  z.end();
  await once(file, 'close');
  return n;
}

/** `n` Decryption Secrets Blocks (TLS key log type) of `size` bytes each, a SYN between each two. */
export function* secretsBlocks(n: number, size: number): Generator<Buffer> {
  const secret = Buffer.alloc(size, 0x61);
  for (let i = 0; i < n; i++) {
    const head = Buffer.alloc(8);
    head.writeUInt32LE(0x544c534b, 0);
    head.writeUInt32LE(size, 4);
    yield pcapngBlock(0x0000000a, Buffer.concat([head, secret]));
    yield pcapngSyn(i, null);
  }
}

/** `n` packets, each carrying a comment of `size` bytes. */
export function* commentedPackets(n: number, size: number): Generator<Buffer> {
  const comment = Buffer.alloc(size, 0x63);
  for (let i = 0; i < n; i++) yield pcapngSyn(i, comment);
}
