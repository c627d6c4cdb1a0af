/**
 * WebRTC's one-5-tuple multiplexing (RFC 7983, updated by RFC 9443): the
 * first byte of a datagram says what it is. STUN messages (RFC 8489) are
 * decoded far enough to name the ICE pair that carried a DTLS handshake:
 * USERNAME (the ICE ufrags), XOR-MAPPED-ADDRESS, transaction id, ICE role.
 */
import { hex } from '../quic/connection';

export type MuxClass = 'stun' | 'zrtp' | 'dtls' | 'turn-channel' | 'srtp' | 'srtcp' | 'other';

export function muxClass(buf: Uint8Array, p: number, end: number): MuxClass {
  const b = buf[p];
  if (b <= 3) return 'stun';
  if (b >= 16 && b <= 19) return 'zrtp';
  if (b >= 20 && b <= 63) return 'dtls';
  if (b >= 64 && b <= 79) return 'turn-channel';
  if (b >= 128 && b <= 191) {
    // RFC 5761 §4: RTCP packet types 192–223 sit where RTP's marker bit and payload type are.
    const pt = end - p > 1 ? buf[p + 1] : 0;
    return pt >= 192 && pt <= 223 ? 'srtcp' : 'srtp';
  }
  return 'other';
}

const MAGIC_COOKIE = 0x2112a442;

export interface StunMessage {
  /** 'request', 'indication', 'success' or 'error'. */
  class: 'request' | 'indication' | 'success' | 'error';
  method: number;
  methodName: string;
  /** Hex, 12 bytes. */
  transactionId: string;
  username?: string;
  /** From XOR-MAPPED-ADDRESS (or MAPPED-ADDRESS). */
  mappedAddress?: { address: string; port: number };
  iceRole?: 'controlling' | 'controlled';
  priority?: number;
  useCandidate?: boolean;
  software?: string;
  errorCode?: number;
}

const METHODS: ReadonlyMap<number, string> = new Map([[1, 'Binding'], [3, 'Allocate'], [4, 'Refresh'], [6, 'Send'], [7, 'Data'], [8, 'CreatePermission'], [9, 'ChannelBind']]);
const CLASSES = ['request', 'indication', 'success', 'error'] as const;

/** Text of at most 128 bytes, control characters escaped: attribute values are attacker-controlled. */
function text(buf: Uint8Array, a: number, b: number): string {
  let s = '';
  for (let i = a; i < Math.min(b, a + 128); i++) {
    const c = buf[i];
    s += c >= 0x20 && c < 0x7f ? String.fromCharCode(c) : `\\x${c.toString(16).padStart(2, '0')}`;
  }
  return b - a > 128 ? `${s}…` : s;
}


/** The STUN message filling buf[p..end), or null when the bytes are not one (RFC 8489 §6: zero top bits, magic cookie, length). */
export function parseStun(buf: Uint8Array, p: number, end: number): StunMessage | null {
  if (end - p < 20 || (buf[p] & 0xc0) !== 0) return null;
  const type = (buf[p] << 8) | buf[p + 1];
  const length = (buf[p + 2] << 8) | buf[p + 3];
  const cookie = ((buf[p + 4] << 24) | (buf[p + 5] << 16) | (buf[p + 6] << 8) | buf[p + 7]) >>> 0;
  if (cookie !== MAGIC_COOKIE || length % 4 !== 0 || p + 20 + length !== end) return null;
  const method = (type & 0x000f) | ((type & 0x00e0) >> 1) | ((type & 0x3e00) >> 2);
  const cls = ((type & 0x0100) >> 7) | ((type & 0x0010) >> 4);
  const m: StunMessage = {
    class: CLASSES[cls], method, methodName: METHODS.get(method) ?? `method 0x${method.toString(16)}`, transactionId: hex(buf.subarray(p + 8, p + 20)),
  };
  let q = p + 20;
  while (q + 4 <= end) {
    const at = (buf[q] << 8) | buf[q + 1];
    const len = (buf[q + 2] << 8) | buf[q + 3];
    const v = q + 4;
    if (v + len > end) break;
    switch (at) {
      case 0x0006: m.username = text(buf, v, v + len); break;
      case 0x0001: if (m.mappedAddress === undefined) m.mappedAddress = address(buf, v, len, null); break;
      case 0x0020: m.mappedAddress = address(buf, v, len, buf.subarray(p + 4, p + 20)) ?? m.mappedAddress; break;
      case 0x0024: if (len === 4) m.priority = ((buf[v] << 24) | (buf[v + 1] << 16) | (buf[v + 2] << 8) | buf[v + 3]) >>> 0; break;
      case 0x0025: m.useCandidate = true; break;
      case 0x8029: m.iceRole = 'controlled'; break;
      case 0x802a: m.iceRole = 'controlling'; break;
      case 0x8022: m.software = text(buf, v, v + len); break;
      case 0x0009: if (len >= 4) m.errorCode = (buf[v + 2] & 0x07) * 100 + buf[v + 3]; break;
      default: break;
    }
    q = v + ((len + 3) & ~3);
  }
  return m;
}

/** MAPPED-ADDRESS / XOR-MAPPED-ADDRESS (RFC 8489 §14.1–14.2); `xor` = magic cookie + transaction id. */
function address(buf: Uint8Array, v: number, len: number, xor: Uint8Array | null): { address: string; port: number } | undefined {
  if (len < 8) return undefined;
  const family = buf[v + 1];
  const port = ((buf[v + 2] << 8) | buf[v + 3]) ^ (xor ? 0x2112 : 0);
  if (family === 1) {
    const b = [0, 1, 2, 3].map((i) => buf[v + 4 + i] ^ (xor ? xor[i] : 0));
    return { address: b.join('.'), port };
  }
  if (family === 2 && len >= 20) {
    const words: string[] = [];
    for (let i = 0; i < 16; i += 2) {
      const hi = buf[v + 4 + i] ^ (xor ? xor[i] : 0);
      const lo = buf[v + 5 + i] ^ (xor ? xor[i + 1] : 0);
      words.push(((hi << 8) | lo).toString(16));
    }
    return { address: words.join(':').replace(/(^|:)0(:0)+(:|$)/, '::'), port };
  }
  return undefined;
}
