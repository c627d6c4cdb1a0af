/**
 * TLS record layer for one direction of one connection, fed the reassembled
 * TCP payload in order and in arbitrary chunks.
 *
 * Cost model: application-data records are skipped by arithmetic on the
 * remaining length (no copy, no allocation, O(1) per chunk); only the bodies of
 * handshake/alert/CCS/heartbeat records are kept, and only when a record is
 * split across chunks (a record wholly inside a chunk is decoded from a view of
 * it). Everything the decoder hands out is copied or converted to strings, as
 * the caller may reuse its chunk after push() returns.
 *
 * Encryption state per direction: TLS ≤ 1.2 switches at this direction's
 * ChangeCipherSpec (later handshake records become EncryptedHandshakeMessage,
 * alerts EncryptedAlert). TLS 1.3 (told via setTls13(), a shared
 * ConnectionInfo, or seen in this direction's own ServerHello) encrypts inside
 * type-23 records, so its CCS is the middlebox-compatibility dummy and type-22
 * records stay cleartext (a second ClientHello after HelloRetryRequest).
 *
 * SSL 2.0 (a stream whose first record has a 2-byte header with the high bit
 * set): the CLIENT-HELLO, SERVER-HELLO and CLIENT-MASTER-KEY are decoded;
 * once a direction has sent its last cleartext SSLv2 message (the server its
 * SERVER-HELLO, the client its CLIENT-MASTER-KEY, or its CLIENT-HELLO when
 * the server had the session) its records are walked with the SSLv2 header
 * (2 bytes, or 3 with a padding count) and counted as encrypted data. A
 * client whose SSLv2-framed hello is answered in TLS goes on in TLS.
 *
 * Lifecycle: `done` is true once nothing more will be decoded (end() called,
 * not TLS, or a fatal framing error). `wantsBytes()` is advisory: it turns
 * false when the handshake is over in this direction and `idleAfter`
 * application-data records went by (never, unless asked for); a caller that
 * stops feeding then loses record counts, sizes and closing alerts.
 */
import { LinearMap, MsgCtx, PiecewiseMap, printable, type OffsetMap } from './reader';
import { RangeMap, type Direction, type HandshakeMessage, type MessageDetails, type RecordProtection, type Span, type TlsRecord, type TlsSink } from './types';
import type { KeySourceKind } from '../../../shared/analysis';
import { decodeHandshakeMessage, newConnectionInfo, type ConnectionInfo } from './handshake';
import { decodeSslv2ClientHello } from './clientHello';
import { decodeSslv2ClientMasterKey, decodeSslv2ServerHello, SSLV2_CLIENT_HELLO, SSLV2_CLIENT_MASTER_KEY, SSLV2_SERVER_HELLO } from './sslv2';
import { alertDescriptionName } from '../../../shared/tls/registry/alerts';
import { ENCRYPTED_HANDSHAKE_NAME, ENCRYPTED_HANDSHAKE_TYPE } from '../../../shared/tls/registry/handshakeTypes';

export type { ConnectionInfo } from './handshake';
export { newConnectionInfo } from './handshake';

/** RFC 5246 §6.2.3: TLSCiphertext.length ≤ 2^14 + 2048. */
export const MAX_RECORD_LENGTH = 16384 + 2048;
const MAX_PLAINTEXT = 16384;
const DEFAULT_MAX_MESSAGE = 1 << 20;
/** By default a direction is walked to its end: record counts, sizes and closing alerts need every header. */
const DEFAULT_IDLE_AFTER = Infinity;

const CT_CCS = 20;
const CT_ALERT = 21;
const CT_HANDSHAKE = 22;
const CT_APPDATA = 23;
const CT_HEARTBEAT = 24;
const CT_SSLV2 = 0x80;

export interface TlsDecoderOptions {
  /** Handshake messages longer than this are treated as garbage (default 1 MiB). */
  maxMessageBytes?: number;
  /**
   * Share one object between the client and server decoders of a connection so
   * the client side knows the negotiated version and suite (ClientKeyExchange,
   * client Certificate layout) and both sides switch to TLS 1.3 together.
   */
  connection?: ConnectionInfo;
  /** wantsBytes() turns false after this many application-data records once the handshake is over (default: never). */
  idleAfter?: number;
}

export { TLS_PROBLEMS, TLS_PROBLEM_CODES, type TlsProblemCode } from './problems';

const enum St {
  Header,
  Body,
  Skip,
  Resync,
  Stopped,
}

/** A handshake message being reassembled across records. */
interface Pending {
  /** Allocated once the 4-byte header is complete (total known). */
  buf: Uint8Array | null;
  hdr: Uint8Array;
  have: number;
  /** 4 + body length, or -1 while the header is incomplete. */
  total: number;
  map: PiecewiseMap;
  record: number;
  recordVersion: number;
  recordVersionSpan: Span;
}

function plausibleHeader(type: number, major: number, minor: number, len: number): boolean {
  return type >= CT_CCS && type <= CT_HEARTBEAT && major === 3 && minor <= 4 && len <= MAX_RECORD_LENGTH;
}

export class TlsStreamDecoder {
  private readonly maxMessage: number;
  private readonly idleAfter: number;
  readonly conn: ConnectionInfo;

  private state: St = St.Header;
  /** Stream offset of the next byte expected. */
  private next = 0;
  private started = false;

  // Record header (bytes may arrive one at a time). Both buffers below are
  // made on first use: few streams need them, and two typed arrays per
  // decoder were a measurable part of setting up a connection.
  private hdrBuf: Uint8Array | null = null;
  private hdrLen = 0;
  private hdrStart = 0;

