/**
 * Decoded TLS objects, as the decoders build them; every field's bytes are
 * kept in `ranges`. The `--json` contract is declared apart (shared/analysis.ts)
 * and output/contract.ts converts these to it, so a change here that would
 * change the contract fails to compile there.
 *
 * Ranges are half-open [start, end) offsets in the reassembled TCP byte stream
 * of the direction the message travelled (offset 0 = first payload byte seen in
 * that direction). tcp/streamMap.ts turns them into file offsets or text
 * line/columns.
 */
import type { TlsExtension } from '../../../shared/tlsExtensions';
import type { KeySourceKind, MessageDetails } from '../../../shared/analysis';

export type Span = [start: number, end: number];

/**
 * Field path (relative to the object, e.g. `cipherSuites[3]`, `extensions[2].data`) → bytes.
 *
 * Kept as two parallel arrays rather than an object: a hello records 100-200
 * paths, and inserting that many fresh string keys into an object (each one
 * hashed and internalised) cost more than decoding the hello itself. Lookups
 * are rare (a few per message), so they scan. Later entries win, as
 * assignment to an object property would.
 */
export class RangeMap {
  readonly keys: string[] = [];
  /** Start and end of entry i at 2i and 2i+1 (no tuple per entry). */
  private readonly bounds: number[] = [];

  constructor(init?: Record<string, Span>) {
    if (init) for (const k of Object.keys(init)) this.set(k, init[k]);
  }

  get size(): number {
    return this.keys.length;
  }

  set(key: string, span: Span): void {
    this.put(key, span[0], span[1]);
  }

  /** set() without a Span to build first (the decoders' hot paths). */
  put(key: string, start: number, end: number): void {
    this.keys.push(key);
    this.bounds.push(start, end);
  }

  spanAt(i: number): Span {
    return [this.bounds[2 * i], this.bounds[2 * i + 1]];
  }

  get(key: string): Span | undefined {
    return this.find(key, 0, this.keys.length);
  }

  /** Like get(), looking only at entries from..to-1 (the last match wins). */
  find(key: string, from: number, to: number): Span | undefined {
    const keys = this.keys;
    for (let i = Math.min(to, keys.length) - 1; i >= from; i--) if (keys[i] === key) return this.spanAt(i);
    return undefined;
  }

  has(key: string): boolean {
    return this.get(key) !== undefined;
  }

  /** Plain object form, in first-insertion order with the last value for each key. */
  toRecord(): Record<string, Span> {
    const out: Record<string, Span> = {};
    const keys = this.keys;
    for (let i = 0; i < keys.length; i++) out[keys[i]] = this.spanAt(i);
    return out;
  }

  toJSON(): Record<string, Span> {
    return this.toRecord();
  }
}

export type Direction = 'client' | 'server';

// The decoded-extension union is part of the JSON contract: declared in shared/, filled by extensions.ts.
export type { TlsExtension, MessageDetails };

export interface ClientHello {
  /** Version in the record header that carried the hello. */
  recordVersion: number;
  legacyVersion: number;
  /** Hex. */
  random: string;
  /** Hex, '' when empty. */
  sessionId: string;
  /** DTLS only: the cookie echoed from a HelloVerifyRequest, hex ('' when empty). */
  cookie?: string;
  /** Wire order, GREASE kept. */
  cipherSuites: number[];
  compressionMethods: number[];
  extensions: TlsExtension[];
  serverName: string | null;
  alpn: string[];
  supportedVersions: number[];
  supportedGroups: number[];
  ecPointFormats: number[];
  signatureAlgorithms: number[];
  /** True for an SSLv2-compatible ClientHello (record header 0x80..). */
  sslv2: boolean;
  /** SSLv2 hellos only: every 3-byte CIPHER-SPEC in wire order (those with a zero first byte also appear in cipherSuites). */
  sslv2CipherSpecs?: number[];
  ranges: RangeMap;
}

export interface ServerHello {
  recordVersion: number;
  legacyVersion: number;
  random: string;
  sessionId: string;
  cipherSuite: number;
  cipherSuiteName: string;
  compressionMethod: number;
  extensions: TlsExtension[];
  /** supported_versions value when present, else legacyVersion. */
  selectedVersion: number;
  /** Random equals SHA-256("HelloRetryRequest"). */
  helloRetryRequest: boolean;
  alpn: string | null;
  /**
   * RFC 8446 §4.1.3 downgrade sentinel in the last 8 bytes of random: 'tls12'
   * (DOWNGRD\x01) or 'tls11' (DOWNGRD\x00): the server supports a newer version
   * than it negotiated. A version rollback on the path when the ClientHello
   * offered TLS 1.3.
   */
  downgradeSentinel?: 'tls12' | 'tls11';
  /** The server agreed to the extended master secret (RFC 7627): its ServerHello carries extended_master_secret. Always set by the decoder. */
  extendedMasterSecret?: boolean;
  /**
   * TLS 1.3 draft 1-21 (the draft number; version 0x7f00 + n): decoded with that draft's layout, which has no
   * session id and no compression method (sessionId '' and compressionMethod 0 stand for absent).
   */
  tls13Draft?: number;
  ranges: RangeMap;
}

export interface CertificateEntry {
  /** DER, hex is not kept here: analysis decodes it via x509/certificate.ts. */
  der: Uint8Array;
  span: Span;
  /** TLS 1.3 CertificateEntry extensions (status_request, signed_certificate_timestamp). */
  extensions?: TlsExtension[];
}

