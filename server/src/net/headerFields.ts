/**
 * The link, IP and TCP header fields of one packet with their byte offsets,
 * for hovers and hex panes: a byte outside the TLS fields still gets a name
 * ("IPv4 › Time to live: 63"). Pure and dependency-free so the webview's hex
 * pane can bundle it too. The analysis hot path uses net/tcpPacket.ts; this is
 * for one packet at a time, on demand, and allocates freely.
 */

export type HeaderLayer = 'Null/Loopback' | 'Ethernet' | 'VLAN' | 'Linux cooked' | 'Linux cooked v2' | 'IPv4' | 'IPv6' | 'TCP' | 'UDP';

export interface HeaderField {
  layer: HeaderLayer;
  /** Human name as tshark shows it, e.g. "Time to Live". */
  name: string;
  /** Short filter-like key, e.g. "ip.ttl". */
  key: string;
  offset: number;
  length: number;
  /** Decoded value for display, e.g. "63", "10.66.2.2", "0x4000 (Don't fragment)". */
  value: string;
}

export interface PacketHeaders {
  fields: HeaderField[];
  /** Offset and length of the TCP payload, or null when there is no TCP header. */
  payload: { offset: number; length: number } | null;
  /** Why decoding stopped early (non-IP, truncated …), or null. */
  note: string | null;
}

// LINKTYPE_* values, kept local so the webview bundle needs no server module.
const LT = { NULL: 0, ETHERNET: 1, RAW: 101, LOOP: 108, LINUX_SLL: 113, IPV4: 228, IPV6: 229, LINUX_SLL2: 276, RAW12: 12, RAW14: 14 };

const ETHERTYPES: Record<number, string> = {
  0x0800: 'IPv4', 0x86dd: 'IPv6', 0x0806: 'ARP', 0x8100: '802.1Q VLAN', 0x88a8: '802.1ad', 0x9100: 'QinQ', 0x8864: 'PPPoE session',
};
const IP_PROTOCOLS: Record<number, string> = { 1: 'ICMP', 4: 'IPIP', 6: 'TCP', 17: 'UDP', 41: 'IPv6', 47: 'GRE', 50: 'ESP', 51: 'AH', 58: 'ICMPv6', 132: 'SCTP' };
const TCP_OPTIONS: Record<number, string> = { 0: 'End of option list', 1: 'No-operation', 2: 'Maximum segment size', 3: 'Window scale', 4: 'SACK permitted', 5: 'SACK', 8: 'Timestamps', 28: 'User timeout', 29: 'TCP-AO', 30: 'Multipath TCP', 34: 'TCP Fast Open cookie' };

function u16(d: Uint8Array, o: number): number {
  return (d[o] << 8) | d[o + 1];
}

function u32(d: Uint8Array, o: number): number {
  return ((d[o] << 24) | (d[o + 1] << 16) | (d[o + 2] << 8) | d[o + 3]) >>> 0;
}

function hexN(n: number, digits: number): string {
  return `0x${n.toString(16).padStart(digits, '0')}`;
}

function hexBytes(d: Uint8Array, o: number, n: number, sep = ''): string {
  const out: string[] = [];
  for (let i = o; i < o + n && i < d.length; i++) out.push(d[i].toString(16).padStart(2, '0'));
  return out.join(sep);
}

function mac(d: Uint8Array, o: number): string {
  return hexBytes(d, o, 6, ':');
}

function ipv4(d: Uint8Array, o: number): string {
  return `${d[o]}.${d[o + 1]}.${d[o + 2]}.${d[o + 3]}`;
}

/** RFC 5952 text (longest run of zero groups shortened). */
export function ipv6Text(d: Uint8Array, o: number): string {
  const g: number[] = [];
  for (let i = 0; i < 8; i++) g.push(u16(d, o + 2 * i));
  let bestStart = -1, bestLen = 0;
  for (let i = 0; i < 8; ) {
    if (g[i] !== 0) { i++; continue; }
    let j = i;
    while (j < 8 && g[j] === 0) j++;
    if (j - i > bestLen && j - i > 1) { bestStart = i; bestLen = j - i; }
    i = j;
  }
  const part = (a: number[]) => a.map((x) => x.toString(16)).join(':');
  if (bestStart < 0) return part(g);
  return `${part(g.slice(0, bestStart))}::${part(g.slice(bestStart + bestLen))}`;
}

