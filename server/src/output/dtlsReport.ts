/**
 * The contract object for a DTLS association: the same ConnectionReport as
 * TCP (hellos, messages, certificates, fingerprints, ranges into the capture)
 * plus `transport: "dtls"` and the `dtls` block (records, fragments, cookie,
 * connection IDs, what else shared the 5-tuple, STUN); `tcp` only counts
 * datagrams, since there is no TCP.
 */
import type {
  AlertReport, CertificateReport, ConnectionReport, DtlsRecordReport, DtlsReport, Fingerprints, MessageReport, PacketReport,
  ReportDiagnostic, StunReport, TcpReport, TlsSummary,
} from '../../../shared/analysis';
import { alertDescriptionName } from '../../../shared/tls/registry/alerts';
import { ENCRYPTED_HANDSHAKE_NAME, handshakeTypeName } from '../../../shared/tls/registry/handshakeTypes';
import { versionName } from '../../../shared/tls/registry/versions';
import { other, type DtlsConnection, type Side } from '../dtls/connection';
import { decodeDtlsHandshake } from '../dtls/handshake';
import { CT, contentTypeName } from '../dtls/record';
import { fingerprintClient, fingerprintServer } from '../fingerprint';
import type { ClientHello, Direction, ServerHello } from '../tls/types';
import type { StreamMap } from '../tcp/streamMap';
import { certificateReport, ja4plus, messageReport, messagesByPacket, type ReportOptions } from './connectionReport';
import { clientHelloReport, serverHelloReport, serverKeyExchangeReport } from './contract';

/** Records listed without the packet timeline: the handshake, which is what censors look at. */
const RECORDS_WITHOUT_TIMELINE = 64;

