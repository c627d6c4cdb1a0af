/**
 * The analysis result as it leaves the engine: the `analyze --json` contract
 * (documented in the README), what the language server sends the extension,
 * and what the webview and reports render. Declared once, used by all.
 */
import type { TlsExtension } from './tlsExtensions';
import type { RuleTexts, Suspect } from './compare';

export type { TlsExtension };

/** Version of this contract, written as `"schema"` at the top of `analyze --json` and `compare --json`. */
export const CONTRACT_SCHEMA = 4;

/**
 * Where bytes sit in the file that was read: offsets into the decompressed
 * bytes (a `.pcap.gz` is addressed as the `.pcap` inside it) for binary
 * captures, 0-based lines and columns for text dumps.
 */
export type SourceLocation =
  | { kind: 'offset'; offset: number; length: number }
  | { kind: 'text'; line: number; column: number; endLine: number; endColumn: number };

export type Severity = 'error' | 'warning' | 'info';

/** Half-open [start, end) offsets in the reassembled byte stream of one direction. */
export type Span = [start: number, end: number];

/**
 * Field path (relative to the object, e.g. `cipherSuites[3]`, `extensions[2].data`) → where its bytes are in the
 * source, one entry per contiguous piece. In `--json` output only with `--ranges`; the language server's results
 * always carry them (hovers, hex highlighting).
 */
export type SourceRanges = Record<string, SourceLocation[]>;

export interface Endpoint {
  address: string;
  port: number;
}

/** Where a decryption key came from (issue #14): `--keylog` or the editor setting, the capture's pcapng Decryption Secrets Blocks, or a `CAPTURE.keys` / `CAPTURE.keylog` sidecar. */
export type KeySourceKind = 'keylog' | 'dsb' | 'sidecar';

/** A connection decrypted with keys (absent without keys): which kind of key, what it opened, whether both Finished messages check. Never the key itself. */
export interface DecryptionSummary {
  keySource: KeySourceKind;
  /** Protected records decrypted, per direction (long application-data records are only counted, not decrypted). */
  records: { client: number; server: number };
  /** Records whose authentication tag did not check (decryption of that direction stops there). */
  failed: { client: number; server: number };
  /** Finished verify_data against the handshake transcript: true checks, false does not, null not seen or not checked. */
  finished: { client: boolean | null; server: boolean | null };
  /** The key log lines' secrets for this connection (label → hex): only with `--include-secrets`. */
  secrets?: Record<string, string>;
}

export interface ReportDiagnostic {
  severity: Severity;
  code: string;
  message: string;
  location: SourceLocation | null;
  packet?: number;
  /** In a connection's `diagnostics` of `--json`, left out when it is that connection's id (unless --full). @jsonMayOmit */
  connection?: number;
}

export interface ClientHelloReport {
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
  /** True for an SSLv2-compatible ClientHello (record header 0x80..). In `--json` left out when false (unless --full). @jsonDefault false */
  sslv2: boolean;
  /** SSLv2 hellos only: every 3-byte CIPHER-SPEC in wire order (those with a zero first byte also appear in cipherSuites). */
  sslv2CipherSpecs?: number[];
  ranges?: SourceRanges;
}

export interface ServerHelloReport {
  recordVersion: number;
  legacyVersion: number;
  random: string;
  sessionId: string;
  cipherSuite: number;
  /** In `--json` left out when it is the IANA name of `cipherSuite` (unless --full). @jsonMayOmit */
  cipherSuiteName: string;
  compressionMethod: number;
  extensions: TlsExtension[];
  /** supported_versions value when present, else legacyVersion. */
  selectedVersion: number;
  /** Random equals SHA-256("HelloRetryRequest"). In `--json` left out when false (unless --full). @jsonDefault false */
  helloRetryRequest: boolean;
  alpn: string | null;
  /** RFC 8446 §4.1.3 downgrade sentinel in the last 8 bytes of random: DOWNGRD\x01 ('tls12') or DOWNGRD\x00 ('tls11'). */
  downgradeSentinel?: 'tls12' | 'tls11';
  /**
   * The server agreed to the extended master secret (RFC 7627): its ServerHello carries extended_master_secret. Always
   * set by the decoder; in `--json` left out (unless --full) when `extensions` says it (has type 23 exactly when true). @jsonMayOmit
   */
  extendedMasterSecret?: boolean;
  /**
   * TLS 1.3 draft 1-21 (the draft number; version 0x7f00 + n): decoded with that draft's layout, which has no
   * session id and no compression method (sessionId '' and compressionMethod 0 stand for absent).
   */
  tls13Draft?: number;
  ranges?: SourceRanges;
}

