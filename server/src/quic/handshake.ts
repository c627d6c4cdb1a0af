/**
 * The TLS handshake messages carried in a QUIC connection's Initial CRYPTO
 * streams (and Handshake ones, when a key log opened them), decoded by the TLS decoder the TCP path uses. Stream offsets map
 * back to the capture through a StreamMap built from the CRYPTO pieces:
 * decrypted bytes have the position of their ciphertext.
 */
import { StreamMap } from '../tcp/streamMap';
import { decodeHandshakeMessage, newConnectionInfo } from '../tls/handshake';
import { LinearMap, MsgCtx } from '../tls/reader';
import type { KeySourceKind } from '../../../shared/analysis';
import type { Direction, HandshakeMessage, Span } from '../tls/types';
import type { QuicConnection } from './connection';

export interface QuicHandshakeProblem {
  from: Direction;
  code: string;
  message: string;
  span: Span;
  severity: 'error' | 'warning' | 'info';
  /** The stream map of the CRYPTO stream `span` is in. */
  map: StreamMap;
}

export interface QuicHandshake {
  messages: HandshakeMessage[];
  problems: QuicHandshakeProblem[];
  /** Each message's CRYPTO stream map (Initial or Handshake space of its direction): spans are offsets in that stream. */
  mapOf: (m: HandshakeMessage) => StreamMap;
}

/**
 * Initial CRYPTO streams first, then the Handshake ones a key log opened
 * (connection.ts), both through one TLS decoder state: the Certificate is
 * read in TLS 1.3 form because the ServerHello said so.
 */
export function decodeQuicHandshake(conn: QuicConnection): QuicHandshake {
  const messages: HandshakeMessage[] = [];
  const problems: QuicHandshakeProblem[] = [];
  const maps = new Map<HandshakeMessage, StreamMap>();
  const info = newConnectionInfo();
  type Space = { name: string; crypto: QuicConnection['crypto']; decrypted: KeySourceKind | undefined; order: readonly Direction[] };
  const spaces: Space[] = [{ name: 'Initial', crypto: conn.crypto, decrypted: undefined, order: ['client', 'server'] }];
  // The server's Handshake flight (EncryptedExtensions … Finished) comes before the client's Finished.
  if (conn.decryption) spaces.push({ name: 'Handshake', crypto: conn.handshakeCrypto, decrypted: conn.decryption.keySource, order: ['server', 'client'] });
  for (const space of spaces) {
    for (const from of space.order) {
      const crypto = space.crypto[from];
      const { bytes, pieces } = crypto.contiguous();
      const map = new StreamMap();
      for (const p of pieces) {
        const src = conn.sources[p.tag];
        map.add({
          start: p.offset, end: p.offset + p.data.length, packet: src.packet,
          fileOffset: src.fileOffset < 0 ? -1 : src.fileOffset + p.origin, text: src.text, textIndex: src.textIndex + p.origin,
        });
      }
      let pos = 0;
      while (bytes.length - pos >= 4) {
        const len = (bytes[pos + 1] << 16) | (bytes[pos + 2] << 8) | bytes[pos + 3];
        if (pos + 4 + len > bytes.length) {
          problems.push({
            from, code: 'quic.crypto-incomplete', severity: 'warning', span: [pos, bytes.length], map,
            message: `handshake message of ${len} bytes at CRYPTO offset ${pos}: only ${bytes.length - pos - 4} bytes were captured in ${space.name} packets`,
          });
          break;
        }
        const ctx = new MsgCtx(bytes.subarray(pos, pos + 4 + len), new LinearMap(pos), from, (code, message, span, severity) => {
          problems.push({ from, code, message, span, severity, map });
        });
        // QUIC has no TLS record layer: record version 0 says so.
        const m = decodeHandshakeMessage(ctx, { from, record: 0, recordVersion: 0, recordVersionSpan: null, afterGap: false, conn: info });
        if (space.decrypted) m.decrypted = space.decrypted;
        maps.set(m, map);
        messages.push(m);
        pos += 4 + len;
      }
      for (const [a, b] of crypto.gaps()) {
        problems.push({ from, code: 'quic.crypto-gap', severity: 'warning', span: [a, a], map, message: `CRYPTO bytes ${a}–${b} of the ${space.name} packets were never captured (or not decrypted)` });
      }
    }
  }
  return { messages, problems, mapOf: (m) => maps.get(m)! };
}