  // Current record.
  private recType = 0;
  private recVersion = 0;
  private recStart = 0;
  private recHeaderLen = 5;
  private recLen = 0;
  private body: Uint8Array | null = null;
  private bodyHave = 0;
  private skipLeft = 0;
  /** What the skipped body belongs to: an application-data record, or a kept record damaged by a gap. */
  private skipKind: 'appdata' | 'sslv2' | 'damaged' = 'appdata';
  private recAfterGap = false;

  private recordIndex = -1;
  private ccsSeen = false;
  private tls13Forced = false;
  private afterGap = false;
  private pending: Pending | null = null;

  // Resync after a gap: up to 4 trailing bytes of the previous chunk.
  private carryBuf: Uint8Array | null = null;
  private carryLen = 0;
  private resyncFrom = 0;

  // SSL 2.0: this direction opened with an SSLv2 CLIENT-HELLO; its records have SSLv2 headers; they are encrypted.
  private sentSslv2Hello = false;
  private sslv2Framing = false;
  private sslv2Encrypted = false;

  // wantsBytes() bookkeeping.
  private encryptedHandshakeSeen = false;
  private appDataAfterHandshake = 0;

  /**
   * Keys for this connection (issue #14): set by the session once the
   * ClientHello random matched a key log entry. Null for every other
   * connection, which then takes exactly the paths it took before.
   */
  protection: RecordProtection | null = null;
  /** The current record is protected and its body goes to protection.open(). */
  private recProtected = false;
  /** Set while decrypted plaintext is being decoded: messages and alerts are marked with it. */
  private decrypting: KeySourceKind | null = null;

  constructor(
    readonly from: Direction,
    private readonly sink: TlsSink,
    opts: TlsDecoderOptions = {},
  ) {
    this.maxMessage = opts.maxMessageBytes ?? DEFAULT_MAX_MESSAGE;
    this.idleAfter = opts.idleAfter ?? DEFAULT_IDLE_AFTER;
    this.conn = opts.connection ?? newConnectionInfo();
  }

  /** Client and server decoders sharing one ConnectionInfo. */
  static pair(sink: TlsSink, opts: Omit<TlsDecoderOptions, 'connection'> = {}): { client: TlsStreamDecoder; server: TlsStreamDecoder; connection: ConnectionInfo } {
    const connection = newConnectionInfo();
    return {
      client: new TlsStreamDecoder('client', sink, { maxMessageBytes: opts.maxMessageBytes, idleAfter: opts.idleAfter, connection }),
      server: new TlsStreamDecoder('server', sink, { maxMessageBytes: opts.maxMessageBytes, idleAfter: opts.idleAfter, connection }),
      connection,
    };
  }

  /** Nothing more will be decoded (ended, not TLS, or a fatal framing error). */
  get done(): boolean {
    return this.state === St.Stopped;
  }

  /** Re-reads the field: TypeScript would otherwise keep a narrowing across calls that change it. */
  private isStopped(): boolean {
    return this.state === St.Stopped;
  }

  /** The connection negotiated TLS 1.3: the ServerHello is the last cleartext message of the server. */
  setTls13(): void {
    this.tls13Forced = true;
  }

  get tls13(): boolean {
    return this.tls13Forced || this.conn.tls13;
  }

  /**
   * TLS begins at this stream offset, after a preamble (STARTTLS, SOCKS,
   * HTTP CONNECT, PROXY header) that another consumer read: no gap is
   * reported for the bytes before it. Only before the first push.
   */
  beginAt(streamOffset: number): void {
    if (this.started || this.next !== 0 || this.state !== St.Header) return;
    this.next = streamOffset;
  }

  /** Next stream offset the decoder expects. */
  get offset(): number {
    return this.next;
  }

  /**
   * False once more bytes cannot teach anything beyond record sizes: done, or
   * the handshake is over in this direction and `idleAfter` application-data
   * records followed.
   */
  wantsBytes(): boolean {
    if (this.state === St.Stopped) return false;
    const handshakeOver = this.tls13 || (this.ccsSeen && this.encryptedHandshakeSeen);
    return !(handshakeOver && this.appDataAfterHandshake >= this.idleAfter);
  }

  push(bytes: Uint8Array, streamOffset: number): void {
    if (this.state === St.Stopped || bytes.length === 0) return;
    let p = 0;
    if (streamOffset > this.next) {
      this.gap(this.next, streamOffset - this.next);
      if (this.isStopped()) return;
    } else if (streamOffset < this.next) {
      // Overlap with bytes already consumed: the reassembler should not do this, but it is harmless.
      p = this.next - streamOffset;
      if (p >= bytes.length) return;
    }
    try {
      this.run(bytes, p, streamOffset);
    } catch (e) {
      // Decoding bugs must not escape into the capture pipeline.
      this.report('tls.decode-exception', `record layer failed: ${e instanceof Error ? e.message : String(e)}`, [this.next, this.next], 'error');
      this.state = St.Stopped;
    }
  }