function etherTypeText(t: number): string {
  return `${hexN(t, 4)}${ETHERTYPES[t] ? ` (${ETHERTYPES[t]})` : ''}`;
}

class Builder {
  readonly fields: HeaderField[] = [];
  constructor(readonly d: Uint8Array) {}
  add(layer: HeaderLayer, name: string, key: string, offset: number, length: number, value: string): boolean {
    if (offset + length > this.d.length) return false;
    this.fields.push({ layer, name, key, offset, length, value });
    return true;
  }
}

/**
 * Header fields of a captured packet, outermost first. Stops at the first
 * layer it does not decode (tunnels are not followed: their inner headers are
 * rare in the captures this tool is for, and the analysis notes them anyway).
 */
export function packetHeaderFields(linkType: number, data: Uint8Array): PacketHeaders {
  const b = new Builder(data);
  const result = (note: string | null, payload: PacketHeaders['payload'] = null): PacketHeaders => ({ fields: b.fields, payload, note });
  const n = data.length;
  let off = 0;
  let etherType = -1;
  switch (linkType) {
    case LT.ETHERNET: {
      if (n < 14) return result('truncated Ethernet header');
      b.add('Ethernet', 'Destination', 'eth.dst', 0, 6, mac(data, 0));
      b.add('Ethernet', 'Source', 'eth.src', 6, 6, mac(data, 6));
      etherType = u16(data, 12);
      b.add('Ethernet', 'Type', 'eth.type', 12, 2, etherTypeText(etherType));
      off = 14;
      break;
    }
    case LT.LINUX_SLL: {
      if (n < 16) return result('truncated Linux cooked header');
      const pktType = u16(data, 0);
      b.add('Linux cooked', 'Packet type', 'sll.pkttype', 0, 2, `${pktType}${SLL_PACKET_TYPES[pktType] ? ` (${SLL_PACKET_TYPES[pktType]})` : ''}`);
      b.add('Linux cooked', 'Link-layer address type', 'sll.hatype', 2, 2, String(u16(data, 2)));
      const alen = u16(data, 4);
      b.add('Linux cooked', 'Link-layer address length', 'sll.halen', 4, 2, String(alen));
      b.add('Linux cooked', 'Source', 'sll.src', 6, 8, hexBytes(data, 6, Math.min(alen, 8), ':'));
      etherType = u16(data, 14);
      b.add('Linux cooked', 'Protocol', 'sll.etype', 14, 2, etherTypeText(etherType));
      off = 16;
      break;
    }
    case LT.LINUX_SLL2: {
      if (n < 20) return result('truncated Linux cooked v2 header');
      etherType = u16(data, 0);
      b.add('Linux cooked v2', 'Protocol', 'sll.etype', 0, 2, etherTypeText(etherType));
      b.add('Linux cooked v2', 'Reserved', 'sll.reserved', 2, 2, hexN(u16(data, 2), 4));
      b.add('Linux cooked v2', 'Interface index', 'sll.ifindex', 4, 4, String(u32(data, 4)));
      b.add('Linux cooked v2', 'Link-layer address type', 'sll.hatype', 8, 2, String(u16(data, 8)));
      b.add('Linux cooked v2', 'Packet type', 'sll.pkttype', 10, 1, `${data[10]}${SLL_PACKET_TYPES[data[10]] ? ` (${SLL_PACKET_TYPES[data[10]]})` : ''}`);
      b.add('Linux cooked v2', 'Link-layer address length', 'sll.halen', 11, 1, String(data[11]));
      b.add('Linux cooked v2', 'Source', 'sll.src', 12, 8, hexBytes(data, 12, Math.min(data[11], 8), ':'));
      off = 20;
      break;
    }
    case LT.NULL:
    case LT.LOOP: {
      if (n < 4) return result('truncated loopback header');
      const le = (data[1] | data[2] | data[3]) === 0 && linkType === LT.NULL;
      const family = le ? data[0] : u32(data, 0);
      b.add('Null/Loopback', 'Family', 'null.family', 0, 4, `${family}${family === 2 ? ' (IPv4)' : [10, 24, 28, 30].includes(family) ? ' (IPv6)' : ''}`);
      off = 4;
      break;
    }
    case LT.RAW: case LT.RAW12: case LT.RAW14: case LT.IPV4: case LT.IPV6:
      break;
    default:
      return result(`link type ${linkType} is not decoded`);
  }
  // VLAN tags between the link header and IP.
  while (etherType === 0x8100 || etherType === 0x88a8 || etherType === 0x9100) {
    if (off + 4 > n) return result('truncated VLAN tag');
    const tci = u16(data, off);
    b.add('VLAN', 'Tag control (priority, DEI, ID)', 'vlan.tci', off, 2, `priority ${tci >> 13}, DEI ${(tci >> 12) & 1}, ID ${tci & 0xfff}`);
    etherType = u16(data, off + 2);
    b.add('VLAN', 'Type', 'vlan.etype', off + 2, 2, etherTypeText(etherType));
    off += 4;
  }
  if (etherType !== -1 && etherType !== 0x0800 && etherType !== 0x86dd) return result(`ethertype ${etherTypeText(etherType)} is not IP`);
  if (off >= n) return result('no IP header');
  const version = data[off] >> 4;
  if (version === 4) return ipv4Fields(b, off, result);
  if (version === 6) return ipv6Fields(b, off, result);
  return result(`IP version nibble ${version}`);
}