export function buildDtlsConnectionReport(conn: DtlsConnection, opts: ReportOptions): ConnectionReport {
  const clientSide: Side = conn.clientSide ?? 'a';
  const dirOf = (s: Side): Direction => (s === clientSide ? 'client' : 'server');
  const mapOf: Record<Direction, StreamMap> = { client: conn.maps[clientSide], server: conn.maps[other(clientSide)] };
  const resolve = (from: Direction, span: [number, number]) => mapOf[from].resolve(span);
  const hs = decodeDtlsHandshake(conn, dirOf);

  const messages: MessageReport[] = [];
  const certificates: CertificateReport[] = [];
  let clientHello: ConnectionReport['clientHello'] = null;
  let serverHello: ConnectionReport['serverHello'] = null;
  let serverKeyExchange: ConnectionReport['serverKeyExchange'] = null;
  let rawClientHello: ClientHello | undefined;
  let rawServerHello: ServerHello | undefined;
  let cookie: string | null = null;
  let ja4x: string[] | undefined;
  for (const { message: m } of hs.messages) {
    const map = mapOf[m.from];
    const rep = messageReport(m, map, resolve);
    if (m.clientHello) {
      rep.clientHello = clientHelloReport(m.clientHello, map);
      // After a HelloVerifyRequest the second ClientHello (with the cookie) is the one the server goes on with.
      if (!clientHello || (clientHello.cookie === '' && m.clientHello.cookie)) {
        clientHello = rep.clientHello;
        rawClientHello = m.clientHello;
      }
    }
    if (m.serverHello) {
      rep.serverHello = serverHelloReport(m.serverHello, map);
      if (!serverHello || serverHello.helloRetryRequest) {
        serverHello = rep.serverHello;
        rawServerHello = m.serverHello;
      }
    }
    if (m.type === 3 && m.details?.cookie !== undefined && cookie === null) cookie = m.details.cookie;
    if (m.serverKeyExchange) {
      rep.serverKeyExchange = serverKeyExchangeReport(m.serverKeyExchange, map);
      serverKeyExchange ??= rep.serverKeyExchange;
    }
    if (m.certificates) {
      rep.certificates = m.certificates.map((c, i) => certificateReport(c, i, opts, resolve(m.from, c.span)));
      if (m.from === 'server' && certificates.length === 0) {
        certificates.push(...rep.certificates);
        if (opts.ja4plus) ja4x = rep.certificates.map((c) => c.ja4x ?? '');
      }
    }
    messages.push(rep);
  }

  const fingerprints: Fingerprints = { ja3: null, ja3Full: null, ja3s: null, ja3sFull: null, ja4: null };
  if (rawClientHello) Object.assign(fingerprints, fingerprintClient(rawClientHello, 'd'));
  if (rawServerHello) Object.assign(fingerprints, fingerprintServer(rawServerHello));
  if (opts.ja4plus) {
    if (rawServerHello) Object.assign(fingerprints, ja4plus().ja4s(rawServerHello));
    fingerprints.ja4x = ja4x ?? [];
  }

  const alerts: AlertReport[] = [];
  for (const r of conn.records) {
    if (r.contentType !== CT.alert) continue;
    const from = dirOf(r.side);
    const encrypted = r.alert === undefined;
    alerts.push({
      from, level: r.alert?.[0] ?? null, description: r.alert?.[1] ?? null, name: encrypted ? 'encrypted' : alertDescriptionName(r.alert![1]),
      encrypted, packet: r.packet, range: resolve(from, r.span),
    });
  }

  const diagnostics: ReportDiagnostic[] = [];
  for (const p of conn.problems) {
    const from = dirOf(p.side);
    diagnostics.push({
      severity: p.severity, code: p.code, message: `${from}: ${p.message}`, location: p.span ? resolve(from, p.span)[0] ?? null : null,
      packet: p.packet, connection: conn.id,
    });
  }
  for (const p of hs.problems) {
    const from = dirOf(p.side);
    diagnostics.push({
      severity: p.severity, code: p.code, message: p.message.startsWith(`${from}:`) ? p.message : `${from}: ${p.message}`,
      location: resolve(from, p.span)[0] ?? null, packet: mapOf[from].packetAt(p.span[0]), connection: conn.id,
    });
  }
  for (const m of messages) {
    for (const cert of m.certificates ?? []) {
      if (cert.error === undefined) continue;
      diagnostics.push({
        severity: 'warning', code: 'x509.undecodable', connection: conn.id, location: cert.range[0] ?? null, packet: m.packet,
        message: `${m.from}: certificate [${cert.index}] (${cert.length} bytes) could not be decoded: ${cert.error}`,
      });
    }
  }

  const both = <T>(v: Record<Side, T>): { client: T; server: T } => ({ client: v[clientSide], server: v[other(clientSide)] });
  const datagrams = both(conn.counts.datagrams);
  const tcp: TcpReport = {
    roleBy: 'dtls-handshake', packets: datagrams.client + datagrams.server, bytes: both(conn.counts.bytes),
    gaps: { client: [], server: [] }, retransmissions: { client: 0, server: 0 }, retransmissionsDiffering: 0, outOfOrder: 0,
    rst: null, fin: { client: false, server: false }, synSeen: false, timelineTruncated: conn.datagramsDropped > 0,
    isn: { client: null, server: null }, tunnel: null,
  };
  const retransmitted = { client: 0, server: 0 };
  let differing = 0;
  for (const s of ['a', 'b'] as const) {
    for (const m of conn.handshake[s].messages.values()) {
      retransmitted[dirOf(s)] += m.retransmitted;
      differing += m.differing;
    }
  }
  tcp.retransmissions = retransmitted;
  tcp.retransmissionsDiffering = differing;

  const version = serverHello ? serverHello.selectedVersion : null;
  const appData = { client: { records: 0, bytes: 0 }, server: { records: 0, bytes: 0 } };
  for (const r of conn.records) {
    if (r.contentType !== CT.application_data && !(r.form === 'unified' && r.epoch === 3)) continue;
    const a = appData[dirOf(r.side)];
    a.records++;
    a.bytes += r.length;
  }
  const clear = messages.filter((m) => m.type >= 0);
  const tls: TlsSummary = {
    available: true, version, versionName: version === null ? null : versionName(version),
    cipherSuite: serverHello?.cipherSuite ?? null, cipherSuiteName: serverHello?.cipherSuiteName ?? null,
    serverName: clientHello?.serverName ?? null, alpn: serverHello?.alpn ?? null,
    resumed: !!(serverHello && clientHello && serverHello.sessionId !== '' && serverHello.sessionId === clientHello.sessionId),
    // Done once both sides sent their encrypted Finished (or application data): what an observer can see of a finished handshake.
    incomplete: clientHello === null || serverHello === null || !(['client', 'server'] as const).every((f) =>
      appData[f].records > 0 || messages.some((m) => m.type < 0 && m.from === f)),
    lastMessage: clear.length > 0 ? clear[clear.length - 1].name : null,
    applicationData: appData,
  };

  const listed = opts.packets ? conn.records : conn.records.slice(0, RECORDS_WITHOUT_TIMELINE);
  const dtls: DtlsReport = {
    version, versionName: version === null ? null : versionName(version),
    helloVerifyRequest: messages.some((m) => m.type === 3), cookie,
    connectionIds: both(conn.cid),
    datagrams, bytes: both(conn.counts.bytes), records: both(conn.counts.records),
    multiplexed: Object.fromEntries(Object.entries(conn.counts.mux).filter(([, n]) => n > 0)),
    retransmittedFragments: retransmitted.client + retransmitted.server, differingFragments: differing,
    recordList: listed.map((r): DtlsRecordReport => {
      const from = dirOf(r.side);
      const rep: DtlsRecordReport = {
        packet: r.packet, from, form: r.form, contentType: r.contentType, contentTypeName: r.form === 'unified' ? 'encrypted (unified header)' : contentTypeName(r.contentType),
        version: r.version, epoch: r.epoch, sequence: r.sequence, length: r.length, range: resolve(from, r.span),
      };
      if (r.cid !== undefined) rep.cid = r.cid;
      if (r.fragments) rep.fragments = r.fragments.map((f) => ({ ...f }));
      return rep;
    }),
    recordListTruncated: listed.length < conn.records.length || conn.recordsDropped > 0,
    stun: conn.stun.map((s): StunReport => {
      const { side, methodName, method: _method, mappedAddress, ...rest } = s;
      const rep: StunReport = { ...rest, from: dirOf(side), method: methodName };
      if (mappedAddress) rep.mappedAddress = { address: mappedAddress.address, port: mappedAddress.port };
      return rep;
    }),
  };
  const [client, server] = clientSide === 'a' ? [conn.a, conn.b] : [conn.b, conn.a];
  const report: ConnectionReport = {
    id: conn.id, client, server, startTime: conn.firstTime, endTime: conn.lastTime,
    isTls: clientHello !== null || serverHello !== null, tcp, tls, clientHello, serverHello, serverKeyExchange,
    certificates, messages, alerts, fingerprints, suspects: [], diagnostics, transport: 'dtls', dtls,
  };
  if (opts.packets) report.packets = packetTimeline(conn, dirOf, messages);
  return report;
}