export interface ServerKeyExchangeReport {
  /** 'psk' covers plain and RSA PSK (hint only); DHE/ECDHE PSK are 'dhe'/'ecdhe' with pskIdentityHint set. */
  kind: 'dhe' | 'ecdhe' | 'rsa-export' | 'psk' | 'srp' | 'unknown';
  /** Key exchange of the negotiated suite. */
  kex?: string;
  /** Hex values below; PSK suites only for the hint. */
  pskIdentityHint?: string;
  dhPrime?: string;
  dhPrimeBits?: number;
  dhGenerator?: string;
  dhPublic?: string;
  dhPublicBits?: number;
  curveType?: number;
  namedCurve?: number;
  /** In `--json` left out when it is the IANA name of `namedCurve` (unless --full). @jsonMayOmit */
  namedCurveName?: string;
  ecPoint?: string;
  /** RSA_EXPORT temporary key. */
  rsaModulus?: string;
  rsaModulusBits?: number;
  rsaExponent?: string;
  srpPrimeBits?: number;
  srpGenerator?: string;
  srpSalt?: string;
  srpPublicBits?: number;
  /** Anonymous suites send no signature. */
  anonymous?: boolean;
  signatureAlgorithm?: number | null;
  /** In `--json` left out when it is the IANA name of `signatureAlgorithm` (unless --full). @jsonMayOmit */
  signatureAlgorithmName?: string | null;
  signatureLength?: number;
  ranges?: SourceRanges;
}

/** What is decoded of the other handshake messages; which fields appear depends on the message. */
export interface MessageDetails {
  /** NewSessionTicket (TLS 1.3). */
  lifetime?: number;
  ageAdd?: number;
  nonceLength?: number;
  /** NewSessionTicket (TLS 1.2). */
  lifetimeHint?: number;
  ticketLength?: number;
  /** NewSessionTicket (1.3), EncryptedExtensions, CertificateRequest (1.3). */
  extensions?: TlsExtension[];
  /** CertificateRequest. */
  contextLength?: number;
  context?: string;
  certificateTypes?: number[];
  signatureAlgorithms?: number[];
  /** In `--json` only with `--names`. */
  signatureAlgorithmNames?: string[];
  certificateAuthorities?: number;
  /** CertificateVerify (null before TLS 1.2). */
  signatureAlgorithm?: number | null;
  /** In `--json` left out when it is the IANA name of `signatureAlgorithm` (unless --full). @jsonMayOmit */
  signatureAlgorithmName?: string | null;
  signatureLength?: number;
  /** Finished. */
  verifyDataLength?: number;
  /** Finished, decrypted TLS 1.3: whether verify_data matches the handshake transcript (null: not checked). */
  verified?: boolean | null;
  /** KeyUpdate. */
  requestUpdate?: number;
  /** CertificateStatus. */
  statusType?: number;
  responseLength?: number;
  /** CompressedCertificate. */
  algorithm?: number;
  uncompressedLength?: number;
  compressedLength?: number;
  /** NextProtocol. */
  protocolLength?: number;
  protocol?: string;
  paddingLength?: number;
  /** ClientKeyExchange. */
  kex?: string;
  pskIdentity?: string;
  encryptedPreMasterSecretLength?: number;
  publicValueLength?: number;
  /** SSLv2 SERVER-HELLO: the server holds the client's session (no certificate then). */
  sessionIdHit?: boolean;
  /** SSLv2 SERVER-HELLO: 1 = X.509 (the certificate goes to `certificates`). */
  certificateType?: number;
  /** SSLv2 SERVER-HELLO: 0x0002 for SSL 2.0; DTLS HelloVerifyRequest: the server's version. */
  serverVersion?: number;
  /** SSLv2 SERVER-HELLO: the 3-byte cipher specs the server accepts, wire order, and their names. */
  cipherSpecs?: number[];
  cipherSpecNames?: string[];
  /** SSLv2 SERVER-HELLO: hex. */
  connectionId?: string;
  /** SSLv2 CLIENT-MASTER-KEY: the 3-byte cipher kind the client chose, and its name. */
  cipherKind?: number;
  cipherKindName?: string;
  /** SSLv2 CLIENT-MASTER-KEY: lengths of the clear (export) key bytes, the RSA-encrypted key, the key argument. The clear key itself is key material and never output. */
  clearKeyLength?: number;
  encryptedKeyLength?: number;
  keyArgLength?: number;
  /** SSLv2 CLIENT-MASTER-KEY: the key argument (the block cipher's IV, sent in the clear), hex. */
  keyArg?: string;
  /** HelloVerifyRequest (DTLS): the cookie is hex. */
  cookieLength?: number;
  cookie?: string;
  /** Messages not decoded further: body length. */
  length?: number;
}

