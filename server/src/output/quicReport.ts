/**
 * The contract object for a QUIC connection: the same ConnectionReport as TCP
 * (hellos, messages, fingerprints, ranges into the capture) plus `transport`
 * and the `quic` block; `tcp` only counts datagrams, since there is no TCP.
 */
import type {
  CertificateReport, ConnectionReport, Fingerprints, MessageReport, PacketReport, QuicApplicationReport, QuicReport, ReportDiagnostic, TcpReport, TlsSummary,
} from '../../../shared/analysis';
import { quicApplicationErrorName, quicTransportErrorName } from '../../../shared/quic/errorCodes';
import type { ApplicationSpace } from '../quic/applicationSpace';
import { DATAGRAM_LIMIT, DATAGRAMS_WITHOUT_TIMELINE, hex, type QuicConnection } from '../quic/connection';
import { decodeQuicHandshake } from '../quic/handshake';
import { quicVersionName } from '../quic/versions';
import type { ClientHello, ServerHello } from '../tls/types';
import { versionName } from '../../../shared/tls/registry/versions';
import { fingerprintClient, fingerprintServer } from '../fingerprint';
import { withSourceRanges } from './sourceRanges';
import { certificateReport, encryptedAlpn, messagesByPacket, type ReportOptions } from './connectionReport';


/** `ja4plus` and `certificates` matter only when a key log opened the Handshake packets (the Certificate is in them). */
export function buildQuicConnectionReport(conn: QuicConnection, opts: Pick<ReportOptions, 'packets'> & Partial<ReportOptions>): ConnectionReport {
  const hs = decodeQuicHandshake(conn);
  const messages: MessageReport[] = [];
  const certificates: CertificateReport[] = [];
  let ja4x: string[] | undefined;
  let clientHello: ConnectionReport['clientHello'] = null;
  let serverHello: ConnectionReport['serverHello'] = null;
  let rawClientHello: ClientHello | undefined;
  let rawServerHello: ServerHello | undefined;
  for (const m of hs.messages) {
    const map = hs.mapOf(m);
    const rep: MessageReport = {
      type: m.type, name: m.name, from: m.from, length: m.length, span: m.span,
      packet: map.packetAt(m.span[0]), packets: map.packetsOf(m.span), range: map.resolve(m.span),
    };
    if (m.details) rep.details = m.details;
    if (m.decrypted) {
      rep.decrypted = true;
      rep.keySource = m.decrypted;
    }
    if (m.certificates && opts.certificates) {
      const reportOpts: ReportOptions = { ja4plus: opts.ja4plus ?? false, packets: opts.packets, certificates: opts.certificates };
      rep.certificates = m.certificates.map((c, i) => certificateReport(c, i, reportOpts, map.resolve(c.span)));
      if (m.from === 'server' && certificates.length === 0) {
        certificates.push(...rep.certificates);
        if (opts.ja4plus) ja4x = rep.certificates.map((c) => c.ja4x ?? '');
      }
    }
    if (m.clientHello) {
      rep.clientHello = withSourceRanges(m.clientHello, map);
      if (!clientHello) { clientHello = rep.clientHello; rawClientHello = m.clientHello; }
    }
    if (m.serverHello) {
      rep.serverHello = withSourceRanges(m.serverHello, map);
      if (!serverHello || serverHello.helloRetryRequest) { serverHello = rep.serverHello; rawServerHello = m.serverHello; }
    }
    messages.push(rep);
  }

  const fingerprints: Fingerprints = { ja3: null, ja3Full: null, ja3s: null, ja3sFull: null, ja4: null };
  if (rawClientHello) Object.assign(fingerprints, fingerprintClient(rawClientHello, 'q'));
  if (rawServerHello) Object.assign(fingerprints, fingerprintServer(rawServerHello));
  // JA4X once a key log showed the certificates; without one the QUIC report keeps the fingerprints it always had.
  if (opts.ja4plus && conn.decryption) fingerprints.ja4x = ja4x ?? [];

  const diagnostics: ReportDiagnostic[] = [];
  for (const p of conn.problems) {
    diagnostics.push({ severity: p.severity, code: 'quic.packet', message: `${p.from}: ${p.message}`, location: null, packet: p.packet, connection: conn.id });
  }
  for (const p of hs.problems) {
    const map = p.map;
    diagnostics.push({
      severity: p.severity, code: p.code, message: `${p.from}: ${p.message}`, location: map.resolve(p.span)[0] ?? null,
      packet: map.packetAt(p.span[0]), connection: conn.id,
    });
  }

  const datagrams = conn.counts.datagrams;
  const tcp: TcpReport = {
    roleBy: 'quic-initial', packets: datagrams.client + datagrams.server, bytes: { ...conn.counts.bytes },
    gaps: { client: [], server: [] }, retransmissions: { ...conn.counts.retransmissions }, retransmissionsDiffering: 0, outOfOrder: 0,
    rst: null, fin: { client: false, server: false }, synSeen: false, timelineTruncated: datagrams.client + datagrams.server > DATAGRAM_LIMIT,
    isn: { client: null, server: null }, tunnel: null,
  };
  const version = serverHello ? serverHello.selectedVersion : null;
  const encryptedHandshake = (conn.counts.packets.Handshake ?? 0) > 0;
  const opened = conn.decryption !== null && conn.decryption.records.client + conn.decryption.records.server > 0;
  const tls: TlsSummary = {
    available: true, version, versionName: version === null ? null : versionName(version),
    cipherSuite: serverHello?.cipherSuite ?? null, cipherSuiteName: serverHello?.cipherSuiteName ?? null,
    serverName: clientHello?.serverName ?? null, alpn: serverHello?.alpn ?? encryptedAlpn(messages),
    resumed: !!serverHello?.extensions.some((e) => e.type === 41),
    // The rest of a QUIC handshake travels in Handshake packets, encrypted with keys an observer lacks.
    // Once a key log opened Handshake packets they are read: complete when the client's Finished is.
    incomplete: clientHello === null || serverHello === null || !encryptedHandshake ||
      (opened && !messages.some((m) => m.decrypted && m.from === 'client' && m.type === 20)),
    lastMessage: messages.length > 0 ? messages[messages.length - 1].name : null,
    applicationData: { client: { records: 0, bytes: 0 }, server: { records: 0, bytes: 0 } },
  };

  const listed = opts.packets ? conn.datagrams : conn.datagrams.slice(0, DATAGRAMS_WITHOUT_TIMELINE);
  const quic: QuicReport = {
    version: conn.version, versionName: quicVersionName(conn.version), originalDcid: hex(conn.originalDcid),
    clientScid: conn.clientScid ? hex(conn.clientScid) : null, serverScid: conn.serverScid ? hex(conn.serverScid) : null,
    connectionIds: [...conn.connectionIds].filter((c) => c !== ''),
    datagrams: { ...datagrams }, bytes: { ...conn.counts.bytes }, packetTypes: { ...conn.counts.packets },
    retry: conn.retry, versionNegotiation: conn.versionNegotiation,
    cryptoBytes: { client: conn.crypto.client.contiguousLength(), server: conn.crypto.server.contiguousLength() },
    datagramList: listed.map((d) => ({ packet: d.packet, time: d.time, from: d.from, size: d.size, packets: d.packets.map((p) => ({ ...p })) })),
    datagramListTruncated: listed.length < datagrams.client + datagrams.server,
  };
  const report: ConnectionReport = {
    id: conn.id, client: conn.client, server: conn.server, startTime: conn.firstTime, endTime: conn.lastTime,
    isTls: clientHello !== null || serverHello !== null, tcp, tls, clientHello, serverHello, serverKeyExchange: null,
    certificates, messages, alerts: [], fingerprints, suspects: [], diagnostics, transport: 'quic', quic,
  };
  if (conn.decryption) {
    const d = conn.decryption;
    // `records` counts Handshake packets here: QUIC has no TLS records.
    tls.decryption = { keySource: d.keySource, records: { ...d.records }, failed: { ...d.failed }, finished: { ...hs.finished } };
  }
  if (conn.application) quic.application = applicationReport(conn.application);
  if (conn.closes.length > 0) {
    quic.connectionClose = conn.closes.map((c) => ({
      ...c, errorName: c.kind === 'transport' ? quicTransportErrorName(c.errorCode) : quicApplicationErrorName(c.errorCode, tls.alpn),
    }));
  }
  if (opts.packets) report.packets = packetTimeline(conn, messages);
  return report;
}

