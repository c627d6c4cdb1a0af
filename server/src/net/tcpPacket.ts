import { locateNetworkLayerIn, type LinkInfo } from '../capture/linkLayer';

/**
 * The network and transport headers of one packet, decoded into a reusable
 * object: the hot path touches every packet of a capture, so nothing here
 * allocates unless the packet is IPv6 (addresses as text) or carries a note.
 */
export interface TcpPacket {
  ipVersion: 4 | 6;
  /** Offset of the (innermost) IP header in the packet data. */
  ipOffset: number;
  /** IPv4 addresses as unsigned 32-bit numbers; 0 for IPv6. */
  src4: number;
  dst4: number;
  /** IPv6 addresses in canonical text; '' for IPv4. */
  src6: string;
  dst6: string;
  ttl: number;
  /** IPv4 identification; -1 for IPv6 (no such field unless fragmented). */
  ipId: number;
  /** IPv4 DF bit. */
  dontFragment: boolean;
  /**
   * An IP fragment (decoders return IP_FRAGMENT for it): the frag* fields
   * below say where it belongs, and net/ipFragments.ts puts the datagram
   * back together. Also set on the packets fed from a reassembled datagram.
   */
  fragment: boolean;
  /** Byte offset of this fragment's payload in its datagram. */
  fragOffset: number;
  fragMore: boolean;
  /** The datagram's protocol (IPv4) or the next header after the fragment header (IPv6). */
  fragProto: number;
  /** Where this fragment's share of the datagram sits in the packet, captured and on the wire. */
  fragPayloadOffset: number;
  fragPayloadLength: number;
  fragWireLength: number;
  /** A first fragment that holds the whole TCP header: the TCP fields are set (hovers on the packet alone). */
  fragTcp: boolean;
  srcPort: number;
  dstPort: number;
  seq: number;
  ack: number;
  /** TCP flag bits: FIN 0x01, SYN 0x02, RST 0x04, PSH 0x08, ACK 0x10, URG 0x20, ECE 0x40, CWR 0x80. */
  flags: number;
  window: number;
  tcpOffset: number;
  tcpHeaderLength: number;
  /** Offset and captured length of the TCP payload in the packet data. */
  payloadOffset: number;
  payloadLength: number;
  /** Payload length on the wire per the IP length; > payloadLength when the snaplen cut it. */
  payloadWireLength: number;
  /** TCP options of interest; -1 / false when absent. */
  mss: number;
  windowScale: number;
  sackPermitted: boolean;
  tsVal: number;
  tsEcr: number;
  /** Outer tunnel, when the TCP packet was found inside one (GRE, VXLAN, Geneve, IP-in-IP). */
  encapsulation: string | null;
}

export const TcpFlag = { FIN: 0x01, SYN: 0x02, RST: 0x04, PSH: 0x08, ACK: 0x10, URG: 0x20, ECE: 0x40, CWR: 0x80 } as const;

export function newTcpPacket(): TcpPacket {
  return {
    ipVersion: 4, ipOffset: 0, src4: 0, dst4: 0, src6: '', dst6: '', ttl: 0, ipId: -1, dontFragment: false,
    fragment: false, fragOffset: 0, fragMore: false, fragProto: 0, fragPayloadOffset: 0, fragPayloadLength: 0, fragWireLength: 0, fragTcp: false,
    srcPort: 0, dstPort: 0, seq: 0, ack: 0, flags: 0, window: 0, tcpOffset: 0,
    tcpHeaderLength: 0, payloadOffset: 0, payloadLength: 0, payloadWireLength: 0, mss: -1, windowScale: -1,
    sackPermitted: false, tsVal: -1, tsEcr: -1, encapsulation: null,
  };
}

/** Why a packet was not decoded as TCP; `null` means it was. */
export type SkipReason = string | null;

/** What the decoders return for every IP fragment, first or not: the caller reassembles the datagram. */
export const IP_FRAGMENT = 'IP fragment';

/** What the decoders return for a UDP datagram (not tunnelled): ports and payload fields are set. */
export const UDP = 'UDP';