export interface CertificateReport {
  /** Position in the chain as sent (0 = leaf). */
  index: number;
  subject: string;
  issuer: string;
  subjectCN: string | null;
  issuerCN: string | null;
  serialNumber: string;
  notBefore: string | null;
  notAfter: string | null;
  lifetimeSeconds: number | null;
  subjectAltNames: string[];
  /** Algorithm name (the OID when unknown), key size in bits (null when the key could not be loaded), EC curve. */
  publicKey: { algorithm: string; oid: string; bits: number | null; curve?: string } | null;
  signatureAlgorithm: string | null;
  sha256: string;
  selfSigned: boolean | null;
  extensions: Array<{ oid: string; name: string; critical: boolean }>;
  length: number;
  error?: string;
  /** Where its bytes are. In `--json` only with `--ranges` (the language server always sends it). @withRanges */
  range: SourceLocation[];
  /** Only with the JA4+ opt-in. */
  ja4x?: string;
  /** (issue #13) How many SANs the certificate holds, set when subjectAltNames lists fewer (a certificate read only in part). */
  subjectAltNameCount?: number;
}

/**
 * `--json` without `--all-certificates`: a certificate that an earlier connection of the same `connections`
 * list already has in full (same sha256) is written as this reference.
 */
export interface CertificateRef {
  /** Position in this connection's chain. */
  index: number;
  sha256: string;
  length: number;
  /** Id of the earlier connection whose `certificates` has it in full. */
  sameAs: number;
  /** Where this copy's bytes are. Only with `--ranges`. @withRanges */
  range?: SourceLocation[];
}

export interface MessageReport {
  type: number;
  /** In `--json` left out when it is the registry name of the handshake `type` (unless --full). @jsonMayOmit */
  name: string;
  from: 'client' | 'server';
  length: number;
  /** Stream offsets [start, end) in the sender's direction. */
  span: Span;
  /** Index of the packet carrying the message's first byte; -1 if unknown. */
  packet: number;
  /** Packets carrying any of its bytes. In `--json` left out when it is only `packet` (unless --defaults). @jsonMayOmit */
  packets: number[];
  /** Where its bytes are. In `--json` only with `--ranges` (the language server always sends it). @withRanges */
  range: SourceLocation[];
  clientHello?: ClientHelloReport;
  serverHello?: ServerHelloReport;
  serverKeyExchange?: ServerKeyExchangeReport;
  certificates?: CertificateReport[];
  details?: MessageDetails;
  afterGap?: boolean;
  /**
   * `--json` writes each decoded body once: a message whose body is the connection's `clientHello`,
   * `serverHello`, `serverKeyExchange` or `certificates` names that field here instead of repeating it.
   */
  decodedAt?: 'clientHello' | 'serverHello' | 'serverKeyExchange' | 'certificates';
  /**
   * ClientHello only (issue #13): the records and TCP segments its bytes span. In `--json` left out (unless
   * --full) when the hello is one whole record, the stream's first, in one segment: records
   * [{index: 0, span: [span[0] - 5, span[1]], length: span[1] - span[0]}], segments [{packet, span: that record's}],
   * splitRecords and splitSegments false. @jsonMayOmit
   */
  layout?: HelloLayout;
  /** Read from a decrypted record (issue #14); its `range` is still the ciphertext bytes in the file (AEAD keeps plaintext byte i at ciphertext byte i). */
  decrypted?: true;
  /** With `decrypted`: the kind of key that opened it. */
  keySource?: KeySourceKind;
}