  private run(bytes: Uint8Array, p: number, base: number): void {
    const n = bytes.length;
    while (p < n) {
      switch (this.state) {
        case St.Skip: {
          const k = Math.min(this.skipLeft, n - p);
          p += k;
          this.skipLeft -= k;
          if (this.skipLeft === 0) {
            this.state = St.Header;
            this.skipped(this.recStart + this.recHeaderLen + this.recLen);
          }
          break;
        }
        case St.Header: {
          if (this.sslv2Framing || (this.sentSslv2Hello && this.conn.sslv2 && this.hdrLen === 0)) {
            p = this.sslv2Header(bytes, p, base);
            break;
          }
          if (this.hdrLen === 0 && n - p >= 5) {
            this.hdrStart = base + p;
            p = this.beginRecord(bytes, p, base, bytes[p], bytes[p + 1], bytes[p + 2], bytes[p + 3], bytes[p + 4]);
          } else {
            if (this.hdrLen === 0) this.hdrStart = base + p;
            const k = Math.min(5 - this.hdrLen, n - p);
            const hdr = this.hdr;
            for (let i = 0; i < k; i++) hdr[this.hdrLen++] = bytes[p + i];
            p += k;
            if (this.hdrLen === 5) {
              this.hdrLen = 0;
              const h = this.hdr;
              p = this.beginRecord(bytes, p, base, h[0], h[1], h[2], h[3], h[4], true);
            }
          }
          break;
        }
        case St.Body: {
          const body = this.body!;
          const k = Math.min(this.recLen - this.bodyHave, n - p);
          body.set(bytes.subarray(p, p + k), this.bodyHave);
          this.bodyHave += k;
          p += k;
          if (this.bodyHave === this.recLen) {
            this.body = null;
            this.state = St.Header;
            this.recordBody(body, this.recStart + this.recHeaderLen);
          }
          break;
        }
        case St.Resync:
          p = this.resync(bytes, p, base);
          break;
        case St.Stopped:
          this.next = base + n;
          return;
      }
      this.next = base + p;
    }
    this.next = base + n;
  }

  /**
   * Header bytes are known; returns the new chunk position. `split` means the
   * header came through this.hdr and the body starts at `p`; otherwise the
   * header starts at `p`.
   */
  private beginRecord(bytes: Uint8Array, p: number, base: number, t: number, b1: number, b2: number, b3: number, b4: number, split = false): number {
    const start = this.hdrStart;
    let bodyPos = split ? p : p + 5;
    if (!this.started) {
      this.started = true;
      if (t & 0x80 && !plausibleHeader(t, b1, b2, (b3 << 8) | b4)) {
        return this.beginSslv2(bytes, p, split, start, t, b1, b2, b3, b4, true);
      }
      if (!plausibleHeader(t, b1, b2, (b3 << 8) | b4)) {
        if (t >= CT_CCS && t <= CT_HEARTBEAT && b1 === 3 && b2 <= 4) {
          this.fatalLength(start, (b3 << 8) | b4);
        } else {
          this.notTls(start, bytes, bodyPos, [t, b1, b2, b3, b4]);
        }
        return bytes.length;
      }
    }
    const len = (b3 << 8) | b4;
    if (this.sentSslv2Hello && t & 0x80 && !plausibleHeader(t, b1, b2, len)) {
      // The client goes on in SSL 2.0 (its CLIENT-MASTER-KEY), the server's answer not seen yet.
      return this.beginSslv2(bytes, p, split, start, t, b1, b2, b3, b4, false);
    }
    if (!(t >= CT_CCS && t <= CT_HEARTBEAT && b1 === 3 && b2 <= 4)) {
      const preview = printable(Uint8Array.of(t, b1, b2, b3, b4), 0, 5);
      this.report('tls.record-header', `not a TLS record header ("${preview}"): content type ${t}, version 0x${((b1 << 8) | b2).toString(16).padStart(4, '0')}; decoding of this direction stops`, [start, start + 5], 'error');
      this.state = St.Stopped;
      return bytes.length;
    }
    if (len > MAX_RECORD_LENGTH) {
      this.fatalLength(start, len);
      return bytes.length;
    }
    this.recordIndex++;
    this.recType = t;
    this.recVersion = (b1 << 8) | b2;
    this.recStart = start;
    this.recHeaderLen = 5;
    this.recLen = len;
    this.recAfterGap = this.afterGap;
    const encrypted = this.ccsSeen && !this.tls13;
    this.recProtected = false;
    if (this.protection !== null && (t === CT_APPDATA || (encrypted && t !== CT_CCS)) && this.protection.wants(this.from, t, this.recVersion, len, [start, start + 5 + len])) {
      // Buffered like a handshake record; a message continuing across records is not interrupted by it.
      if (t === CT_APPDATA) this.sink.applicationDataBegins?.(this.from, start);
      this.recProtected = true;
    } else if (t === CT_APPDATA) {
      // A handshake message cannot continue past a record of another type: its length lied.
      if (this.pending) this.interrupted('application data');
      // Hot path: skip the body; the record is announced when its last byte went by.
      this.sink.applicationDataBegins?.(this.from, start);
      this.skipKind = 'appdata';
      this.skipLeft = len;
      if (len > 0) {
        this.state = St.Skip;
      } else {
        this.state = St.Header;
        this.skipped(start + 5);
      }
      return bodyPos;
    }
    if (this.recProtected) {
      // Checked by the AEAD (a record too short for its tag fails there).
    } else if (len === 0) {
      this.report('tls.empty-record', `empty ${t === CT_HANDSHAKE ? 'handshake' : t === CT_ALERT ? 'alert' : t === CT_CCS ? 'ChangeCipherSpec' : 'heartbeat'} record (not allowed)`, [start, start + 5], 'warning');
    } else if (len > MAX_PLAINTEXT && !encrypted) {
      this.report('tls.record-overflow', `cleartext record of ${len} bytes exceeds 2^14`, [start, start + 5], 'warning');
    }
    const avail = bytes.length - bodyPos;
    if (avail >= len) {
      // Whole body in this chunk: decode from a view, no copy.
      this.state = St.Header;
      this.recordBody(bytes.subarray(bodyPos, bodyPos + len), base + bodyPos);
      bodyPos += len;
      return this.isStopped() ? bytes.length : bodyPos;
    }
    this.body = new Uint8Array(len);
    this.bodyHave = 0;
    this.state = St.Body;
    return bodyPos;
  }