const SLL_PACKET_TYPES: Record<number, string> = { 0: 'unicast to us', 1: 'broadcast', 2: 'multicast', 3: 'unicast to another host', 4: 'sent by us' };

type Finish = (note: string | null, payload?: PacketHeaders['payload']) => PacketHeaders;

function ipv4Fields(b: Builder, off: number, finish: Finish): PacketHeaders {
  const d = b.d;
  if (off + 20 > d.length) return finish('truncated IPv4 header');
  const ihl = (d[off] & 0x0f) * 4;
  b.add('IPv4', 'Version / Header length', 'ip.hdr_len', off, 1, `version 4, header ${ihl} bytes`);
  const tos = d[off + 1];
  b.add('IPv4', 'Differentiated services (DSCP / ECN)', 'ip.dsfield', off + 1, 1, `${hexN(tos, 2)} (DSCP ${tos >> 2}, ECN ${tos & 3})`);
  const total = u16(d, off + 2);
  b.add('IPv4', 'Total length', 'ip.len', off + 2, 2, String(total));
  b.add('IPv4', 'Identification', 'ip.id', off + 4, 2, `${hexN(u16(d, off + 4), 4)} (${u16(d, off + 4)})`);
  const ff = u16(d, off + 6);
  const flags = [ff & 0x8000 ? 'reserved' : '', ff & 0x4000 ? "Don't fragment" : '', ff & 0x2000 ? 'More fragments' : ''].filter(Boolean).join(', ');
  b.add('IPv4', 'Flags / Fragment offset', 'ip.flags', off + 6, 2, `${hexN(ff, 4)}${flags ? ` (${flags})` : ''}, offset ${(ff & 0x1fff) * 8}`);
  b.add('IPv4', 'Time to Live', 'ip.ttl', off + 8, 1, String(d[off + 8]));
  const proto = d[off + 9];
  b.add('IPv4', 'Protocol', 'ip.proto', off + 9, 1, `${proto}${IP_PROTOCOLS[proto] ? ` (${IP_PROTOCOLS[proto]})` : ''}`);
  b.add('IPv4', 'Header checksum', 'ip.checksum', off + 10, 2, hexN(u16(d, off + 10), 4));
  b.add('IPv4', 'Source address', 'ip.src', off + 12, 4, ipv4(d, off + 12));
  b.add('IPv4', 'Destination address', 'ip.dst', off + 16, 4, ipv4(d, off + 16));
  if (ihl < 20) return finish(`IPv4 header length ${ihl} is below 20`);
  if (ihl > 20) b.add('IPv4', 'Options', 'ip.options', off + 20, Math.min(ihl - 20, d.length - off - 20), hexBytes(d, off + 20, ihl - 20));
  if ((ff & 0x1fff) !== 0) return finish('IPv4 fragment (not the first)');
  const end = total >= ihl ? Math.min(d.length, off + total) : d.length;
  return transport(b, proto, off + ihl, end, finish);
}