const linkScratch: LinkInfo = { offset: 0, etherType: 0, vlanTags: 0, note: null };
const MAX_TUNNEL_DEPTH = 4;

const VXLAN_PORT = 4789;
const GENEVE_PORT = 6081;

/**
 * Decodes link → IP → TCP into `out`. Returns null for a TCP packet, or a
 * short reason why the packet is not one (non-IP, UDP, ICMP, …) so the caller
 * can count and report skips without a diagnostic per packet.
 */
export function decodeTcpPacket(linkType: number, data: Uint8Array, out: TcpPacket): SkipReason {
  return decodeTcpPacketIn(linkType, data, 0, data.length, out);
}

/**
 * The same for a packet at buf[start..end), such as a record inside a read
 * buffer: no view per packet. Offsets in `out` are relative to `start`, as if
 * the packet had been passed on its own.
 */
export function decodeTcpPacketIn(linkType: number, buf: Uint8Array, start: number, end: number, out: TcpPacket): SkipReason {
  out.encapsulation = null;
  out.fragment = false;
  if (!locateNetworkLayerIn(linkType, buf, start, end, linkScratch)) return linkScratch.note ?? 'not IP';
  const reason = decodeIp(buf, linkScratch.offset, end, out, 0);
  if (start !== 0) {
    out.ipOffset -= start;
    out.tcpOffset -= start;
    out.payloadOffset -= start;
    if (out.fragment) out.fragPayloadOffset -= start;
  }
  return reason;
}

function decodeIp(d: Uint8Array, off: number, end: number, out: TcpPacket, depth: number): SkipReason {
  if (off >= end) return 'no IP header';
  const version = d[off] >> 4;
  if (version === 4) return decodeIpv4(d, off, end, out, depth);
  if (version === 6) return decodeIpv6(d, off, end, out, depth);
  return `IP version ${version}`;
}

function decodeIpv4(d: Uint8Array, off: number, end: number, out: TcpPacket, depth: number): SkipReason {
  if (end - off < 20) return 'truncated IPv4 header';
  const ihl = (d[off] & 0x0f) * 4;
  if (ihl < 20 || off + ihl > end) return 'bad IPv4 header length';
  const totalLength = (d[off + 2] << 8) | d[off + 3];
  const flagsFrag = (d[off + 6] << 8) | d[off + 7];
  const fragOffset = flagsFrag & 0x1fff;
  const moreFragments = (flagsFrag & 0x2000) !== 0;
  const proto = d[off + 9];
  // Some capture paths (TSO/GRO on the capturing host) record total length 0
  // or less than the segment: fall back to what was captured.
  const ipEnd = totalLength >= ihl ? off + totalLength : end;
  out.ipVersion = 4;
  out.ipOffset = off;
  out.ttl = d[off + 8];
  out.ipId = (d[off + 4] << 8) | d[off + 5];
  out.dontFragment = (flagsFrag & 0x4000) !== 0;
  out.src4 = ((d[off + 12] << 24) | (d[off + 13] << 16) | (d[off + 14] << 8) | d[off + 15]) >>> 0;
  out.dst4 = ((d[off + 16] << 24) | (d[off + 17] << 16) | (d[off + 18] << 8) | d[off + 19]) >>> 0;
  out.src6 = '';
  out.dst6 = '';
  if (fragOffset !== 0 || moreFragments) return fragment(d, proto, fragOffset * 8, moreFragments, off + ihl, ipEnd, end, out);
  return decodeTransport(d, proto, off + ihl, ipEnd, end, out, depth);
}

function decodeIpv6(d: Uint8Array, off: number, end: number, out: TcpPacket, depth: number): SkipReason {
  if (end - off < 40) return 'truncated IPv6 header';
  const payloadLength = (d[off + 4] << 8) | d[off + 5];
  let next = d[off + 6];
  out.ipVersion = 6;
  out.ipOffset = off;
  out.ttl = d[off + 7];
  out.ipId = -1;
  out.dontFragment = false;
  out.src4 = 0;
  out.dst4 = 0;
  out.src6 = ipv6Text(d, off + 8);
  out.dst6 = ipv6Text(d, off + 24);
  // Jumbograms (payload length 0 with a hop-by-hop jumbo option) are not seen
  // on capture paths that matter here; treat 0 as "to the end of the capture".
  const ipEnd = payloadLength === 0 ? end : off + 40 + payloadLength;
  return ipv6Chain(d, next, off + 40, ipEnd, end, out, depth);
}