  /**
   * A 2-byte SSLv2 record header (high bit set) read as the first two of the
   * five header bytes: the other three are the body's first bytes. The first
   * record of a stream may be a CLIENT-HELLO or, from the server, a
   * SERVER-HELLO; a later one (after an SSLv2 CLIENT-HELLO) a CLIENT-MASTER-KEY,
   * or already encrypted when the server had the session.
   */
  private beginSslv2(bytes: Uint8Array, p: number, split: boolean, start: number, b0: number, b1: number, msgType: number, v1: number, v2: number, first: boolean): number {
    const len = ((b0 & 0x7f) << 8) | b1;
    const version = (v1 << 8) | v2;
    let bodyPos = split ? p : p + 5;
    if (first) {
      const plausibleVersion = version === 0x0002 || (v1 === 3 && v2 <= 4);
      const clientHello = msgType === SSLV2_CLIENT_HELLO && plausibleVersion && len >= 9;
      // msg type, session-id-hit, certificate type, version, three lengths
      const serverHello = msgType === SSLV2_SERVER_HELLO && this.from === 'server' && len >= 11;
      if (!clientHello && !serverHello) {
        this.notTls(start, bytes, bodyPos, [b0, b1, msgType, v1, v2]);
        return bytes.length;
      }
      if (clientHello) this.sentSslv2Hello = true;
    } else if (msgType !== SSLV2_CLIENT_MASTER_KEY || len < 10) {
      return this.sslv2Ciphertext(bytes, bodyPos, start, len);
    }
    this.sslv2Framing = !first;
    this.recordIndex++;
    this.recType = CT_SSLV2;
    this.recVersion = first && msgType === SSLV2_CLIENT_HELLO ? version : 0x0002;
    this.recStart = start;
    this.recHeaderLen = 2;
    this.recLen = len;
    this.recAfterGap = this.afterGap;
    // Three body bytes (msg type and two more) were read as part of the 5-byte header.
    const body = new Uint8Array(len);
    body[0] = msgType;
    body[1] = v1;
    body[2] = v2;
    const k = Math.min(len - 3, bytes.length - bodyPos);
    body.set(bytes.subarray(bodyPos, bodyPos + k), 3);
    bodyPos += k;
    if (3 + k === len) {
      this.state = St.Header;
      this.recordBody(body, start + 2);
      return this.isStopped() ? bytes.length : bodyPos;
    }
    this.body = body;
    this.bodyHave = 3 + k;
    this.state = St.Body;
    return bodyPos;
  }

  /** An encrypted SSLv2 record whose 2-byte header and first three body bytes were read as a TLS header. */
  private sslv2Ciphertext(bytes: Uint8Array, bodyPos: number, start: number, len: number): number {
    this.sslv2Framing = true;
    this.sslv2Encrypted = true;
    if (len < 3) {
      // No SSLv2 record this short carries a MAC; the framing is lost.
      this.report('tls.record-header', `SSLv2 record of ${len} byte(s) where an encrypted record (MAC and data) was expected; decoding of this direction stops`, [start, start + 2], 'error');
      this.state = St.Stopped;
      return bytes.length;
    }
    this.beginSslv2Record(start, 2, len);
    this.skipKind = 'sslv2';
    this.skipLeft = len - 3;
    if (this.skipLeft > 0) this.state = St.Skip;
    else {
      this.state = St.Header;
      this.skipped(start + 2 + len);
    }
    return bodyPos;
  }

  private beginSslv2Record(start: number, headerLen: number, len: number): void {
    this.recordIndex++;
    this.recType = CT_SSLV2;
    this.recVersion = 0x0002;
    this.recStart = start;
    this.recHeaderLen = headerLen;
    this.recLen = len;
    this.recAfterGap = this.afterGap;
  }

  /**
   * A record header in SSLv2 framing: 2 bytes (high bit set, 15-bit length)
   * or 3 (14-bit length, then the padding count). Returns the new chunk position.
   */
  private sslv2Header(bytes: Uint8Array, p: number, base: number): number {
    this.sslv2Framing = true;
    const hdr = this.hdr;
    if (this.hdrLen === 0) this.hdrStart = base + p;
    hdr[this.hdrLen++] = bytes[p++];
    const need = hdr[0] & 0x80 ? 2 : 3;
    while (this.hdrLen < need && p < bytes.length) hdr[this.hdrLen++] = bytes[p++];
    if (this.hdrLen < need) return p;
    this.hdrLen = 0;
    const start = this.hdrStart;
    const len = need === 2 ? ((hdr[0] & 0x7f) << 8) | hdr[1] : ((hdr[0] & 0x3f) << 8) | hdr[1];
    if (need === 3 && hdr[2] > len) {
      this.report('tls.sslv2-padding', `SSLv2 record: padding of ${hdr[2]} byte(s) in a ${len}-byte record`, [start + 2, start + 3], 'warning');
    }
    this.beginSslv2Record(start, need, len);
    if (this.sslv2Encrypted || this.conn.sslv2SessionIdHit || len === 0) {
      this.skipKind = 'sslv2';
      this.skipLeft = len;
      if (len > 0) this.state = St.Skip;
      else this.skipped(start + need);
      return p;
    }
    if (bytes.length - p >= len) {
      this.recordBody(bytes.subarray(p, p + len), start + need);
      return this.isStopped() ? bytes.length : p + len;
    }
    this.body = new Uint8Array(len);
    this.bodyHave = 0;
    this.state = St.Body;
    return p;
  }