function ipv6Fields(b: Builder, off: number, finish: Finish): PacketHeaders {
  const d = b.d;
  if (off + 40 > d.length) return finish('truncated IPv6 header');
  const w = u32(d, off);
  b.add('IPv6', 'Version / Traffic class / Flow label', 'ipv6.flow', off, 4, `version 6, class ${hexN((w >>> 20) & 0xff, 2)}, flow ${hexN(w & 0xfffff, 5)}`);
  const plen = u16(d, off + 4);
  b.add('IPv6', 'Payload length', 'ipv6.plen', off + 4, 2, String(plen));
  let next = d[off + 6];
  b.add('IPv6', 'Next header', 'ipv6.nxt', off + 6, 1, `${next}${IP_PROTOCOLS[next] ? ` (${IP_PROTOCOLS[next]})` : ''}`);
  b.add('IPv6', 'Hop limit', 'ipv6.hlim', off + 7, 1, String(d[off + 7]));
  b.add('IPv6', 'Source address', 'ipv6.src', off + 8, 16, ipv6Text(d, off + 8));
  b.add('IPv6', 'Destination address', 'ipv6.dst', off + 24, 16, ipv6Text(d, off + 24));
  let p = off + 40;
  const end = plen === 0 ? d.length : Math.min(d.length, off + 40 + plen);
  for (let guard = 0; guard < 16; guard++) {
    if (next === 0 || next === 43 || next === 60 || next === 44 || next === 51) {
      if (p + 8 > d.length) return finish('truncated IPv6 extension header');
      const len = next === 44 ? 8 : next === 51 ? (d[p + 1] + 2) * 4 : (d[p + 1] + 1) * 8;
      const name = next === 0 ? 'Hop-by-hop options' : next === 43 ? 'Routing header' : next === 60 ? 'Destination options' : next === 44 ? 'Fragment header' : 'Authentication header';
      b.add('IPv6', name, 'ipv6.ext', p, Math.min(len, d.length - p), `next header ${d[p]}, ${len} bytes`);
      if (next === 44 && (u16(d, p + 2) >> 3) !== 0) return finish('IPv6 fragment (not the first)');
      next = d[p];
      p += len;
      continue;
    }
    return transport(b, next, p, end, finish);
  }
  return finish('too many IPv6 extension headers');
}