export interface AlertReport {
  from: 'client' | 'server';
  level: number | null;
  description: number | null;
  name: string;
  encrypted: boolean;
  packet: number;
  /** Where its bytes are. In `--json` only with `--ranges` (the language server always sends it). @withRanges */
  range: SourceLocation[];
  /** Read from a decrypted record (issue #14): level and description are known although it travelled encrypted. */
  decrypted?: true;
  keySource?: KeySourceKind;
}

/** The raw strings (ja3Full, ja3sFull, ja4_r, ja4_ro, ja4s_r) spell out the hellos: `--json` writes them only with `--raw-fingerprints`. */
export interface Fingerprints {
  ja3: string | null;
  /** @withRaw */
  ja3Full: string | null;
  ja3s: string | null;
  /** @withRaw */
  ja3sFull: string | null;
  ja4: string | null;
  ja4_r?: string | null;
  ja4_o?: string | null;
  ja4_ro?: string | null;
  /** JA4+ (FoxIO License 1.1), only with the opt-in. */
  ja4s?: string | null;
  ja4s_r?: string | null;
  ja4x?: string[];
}

export interface PacketReport {
  index: number;
  /** Seconds since the epoch; NaN (null in JSON) when the capture carries no times (some text dumps). @nonFiniteAsNull */
  time: number;
  from: 'client' | 'server';
  flags: string;
  seq: number;
  ack: number;
  length: number;
  window: number;
  ttl: number;
  ipId: number;
  notes: string[];
  /** TLS content starting in this packet, e.g. ["ServerHello", "Certificate"]. */
  tls: string[];
  /**
   * 32-bit hash (hex) of the captured payload at its stream offset: lets two captures tell "same segment" from
   * "same range, other bytes". It adds up (mod 2^32) over consecutive pieces, so a segment cut differently on
   * the way (IP fragments, TSO/GRO) can be checked against its pieces. '' when empty.
   */
  payloadHash: string;
}

export interface TcpReport {
  roleBy: string;
  packets: number;
  bytes: { client: number; server: number };
  /** @jsonDefault {"client":[],"server":[]} */
  gaps: { client: Array<{ start: number; length: number }>; server: Array<{ start: number; length: number }> };
  /** @jsonDefault {"client":0,"server":0} */
  retransmissions: { client: number; server: number };
  /** @jsonDefault 0 */
  retransmissionsDiffering: number;
  /** @jsonDefault 0 */
  outOfOrder: number;
  /** @jsonDefault null */
  rst: 'client' | 'server' | null;
  fin: { client: boolean; server: boolean };
  synSeen: boolean;
  /** @jsonDefault false */
  timelineTruncated: boolean;
  /** Raw initial sequence numbers (from the SYNs), null when no SYN was seen: they survive most NATs, so they help match two captures. */
  isn: { client: number | null; server: number | null };
  /**
   * Tunnel the connection's first packet was found in, outermost first, e.g. "GRE", "VXLAN", "Geneve",
   * "IP-in-IP", "VXLAN › GRE"; null when it was not tunnelled (VLAN tags are not tunnels). Always set by
   * the engine; optional only so hand-made reports stay valid. Left out of `--json` when null.
   */
  tunnel?: string | null;
}