  private fatalLength(start: number, len: number): void {
    this.report('tls.record-length', `record length ${len} exceeds 2^14+2048: garbage or not TLS; decoding of this direction stops`, [start + 3, start + 5], 'error');
    this.state = St.Stopped;
  }

  private notTls(start: number, bytes: Uint8Array, restPos: number, head: number[]): void {
    // Show what the bytes are instead (an injected HTTP block page is typical).
    const rest = bytes.subarray(restPos, Math.min(bytes.length, restPos + 43));
    const text = printable(Uint8Array.from(head), 0, head.length) + printable(rest, 0, rest.length);
    this.report('tls.not-tls', `stream does not start with a TLS record: "${text}"`, [start, start + 5], 'info');
    this.sink.notTls?.(this.from, start);
    this.state = St.Stopped;
  }

  /** A whole record body of a buffered record type. */
  private recordBody(body: Uint8Array, bodyOff: number): void {
    if (this.recProtected) {
      this.protectedBody(body, bodyOff);
      return;
    }
    const t = this.recType;
    const span: Span = [this.recStart, bodyOff + body.length];
    const encrypted = this.ccsSeen && !this.tls13 && !(t === CT_HANDSHAKE && looksLikeCleartextHandshake(body));
    const record: TlsRecord = { contentType: t, version: this.recVersion, length: body.length, from: this.from, span, encrypted, index: this.recordIndex };
    // Set only when true, not spread in: a spread object literal took the slow path on every record.
    if (this.recAfterGap) record.afterGap = true;
    this.sink.record(record);
    switch (t) {
      case CT_HANDSHAKE:
        if (encrypted) this.encryptedHandshake(body, bodyOff);
        else this.handshakeBytes(body, bodyOff);
        return;
      case CT_CCS:
        this.changeCipherSpec(body, bodyOff, span);
        return;
      case CT_ALERT:
        if (this.pending) this.interrupted('an alert');
        this.alerts(body, bodyOff, encrypted);
        return;
      case CT_HEARTBEAT:
        this.heartbeat(body, bodyOff, encrypted);
        return;
      case CT_SSLV2:
        this.sslv2Message(body, bodyOff);
        return;
    }
  }

  /**
   * A skipped record ends at `end` (its real end, or where the stream stopped
   * inside it): report it with a span that never reaches past bytes seen.
   */
  private skipped(end: number): void {
    const start = this.recStart;
    const bodyStart = start + this.recHeaderLen;
    if (this.skipKind !== 'damaged') {
      const record: TlsRecord = { contentType: this.skipKind === 'sslv2' ? CT_SSLV2 : CT_APPDATA, version: this.recVersion, length: this.recLen, from: this.from, span: [start, end], encrypted: true, index: this.recordIndex };
      if (this.recAfterGap) record.afterGap = true;
      this.sink.record(record);
      this.sink.applicationData(this.from, end - bodyStart, [bodyStart, end]);
      if (this.tls13 || (this.ccsSeen && this.encryptedHandshakeSeen)) this.appDataAfterHandshake++;
    } else {
      this.sink.record({ contentType: this.recType, version: this.recVersion, length: this.recLen, from: this.from, span: [start, end], encrypted: this.ccsSeen && !this.tls13, index: this.recordIndex, afterGap: true });
    }
  }

  /**
   * A protected record's whole body: decrypted, it is read as the record it
   * holds; its plaintext byte i is body byte bodyOffset + i, so every span
   * decoded from it points at the ciphertext bytes in the capture. A record
   * that does not decrypt is reported as it would be without keys.
   */
  private protectedBody(body: Uint8Array, bodyOff: number): void {
    const t = this.recType;
    const end = bodyOff + body.length;
    const span: Span = [this.recStart, end];
    const record: TlsRecord = { contentType: t, version: this.recVersion, length: body.length, from: this.from, span, encrypted: true, index: this.recordIndex };
    if (this.recAfterGap) record.afterGap = true;
    const opened = this.protection!.open(this.from, body);
    this.sink.record(record);
    if (opened !== null) {
      const off = bodyOff + opened.bodyOffset;
      const inner = opened.contentType;
      if (this.pending && inner !== CT_HANDSHAKE) this.interrupted(inner === CT_ALERT ? 'an alert' : 'application data');
      this.decrypting = this.protection!.kind;
      try {
        if (inner === CT_HANDSHAKE) this.handshakeBytes(opened.plaintext, off);
        else if (inner === CT_ALERT) this.alerts(opened.plaintext, off, false);
        else if (inner !== CT_APPDATA) this.report('decrypt.inner-type', `decrypted record holds content type ${inner}`, [off, off + opened.plaintext.length], 'warning');
      } finally {
        this.decrypting = null;
      }
    } else if (this.pending) {
      this.interrupted('a record that could not be decrypted');
    } else if (t === CT_HANDSHAKE) {
      this.encryptedHandshake(body, bodyOff);
    } else if (t === CT_ALERT) {
      this.alerts(body, bodyOff, true);
    }
    if (t === CT_APPDATA) {
      this.sink.applicationData(this.from, body.length, [bodyOff, end]);
      if (this.tls13 || (this.ccsSeen && this.encryptedHandshakeSeen)) this.appDataAfterHandshake++;
    }
  }

  private encryptedHandshake(body: Uint8Array, bodyOff: number): void {
    this.encryptedHandshakeSeen = true;
    const span: Span = [bodyOff, bodyOff + body.length];
    const m: HandshakeMessage = {
      type: ENCRYPTED_HANDSHAKE_TYPE,
      name: ENCRYPTED_HANDSHAKE_NAME,
      from: this.from,
      span,
      length: body.length,
      record: this.recordIndex,
      ranges: new RangeMap({ body: span }),
    };
    if (this.afterGap) m.afterGap = true;
    this.sink.handshake(m);
  }