function transport(b: Builder, proto: number, off: number, end: number, finish: Finish): PacketHeaders {
  const d = b.d;
  if (proto === 17) {
    if (off + 8 > d.length) return finish('truncated UDP header');
    b.add('UDP', 'Source port', 'udp.srcport', off, 2, String(u16(d, off)));
    b.add('UDP', 'Destination port', 'udp.dstport', off + 2, 2, String(u16(d, off + 2)));
    b.add('UDP', 'Length', 'udp.length', off + 4, 2, String(u16(d, off + 4)));
    b.add('UDP', 'Checksum', 'udp.checksum', off + 6, 2, hexN(u16(d, off + 6), 4));
    return finish('UDP payload is not decoded');
  }
  if (proto !== 6) return finish(`IP protocol ${proto}${IP_PROTOCOLS[proto] ? ` (${IP_PROTOCOLS[proto]})` : ''} is not decoded`);
  if (off + 20 > d.length) return finish('truncated TCP header');
  b.add('TCP', 'Source port', 'tcp.srcport', off, 2, String(u16(d, off)));
  b.add('TCP', 'Destination port', 'tcp.dstport', off + 2, 2, String(u16(d, off + 2)));
  b.add('TCP', 'Sequence number (raw)', 'tcp.seq_raw', off + 4, 4, String(u32(d, off + 4)));
  b.add('TCP', 'Acknowledgment number (raw)', 'tcp.ack_raw', off + 8, 4, String(u32(d, off + 8)));
  const hlen = (d[off + 12] >> 4) * 4;
  const flags = u16(d, off + 12) & 0x01ff;
  b.add('TCP', 'Header length / Flags', 'tcp.flags', off + 12, 2, `header ${hlen} bytes, flags ${hexN(flags, 3)} (${tcpFlagNames(flags)})`);
  b.add('TCP', 'Window', 'tcp.window_size_value', off + 14, 2, String(u16(d, off + 14)));
  b.add('TCP', 'Checksum', 'tcp.checksum', off + 16, 2, hexN(u16(d, off + 16), 4));
  b.add('TCP', 'Urgent pointer', 'tcp.urgent_pointer', off + 18, 2, String(u16(d, off + 18)));
  if (hlen < 20) return finish(`TCP header length ${hlen} is below 20`);
  tcpOptions(b, off + 20, Math.min(off + hlen, d.length));
  const payloadOffset = Math.min(off + hlen, d.length);
  return finish(null, { offset: payloadOffset, length: Math.max(0, Math.min(end, d.length) - payloadOffset) });
}

function tcpFlagNames(f: number): string {
  const names = ['FIN', 'SYN', 'RST', 'PSH', 'ACK', 'URG', 'ECE', 'CWR', 'AE'];
  const on = names.filter((_, i) => (f & (1 << i)) !== 0);
  return on.length ? on.join(', ') : 'none';
}

function tcpOptions(b: Builder, p: number, end: number): void {
  const d = b.d;
  while (p < end) {
    const kind = d[p];
    const name = TCP_OPTIONS[kind] ?? `Option ${kind}`;
    if (kind === 0 || kind === 1) {
      b.add('TCP', `Option: ${name}`, 'tcp.option_kind', p, 1, String(kind));
      p++;
      if (kind === 0) {
        if (p < end) b.add('TCP', 'Option padding', 'tcp.options', p, end - p, hexBytes(d, p, end - p));
        return;
      }
      continue;
    }
    if (p + 1 >= end) {
      b.add('TCP', `Option: ${name} (truncated)`, 'tcp.option_kind', p, 1, String(kind));
      return;
    }
    const len = d[p + 1];
    if (len < 2 || p + len > end) {
      b.add('TCP', `Option: ${name} (bad length ${len})`, 'tcp.options', p, end - p, hexBytes(d, p, end - p));
      return;
    }
    let value = hexBytes(d, p + 2, len - 2);
    if (kind === 2 && len === 4) value = `${u16(d, p + 2)} bytes`;
    else if (kind === 3 && len === 3) value = `shift ${d[p + 2]} (×${2 ** Math.min(d[p + 2], 14)})`;
    else if (kind === 4) value = 'yes';
    else if (kind === 8 && len === 10) value = `TSval ${u32(d, p + 2)}, TSecr ${u32(d, p + 6)}`;
    else if (kind === 5) {
      const blocks: string[] = [];
      for (let q = p + 2; q + 8 <= p + len; q += 8) blocks.push(`${u32(d, q)}-${u32(d, q + 4)}`);
      value = blocks.join(', ');
    }
    b.add('TCP', `Option: ${name}`, 'tcp.option', p, len, value);
    p += len;
  }
}

/** The innermost header field holding byte `offset`, if any. */
export function headerFieldAt(headers: PacketHeaders, offset: number): HeaderField | null {
  let best: HeaderField | null = null;
  for (const f of headers.fields) {
    if (offset >= f.offset && offset < f.offset + f.length && (!best || f.length <= best.length)) best = f;
  }
  return best;
}
