/**
 * The TLS handshake messages carried in a QUIC connection's Initial CRYPTO
 * streams, decoded by the TLS decoder the TCP path uses. Stream offsets map
 * back to the capture through a StreamMap built from the CRYPTO pieces:
 * decrypted bytes have the position of their ciphertext.
 */
import { StreamMap } from '../tcp/streamMap';
import { decodeHandshakeMessage, newConnectionInfo } from '../tls/handshake';
import { LinearMap, MsgCtx } from '../tls/reader';
import type { Direction, HandshakeMessage, Span } from '../tls/types';
import type { QuicConnection } from './connection';

export interface QuicHandshakeProblem {
  from: Direction;
  code: string;
  message: string;
  span: Span;
  severity: 'error' | 'warning' | 'info';
}

export interface QuicHandshake {
  messages: HandshakeMessage[];
  problems: QuicHandshakeProblem[];
  maps: Record<Direction, StreamMap>;
}

export function decodeQuicHandshake(conn: QuicConnection): QuicHandshake {
  const messages: HandshakeMessage[] = [];
  const problems: QuicHandshakeProblem[] = [];
  const info = newConnectionInfo();
  const maps: Record<Direction, StreamMap> = { client: new StreamMap(), server: new StreamMap() };
  for (const from of ['client', 'server'] as const) {
    const { bytes, pieces } = conn.crypto[from].contiguous();
    for (const p of pieces) {
      const src = conn.sources[p.tag];
      maps[from].add({
        start: p.offset, end: p.offset + p.data.length, packet: src.packet,
        fileOffset: src.fileOffset < 0 ? -1 : src.fileOffset + p.origin, text: src.text, textIndex: src.textIndex + p.origin,
      });
    }
    let pos = 0;
    while (bytes.length - pos >= 4) {
      const len = (bytes[pos + 1] << 16) | (bytes[pos + 2] << 8) | bytes[pos + 3];
      if (pos + 4 + len > bytes.length) {
        problems.push({
          from, code: 'quic.crypto-incomplete', severity: 'warning', span: [pos, bytes.length],
          message: `handshake message of ${len} bytes at CRYPTO offset ${pos}: only ${bytes.length - pos - 4} bytes were captured in Initial packets`,
        });
        break;
      }
      const ctx = new MsgCtx(bytes.subarray(pos, pos + 4 + len), new LinearMap(pos), from, (code, message, span, severity) => {
        problems.push({ from, code, message, span, severity });
      });
      // QUIC has no TLS record layer: record version 0 says so.
      messages.push(decodeHandshakeMessage(ctx, { from, record: 0, recordVersion: 0, recordVersionSpan: null, afterGap: false, conn: info }));
      pos += 4 + len;
    }
    for (const [a, b] of conn.crypto[from].gaps()) {
      problems.push({ from, code: 'quic.crypto-gap', severity: 'warning', span: [a, a], message: `CRYPTO bytes ${a}–${b} of the Initial packets were never captured (or not decrypted)` });
    }
  }
  return { messages, problems, maps };
}