  private changeCipherSpec(body: Uint8Array, bodyOff: number, span: Span): void {
    if (body.length !== 1 || body[0] !== 1) {
      this.report('tls.ccs-body', `ChangeCipherSpec body should be the single byte 01 (got ${body.length} byte(s))`, [bodyOff, bodyOff + body.length], 'warning');
    }
    if (this.pending) {
      this.report('tls.message-truncated', 'handshake message interrupted by ChangeCipherSpec', [this.pendingStart(), bodyOff], 'error');
      this.pending = null;
    }
    this.sink.changeCipherSpec(this.from, span);
    this.ccsSeen = true;
    this.protection?.changeCipherSpec(this.from);
  }

  private alerts(body: Uint8Array, bodyOff: number, encrypted: boolean): void {
    // TLS 1.3 alerts after the handshake travel in type-23 records; a type-21 record longer than 2 bytes is encrypted all the same.
    // So is one whose "levels" are not 1 or 2, or one met after a gap that may have hidden the ChangeCipherSpec.
    let levelsPlausible = body.length >= 2;
    for (let i = 0; i + 1 < body.length; i += 2) if (body[i] !== 1 && body[i] !== 2) levelsPlausible = false;
    if (encrypted || (body.length !== 2 && (this.tls13 || this.afterGap || !levelsPlausible))) {
      this.sink.alert({ from: this.from, level: null, description: null, name: 'EncryptedAlert', encrypted: true, span: [bodyOff, bodyOff + body.length], ...(this.afterGap ? { afterGap: true } : {}) });
      return;
    }
    if (body.length % 2 !== 0) {
      this.report('tls.alert-length', `alert record of ${body.length} byte(s): alerts are 2 bytes`, [bodyOff, bodyOff + body.length], 'error');
    }
    for (let i = 0; i + 2 <= body.length; i += 2) {
      const level = body[i];
      const description = body[i + 1];
      this.sink.alert({
        from: this.from,
        level,
        description,
        name: alertDescriptionName(description),
        encrypted: false,
        span: [bodyOff + i, bodyOff + i + 2],
        ...(this.afterGap ? { afterGap: true } : {}),
        ...(this.decrypting !== null ? { decrypted: this.decrypting } : {}),
      });
    }
  }

  private heartbeat(body: Uint8Array, bodyOff: number, encrypted: boolean): void {
    const span: Span = [bodyOff, bodyOff + body.length];
    if (encrypted || body.length < 3) {
      this.report('tls.heartbeat', `${encrypted ? 'encrypted ' : ''}heartbeat record of ${body.length} byte(s)`, span, 'info');
      return;
    }
    const type = body[0];
    const payloadLength = (body[1] << 8) | body[2];
    const kind = type === 1 ? 'request' : type === 2 ? 'response' : `type ${type}`;
    // RFC 6520: payload_length + 3 + at least 16 bytes of padding must fit in the record.
    if (3 + payloadLength + 16 > body.length) {
      this.report('tls.heartbleed', `heartbeat ${kind} claims a ${payloadLength}-byte payload in a ${body.length}-byte record (Heartbleed-style over-read)`, [bodyOff + 1, bodyOff + 3], 'warning');
    } else {
      this.report('tls.heartbeat', `heartbeat ${kind}, payload ${payloadLength} byte(s)`, span, 'info');
    }
  }

  /** A cleartext SSLv2 message: CLIENT-HELLO, SERVER-HELLO, CLIENT-MASTER-KEY. */
  private sslv2Message(body: Uint8Array, bodyOff: number): void {
    const ctx = new MsgCtx(body, new LinearMap(bodyOff), this.from, this.problemFn);
    const type = body[0];
    const m: HandshakeMessage = {
      type,
      name: 'ClientHello',
      from: this.from,
      span: [bodyOff, bodyOff + body.length],
      length: body.length - 1,
      record: this.recordIndex,
      ranges: new RangeMap({ type: [bodyOff, bodyOff + 1], body: [bodyOff + 1, bodyOff + body.length] }),
    };
    if (this.recAfterGap) m.afterGap = true;
    if (type === SSLV2_CLIENT_HELLO && this.recordIndex === 0) {
      m.clientHello = decodeSslv2ClientHello(ctx, [this.recStart, this.recStart + 2]).hello;
      // Answered with a SERVER-HELLO that had the session, the client goes straight to encrypted records.
      this.sslv2Encrypted = this.conn.sslv2SessionIdHit === true;
    } else if (type === SSLV2_SERVER_HELLO && this.from === 'server' && this.recordIndex === 0) {
      m.name = 'ServerHello (SSLv2)';
      const details: MessageDetails = {};
      m.details = details;
      const certificates = decodeSslv2ServerHello(ctx, m.ranges, details);
      if (certificates.length > 0) m.certificates = certificates;
      this.conn.sslv2 = true;
      this.conn.sslv2SessionIdHit = details.sessionIdHit === true;
      this.conn.version = 0x0002;
      // SERVER-VERIFY and all that follows are encrypted.
      this.sslv2Framing = true;
      this.sslv2Encrypted = true;
    } else if (type === SSLV2_CLIENT_MASTER_KEY && this.from === 'client') {
      m.name = 'ClientMasterKey (SSLv2)';
      const details: MessageDetails = {};
      m.details = details;
      decodeSslv2ClientMasterKey(ctx, m.ranges, details);
      this.sslv2Encrypted = true;
    } else {
      // ERROR (0) or a message out of place: its record is reported, the direction goes on encrypted.
      this.report('tls.sslv2', `SSLv2 message type ${type} (${body.length} bytes) where ${this.from === 'client' ? 'a CLIENT-MASTER-KEY' : 'a SERVER-HELLO'} was expected: not decoded`, [this.recStart, bodyOff + body.length], 'warning');
      this.sslv2Encrypted = true;
      return;
    }
    this.sink.handshake(m);
  }