function applicationReport(a: ApplicationSpace): QuicApplicationReport {
  return {
    keySource: a.keySource, packets: { ...a.packets }, failed: { ...a.failed }, earlyPackets: { ...a.earlyPackets },
    keyUpdates: { ...a.keyUpdates }, streamBytes: { ...a.streamBytes }, datagramBytes: { ...a.datagramBytes }, streams: a.streams,
    handshakeDone: a.handshakeDone, newConnectionIds: a.newConnectionIds.map((n) => ({ ...n })),
  };
}

/**
 * The timeline the editor's ladder and compare read, one entry per datagram. TCP-only fields say
 * so: no flags, seq/ack -1, window 0; `payloadHash` hashes the whole UDP payload (compare pairs datagrams by it); `tls` names the handshake messages starting in the datagram,
 * else the QUIC packet types it carried.
 */
function packetTimeline(conn: QuicConnection, messages: MessageReport[]): PacketReport[] {
  const starts = messagesByPacket(messages);
  return conn.datagrams.map((d) => ({
    index: d.packet, time: d.time, from: d.from, flags: '', seq: -1, ack: -1, length: d.size, window: 0, ttl: d.ttl, ipId: d.ipId,
    notes: d.retransmission ? ['retransmission'] : [], tls: starts.get(d.packet) ?? d.packets.map((p) => `QUIC ${p.type}`),
    payloadHash: d.hash === 0 ? '' : d.hash.toString(16).padStart(8, '0'),
  }));
}
