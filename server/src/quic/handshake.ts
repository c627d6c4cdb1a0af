/**
 * The TLS handshake messages carried in a QUIC connection's Initial CRYPTO
 * streams (and Handshake and 1-RTT ones, when a key log opened them), decoded by the TLS decoder the TCP path uses. Stream offsets map
 * back to the capture through a StreamMap built from the CRYPTO pieces:
 * decrypted bytes have the position of their ciphertext.
 */
import { Buffer } from 'node:buffer';
import { createHash } from 'node:crypto';
import { finishedVerifyData } from '../decrypt/tls13';
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
  /** Finished verify_data against the transcript (RFC 8446 §4.4.4), with a key log; null when not checked. */
  finished: Record<Direction, boolean | null>;
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
  const finished: Record<Direction, boolean | null> = { client: null, server: null };
  // The handshake messages in transcript order: the loops below walk them in it (CH, SH, server flight, client Finished).
  const keys = conn.decryption?.keys;
  const transcript = keys ? createHash(keys.hash) : null;
  type Space = { name: string; crypto: QuicConnection['crypto']; decrypted: KeySourceKind | undefined; order: readonly Direction[] };
  const spaces: Space[] = [{ name: 'Initial', crypto: conn.crypto, decrypted: undefined, order: ['client', 'server'] }];
  // The server's Handshake flight (EncryptedExtensions … Finished) comes before the client's Finished.
  if (conn.decryption) spaces.push({ name: 'Handshake', crypto: conn.handshakeCrypto, decrypted: conn.decryption.keySource, order: ['server', 'client'] });
  // Post-handshake messages (NewSessionTicket) in the 1-RTT packets a key log opened.
  if (conn.application) spaces.push({ name: '1-RTT', crypto: conn.applicationCrypto, decrypted: conn.application.keySource, order: ['server', 'client'] });
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
        if (transcript && keys) {
          const whole = bytes.subarray(pos, pos + 4 + len);
          if (m.type === 20 && space.decrypted && finished[from] === null) {
            const expected = finishedVerifyData(keys.hash, keys.secrets[from], transcript.copy().digest());
            finished[from] = Buffer.compare(Buffer.from(expected), Buffer.from(whole.subarray(4))) === 0;
          }
          transcript.update(whole);
        }
        maps.set(m, map);
        messages.push(m);
        pos += 4 + len;
      }
      for (const [a, b] of crypto.gaps()) {
        problems.push({ from, code: 'quic.crypto-gap', severity: 'warning', span: [a, a], map, message: `CRYPTO bytes ${a}–${b} of the ${space.name} packets were never captured (or not decrypted)` });
      }
    }
  }
  // A HelloRetryRequest puts a message_hash in the transcript (RFC 8446 §4.4.1): not rebuilt here, so not checked.
  if (messages.some((m) => m.serverHello?.helloRetryRequest)) {
    finished.client = null;
    finished.server = null;
  }
  return { messages, problems, finished, mapOf: (m) => maps.get(m)! };
}
