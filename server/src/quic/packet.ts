/**
 * QUIC packet headers (RFC 9000 §17, RFC 8999 invariants, RFC 9369 §3.2) and
 * the split of one UDP datagram into its coalesced packets (§12.2). Header
 * protection is not removed here: see initial.ts.
 */
import { readVarint } from './varint';
import { quicVersion, type LongPacketType } from './versions';

export type QuicPacketType = LongPacketType | 'Version Negotiation' | '1-RTT' | 'unknown';

export interface QuicPacketHeader {
  type: QuicPacketType;
  long: boolean;
  /** Offsets into the buffer given to the parser. */
  start: number;
  end: number;
  /** 0 for a short header (the version is the connection's). */
  version: number;
  dcid: Uint8Array;
  dcidOffset: number;
  scid: Uint8Array | null;
  scidOffset: number;
  /** Initial packets: the token ([offset, length]); Retry packets: the retry token. */
  token: [number, number] | null;
  /** Where the Length field is, for Initial, 0-RTT and Handshake packets. */
  lengthOffset: number;
  /** Where the (protected) packet number starts; -1 when the packet has none (VN, Retry). */
  pnOffset: number;
  /** Version Negotiation: the versions the server offers. */
  supportedVersions?: number[];
  /** Retry: offset of the 16-byte integrity tag. */
  retryTagOffset?: number;
  /**
   * The "fixed" bit 0x40. Peers that both sent grease_quic_bit (RFC 9287) may clear it on
   * any packet but the first Initial, so it is reported, not enforced.
   */
  fixedBit: boolean;
}

export interface DatagramSplit {
  packets: QuicPacketHeader[];
  /** Why parsing stopped before the end of the datagram, with the offset it stopped at. */
  problem: { message: string; offset: number } | null;
  /** Bytes after the last packet that are not one: zeros are padding some stacks add after a coalesced packet. */
  trailing: number;
}

/** Max connection ID length of QUIC v1 (RFC 9000 §17.2); other versions may use up to 255. */
const MAX_CID_V1 = 20;

/**
 * Parses the packets of a datagram at buf[start..end). `shortDcidLength` is the
 * length of the connection IDs the receiver chose (short headers don't carry it):
 * a short-header packet always runs to the end of the datagram.
 */
export function splitDatagram(buf: Uint8Array, start: number, end: number, shortDcidLength: number): DatagramSplit {
  const packets: QuicPacketHeader[] = [];
  let off = start;
  while (off < end) {
    if (packets.length > 0 && buf[off] === 0) {
      // Padding after the last coalesced packet (RFC 9000 §12.2 permits ignoring it).
      let z = off;
      while (z < end && buf[z] === 0) z++;
      if (z === end) return { packets, problem: null, trailing: end - off };
    }
    const r = parsePacketHeader(buf, off, end, shortDcidLength);
    if (typeof r === 'string') return { packets, problem: { message: r, offset: off }, trailing: 0 };
    packets.push(r);
    off = r.end;
  }
  return { packets, problem: null, trailing: 0 };
}

/** One packet's header at buf[off..end), or a reason why it is not a QUIC packet. */
export function parsePacketHeader(buf: Uint8Array, off: number, end: number, shortDcidLength: number): QuicPacketHeader | string {
  const first = buf[off];
  if ((first & 0x80) === 0) {
    if (off + 1 + shortDcidLength > end) return 'short header packet shorter than its connection ID';
    return {
      type: '1-RTT', long: false, start: off, end, version: 0,
      dcid: buf.subarray(off + 1, off + 1 + shortDcidLength), dcidOffset: off + 1, scid: null, scidOffset: -1,
      token: null, lengthOffset: -1, pnOffset: off + 1 + shortDcidLength, supportedVersions: undefined, retryTagOffset: undefined,
      fixedBit: (first & 0x40) !== 0,
    };
  }
  if (off + 7 > end) return 'long header truncated';
  const version = ((buf[off + 1] << 24) | (buf[off + 2] << 16) | (buf[off + 3] << 8) | buf[off + 4]) >>> 0;
  let p = off + 5;
  const dcidLen = buf[p++];
  if (p + dcidLen + 1 > end) return 'destination connection ID runs past the datagram';
  const dcidOffset = p;
  const dcid = buf.subarray(p, p + dcidLen);
  p += dcidLen;
  const scidLen = buf[p++];
  if (p + scidLen > end) return 'source connection ID runs past the datagram';
  const scidOffset = p;
  const scid = buf.subarray(p, p + scidLen);
  p += scidLen;
  // One object shape for every long-header packet: the hot path sees a packet per datagram.
  const h: QuicPacketHeader = {
    type: 'unknown', long: true, start: off, end, version, dcid, dcidOffset, scid, scidOffset,
    token: null, lengthOffset: -1, pnOffset: -1, supportedVersions: undefined, retryTagOffset: undefined, fixedBit: (first & 0x40) !== 0,
  };
  if (version === 0) {
    // Version Negotiation (RFC 9000 §17.2.1): the rest is a list of versions, to the end of the datagram.
    const supportedVersions: number[] = [];
    for (; p + 4 <= end; p += 4) supportedVersions.push(((buf[p] << 24) | (buf[p + 1] << 16) | (buf[p + 2] << 8) | buf[p + 3]) >>> 0);
    h.type = 'Version Negotiation';
    h.supportedVersions = supportedVersions;
    return h;
  }
  const info = quicVersion(version);
  // Unknown version: only the invariants are known, so the packet is the rest of the datagram.
  if (info === undefined) return h;
  if (dcidLen > MAX_CID_V1 || scidLen > MAX_CID_V1) return `connection ID longer than ${MAX_CID_V1} bytes`;
  const type = info.types[(first >> 4) & 0x03];
  h.type = type;
  if (type === 'Retry') {
    if (end - p < 16) return 'Retry packet shorter than its integrity tag';
    h.token = [p, end - 16 - p];
    h.retryTagOffset = end - 16;
    return h;
  }
  if (type === 'Initial') {
    const t = readVarint(buf, p, end);
    if (t === null || p + t.length + t.value > end) return 'Initial token length runs past the datagram';
    h.token = [p + t.length, t.value];
    p += t.length + t.value;
  }
  h.lengthOffset = p;
  const len = readVarint(buf, p, end);
  if (len === null) return 'packet length truncated';
  p += len.length;
  if (p + len.value > end) return `packet length ${len.value} runs past the datagram (${end - p} bytes left)`;
  h.end = p + len.value;
  h.pnOffset = p;
  return h;
}
