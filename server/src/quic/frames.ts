/**
 * Frames of a decrypted packet (RFC 9000 §19, DATAGRAM of RFC 9221). In
 * Initial and Handshake payloads only the frames allowed there are decoded
 * (§12.4); in 0-RTT and 1-RTT payloads every frame type of RFC 9000 is. Any
 * other type stops the walk with a note, since a frame's length is only known
 * from its type. STREAM and DATAGRAM data are located, never copied.
 */
import { Buffer } from 'node:buffer';
import { readVarint } from './varint';

export interface QuicFrame {
  type: number;
  name: string;
  /** Offset and length in the plaintext. */
  offset: number;
  length: number;
  /** CRYPTO: the stream offset and where its data starts in the plaintext. */
  cryptoOffset?: number;
  dataOffset?: number;
  dataLength?: number;
  /** ACK */
  largestAcknowledged?: number;
  ackDelay?: number;
  ackRanges?: number;
  /** STREAM: the stream, and (in dataOffset/dataLength) where its data is. */
  streamId?: number;
  /** NEW_CONNECTION_ID */
  sequence?: number;
  retirePriorTo?: number;
  /** NEW_CONNECTION_ID: the connection ID, hex. */
  connectionId?: string;
  /** CONNECTION_CLOSE */
  errorCode?: number;
  frameType?: number;
  reason?: string;
  /** PADDING: a run of padding bytes is one frame. */
}

export interface FrameWalk {
  frames: QuicFrame[];
  problem: { message: string; offset: number } | null;
}

const NAMES: Record<number, string> = {
  0x00: 'PADDING', 0x01: 'PING', 0x02: 'ACK', 0x03: 'ACK', 0x04: 'RESET_STREAM', 0x05: 'STOP_SENDING',
  0x06: 'CRYPTO', 0x07: 'NEW_TOKEN', 0x10: 'MAX_DATA', 0x11: 'MAX_STREAM_DATA', 0x12: 'MAX_STREAMS', 0x13: 'MAX_STREAMS',
  0x14: 'DATA_BLOCKED', 0x15: 'STREAM_DATA_BLOCKED', 0x16: 'STREAMS_BLOCKED', 0x17: 'STREAMS_BLOCKED',
  0x18: 'NEW_CONNECTION_ID', 0x19: 'RETIRE_CONNECTION_ID', 0x1a: 'PATH_CHALLENGE', 0x1b: 'PATH_RESPONSE',
  0x1c: 'CONNECTION_CLOSE', 0x1d: 'CONNECTION_CLOSE', 0x1e: 'HANDSHAKE_DONE', 0x30: 'DATAGRAM', 0x31: 'DATAGRAM',
};

export function frameName(type: number): string {
  if (type >= 0x08 && type <= 0x0f) return 'STREAM';
  return NAMES[type] ?? `0x${type.toString(16)}`;
}

/** Reason phrases kept per CONNECTION_CLOSE: they are attacker-chosen text. */
const REASON_CAP = 256;

/**
 * `all`: the payload of a 0-RTT or 1-RTT packet, where every frame type may
 * come; otherwise an Initial or Handshake payload (CRYPTO, ACK, PADDING, PING,
 * CONNECTION_CLOSE; HANDSHAKE_DONE is tolerated as before).
 */