/** The IPv6 extension headers from `p` on (header type `next`), then the transport. */
function ipv6Chain(d: Uint8Array, next: number, p: number, ipEnd: number, end: number, out: TcpPacket, depth: number): SkipReason {
  for (let guard = 0; guard < 16; guard++) {
    switch (next) {
      case 0: case 43: case 60: case 135: case 139: case 140: {
        if (p + 8 > end) return 'truncated IPv6 extension header';
        next = d[p];
        p += (d[p + 1] + 1) * 8;
        break;
      }
      case 44: {
        if (p + 8 > end) return 'truncated IPv6 fragment header';
        const fragOffset = ((d[p + 2] << 8) | d[p + 3]) >> 3;
        const more = (d[p + 3] & 1) !== 0;
        out.ipId = ((d[p + 4] << 24) | (d[p + 5] << 16) | (d[p + 6] << 8) | d[p + 7]) >>> 0;
        next = d[p];
        p += 8;
        if (fragOffset !== 0 || more) return fragment(d, next, fragOffset * 8, more, p, ipEnd, end, out);
        break;
      }
      case 51: {
        if (p + 8 > end) return 'truncated IPv6 AH header';
        next = d[p];
        p += (d[p + 1] + 2) * 4;
        break;
      }
      default:
        return decodeTransport(d, next, p, ipEnd, end, out, depth);
    }
  }
  return 'too many IPv6 extension headers';
}

function fragment(d: Uint8Array, proto: number, byteOffset: number, more: boolean, payloadStart: number, ipEnd: number, end: number, out: TcpPacket): SkipReason {
  out.fragment = true;
  out.fragOffset = byteOffset;
  out.fragMore = more;
  out.fragProto = proto;
  out.fragPayloadOffset = payloadStart;
  out.fragWireLength = Math.max(0, ipEnd - payloadStart);
  out.fragPayloadLength = Math.max(0, Math.min(ipEnd, end) - payloadStart);
  out.fragTcp = byteOffset === 0 && proto === 6 && decodeTcp(d, payloadStart, ipEnd, end, out) === null;
  return IP_FRAGMENT;
}

/**
 * Decodes the transport layer of a reassembled datagram: `payload` is the
 * datagram's whole payload (what follows the IPv4 header or the IPv6
 * fragment header), `out` already holds the datagram's IP fields. Offsets in
 * `out` are then into `payload`.
 */
export function decodeReassembled(payload: Uint8Array, proto: number, out: TcpPacket): SkipReason {
  const outer = out.encapsulation;
  out.encapsulation = null;
  const n = payload.length;
  // IPv6 may put more extension headers (destination options, AH) after the fragment header.
  const reason = out.ipVersion === 6 ? ipv6Chain(payload, proto, 0, n, n, out, 0) : decodeTransport(payload, proto, 0, n, n, out, 0);
  const inner = out.encapsulation;
  out.encapsulation = outer === null ? inner : inner === null ? outer : `${outer} › ${inner}`;
  out.fragment = true;
  // A fragment inside the reassembled datagram (fragmented inner packet of a tunnel) is not reassembled again.
  return reason === IP_FRAGMENT ? 'fragment inside a reassembled datagram' : reason;
}

function decodeTransport(d: Uint8Array, proto: number, off: number, ipEnd: number, end: number, out: TcpPacket, depth: number): SkipReason {
  switch (proto) {
    case 6:
      return decodeTcp(d, off, ipEnd, end, out);
    case 17:
      return decodeUdp(d, off, end, out, depth);
    case 47:
      return decodeGre(d, off, end, out, depth);
    case 4: case 41:
      if (depth >= MAX_TUNNEL_DEPTH) return 'tunnels nested too deep';
      return tunnel(d, off, end, out, depth, 'IP-in-IP');
    case 1: return 'ICMP';
    case 58: return 'ICMPv6';
    case 50: return 'ESP';
    case 132: return 'SCTP';
    default: return `IP protocol ${proto}`;
  }
}

