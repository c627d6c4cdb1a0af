import { LinkType } from './packet';

export const ETHERTYPE_IPV4 = 0x0800;
export const ETHERTYPE_IPV6 = 0x86dd;

/** Filled in by locateNetworkLayer(); allocate one and reuse it for every packet. */
export interface LinkInfo {
  /** Offset of the IPv4/IPv6 header in the packet data. */
  offset: number;
  /** 0x0800 or 0x86dd when found; otherwise the last protocol value seen (0 if none). */
  etherType: number;
  /** 802.1Q / 802.1ad / QinQ tags skipped. */
  vlanTags: number;
  /** Why no IP header was found; null on success. */
  note: string | null;
}

export function createLinkInfo(): LinkInfo {
  return { offset: 0, etherType: 0, vlanTags: 0, note: null };
}

const ETHERTYPE_NAMES: Record<number, string> = {
  0x0806: 'ARP',
  0x8035: 'RARP',
  0x809b: 'AppleTalk',
  0x8137: 'IPX',
  0x8808: 'Ethernet flow control',
  0x8809: 'slow protocols (LACP)',
  0x8847: 'MPLS unicast',
  0x8848: 'MPLS multicast',
  0x8863: 'PPPoE discovery',
  0x8864: 'PPPoE session',
  0x888e: 'EAPOL',
  0x88cc: 'LLDP',
  0x88e5: 'MACsec',
  0x88f7: 'PTP',
  0x9000: 'Ethernet loopback',
};

// Notes are cached per value so that a capture full of ARP or an unknown link
// type does not build a new string for every packet.
const etherTypeNotes = new Map<number, string>();
const linkTypeNotes = new Map<number, string>();
const familyNotes = new Map<number, string>();
const versionNotes: string[] = [];
for (let v = 0; v < 16; v++) versionNotes.push(`raw IP packet with version nibble ${v}, not IPv4 or IPv6`);

const NOTE_TRUNCATED = 'packet too short for its link-layer header';
const NOTE_NO_PAYLOAD = 'no bytes after the link-layer header';
const NOTE_LLC = 'IEEE 802.2 LLC frame without SNAP: not IP';
const NOTE_NETLINK = 'Linux netlink message: not IP';
const NOTE_PPP = 'PPPoE session frame carrying a non-IP PPP protocol';
const NOTE_ARP = 'ARP frame, not IP';

/**
 * An ARP header for IPv4 at `s` (RFC 826: hardware type Ethernet or IEEE 802,
 * protocol 0x0800, address lengths 6 and 4, operation request or reply):
 * what a dump that starts at the network layer shows for an ARP frame.
 */
export function isArpHeader(d: Uint8Array, s: number, end = d.length): boolean {
  if (end - s < 8) return false;
  const hw = (d[s] << 8) | d[s + 1];
  const op = (d[s + 6] << 8) | d[s + 7];
  return (hw === 1 || hw === 6) && d[s + 2] === 0x08 && d[s + 3] === 0x00 && d[s + 4] === 6 && d[s + 5] === 4 && (op === 1 || op === 2);
}

function etherTypeNote(t: number): string {
  let note = etherTypeNotes.get(t);
  if (note === undefined) {
    const hex = '0x' + t.toString(16).padStart(4, '0');
    const name = ETHERTYPE_NAMES[t];
    note = name ? `non-IP ethertype ${hex} (${name})` : `non-IP ethertype ${hex}`;
    etherTypeNotes.set(t, note);
  }
  return note;
}

function linkTypeNote(t: number): string {
  let note = linkTypeNotes.get(t);
  if (note === undefined) {
    note = `unsupported link type ${t}`;
    linkTypeNotes.set(t, note);
  }
  return note;
}

const NOTE_FAMILY = 'loopback header with an unrecognised address family';

function familyNote(f: number): string {
  // Real families are small; anything else is damage and not worth a cache entry.
  if (f > 255) return NOTE_FAMILY;
  let note = familyNotes.get(f);
  if (note === undefined) {
    note = `loopback address family ${f}: not IPv4 or IPv6`;
    familyNotes.set(f, note);
  }
  return note;
}

function fail(out: LinkInfo, note: string): false {
  out.note = note;
  return false;
}

function found(out: LinkInfo, end: number, offset: number, etherType: number): boolean {
  out.etherType = etherType;
  if (offset >= end) return fail(out, NOTE_NO_PAYLOAD);
  out.offset = offset;
  return true;
}

/** BSD AF_INET6 differs per OS: Linux 10, NetBSD/OpenBSD/BSDI 24, FreeBSD 28, Darwin 30. */
function fromFamily(out: LinkInfo, start: number, end: number, family: number): boolean {
  if (family === 2) return found(out, end, start + 4, ETHERTYPE_IPV4);
  if (family === 10 || family === 24 || family === 28 || family === 30) return found(out, end, start + 4, ETHERTYPE_IPV6);
  return fail(out, familyNote(family));
}

/**
 * Follows an ethertype (or SLL protocol) chain from `off`: VLAN tags of any
 * depth, 802.3 LLC/SNAP and PPPoE sessions, down to IPv4/IPv6.
 */
