/**
 * The analysis result as it leaves the engine: the `analyze --json` contract
 * (documented in the README), what the language server sends the extension,
 * and what the webview and reports render. Declared once, used by all.
 */
import type { SourceLocation, Severity } from '../server/src/capture/source';
import type { ClientHello, HandshakeMessage, ServerHello, ServerKeyExchange, Span, TlsExtension } from '../server/src/tls/types';
import type { Suspect } from './compare';

export type { SourceLocation, Severity, TlsExtension, Span };

/** Field path → where its bytes are in the source (one entry per contiguous piece). */
export type SourceRanges = Record<string, SourceLocation[]>;

export interface Endpoint {
  address: string;
  port: number;
}

export interface ReportDiagnostic {
  severity: Severity;
  code: string;
  message: string;
  location: SourceLocation | null;
  packet?: number;
  connection?: number;
}

export type ClientHelloReport = Omit<ClientHello, 'ranges'> & { ranges: SourceRanges };
export type ServerHelloReport = Omit<ServerHello, 'ranges'> & { ranges: SourceRanges };
export type ServerKeyExchangeReport = Omit<ServerKeyExchange, 'ranges'> & { ranges: SourceRanges };

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
  publicKey: { algorithm: string; bits: number | null; curve?: string | null } | null;
  signatureAlgorithm: string | null;
  sha256: string;
  selfSigned: boolean | null;
  extensions: Array<{ oid: string; name: string; critical: boolean }>;
  length: number;
  error?: string;
  range: SourceLocation[];
  /** Only with the JA4+ opt-in. */
  ja4x?: string;
}

export interface MessageReport {
  type: number;
  name: string;
  from: 'client' | 'server';
  length: number;
  /** Stream offsets [start, end) in the sender's direction. */
  span: Span;
  /** Index of the packet carrying the message's first byte; -1 if unknown. */
  packet: number;
  /** Packets carrying any of its bytes. */
  packets: number[];
  range: SourceLocation[];
  clientHello?: ClientHelloReport;
  serverHello?: ServerHelloReport;
  serverKeyExchange?: ServerKeyExchangeReport;
  certificates?: CertificateReport[];
  details?: Record<string, unknown>;
  afterGap?: boolean;
}

export interface AlertReport {
  from: 'client' | 'server';
  level: number | null;
  description: number | null;
  name: string;
  encrypted: boolean;
  packet: number;
  range: SourceLocation[];
}

export interface Fingerprints {
  ja3: string | null;
  ja3Full: string | null;
  ja3s: string | null;
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
  gaps: { client: Array<{ start: number; length: number }>; server: Array<{ start: number; length: number }> };
  retransmissions: { client: number; server: number };
  retransmissionsDiffering: number;
  outOfOrder: number;
  rst: 'client' | 'server' | null;
  fin: { client: boolean; server: boolean };
  synSeen: boolean;
  timelineTruncated: boolean;
  /** Raw initial sequence numbers (from the SYNs), null when no SYN was seen: they survive most NATs, so they help match two captures. */
  isn: { client: number | null; server: number | null };
  /**
   * Tunnel the connection's first packet was found in, outermost first, e.g. "GRE", "VXLAN", "Geneve",
   * "IP-in-IP", "VXLAN › GRE"; null when it was not tunnelled (VLAN tags are not tunnels). Always set by
   * the engine; optional only so hand-made reports stay valid.
   */
  tunnel?: string | null;
}

export interface TlsSummary {
  /** False when the capture holds no payload bytes for this connection (tcpdump -nn summary lines): TLS is then unknown, not absent. */
  available: boolean;
  /** Negotiated version, e.g. 0x0303, or null when no ServerHello. */
  version: number | null;
  versionName: string | null;
  cipherSuite: number | null;
  cipherSuiteName: string | null;
  serverName: string | null;
  alpn: string | null;
  resumed: boolean;
  /** Handshake bytes are missing (gap) or it stopped early. */
  incomplete: boolean;
  /** Last handshake step seen in clear, e.g. "ServerHelloDone". */
  lastMessage: string | null;
  applicationData: { client: { records: number; bytes: number }; server: { records: number; bytes: number } };
}

export interface ConnectionReport {
  id: number;
  client: Endpoint;
  server: Endpoint;
  startTime: number;
  endTime: number;
  isTls: boolean;
  tcp: TcpReport;
  tls: TlsSummary;
  clientHello: ClientHelloReport | null;
  serverHello: ServerHelloReport | null;
  serverKeyExchange: ServerKeyExchangeReport | null;
  certificates: CertificateReport[];
  messages: MessageReport[];
  alerts: AlertReport[];
  fingerprints: Fingerprints;
  /** Fields the rule catalogue (and the user's rules) mark, each with its reason, source and bytes. */
  suspects: Suspect[];
  diagnostics: ReportDiagnostic[];
  /** Packet timeline, when asked for (compare and the editor need it). */
  packets?: PacketReport[];
  // --- QUIC (issue #12) -------------------------------------------------------------------------------
  /** 'quic' for a QUIC connection (its `tcp` block then only counts datagrams); absent for TCP. */
  transport?: 'quic';
  quic?: QuicReport;
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
}

export interface QuicDatagramReport {
  packet: number;
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
}

export interface AnalysisReport {
  tool: { name: string; version: string };
  input: InputReport;
  connections: ConnectionReport[];
  diagnostics: ReportDiagnostic[];
}

// Re-exported for consumers that walk messages generically.
export type { HandshakeMessage };