  /** Split a cleartext handshake record into messages, reassembling those that cross records. */
  private handshakeBytes(b: Uint8Array, off: number): void {
    let p = 0;
    const n = b.length;
    while (p < n) {
      const pend = this.pending;
      if (pend) {
        if (pend.total < 0) {
          const k = Math.min(4 - pend.have, n - p);
          pend.map.add(pend.have, off + p);
          for (let i = 0; i < k; i++) pend.hdr[pend.have++] = b[p + i];
          p += k;
          if (pend.have < 4) return;
          const len = (pend.hdr[1] << 16) | (pend.hdr[2] << 8) | pend.hdr[3];
          if (!this.checkMessageLength(len, pend.map.at(1), pend.hdr[0])) return;
          pend.total = 4 + len;
          pend.buf = new Uint8Array(pend.total);
          pend.buf.set(pend.hdr, 0);
          if (pend.total === 4) this.finishPending(pend);
          continue;
        }
        const k = Math.min(pend.total - pend.have, n - p);
        pend.map.add(pend.have, off + p);
        pend.buf!.set(b.subarray(p, p + k), pend.have);
        pend.have += k;
        p += k;
        if (pend.have === pend.total) this.finishPending(pend);
        continue;
      }
      const rest = n - p;
      if (rest >= 4) {
        const len = (b[p + 1] << 16) | (b[p + 2] << 8) | b[p + 3];
        if (!this.checkMessageLength(len, off + p + 1, b[p])) return;
        if (4 + len <= rest) {
          this.message(b.subarray(p, p + 4 + len), new LinearMap(off + p), this.recordIndex, this.recVersion, [this.recStart + 1, this.recStart + 3]);
          if (this.isStopped()) return;
          p += 4 + len;
          continue;
        }
      }
      // The message continues in the next record(s).
      this.pending = {
        buf: null,
        hdr: new Uint8Array(4),
        have: 0,
        total: -1,
        map: new PiecewiseMap(),
        record: this.recordIndex,
        recordVersion: this.recVersion,
        recordVersionSpan: [this.recStart + 1, this.recStart + 3],
      };
    }
  }

  /** A record of another type came while a handshake message was still being put together: report it, drop it, go on. */
  private interrupted(by: string): void {
    const pend = this.pending!;
    const claimed = pend.total >= 0 ? ` (it claims ${pend.total - 4} bytes, ${pend.have - 4} arrived)` : '';
    this.report('tls.message-truncated', `handshake message interrupted by ${by}${claimed}`, [this.pendingStart(), this.recStart], 'error');
    this.pending = null;
  }

  private finishPending(pend: Pending): void {
    this.pending = null;
    this.message(pend.buf!, pend.map, pend.record, pend.recordVersion, pend.recordVersionSpan);
  }

  private pendingStart(): number {
    const pend = this.pending;
    return pend && pend.map.msgPos.length > 0 ? pend.map.at(0) : this.next;
  }

  /**
   * A message length over the limit is a lie (or garbage): the record framing
   * around it is still sound, so, as tshark does, the rest of this record is
   * dropped and decoding goes on at the next record (its encrypted Finished,
   * application data and alerts).
   */
  private checkMessageLength(len: number, lenOff: number, type: number): boolean {
    if (len <= this.maxMessage) return true;
    this.report('tls.handshake-length', `handshake message (type ${type}) claims ${len} bytes, over the ${this.maxMessage}-byte limit: the rest of this record is skipped, decoding goes on at the next record`, [lenOff, lenOff + 3], 'error');
    this.pending = null;
    return false;
  }

  private message(buf: Uint8Array, map: OffsetMap, record: number, recordVersion: number, recordVersionSpan: Span): void {
    const ctx = new MsgCtx(buf, map, this.from, this.problemFn);
    let m: HandshakeMessage;
    try {
      m = decodeHandshakeMessage(ctx, {
        from: this.from,
        record,
        recordVersion,
        recordVersionSpan,
        afterGap: this.afterGap,
        conn: this.conn,
      });
    } catch (e) {
      // One message the decoder cannot handle must not end the direction: the records after it are framed on their own.
      this.report('tls.decode-exception', `handshake message (type ${buf[0]}) could not be decoded: ${e instanceof Error ? e.message : String(e)}; decoding goes on at the next message`, [map.at(0), map.at(0) + 4], 'error');
      return;
    }
    if (this.decrypting !== null) m.decrypted = this.decrypting;
    this.sink.handshake(m);
    // After the sink: the session attaches the protection on the ClientHello it has just been given.
    this.protection?.message(this.from, buf, m);
  }

  private readonly problemFn = (code: string, message: string, span: Span, severity: 'error' | 'warning' | 'info'): void => {
    this.sink.problem(this.from, code, message, span, severity);
  };

  private report(code: string, message: string, span: Span, severity: 'error' | 'warning' | 'info'): void {
    this.sink.problem(this.from, code, message, span, severity);
  }