export function parseFrames(pt: Uint8Array, all = false): FrameWalk {
  const frames: QuicFrame[] = [];
  let p = 0;
  const end = pt.length;
  const fail = (message: string, offset: number): FrameWalk => ({ frames, problem: { message, offset } });
  while (p < end) {
    const start = p;
    const t = readVarint(pt, p, end);
    if (t === null) return fail('frame type truncated', p);
    p += t.length;
    const type = t.value;
    const f: QuicFrame = { type, name: frameName(type), offset: start, length: 0 };
    const v = (what: string): number => {
      const r = readVarint(pt, p, end);
      if (r === null) throw new FrameStop(`${f.name}: ${what} truncated`, p);
      p += r.length;
      return r.value;
    };
    try {
      switch (type) {
        case 0x00:
          while (p < end && pt[p] === 0) p++;
          break;
        case 0x01: case 0x1e:
          break;
        case 0x02: case 0x03: {
          f.largestAcknowledged = v('largest acknowledged');
          f.ackDelay = v('ACK delay');
          const count = v('ACK range count');
          f.ackRanges = count + 1;
          v('first ACK range');
          for (let i = 0; i < count; i++) { v('gap'); v('ACK range length'); }
          if (type === 0x03) { v('ECT0 count'); v('ECT1 count'); v('ECN-CE count'); }
          break;
        }
        case 0x06: {
          f.cryptoOffset = v('offset');
          const len = v('length');
          if (p + len > end) throw new FrameStop(`CRYPTO: length ${len} runs past the packet (${end - p} bytes left)`, p);
          f.dataOffset = p;
          f.dataLength = len;
          p += len;
          break;
        }
        case 0x08: case 0x09: case 0x0a: case 0x0b: case 0x0c: case 0x0d: case 0x0e: case 0x0f: {
          if (!all) return fail(`frame type ${f.name} is not expected here: the rest of the payload is not decoded`, start);
          f.streamId = v('stream ID');
          if (type & 0x04) v('offset');
          const len = type & 0x02 ? v('length') : end - p;
          if (p + len > end) throw new FrameStop(`STREAM: length ${len} runs past the packet (${end - p} bytes left)`, p);
          f.dataOffset = p;
          f.dataLength = len;
          p += len;
          break;
        }
        case 0x30: case 0x31: {
          if (!all) return fail(`frame type ${f.name} is not expected here: the rest of the payload is not decoded`, start);
          const len = type === 0x31 ? v('length') : end - p;
          if (p + len > end) throw new FrameStop(`DATAGRAM: length ${len} runs past the packet (${end - p} bytes left)`, p);
          f.dataOffset = p;
          f.dataLength = len;
          p += len;
          break;
        }
        case 0x18: {
          if (!all) return fail(`frame type ${f.name} is not expected here: the rest of the payload is not decoded`, start);
          f.sequence = v('sequence number');
          f.retirePriorTo = v('retire prior to');
          const n = p < end ? pt[p++] : -1;
          // 1..20 bytes (RFC 9000 §19.15), then the 16-byte stateless reset token.
          if (n < 1 || n > 20) throw new FrameStop(`NEW_CONNECTION_ID: connection ID length ${n < 0 ? 'truncated' : n} (1..20 allowed)`, p - 1);
          if (p + n + 16 > end) throw new FrameStop('NEW_CONNECTION_ID: runs past the packet', p);
          f.connectionId = Buffer.from(pt.subarray(p, p + n)).toString('hex');
          p += n + 16;
          break;
        }
        case 0x04: case 0x05: case 0x07: case 0x10: case 0x11: case 0x12: case 0x13: case 0x14: case 0x15: case 0x16: case 0x17:
        case 0x19: case 0x1a: case 0x1b: {
          if (!all) return fail(`frame type ${f.name} is not expected here: the rest of the payload is not decoded`, start);
          skipFields(type, v, () => {
            if (p + 8 > end) throw new FrameStop(`${f.name}: data truncated`, p);
            p += 8;
          }, (n) => {
            if (p + n > end) throw new FrameStop(`${f.name}: token of ${n} bytes runs past the packet`, p);
            p += n;
          });
          break;
        }
        case 0x1c: case 0x1d: {
          f.errorCode = v('error code');
          if (type === 0x1c) f.frameType = v('frame type');
          const len = v('reason phrase length');
          if (p + len > end) throw new FrameStop(`CONNECTION_CLOSE: reason length ${len} runs past the packet`, p);
          f.reason = Buffer.from(pt.subarray(p, p + Math.min(len, REASON_CAP))).toString('latin1');
          p += len;
          break;
        }
        default:
          return fail(`frame type ${f.name} is not expected here: the rest of the payload is not decoded`, start);
      }
    } catch (e) {
      if (e instanceof FrameStop) return fail(e.message, e.offset);
      throw e;
    }
    f.length = p - start;
    frames.push(f);
  }
  return { frames, problem: null };
}

/** The varint fields of the frames only skipped (RFC 9000 §19.4–§19.14, §19.16–§19.18). */
function skipFields(type: number, v: (what: string) => number, eight: () => void, bytes: (n: number) => void): void {
  switch (type) {
    case 0x04: v('stream ID'); v('error code'); v('final size'); return;
    case 0x05: v('stream ID'); v('error code'); return;
    case 0x07: bytes(v('token length')); return;
    case 0x11: case 0x15: v('stream ID'); v('limit'); return;
    case 0x1a: case 0x1b: eight(); return;
    default: v('value'); // MAX_DATA, MAX_STREAMS, DATA_BLOCKED, STREAMS_BLOCKED, RETIRE_CONNECTION_ID
  }
}

class FrameStop extends Error {
  constructor(message: string, readonly offset: number) {
    super(message);
  }
}
