/**
 * The handshake messages of a DTLS association, reassembled (reassembly.ts)
 * and decoded by the TLS decoder the TCP path uses. A message is given to the
 * decoder as TLS would carry it (type, 24-bit length, body) with a piecewise
 * map from message positions to the virtual stream: the type and length are
 * the first fragment's header bytes, the body is wherever each fragment put
 * it, so every field's range points at the capture.
 */
import { decodeHandshakeMessage, newConnectionInfo, type ConnectionInfo } from '../tls/handshake';
import { MsgCtx, PiecewiseMap } from '../tls/reader';
import { RangeMap, type Direction, type HandshakeMessage, type Span } from '../tls/types';
import { ENCRYPTED_HANDSHAKE_NAME, ENCRYPTED_HANDSHAKE_TYPE } from '../../../shared/tls/registry/handshakeTypes';
import type { DtlsConnection, Side } from './connection';
import { complete } from './reassembly';
import { CT } from './record';

export interface DtlsHandshakeProblem {
  side: Side;
  code: string;
  message: string;
  span: Span;
  severity: 'error' | 'warning' | 'info';
}

export interface DtlsMessage {
  side: Side;
  message: HandshakeMessage;
  messageSeq: number | null;
}

/** The TLS version a DTLS version stands for: the TLS decoders compare versions (e.g. ≥ TLS 1.2 adds signature algorithms). */
const TLS_OF_DTLS: ReadonlyMap<number, number> = new Map([[0xfeff, 0x0302], [0x0100, 0x0302], [0xfefd, 0x0303], [0xfefc, 0x0304]]);

export function tlsEquivalent(v: number): number {
  return TLS_OF_DTLS.get(v) ?? v;
}

export function decodeDtlsHandshake(conn: DtlsConnection, dirOf: (s: Side) => Direction): { messages: DtlsMessage[]; problems: DtlsHandshakeProblem[] } {
  const problems: DtlsHandshakeProblem[] = [];
  const info = newConnectionInfo();
  const bySide: Record<Side, DtlsMessage[]> = { a: [], b: [] };
  // The server's messages first: the client's ClientKeyExchange is read by the suite the ServerHello chose.
  const order: Side[] = dirOf('a') === 'server' ? ['a', 'b'] : ['b', 'a'];
  for (const side of order) {
    const from = dirOf(side);
    const seqs = [...conn.handshake[side].messages.keys()].sort((x, y) => x - y);
    for (const seq of seqs) {
      const m = conn.handshake[side].messages.get(seq)!;
      if (!complete(m)) {
        const have = m.covered.reduce((n, [a, b]) => n + b - a, 0);
        problems.push({
          side, code: 'dtls.message-incomplete', severity: 'warning', span: [m.headerPos, m.headerPos + 12],
          message: `${from}: handshake message_seq ${seq} (type ${m.type}, ${m.length} bytes): ${m.bytes === null ? 'not held' : `only ${have} bytes of its fragments were captured`}`,
        });
        continue;
      }
      const buf = new Uint8Array(4 + m.length);
      buf[0] = m.type;
      buf[1] = m.length >> 16;
      buf[2] = (m.length >> 8) & 0xff;
      buf[3] = m.length & 0xff;
      buf.set(m.bytes!, 4);
      const map = new PiecewiseMap();
      // Type and length: the first fragment header's bytes 0–3 (12-byte header: type, length, message_seq, offset, fragment length).
      map.add(0, m.headerPos);
      for (const p of m.pieces) map.add(4 + p.offset, p.streamPos);
      const ctx = new MsgCtx(buf, map, from, (code, message, span, severity) => problems.push({ side, code, message, span, severity }));
      const msg = decodeHandshakeMessage(ctx, { from, record: 0, recordVersion: 0, recordVersionSpan: null, afterGap: false, conn: info, dtls: true });
      fixVersion(info);
      bySide[side].push({ side, message: msg, messageSeq: seq });
    }
    // Handshake records after the epoch changed are encrypted (Finished, and in DTLS 1.3 everything after ServerHello).
    for (const r of conn.records) {
      if (r.side !== side) continue;
      // DTLS 1.3's unified header keeps the epoch's two low bits: 2 is the handshake epoch (RFC 9147 §6.1).
      const encryptedHandshake = (r.form === 'plaintext' && r.contentType === CT.handshake && r.epoch > 0) || (r.form === 'unified' && r.epoch === 2);
      if (!encryptedHandshake) continue;
      bySide[side].push({
        side, messageSeq: null,
        message: { type: ENCRYPTED_HANDSHAKE_TYPE, name: ENCRYPTED_HANDSHAKE_NAME, from, span: r.span, length: r.length, record: 0, ranges: new RangeMap() },
      });
    }
  }
  // Capture order across both sides: positions of different sides are not comparable, so order by the packet they began in.
  const packetOf = (m: DtlsMessage) => conn.maps[m.side].packetAt(m.message.span[0]);
  const messages = [...bySide.a, ...bySide.b].sort((x, y) => packetOf(x) - packetOf(y) || (x.side === y.side ? x.message.span[0] - y.message.span[0] : 0));
  return { messages, problems };
}

function fixVersion(info: ConnectionInfo): void {
  if (info.version !== null) info.version = tlsEquivalent(info.version);
}
