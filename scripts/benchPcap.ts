/**
 * What the bench's capture generators share (TCP in bench.ts, QUIC over UDP
 * in benchQuic.ts): a buffered pcap writer that frames each packet in
 * Ethernet + IPv4 (header checksum computed), and a seeded PRNG so two runs
 * make the same file.
 */
import { writeSync } from 'node:fs';

const IP_TCP = 6;
const IP_UDP = 17;

export class PcapWriter {
  private buf = Buffer.alloc(8 << 20);
  private len = 0;
  written = 0;
  constructor(private readonly fd: number) {
    const h = Buffer.alloc(24);
    h.writeUInt32LE(0xa1b2c3d4, 0);
    h.writeUInt16LE(2, 4);
    h.writeUInt16LE(4, 6);
    h.writeUInt32LE(262144, 16);
    h.writeUInt32LE(1, 20);
    this.raw(h);
  }
  raw(b: Uint8Array): void {
    if (this.len + b.length > this.buf.length) this.flush();
    this.buf.set(b, this.len);
    this.len += b.length;
    this.written += b.length;
  }
  /** A TCP segment; returns nothing, the packet is buffered. */
  tcp(time: number, src: number, dst: number, sport: number, dport: number, seq: number, ack: number, flags: number,
    window: number, options: Uint8Array, payload: Uint8Array, ipId: number): void {
    const tcpLen = 20 + options.length;
    const b = this.buf;
    const o = this.ipv4(time, src, dst, IP_TCP, tcpLen + payload.length, ipId);
    b.writeUInt16BE(sport, o); b.writeUInt16BE(dport, o + 2);
    b.writeUInt32BE(seq >>> 0, o + 4); b.writeUInt32BE(ack >>> 0, o + 8);
    b[o + 12] = (tcpLen / 4) << 4; b[o + 13] = flags; b.writeUInt16BE(window, o + 14);
    b.writeUInt32BE(0, o + 16);
    b.set(options, o + 20);
    b.set(payload, o + tcpLen);
    this.len = o + tcpLen + payload.length;
  }
  /** A UDP datagram. */
  udp(time: number, src: number, dst: number, sport: number, dport: number, payload: Uint8Array, ipId: number): void {
    const b = this.buf;
    const o = this.ipv4(time, src, dst, IP_UDP, 8 + payload.length, ipId);
    // UDP checksum 0: "not computed", valid for IPv4.
    b.writeUInt16BE(sport, o); b.writeUInt16BE(dport, o + 2); b.writeUInt16BE(8 + payload.length, o + 4); b.writeUInt16BE(0, o + 6);
    b.set(payload, o + 8);
    this.len = o + 8 + payload.length;
  }
  flush(): void {
    writeSync(this.fd, this.buf, 0, this.len);
    this.len = 0;
  }
  /** Record header, Ethernet and IPv4 header of a packet whose transport part is `l4Len` bytes; returns where that part starts. */
  private ipv4(time: number, src: number, dst: number, protocol: number, l4Len: number, ipId: number): number {
    const ipLen = 20 + l4Len;
    const frameLen = 14 + ipLen;
    if (this.len + 16 + frameLen > this.buf.length) this.flush();
    const b = this.buf;
    let o = this.len;
    const sec = Math.floor(time);
    b.writeUInt32LE(sec, o); b.writeUInt32LE(Math.floor((time - sec) * 1e6), o + 4);
    b.writeUInt32LE(frameLen, o + 8); b.writeUInt32LE(frameLen, o + 12);
    o += 16;
    b.fill(0, o, o + 12); b[o + 5] = 1; b[o + 11] = 2;
    b.writeUInt16BE(0x0800, o + 12);
    o += 14;
    b[o] = 0x45; b[o + 1] = 0; b.writeUInt16BE(ipLen, o + 2); b.writeUInt16BE(ipId & 0xffff, o + 4);
    b.writeUInt16BE(0x4000, o + 6); b[o + 8] = 64; b[o + 9] = protocol; b.writeUInt16BE(0, o + 10);
    b.writeUInt32BE(src >>> 0, o + 12); b.writeUInt32BE(dst >>> 0, o + 16);
    let sum = 0;
    for (let i = 0; i < 20; i += 2) sum += (b[o + i] << 8) | b[o + i + 1];
    while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
    b.writeUInt16BE(~sum & 0xffff, o + 10);
    this.written += 16 + frameLen;
    return o + 20;
  }
}

/** Deterministic PRNG (mulberry32) so two runs make the same file. */
export function rng(seed: number): () => number {
  let s = seed >>> 0;
  return () => {
    s = (s + 0x6d2b79f5) >>> 0;
    let t = s;
    t = Math.imul(t ^ (t >>> 15), t | 1);
    t ^= t + Math.imul(t ^ (t >>> 7), t | 61);
    return ((t ^ (t >>> 14)) >>> 0) / 4294967296;
  };
}