export interface TlsSummary {
  /** False when the capture holds no payload bytes for this connection (tcpdump -nn summary lines): TLS is then unknown, not absent. */
  available: boolean;
  /** Negotiated version, e.g. 0x0303 (0x0002 from an SSL 2.0 SERVER-HELLO), or null when no ServerHello. */
  version: number | null;
  /** In `--json` left out when it is the IANA name of `version` (unless --full). @jsonMayOmit */
  versionName: string | null;
  /** SSL 2.0: the 3-byte cipher kind of the client's CLIENT-MASTER-KEY. */
  cipherSuite: number | null;
  /** In `--json` left out when it is the IANA name of `cipherSuite` (unless --full). @jsonMayOmit */
  cipherSuiteName: string | null;
  serverName: string | null;
  alpn: string | null;
  resumed: boolean;
  /** Handshake bytes are missing (gap) or it stopped early. */
  incomplete: boolean;
  /** Last handshake step seen in clear, e.g. "ServerHelloDone". */
  lastMessage: string | null;
  applicationData: { client: { records: number; bytes: number }; server: { records: number; bytes: number } };
  /** How TLS was reached (see PreambleReport); null when the connection has no TLS and no preamble. */
  startedBy?: TlsStartedBy | null;
  /** Stream offset of the first TLS byte per direction (0 at stream start; null where TLS never began). */
  startOffset?: { client: number | null; server: number | null } | null;
  /** Present when keys for this connection were found (issue #14). */
  decryption?: DecryptionSummary;
}

export interface ConnectionReport {
  id: number;
  client: Endpoint;
  server: Endpoint;
  /** Seconds since the epoch; NaN (null in JSON) when the capture carries no times (some text dumps). @nonFiniteAsNull */
  startTime: number;
  /** Seconds since the epoch; NaN (null in JSON) when the capture carries no times (some text dumps). @nonFiniteAsNull */
  endTime: number;
  isTls: boolean;
  tcp: TcpReport;
  tls: TlsSummary;
  clientHello: ClientHelloReport | null;
  serverHello: ServerHelloReport | null;
  serverKeyExchange: ServerKeyExchangeReport | null;
  /** In `--json` a certificate an earlier connection already has is a CertificateRef (unless `--all-certificates`). @jsonItemsAlso CertificateRef */
  certificates: CertificateReport[];
  messages: MessageReport[];
  alerts: AlertReport[];
  fingerprints: Fingerprints;
  /** Fields the rule catalogue (and the user's rules) mark, each with its reason, source and bytes. */
  suspects: Suspect[];
  diagnostics: ReportDiagnostic[];
  /** Packet timeline, when asked for (compare and the editor need it). */
  packets?: PacketReport[];
  /** What came before TLS (STARTTLS dialogue, SOCKS, CONNECT, PROXY header); absent when the stream starts with TLS. */
  preamble?: PreambleReport;
  /** The ClientHello's ECH or ESNI, assessed (likely real or GREASE, acceptance); absent when it carries neither. */
  ech?: EchReport;
  // --- QUIC (issue #12) -------------------------------------------------------------------------------
  /** 'quic' / 'dtls' for a connection over UDP (its `tcp` block then only counts datagrams); absent for TCP. */
  transport?: 'quic' | 'dtls';
  quic?: QuicReport;
  dtls?: DtlsReport;
}

// --- DTLS (issue #12): only present for `transport: "dtls"` connections. -------------------------------

export interface DtlsFragmentReport {
  /** Handshake type, message_seq, fragment_offset, fragment_length and the whole message's length (RFC 6347 §4.2.2). */
  type: number;
  messageSeq: number;
  fragmentOffset: number;
  fragmentLength: number;
  length: number;
}

export interface DtlsRecordReport {
  packet: number;
  from: 'client' | 'server';
  /** 'plaintext' (13-byte header), 'cid' (RFC 9146 tls12_cid, type 25), 'unified' (DTLS 1.3 header, RFC 9147 §4). */
  form: 'plaintext' | 'cid' | 'unified';
  /** Content type; -1 for a unified header (the real type is encrypted). */
  contentType: number;
  contentTypeName: string;
  /** Record version; 0 for a unified header (it has none). */
  version: number;
  /** Epoch (a unified header carries only its two low bits). */
  epoch: number;
  /** 48-bit sequence number (unified header: its 8 or 16 low bits, encrypted). */
  sequence: number;
  length: number;
  /** Hex connection ID, when the record carries one. */
  cid?: string;
  /** Handshake fragments of a plaintext handshake record. */
  fragments?: DtlsFragmentReport[];
  /** Where the record's bytes are. In `--json` only with `--ranges` (the language server always sends it). @withRanges */
  range: SourceLocation[];
}