function tunnel(d: Uint8Array, innerIp: number, end: number, out: TcpPacket, depth: number, name: string): SkipReason {
  const reason = decodeIp(d, innerIp, end, out, depth + 1);
  // A fragment keeps the sentinel (it is reassembled like any other) and its tunnel.
  if (reason !== null && reason !== IP_FRAGMENT) return `${name}: ${reason}`;
  out.encapsulation = out.encapsulation === null ? name : `${name} › ${out.encapsulation}`;
  return reason;
}

function innerEthernet(d: Uint8Array, off: number, end: number, out: TcpPacket, depth: number, name: string): SkipReason {
  if (depth >= MAX_TUNNEL_DEPTH) return 'tunnels nested too deep';
  if (!locateNetworkLayerIn(1, d, off, end, linkScratch)) return `${name}: ${linkScratch.note ?? 'inner frame not IP'}`;
  return tunnel(d, linkScratch.offset, end, out, depth, name);
}

function decodeUdp(d: Uint8Array, off: number, end: number, out: TcpPacket, depth: number): SkipReason {
  if (off + 8 > end) return 'truncated UDP header';
  const dstPort = (d[off + 2] << 8) | d[off + 3];
  if (dstPort === VXLAN_PORT && off + 16 <= end && (d[off + 8] & 0x08) !== 0) {
    return innerEthernet(d, off + 16, end, out, depth, 'VXLAN');
  }
  if (dstPort === GENEVE_PORT && off + 16 <= end) {
    const optLen = (d[off + 8] & 0x3f) * 4;
    const protoType = (d[off + 10] << 8) | d[off + 11];
    const inner = off + 8 + 8 + optLen;
    if (protoType === 0x6558) return innerEthernet(d, inner, end, out, depth, 'Geneve');
    if (protoType === 0x0800 || protoType === 0x86dd) {
      if (depth >= MAX_TUNNEL_DEPTH) return 'tunnels nested too deep';
      return tunnel(d, inner, end, out, depth, 'Geneve');
    }
    return `Geneve protocol 0x${protoType.toString(16)}`;
  }
  // Ports and payload for the UDP handshakes (QUIC); the packet is still reported as not TCP.
  const udpLength = (d[off + 4] << 8) | d[off + 5];
  out.srcPort = (d[off] << 8) | d[off + 1];
  out.dstPort = dstPort;
  out.tcpOffset = off;
  out.payloadOffset = off + 8;
  out.payloadWireLength = udpLength >= 8 ? udpLength - 8 : end - off - 8;
  out.payloadLength = Math.min(out.payloadWireLength, end - off - 8);
  return UDP;
}

function decodeGre(d: Uint8Array, off: number, end: number, out: TcpPacket, depth: number): SkipReason {
  if (off + 4 > end) return 'truncated GRE header';
  const flags = d[off];
  const version = d[off + 1] & 0x07;
  const protoType = (d[off + 2] << 8) | d[off + 3];
  if (version !== 0) return `GRE version ${version}`;
  let p = off + 4;
  if (flags & 0x80) p += 4; // checksum + reserved
  if (flags & 0x20) p += 4; // key
  if (flags & 0x10) p += 4; // sequence number
  if (p > end) return 'truncated GRE header';
  if (protoType === 0x6558) return innerEthernet(d, p, end, out, depth, 'GRE');
  if (protoType === 0x0800 || protoType === 0x86dd) {
    if (depth >= MAX_TUNNEL_DEPTH) return 'tunnels nested too deep';
    return tunnel(d, p, end, out, depth, 'GRE');
  }
  return `GRE protocol 0x${protoType.toString(16)}`;
}