/** How a packet timeline names the datagrams multiplexed with DTLS on its 5-tuple (RFC 7983), by kind. */
export const MULTIPLEXED_LABEL: Readonly<Record<string, string>> = { stun: 'STUN', srtp: 'SRTP', srtcp: 'SRTCP', zrtp: 'ZRTP', 'turn-channel': 'TURN ChannelData', other: 'UDP' };

/**
 * One timeline entry per datagram, as QUIC's: no flags, ack -1, window 0. `seq` is the datagram's place in its side's
 * virtual stream (connection.ts), the offsets message spans use, so a text dump's bytes map to fields as a TCP stream's do.
 */
function packetTimeline(conn: DtlsConnection, dirOf: (s: Side) => Direction, messages: MessageReport[]): PacketReport[] {
  const starts = messagesByPacket(messages);
  // Datagrams where no message starts: named by what their records carry (a fragment's message, ChangeCipherSpec, data…).
  const carried = new Map<number, string[]>();
  for (const r of conn.records) {
    const names = carried.get(r.packet) ?? [];
    if (r.fragments && r.fragments.length > 0) {
      for (const f of r.fragments) names.push(f.fragmentOffset > 0 ? `${handshakeTypeName(f.type)} (fragment)` : handshakeTypeName(f.type));
    } else {
      names.push(r.form === 'unified' ? 'DTLS encrypted record' : r.contentType === CT.handshake ? ENCRYPTED_HANDSHAKE_NAME : contentTypeName(r.contentType));
    }
    carried.set(r.packet, names);
  }
  return conn.datagrams.map((d) => ({
    index: d.packet, time: d.time, from: dirOf(d.side), flags: '', seq: d.streamPos, ack: -1, length: d.size, window: 0, ttl: d.ttl, ipId: d.ipId,
    notes: d.retransmission ? ['retransmission'] : [],
    tls: (d.retransmission ? undefined : starts.get(d.packet)) ?? (d.kind === 'dtls' ? [...new Set(carried.get(d.packet) ?? ['DTLS'])] : [MULTIPLEXED_LABEL[d.kind]]),
    payloadHash: '',
  }));
}