export interface StunReport {
  packet: number;
  from: 'client' | 'server';
  class: 'request' | 'indication' | 'success' | 'error';
  method: string;
  /** Hex, 12 bytes. */
  transactionId: string;
  /** USERNAME: "receiver-ufrag:sender-ufrag" in ICE connectivity checks. */
  username?: string;
  /** From XOR-MAPPED-ADDRESS: the address the responder saw the request come from. */
  mappedAddress?: Endpoint;
  iceRole?: 'controlling' | 'controlled';
  priority?: number;
  useCandidate?: boolean;
  software?: string;
  errorCode?: number;
}

export interface DtlsReport {
  /** Negotiated DTLS version (ServerHello, supported_versions first); null before one is seen. */
  version: number | null;
  versionName: string | null;
  /** True when a HelloVerifyRequest asked the client to prove its address; its cookie, hex. */
  helloVerifyRequest: boolean;
  cookie: string | null;
  /** Connection IDs (RFC 9146 / RFC 9147) each side asked to receive, hex; null when not negotiated. */
  connectionIds: { client: string | null; server: string | null };
  datagrams: { client: number; server: number };
  bytes: { client: number; server: number };
  records: { client: number; server: number };
  /** Datagrams on the 5-tuple by RFC 7983 first-byte class: stun, dtls, srtp, srtcp, zrtp, turn-channel, other. */
  multiplexed: Record<string, number>;
  /** Handshake fragments that repeated bytes already seen (retransmitted flights), and those whose repeat differed. */
  retransmittedFragments: number;
  differingFragments: number;
  /** Records in capture order: the first 64 unless the packet timeline was asked for (then up to 4096). */
  recordList: DtlsRecordReport[];
  recordListTruncated: boolean;
  /** STUN messages on the 5-tuple (ICE connectivity checks), up to 64. */
  stun: StunReport[];
}

// --- QUIC (issue #12): everything below is only present for `transport: "quic"` connections. ----------

export interface QuicPacketSummary {
  /** Initial, 0-RTT, Handshake, Retry, Version Negotiation, 1-RTT, unknown. */
  type: string;
  /** Full packet number when the packet was opened; null when it stayed encrypted. */
  packetNumber: number | null;
  length: number;
  /** "decrypted", "encrypted (no keys)", "integrity tag verified", or why it could not be opened. */
  status: string;
  /** Frames of a decrypted packet in order, runs compacted ("PADDING×3"). */
  frames?: string[];
  /** 1-RTT packets a key log opened: the key phase bit (RFC 9001 §6); it flips at each key update. */
  keyPhase?: number;
}

/** A CONNECTION_CLOSE frame in a packet a key log opened (issue #14): why the connection ended. */
export interface QuicCloseReport {
  from: 'client' | 'server';
  packet: number;
  /** The QUIC packet type that carried it: "1-RTT", "0-RTT" or "Handshake". */
  packetType: string;
  /** Frame 0x1c closes for a transport error, 0x1d for the application's (e.g. HTTP/3). */
  kind: 'transport' | 'application';
  errorCode: number;
  /** "NO_ERROR", "CRYPTO_ERROR (handshake_failure)", "H3_NO_ERROR"; null: an application code of a protocol not named here. */
  errorName: string | null;
  /** Frame 0x1c: the type of the frame that caused the error (0 when none). */
  frameType?: number;
  /** The reason phrase (Latin-1, at most 256 bytes kept); capture text, escape it where shown. */
  reason: string;
}

/** The 0-RTT and 1-RTT packets a key log opened (issue #14). Application data is counted, never kept. */
export interface QuicApplicationReport {
  keySource: KeySourceKind;
  /** 1-RTT packets decrypted, per direction. */
  packets: { client: number; server: number };
  /** 1-RTT packets that did not authenticate (after 8 in a row a direction is no longer tried). */
  failed: { client: number; server: number };
  /** The client's 0-RTT packets opened with CLIENT_EARLY_TRAFFIC_SECRET, and those that did not authenticate. */
  earlyPackets: { decrypted: number; failed: number };
  /** Key updates seen (RFC 9001 §6): each a step to the next "quic ku" generation. */
  keyUpdates: { client: number; server: number };
  /** STREAM and DATAGRAM frame data bytes per direction, counted only. */
  streamBytes: { client: number; server: number };
  datagramBytes: { client: number; server: number };
  /** Distinct stream IDs seen (at most 4096 are told apart). */
  streams: number;
  /** Capture packet of the server's first HANDSHAKE_DONE (the handshake is confirmed); null when none was seen. */
  handshakeDone: number | null;
  /** NEW_CONNECTION_ID frames (at most 32): the connection IDs each side issued for later paths, hex. */
  newConnectionIds: Array<{ from: 'client' | 'server'; packet: number; sequence: number; retirePriorTo: number; connectionId: string }>;
}

