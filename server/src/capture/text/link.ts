import { LinkType } from '../packet';
import { createLinkInfo, ETHERTYPE_IPV4, isArpHeader, locateNetworkLayer } from '../linkLayer';

/**
 * Text dumps do not say which link layer their bytes start with (tcpdump -x
 * starts at the IP header, -xx / tshark -x at the link header, whose kind
 * depends on the capture device), so it is inferred from the bytes: each
 * candidate is tried and scored by how well an IP header fits where that
 * candidate puts it. An IPv4 header checksum that verifies, or an IP length
 * that accounts exactly for the rest of the bytes, is near-certain evidence;
 * a MAC address that happens to start with 0x45 is not.
 */
const CANDIDATES = [LinkType.RAW, LinkType.ETHERNET, LinkType.LINUX_SLL, LinkType.LINUX_SLL2] as const;

const info = createLinkInfo();

function ipv4ChecksumOk(d: Uint8Array, off: number, ihl: number): boolean {
  let sum = 0;
  for (let i = 0; i < ihl; i += 2) sum += (d[off + i] << 8) | d[off + i + 1];
  while (sum > 0xffff) sum = (sum & 0xffff) + (sum >>> 16);
  return sum === 0xffff;
}

/** How well an IP header fits at `off`; -1 when none can be there. */
function ipScore(d: Uint8Array, off: number, etherType: number): number {
  const rest = d.length - off;
  if (rest < 1) return -1;
  const version = d[off] >> 4;
  if (etherType === ETHERTYPE_IPV4) {
    if (version !== 4) return -1;
    const ihl = (d[off] & 15) * 4;
    if (ihl < 20) return -1;
    if (rest < ihl) return rest >= 4 ? 1 : 0;
    let score = 1;
    if (ipv4ChecksumOk(d, off, ihl)) score += 4;
    const total = (d[off + 2] << 8) | d[off + 3];
    if (total === rest) score += 3;
    // Ethernet pads frames to 60 bytes (46 after the header) and some captures keep the 4-byte FCS.
    else if (total > ihl && total < rest && (rest <= 46 || rest - total === 4)) score += 2;
    else if (total > rest) score += 1;
    return score;
  }
  if (version !== 6 || rest < 8) return version === 6 ? 1 : -1;
  let score = 1;
  const payload = (d[off + 4] << 8) | d[off + 5];
  if (payload + 40 === rest) score += 4;
  else if (payload + 40 > rest) score += 1;
  const next = d[off + 6];
  if (next === 6 || next === 17 || next === 58 || next === 0 || next === 43 || next === 44 || next === 50 || next === 51 || next === 60) {
    score += 1;
  }
  return score;
}

/** Fixed fields of the cooked headers: a packet type 0..4 and a link address of at most 8 bytes. */
function headerScore(linkType: number, d: Uint8Array): number {
  switch (linkType) {
    case LinkType.LINUX_SLL:
      return d[0] === 0 && d[1] <= 4 && d[4] === 0 && d[5] <= 8 ? 2 : -10;
    case LinkType.LINUX_SLL2:
      return d[2] === 0 && d[3] === 0 && d[10] <= 4 && d[11] <= 8 ? 2 : -10;
    default:
      return 0;
  }
}

/**
 * Picks the link type of a dumped packet. `hint` is what the dump itself
 * suggests (a "link-type" line, or the previous packet): it wins ties and is
 * the answer when no candidate holds an IP header (ARP and the like).
 * `allowRaw` is false for formats that always include the link header.
 */
export function guessLinkType(d: Uint8Array, hint: number | null, allowRaw = true): number {
  let best = -1;
  let bestScore = 0;
  for (const lt of CANDIDATES) {
    if (lt === LinkType.RAW && !allowRaw) continue;
    if (!locateNetworkLayer(lt, d, info)) continue;
    const ip = ipScore(d, info.offset, info.etherType);
    if (ip < 0) continue;
    let score = ip + headerScore(lt, d);
    if (lt === hint) score += 1;
    if (score > bestScore || (score === bestScore && lt === hint)) {
      best = lt;
      bestScore = score;
    }
  }
  if (best >= 0) return best;
  // ARP as tcpdump -x/-X prints it (from the ARP header): no link header, whatever the packets before had.
  if (allowRaw && isArpHeader(d, 0)) return LinkType.RAW;
  if (hint !== null) return hint;
  // A plausible ethertype (>= 0x0600) where Ethernet keeps it: an Ethernet frame carrying something else than IP.
  if (d.length >= 14 && ((d[12] << 8) | d[13]) >= 0x0600) return LinkType.ETHERNET;
  return allowRaw ? LinkType.RAW : LinkType.ETHERNET;
}

/**
 * Length on the wire as far as the bytes tell: when the dump was cut (snap
 * length, or a damaged text we stopped reading), the IP header still says
 * how long the packet was.
 */
export function originalLength(linkType: number, d: Uint8Array): number {
  if (!locateNetworkLayer(linkType, d, info)) return d.length;
  const off = info.offset;
  let ipLen = 0;
  if (info.etherType === ETHERTYPE_IPV4) {
    if (off + 4 > d.length || d[off] >> 4 !== 4) return d.length;
    ipLen = (d[off + 2] << 8) | d[off + 3];
  } else {
    if (off + 6 > d.length || d[off] >> 4 !== 6) return d.length;
    const payload = (d[off + 4] << 8) | d[off + 5];
    // 0 is a jumbogram (or TSO): the real length is elsewhere.
    if (payload === 0) return d.length;
    ipLen = 40 + payload;
  }
  return Math.max(d.length, off + ipLen);
}

/** Link type named by tcpdump's "reading from file …, link-type NAME (…)" line. */
export function linkTypeFromName(name: string): number | null {
  switch (name) {
    case 'EN10MB':
      return LinkType.ETHERNET;
    case 'LINUX_SLL':
      return LinkType.LINUX_SLL;
    case 'LINUX_SLL2':
      return LinkType.LINUX_SLL2;
    case 'RAW':
    case 'IPV4':
    case 'IPV6':
      return LinkType.RAW;
    default:
      return null;
  }
}