function fromEtherType(out: LinkInfo, data: Uint8Array, off: number, n: number, type: number): boolean {
  for (;;) {
    if (type === 0x8100 || type === 0x88a8 || type === 0x9100 || type === 0x9200) {
      if (off + 4 > n) return fail(out, NOTE_TRUNCATED);
      out.vlanTags++;
      type = (data[off + 2] << 8) | data[off + 3];
      off += 4;
      continue;
    }
    if (type <= 1500) {
      // An 802.3 length field, not a type: only SNAP-encapsulated payloads name a protocol.
      if (off + 8 > n) return fail(out, NOTE_TRUNCATED);
      if (data[off] !== 0xaa || data[off + 1] !== 0xaa || data[off + 2] !== 0x03) {
        out.etherType = type;
        return fail(out, NOTE_LLC);
      }
      type = (data[off + 6] << 8) | data[off + 7];
      off += 8;
      continue;
    }
    break;
  }
  if (type === ETHERTYPE_IPV4 || type === ETHERTYPE_IPV6) return found(out, n, off, type);
  out.etherType = type;
  if (type === 0x8864) {
    if (off + 8 > n) return fail(out, NOTE_TRUNCATED);
    const ppp = (data[off + 6] << 8) | data[off + 7];
    if (ppp === 0x0021) return found(out, n, off + 8, ETHERTYPE_IPV4);
    if (ppp === 0x0057) return found(out, n, off + 8, ETHERTYPE_IPV6);
    return fail(out, NOTE_PPP);
  }
  return fail(out, etherTypeNote(type));
}

/**
 * Finds the IPv4/IPv6 header inside a captured frame. Fills `out` (no
 * allocation) and returns true with out.offset/out.etherType set, or false
 * with out.note saying why (non-IP payload, truncated header, unknown link type).
 */
export function locateNetworkLayer(linkType: number, data: Uint8Array, out: LinkInfo): boolean {
  return locateNetworkLayerIn(linkType, data, 0, data.length, out);
}

/**
 * The same for a frame at data[start..end) (a packet inside a read buffer,
 * without a view of its own); out.offset is then an index into `data`.
 */
export function locateNetworkLayerIn(linkType: number, data: Uint8Array, start: number, end: number, out: LinkInfo): boolean {
  out.offset = 0;
  out.etherType = 0;
  out.vlanTags = 0;
  out.note = null;
  const n = end - start;
  const s = start;
  switch (linkType) {
    case LinkType.ETHERNET:
      if (n < 14) return fail(out, NOTE_TRUNCATED);
      return fromEtherType(out, data, s + 14, end, (data[s + 12] << 8) | data[s + 13]);
    case LinkType.LINUX_SLL: {
      if (n < 16) return fail(out, NOTE_TRUNCATED);
      const hatype = (data[s + 2] << 8) | data[s + 3];
      const proto = (data[s + 14] << 8) | data[s + 15];
      return fromSllProtocol(out, data, s + 16, end, hatype, proto);
    }
    case LinkType.LINUX_SLL2: {
      if (n < 20) return fail(out, NOTE_TRUNCATED);
      const proto = (data[s] << 8) | data[s + 1];
      const hatype = (data[s + 8] << 8) | data[s + 9];
      return fromSllProtocol(out, data, s + 20, end, hatype, proto);
    }
    case LinkType.RAW:
    case LinkType.RAW_ALT12:
    case LinkType.RAW_ALT14: {
      if (n < 1) return fail(out, NOTE_NO_PAYLOAD);
      const v = data[s] >> 4;
      if (v === 4) return found(out, end, s, ETHERTYPE_IPV4);
      if (v === 6) return found(out, end, s, ETHERTYPE_IPV6);
      // tcpdump -x/-X print an ARP packet from its own header, where an IP header would be.
      if (isArpHeader(data, s, end)) return fail(out, NOTE_ARP);
      return fail(out, versionNotes[v]);
    }
    case LinkType.IPV4:
      return found(out, end, s, ETHERTYPE_IPV4);
    case LinkType.IPV6:
      return found(out, end, s, ETHERTYPE_IPV6);
    case LinkType.NULL: {
      if (n < 4) return fail(out, NOTE_TRUNCATED);
      // Host byte order of the capturing machine; families are small, so the zero bytes tell the order.
      if ((data[s + 1] | data[s + 2] | data[s + 3]) === 0) return fromFamily(out, s, end, data[s]);
      if ((data[s] | data[s + 1] | data[s + 2]) === 0) return fromFamily(out, s, end, data[s + 3]);
      return fail(out, familyNote(((data[s] << 24) | (data[s + 1] << 16) | (data[s + 2] << 8) | data[s + 3]) >>> 0));
    }
    case LinkType.LOOP: {
      if (n < 4) return fail(out, NOTE_TRUNCATED);
      return fromFamily(out, s, end, ((data[s] << 24) | (data[s + 1] << 16) | (data[s + 2] << 8) | data[s + 3]) >>> 0);
    }
    default:
      return fail(out, linkTypeNote(linkType));
  }
}

function fromSllProtocol(out: LinkInfo, data: Uint8Array, off: number, end: number, hatype: number, proto: number): boolean {
  // ARPHRD_NETLINK: the protocol field is a netlink family, not an ethertype.
  if (hatype === 824) return fail(out, NOTE_NETLINK);
  // Linux uses 1 (ETH_P_802_3) and 4 (ETH_P_802_2) for frames without an ethertype.
  if (proto === 0x0004) {
    if (off + 8 > end) return fail(out, NOTE_TRUNCATED);
    if (data[off] === 0xaa && data[off + 1] === 0xaa && data[off + 2] === 0x03) {
      return fromEtherType(out, data, off + 8, end, (data[off + 6] << 8) | data[off + 7]);
    }
    out.etherType = proto;
    return fail(out, NOTE_LLC);
  }
  if (proto <= 1500) {
    out.etherType = proto;
    return fail(out, etherTypeNote(proto));
  }
  return fromEtherType(out, data, off, end, proto);
}