export interface QuicDatagramReport {
  packet: number;
  /** Seconds since the epoch; NaN (null in JSON) when the capture carries no times (some text dumps). @nonFiniteAsNull */
  time: number;
  from: 'client' | 'server';
  /** UDP payload bytes. */
  size: number;
  /** The QUIC packets coalesced in the datagram. */
  packets: QuicPacketSummary[];
}

export interface QuicReport {
  version: number;
  versionName: string;
  /** Hex; the Destination Connection ID of the client's first Initial (the Initial keys derive from it). */
  originalDcid: string;
  clientScid: string | null;
  serverScid: string | null;
  /** Every connection ID seen in long headers, hex. */
  connectionIds: string[];
  datagrams: { client: number; server: number };
  bytes: { client: number; server: number };
  /** Packets by type, e.g. {"Initial": 3, "Handshake": 2, "1-RTT": 9}. */
  packetTypes: Record<string, number>;
  retry: { verified: boolean; tokenLength: number } | null;
  /** Versions a Version Negotiation packet offered; null when none was seen. */
  versionNegotiation: number[] | null;
  /** CRYPTO bytes of the Initial packets put back in order, per direction. */
  cryptoBytes: { client: number; server: number };
  /** Datagrams in capture order: the first 16 unless the packet timeline was asked for (then up to 4096). */
  datagramList: QuicDatagramReport[];
  datagramListTruncated: boolean;
  /** Present when a key log had the connection's 0-RTT or 1-RTT secrets (issue #14). */
  application?: QuicApplicationReport;
  /** CONNECTION_CLOSE frames of the packets a key log opened (at most 8); absent when none. */
  connectionClose?: QuicCloseReport[];
}

export interface InputReport {
  path: string;
  format: string;
  compressed: boolean;
  sha256: string;
  bytes: number;
  packets: number;
  tcpPackets: number;
  skipped: Record<string, number>;
  snaplenCut: number;
  comments: Array<{ packet: number; comments: string[] }>;
  interfaces: Array<{ id: number; linkType: number; name?: string; description?: string }>;
  decryptionSecrets: number;
  /** UDP datagrams that were decoded as QUIC (absent when none): they are no longer counted in `skipped.UDP`. */
  quicDatagrams?: number;
  /** UDP datagrams on DTLS 5-tuples (DTLS and what WebRTC multiplexes with it), absent when none: not counted in `skipped.UDP`. */
  dtlsDatagrams?: number;
  /**
   * Timestamps of the first and last packet of the input, whatever it held (ARP, ICMP, skipped UDP included), in
   * seconds like a connection's `startTime`; absent when no packet had a timestamp. A capture does not record when
   * it started or stopped: this is the nearest trace of it, which compare takes as the time the capture covered.
   */
  timeSpan?: { first: number; last: number };
}

export interface AnalysisReport {
  schema: typeof CONTRACT_SCHEMA;
  tool: { name: string; version: string };
  input: InputReport;
  connections: ConnectionReport[];
  diagnostics: ReportDiagnostic[];
  /**
   * The texts of every rule the connections' suspects name, once per document. Absent in `compare --json`'s
   * `client` and `relay`: the comparison's own `rules` holds them.
   */
  rules?: RuleTexts;
}

/**
 * What `analyze --json` writes when the run fails after connections were
 * already written (the input stopped being readable): the document is still
 * closed and valid, `input` is null, and the reason is a `run.failed`
 * diagnostic; the exit code is 1.
 */
export interface FailedAnalysisReport {
  schema: typeof CONTRACT_SCHEMA;
  tool: { name: string; version: string };
  input: null;
  connections: ConnectionReport[];
  diagnostics: ReportDiagnostic[];
}