function decodeTcp(d: Uint8Array, off: number, ipEnd: number, end: number, out: TcpPacket): SkipReason {
  if (off + 20 > end) return 'truncated TCP header';
  const dataOffset = (d[off + 12] >> 4) * 4;
  if (dataOffset < 20) return 'bad TCP header length';
  out.srcPort = (d[off] << 8) | d[off + 1];
  out.dstPort = (d[off + 2] << 8) | d[off + 3];
  out.seq = ((d[off + 4] << 24) | (d[off + 5] << 16) | (d[off + 6] << 8) | d[off + 7]) >>> 0;
  out.ack = ((d[off + 8] << 24) | (d[off + 9] << 16) | (d[off + 10] << 8) | d[off + 11]) >>> 0;
  out.flags = d[off + 13];
  out.window = (d[off + 14] << 8) | d[off + 15];
  out.tcpOffset = off;
  out.tcpHeaderLength = dataOffset;
  out.mss = -1;
  out.windowScale = -1;
  out.sackPermitted = false;
  out.tsVal = -1;
  out.tsEcr = -1;
  const optEnd = Math.min(off + dataOffset, end);
  if (dataOffset > 20) readTcpOptions(d, off + 20, optEnd, out);
  const payloadStart = off + dataOffset;
  const wireEnd = Math.max(ipEnd, payloadStart);
  out.payloadOffset = payloadStart;
  out.payloadWireLength = wireEnd - payloadStart;
  // Ethernet pads short frames: trust the IP length, not the frame length.
  out.payloadLength = Math.max(0, Math.min(wireEnd, end) - payloadStart);
  return null;
}

function readTcpOptions(d: Uint8Array, p: number, end: number, out: TcpPacket): void {
  while (p < end) {
    const kind = d[p];
    if (kind === 0) return;
    if (kind === 1) { p++; continue; }
    if (p + 1 >= end) return;
    const len = d[p + 1];
    if (len < 2 || p + len > end) return;
    switch (kind) {
      case 2: if (len === 4) out.mss = (d[p + 2] << 8) | d[p + 3]; break;
      case 3: if (len === 3) out.windowScale = d[p + 2]; break;
      case 4: out.sackPermitted = true; break;
      case 8:
        if (len === 10) {
          out.tsVal = ((d[p + 2] << 24) | (d[p + 3] << 16) | (d[p + 4] << 8) | d[p + 5]) >>> 0;
          out.tsEcr = ((d[p + 6] << 24) | (d[p + 7] << 16) | (d[p + 8] << 8) | d[p + 9]) >>> 0;
        }
        break;
    }
    p += len;
  }
}

export function ipv4Text(n: number): string {
  return `${n >>> 24}.${(n >>> 16) & 255}.${(n >>> 8) & 255}.${n & 255}`;
}

/** RFC 5952 text form (lower case, longest zero run compressed). */
export function ipv6Text(d: Uint8Array, off: number): string {
  const words: number[] = [];
  for (let i = 0; i < 8; i++) words.push((d[off + 2 * i] << 8) | d[off + 2 * i + 1]);
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8;) {
    if (words[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && words[j] === 0) j++;
    if (j - i > bestLen && j - i >= 2) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const hex = words.map((w) => w.toString(16));
  if (bestStart < 0) return hex.join(':');
  const head = hex.slice(0, bestStart).join(':');
  const tail = hex.slice(bestStart + bestLen).join(':');
  return `${head}::${tail}`;
}

export function flagsText(flags: number): string {
  // tcpdump's letters, so timelines read like the dumps researchers know.
  let s = '';
  if (flags & TcpFlag.SYN) s += 'S';
  if (flags & TcpFlag.FIN) s += 'F';
  if (flags & TcpFlag.RST) s += 'R';
  if (flags & TcpFlag.PSH) s += 'P';
  if (flags & TcpFlag.URG) s += 'U';
  if (flags & TcpFlag.ECE) s += 'E';
  if (flags & TcpFlag.CWR) s += 'W';
  if (flags & TcpFlag.ACK) s += '.';
  return s || 'none';
}