export interface ServerKeyExchange {
  /** 'psk' covers plain and RSA PSK (hint only); DHE/ECDHE PSK are 'dhe'/'ecdhe' with pskIdentityHint set. */
  kind: 'dhe' | 'ecdhe' | 'rsa-export' | 'psk' | 'srp' | 'unknown';
  /** Key exchange of the negotiated suite (shared/tls/registry/cipherSuites.ts KeyExchange). */
  kex?: string;
  /** Hex; PSK suites only. */
  pskIdentityHint?: string;
  dhPrime?: string;       // hex
  dhPrimeBits?: number;
  dhGenerator?: string;   // hex
  dhPublic?: string;      // hex
  dhPublicBits?: number;
  curveType?: number;
  namedCurve?: number;
  namedCurveName?: string;
  ecPoint?: string;       // hex
  rsaModulus?: string;    // hex, RSA_EXPORT temporary key
  rsaModulusBits?: number;
  rsaExponent?: string;   // hex
  srpPrimeBits?: number;
  srpGenerator?: string;  // hex
  srpSalt?: string;       // hex
  srpPublicBits?: number;
  /** Anonymous suites send no signature. */
  anonymous?: boolean;
  signatureAlgorithm?: number | null;
  signatureAlgorithmName?: string | null;
  signatureLength?: number;
  ranges: RangeMap;
}

export interface HandshakeMessage {
  /** Handshake type byte (1 = ClientHello …); -1 for encrypted handshake bytes. */
  type: number;
  name: string;
  from: Direction;
  /** Whole message incl. its 4-byte header, in stream offsets. */
  span: Span;
  length: number;
  /** Index of the TLS record the message started in (per direction). */
  record: number;
  clientHello?: ClientHello;
  serverHello?: ServerHello;
  certificates?: CertificateEntry[];
  /** TLS 1.3 Certificate request context, hex. */
  certificateRequestContext?: string;
  serverKeyExchange?: ServerKeyExchange;
  /** Other messages: a small decoded object (e.g. NewSessionTicket lifetime, CertificateRequest types). */
  details?: MessageDetails;
  ranges: RangeMap;
  /** Decoded after a TCP gap in this direction: framing was re-synchronised, so context may be missing. */
  afterGap?: boolean;
  /** Read from decrypted records, with a key of this kind (its spans are the ciphertext's: AEAD keeps byte positions). */
  decrypted?: KeySourceKind;
}

export interface TlsRecord {
  /** 20 ChangeCipherSpec, 21 Alert, 22 Handshake, 23 ApplicationData, 24 Heartbeat; 0x80 for SSLv2 framing. */
  contentType: number;
  version: number;
  length: number;
  from: Direction;
  span: Span;
  /** Set once the direction switched to encrypted (after CCS, or 1.3 app-data framing). */
  encrypted: boolean;
  /** Index of the record in its direction (0-based), as used by HandshakeMessage.record. */
  index?: number;
  /** Framing was re-synchronised after a TCP gap. */
  afterGap?: boolean;
}

export interface TlsAlert {
  from: Direction;
  level: number | null;          // null when encrypted
  description: number | null;
  name: string;
  encrypted: boolean;
  span: Span;
  afterGap?: boolean;
  /** Read from a decrypted record, with a key of this kind. */
  decrypted?: KeySourceKind;
}

/**
 * Decryption of one connection's protected records (decrypt/connectionDecrypt.ts), attached to
 * both stream decoders when keys for the connection are known; absent otherwise, and then the
 * decoders do exactly what they do without it.
 */
export interface RecordProtection {
  readonly kind: KeySourceKind;
  /** A protected record's header, in stream order: true asks for its body (open); false counts it only. */
  wants(from: Direction, contentType: number, version: number, length: number, span: Span): boolean;
  /** The body asked for: its plaintext, or null (reported by the protection itself) to treat it as still encrypted. */
  open(from: Direction, body: Uint8Array): { contentType: number; plaintext: Uint8Array; bodyOffset: number } | null;
  /** Bytes of this direction were lost: record sequence numbers are no longer known. */
  lost(from: Direction): void;
  /** A cleartext ChangeCipherSpec record of this direction (TLS ≤ 1.2: the new keys start with the next record). */
  changeCipherSpec(from: Direction): void;
  /** A whole handshake message (cleartext or decrypted), in stream order: transcript and key changes. */
  message(from: Direction, bytes: Uint8Array, m: HandshakeMessage): void;
}

/** Events a TLS stream decoder emits, in stream order. */
export interface TlsSink {
  record(r: TlsRecord): void;
  handshake(m: HandshakeMessage): void;
  alert(a: TlsAlert): void;
  changeCipherSpec(from: Direction, span: Span): void;
  /** Application data (or encrypted handshake in 1.3): length only. */
  applicationData(from: Direction, length: number, span: Span): void;
  /** An application-data record's header went by (its body follows; applicationData() comes at its end). */
  applicationDataBegins?(from: Direction, offset: number): void;
  /** A problem at a stream offset (bogus length, message past record end …). */
  problem(from: Direction, code: string, message: string, span: Span, severity: 'error' | 'warning' | 'info'): void;
  /** The stream is not TLS (first bytes are not a record header): the decoder stops. */
  notTls?(from: Direction, offset: number): void;
}