// ---------------------------------------------------------------------------
// TLS after a preamble (issue #13). Declared here on their own, no engine types.
// ---------------------------------------------------------------------------

/** How a connection reached TLS: at the first byte, or after which preamble. */
export type TlsStartedBy =
  | 'stream-start' | 'starttls-smtp' | 'starttls-imap' | 'starttls-pop3' | 'starttls-ftp' | 'starttls-xmpp' | 'starttls-irc'
  | 'starttls-nntp' | 'starttls-sieve' | 'starttls-ldap' | 'starttls-postgres' | 'socks4' | 'socks4a' | 'socks5'
  | 'http-connect' | 'proxy-v1' | 'proxy-v2' | 'unknown';

/** One decoded piece of a preamble: a command or response line, a SOCKS message, a PROXY header, an LDAP message. */
export interface PreambleUnitReport {
  from: 'client' | 'server';
  /** Stream offsets [start, end) in the sender's direction. */
  span: [number, number];
  /** What it says, escaped (control bytes as \xNN); passwords are never included. */
  text: string;
  /** Index of the packet carrying its first byte; -1 if unknown. */
  packet: number;
  /** Where its bytes are. In `--json` only with `--ranges` (the language server always sends it). @withRanges */
  range: SourceLocation[];
  /**
   * Where its named elements sit (the SOCKS target, the CONNECT authority, PROXY addresses and ports): what a hover
   * on those bytes says. In `--json` only with `--ranges`, like every byte position. @withRanges
   */
  elements?: PreambleElementReport[];
}

/** A named element of a preamble unit. */
export interface PreambleElementReport {
  /** e.g. "SOCKS target", "CONNECT authority", "source address". */
  name: string;
  /** Stream offsets [start, end) in the sender's direction. */
  span: Span;
  /** What it says, escaped; "(not shown)" for a password. */
  value: string;
  range: SourceLocation[];
}

export interface PreambleReport {
  /** The preamble right before TLS (equal to tls.startedBy), or the one that never led to TLS. */
  protocol: TlsStartedBy;
  /** Every preamble in order, e.g. ["proxy-v1", "starttls-smtp"]. */
  chain: TlsStartedBy[];
  units: PreambleUnitReport[];
  /** Units past the kept 64. */
  unitsDropped: number;
  /** Where the proxy was asked to connect (SOCKS, CONNECT) or where a PROXY header says the connection went. */
  destination: { host: string; port: number } | null;
  /** The original client a PROXY header names. */
  source: { host: string; port: number } | null;
  /** Why the stream never turned into TLS (e.g. "STARTTLS refused: 454 4.7.0 …"); null when it did. */
  noTls: string | null;
  /** The preamble reached TLS or asked for it (STARTTLS, a proxy): the connection is listed with the TLS ones even when no TLS followed. */
  towardTls: boolean;
}

/**
 * (issue #13) The ECH (0xfe0d) or legacy ESNI (0xffce) of a connection's ClientHello: likely real or GREASE, with
 * the evidence, and what the server's answer says about acceptance (see server/src/analysis/echAssessment.ts).
 */
export interface EchReport {
  kind: 'ech' | 'esni';
  likely: 'real' | 'grease' | 'undetermined';
  /** Why, one sentence per sign. */
  evidence: string[];
  /** The outer ClientHello's SNI: the provider's public name for real ECH, the real name for GREASE. */
  outerServerName: string | null;
  configId: number | null;
  /** The HelloRetryRequest carried the ECH extension (an accepting server's confirmation); null without a HelloRetryRequest. */
  hrrConfirmation: boolean | null;
  /** What the server's answer shows about acceptance, and what cannot be checked without keys. */
  acceptance: string;
}

/** Where a hello's bytes sit (issue #13): a split over records or segments is evidence (censors that do not reassemble). */
export interface HelloLayout {
  /** TLS records holding its bytes: record index in its direction, stream offsets [start, end) with the header, body length. */
  records: Array<{ index: number; span: [number, number]; length: number }>;
  /** TCP segments (reassembled IP datagrams count once) holding its bytes: packet index and the stream offsets it carried. */
  segments: Array<{ packet: number; span: [number, number] }>;
  splitRecords: boolean;
  splitSegments: boolean;
}