  /**
   * Bytes [streamOffset, streamOffset+length) will never arrive. Inside an
   * application-data body the framing survives; inside a kept record the
   * record is lost but framing survives; otherwise the next record header is
   * searched for.
   */
  gap(streamOffset: number, length: number): void {
    if (this.state === St.Stopped || length <= 0) return;
    let start = streamOffset;
    let end = streamOffset + length;
    if (start > this.next) start = this.next; // bytes between next and the gap are missing too
    if (end <= this.next) return;
    if (start < this.next) start = this.next;
    const missing = end - start;
    this.report('tcp.gap', `${missing} byte(s) of the ${this.from} stream are missing`, [start, end], 'warning');
    this.afterGap = true;
    this.protection?.lost(this.from);
    this.next = end;
    switch (this.state) {
      case St.Skip: {
        this.recAfterGap = true;
        const recordEnd = this.recStart + this.recHeaderLen + this.recLen;
        if (missing < this.skipLeft) {
          this.skipLeft -= missing;
          return;
        }
        this.skipLeft = 0;
        this.skipped(recordEnd);
        if (end === recordEnd) {
          // The gap ended exactly at a record boundary; the next header is intact.
          this.state = St.Header;
          return;
        }
        break;
      }
      case St.Body: {
        const recordEnd = this.recStart + this.recHeaderLen + this.recLen;
        this.report('tls.record-truncated', `record lost in a gap (${this.bodyHave} of ${this.recLen} byte(s) seen)`, [this.recStart, start], 'warning');
        this.body = null;
        if (this.recType === CT_HANDSHAKE || this.recType === CT_SSLV2) this.pending = null;
        this.skipKind = 'damaged';
        if (end < recordEnd) {
          this.skipLeft = recordEnd - end;
          this.state = St.Skip;
          return;
        }
        this.skipped(recordEnd);
        if (end === recordEnd) {
          this.state = St.Header;
          return;
        }
        break;
      }
      default:
        break;
    }
    if (this.pending) {
      this.report('tls.message-truncated', 'handshake message lost in a gap', [this.pendingStart(), start], 'warning');
      this.pending = null;
    }
    this.hdrLen = 0;
    this.started = true;
    this.state = St.Resync;
    this.carryLen = 0;
    this.resyncFrom = end;
  }

  /**
   * Look for the next plausible record header. A candidate must be followed
   * by another plausible header (or the end of the bytes at hand) to be taken,
   * which makes a false match inside ciphertext very unlikely.
   */
  private resync(bytes: Uint8Array, p: number, base: number): number {
    const carry = this.carry;
    const cl = this.carryLen;
    const total = cl + (bytes.length - p);
    const at = (i: number): number => (i < cl ? carry[i] : bytes[p + i - cl]);
    for (let q = 0; q + 5 <= total; q++) {
      const len = (at(q + 3) << 8) | at(q + 4);
      if (!plausibleHeader(at(q), at(q + 1), at(q + 2), len)) continue;
      const nextHdr = q + 5 + len;
      if (nextHdr + 3 <= total && !plausibleHeader(at(nextHdr), at(nextHdr + 1), at(nextHdr + 2), 0)) continue;
      const found = q < cl ? this.next - cl + q : base + p + (q - cl);
      this.report('tls.resync', `record framing re-synchronised after skipping ${found - this.resyncFrom} byte(s)`, [this.resyncFrom, found], 'info');
      this.state = St.Header;
      this.carryLen = 0;
      if (q < cl) {
        // The header starts in the carried bytes: move them into the header buffer.
        this.hdrStart = found;
        this.hdrLen = 0;
        for (let i = q; i < cl; i++) this.hdr[this.hdrLen++] = carry[i];
        return p;
      }
      return p + (q - cl);
    }
    // Keep the last 4 bytes: a header may straddle the chunk boundary.
    const keep = Math.min(4, total);
    const tmp = [] as number[];
    for (let i = total - keep; i < total; i++) tmp.push(at(i));
    for (let i = 0; i < keep; i++) carry[i] = tmp[i];
    this.carryLen = keep;
    return bytes.length;
  }

  private get hdr(): Uint8Array {
    return (this.hdrBuf ??= new Uint8Array(5));
  }

  private get carry(): Uint8Array {
    return (this.carryBuf ??= new Uint8Array(4));
  }

  /** End of the direction (FIN, RST or end of capture). */
  end(): void {
    if (this.state === St.Stopped) return;
    const at = this.next;
    if (this.state === St.Body || this.state === St.Skip) {
      const have = this.state === St.Body ? this.bodyHave : this.recLen - this.skipLeft;
      this.report('tls.record-truncated', `stream ended inside a record (${have} of ${this.recLen} byte(s))`, [this.recStart, at], this.state === St.Skip ? 'info' : 'warning');
      if (this.state === St.Skip) this.skipped(at);
    } else if (this.state === St.Header && this.hdrLen > 0) {
      this.report('tls.record-truncated', `stream ended inside a record header (${this.hdrLen} of 5 bytes)`, [this.hdrStart, at], 'warning');
    }
    if (this.pending) {
      this.report('tls.message-truncated', 'stream ended inside a handshake message', [this.pendingStart(), at], 'warning');
      this.pending = null;
    }
    this.body = null;
    this.state = St.Stopped;
  }
}

/**
 * After ChangeCipherSpec a type-22 record is normally an encrypted Finished,
 * but in TLS 1.3 middlebox-compatibility mode the client sends CCS before its
 * second, cleartext, ClientHello (after HelloRetryRequest). A cleartext hello
 * has a recognisable start; ciphertext matching it is a ~2^-30 accident.
 */
function looksLikeCleartextHandshake(b: Uint8Array): boolean {
  if (b.length < 6) return false;
  if (b[0] !== 1 && b[0] !== 2) return false;
  const len = (b[1] << 16) | (b[2] << 8) | b[3];
  return len >= 38 && len <= 0xffff && b[4] === 3 && b[5] <= 4 && 4 + len >= b.length;
}
