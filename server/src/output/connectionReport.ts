import type {
  AlertReport, CertificateReport, ConnectionReport, Fingerprints, MessageReport, PacketReport, ReportDiagnostic, TcpReport, TlsSummary,
} from '../../../shared/analysis';
import type { Connection } from '../tcp/connectionTable';
import { TIMELINE_LIMIT } from '../tcp/connectionTable';
import { PacketNote, noteNames } from '../tcp/reassembly';
import type { StreamMap } from '../tcp/streamMap';
import { flagsText } from '../net/tcpPacket';
import type { TlsSession } from '../analysis/tlsSession';
import type { CertificateEntry, ClientHello, Direction, HandshakeMessage, ServerHello } from '../tls/types';
import { versionName } from '../../../shared/tls/registry/versions';
import { CertificateCache } from '../x509/certificate';
import { clientHelloReport, serverHelloReport, serverKeyExchangeReport } from './contract';
import { preambleParts } from './preambleReport';
import { helloLayout } from './helloLayout';
import { fingerprintClient, fingerprintServer } from '../fingerprint';
import type * as Ja4plus from '../fingerprint/ja4plus';

let ja4plusModule: typeof Ja4plus | undefined;
/** JA4S/JA4X (FoxIO License 1.1) are loaded, with the ASN.1 stack they need, only once the user opted in. */
export function ja4plus(): typeof Ja4plus {
  return (ja4plusModule ??= require('../fingerprint/ja4plus') as typeof Ja4plus);
}

export interface ReportOptions {
  /** Compute JA4S/JA4X (FoxIO License 1.1, non-commercial): opt-in only. */
  ja4plus: boolean;
  /** Include the per-packet timeline. */
  packets: boolean;
  certificates: CertificateCache;
  /** Write the connection's key log secrets into `tls.decryption.secrets` (`--include-secrets`); never otherwise. */
  includeSecrets?: boolean;
}

/** Builds the contract object for one finished connection; the connection's buffers can be dropped afterwards. */
export function buildConnectionReport(conn: Connection, tls: TlsSession | null, opts: ReportOptions): ConnectionReport {
  const maps: Record<Direction, StreamMap> = { client: conn.stream('client').map, server: conn.stream('server').map };
  const resolve = (from: Direction, span: [number, number]) => maps[from].resolve(span);

  const messages: MessageReport[] = [];
  const splitHellos: ReportDiagnostic[] = [];
  const certificates: CertificateReport[] = [];
  let clientHello: ConnectionReport['clientHello'] = null;
  let serverHello: ConnectionReport['serverHello'] = null;
  let serverKeyExchange: ConnectionReport['serverKeyExchange'] = null;
  let ja4x: string[] | undefined;
  let rawClientHello: ClientHello | undefined;
  let rawServerHello: ServerHello | undefined;

  for (const m of tls?.messages ?? []) {
    const rep = messageReport(m, maps[m.from], resolve);
    if (m.clientHello && tls) {
      rep.layout = helloLayout(m, tls.records, maps[m.from]);
      if (rep.layout.splitRecords || rep.layout.splitSegments) {
        const l = rep.layout;
        splitHellos.push({
          severity: 'info', code: 'tls.clienthello-split', connection: conn.id, location: rep.range[0] ?? null, packet: rep.packet,
          message: `ClientHello (${m.length + 4} bytes) spans ${l.records.length} TLS record(s) and ${l.segments.length} TCP segment(s) (packets ${l.segments.map((g) => g.packet).join(', ')})`,
        });
      }
    }
    if (m.clientHello) {
      rep.clientHello = clientHelloReport(m.clientHello, maps[m.from]);
      if (!clientHello) {
        clientHello = rep.clientHello;
        rawClientHello = m.clientHello;
      }
    }
    if (m.serverHello) {
      rep.serverHello = serverHelloReport(m.serverHello, maps[m.from]);
      // A HelloRetryRequest is a ServerHello on the wire, but the hello that
      // fixes the session is the one after it.
      if (!serverHello || serverHello.helloRetryRequest) {
        serverHello = rep.serverHello;
        rawServerHello = m.serverHello;
      }
    }
    if (m.serverKeyExchange) {
      rep.serverKeyExchange = serverKeyExchangeReport(m.serverKeyExchange, maps[m.from]);
      if (!serverKeyExchange) serverKeyExchange = rep.serverKeyExchange;
    }
    if (m.certificates) {
      rep.certificates = m.certificates.map((c, i) => certificateReport(c, i, opts, resolve(m.from, c.span)));
      // The server's first chain is the one fingerprinted and checked.
      if (m.from === 'server' && certificates.length === 0) {
        certificates.push(...rep.certificates);
        if (opts.ja4plus) ja4x = rep.certificates.map((c) => c.ja4x ?? '');
      }
    }
    messages.push(rep);
  }

  const fingerprints: Fingerprints = { ja3: null, ja3Full: null, ja3s: null, ja3sFull: null, ja4: null };
  // Fingerprints describe the same hellos the report shows.
  // JA3 and JA4 are defined over a TLS ClientHello (2-byte suites, extensions); an SSLv2 CLIENT-HELLO has
  // neither, and the reference implementations (ja3.py, FoxIO's ja4.py) give it none: absent, not made up.
  if (rawClientHello && !rawClientHello.sslv2) Object.assign(fingerprints, fingerprintClient(rawClientHello));
  if (rawServerHello) Object.assign(fingerprints, fingerprintServer(rawServerHello));
  if (opts.ja4plus) {
    if (rawServerHello) Object.assign(fingerprints, ja4plus().ja4s(rawServerHello));
    fingerprints.ja4x = ja4x ?? [];
  }

  const alerts: AlertReport[] = (tls?.alerts ?? []).map((a) => {
    const rep: AlertReport = {
      from: a.from, level: a.level, description: a.description, name: a.name, encrypted: a.encrypted,
      packet: maps[a.from].packetAt(a.span[0]), range: resolve(a.from, a.span),
    };
    if (a.decrypted) {
      rep.decrypted = true;
      rep.keySource = a.decrypted;
    }
    return rep;
  });

  const tlsCertProblems: ReportDiagnostic[] = [];
  for (const m of messages) {
    for (const cert of m.certificates ?? []) {
      if (cert.error === undefined) continue;
      const partly = cert.subject !== '' ? `; read in part: subject "${cert.subject}", ${cert.subjectAltNameCount ?? cert.subjectAltNames.length} subject alternative name(s)` : '';
      tlsCertProblems.push({
        severity: 'warning', code: 'x509.undecodable', connection: conn.id, location: cert.range[0] ?? null, packet: m.packet,
        message: `${m.from}: certificate [${cert.index}] (${cert.length} bytes) could not be decoded: ${cert.error}${partly}`,
      });
    }
  }

  // Gaps are reported once, below, from reassembly's own record of them.
  const diagnostics: ReportDiagnostic[] = (tls?.problems ?? []).filter((p) => p.code !== 'tcp.gap').map((p) => ({
    severity: p.severity, code: p.code, message: `${p.from}: ${p.message}`,
    location: resolve(p.from, p.span)[0] ?? null, packet: maps[p.from].packetAt(p.span[0]), connection: conn.id,
  }));
  diagnostics.push(...tlsCertProblems, ...splitHellos);

  const tcp = tcpReport(conn);
  for (const from of ['client', 'server'] as const) {
    for (const g of tcp.gaps[from]) {
      diagnostics.push({
        severity: 'warning', code: 'tcp.gap', connection: conn.id, location: null,
        message: `${from} → ${from === 'client' ? 'server' : 'client'}: ${g.length} bytes at stream offset ${g.start} were never captured; what follows is decoded as far as possible`,
      });
    }
  }

  const tlsSummary = summarize(tls, clientHello, serverHello, messages, tcp);
  tlsSummary.available = !conn.noBytes;
  const pre = preambleParts(tls, maps, conn.id);
  if (pre.startedBy) {
    tlsSummary.startedBy = pre.startedBy;
    tlsSummary.startOffset = pre.startOffset;
  }
  diagnostics.push(...pre.diagnostics);
  if (tls?.decrypt) {
    const s = tls.decrypt.stats;
    tlsSummary.decryption = { keySource: s.keySource, records: { ...s.records }, failed: { ...s.failed }, finished: { ...s.finished } };
    if (opts.includeSecrets) tlsSummary.decryption.secrets = tls.decrypt.secretsHex();
  }
  const report: ConnectionReport = {
    id: conn.id, client: conn.client, server: conn.server, startTime: conn.firstTime, endTime: conn.lastTime,
    isTls: tls?.isTls ?? false, tcp, tls: tlsSummary, clientHello, serverHello, serverKeyExchange, certificates,
    messages, alerts, fingerprints, suspects: [], diagnostics,
  };
  if (pre.preamble) report.preamble = pre.preamble;
  if (opts.packets) report.packets = packetReports(conn, messages, alerts, tls, maps);
  return report;
}

export function messageReport(m: HandshakeMessage, map: StreamMap, resolve: (from: Direction, span: [number, number]) => ReturnType<StreamMap['resolve']>): MessageReport {
  const rep: MessageReport = {
    type: m.type, name: m.name, from: m.from, length: m.length, span: m.span,
    packet: map.packetAt(m.span[0]), packets: map.packetsOf(m.span), range: resolve(m.from, m.span),
  };
  if (m.details) rep.details = m.details;
  if ((m as { afterGap?: boolean }).afterGap) rep.afterGap = true;
  if (m.decrypted) {
    rep.decrypted = true;
    rep.keySource = m.decrypted;
  }
  return rep;
}

/** The names of the handshake messages that start in each packet: what a datagram timeline entry (QUIC, DTLS) says it carries. */
export function messagesByPacket(messages: readonly MessageReport[]): Map<number, string[]> {
  const starts = new Map<number, string[]>();
  for (const m of messages) {
    if (m.packet < 0) continue;
    const list = starts.get(m.packet);
    if (list) list.push(m.name);
    else starts.set(m.packet, [m.name]);
  }
  return starts;
}

export function certificateReport(c: CertificateEntry, index: number, opts: ReportOptions, range: CertificateReport['range']): CertificateReport {
  const d = opts.certificates.get(c.der);
  const rep: CertificateReport = {
    index,
    subject: d.subject ?? '', issuer: d.issuer ?? '', subjectCN: d.subjectCN ?? null, issuerCN: d.issuerCN ?? null,
    serialNumber: d.serialNumber ?? '', notBefore: d.notBefore ?? null, notAfter: d.notAfter ?? null,
    lifetimeSeconds: d.lifetimeSeconds ?? null, subjectAltNames: d.subjectAltNames ?? [],
    publicKey: d.publicKey ?? null, signatureAlgorithm: d.signatureAlgorithm?.name ?? null, sha256: d.sha256,
    selfSigned: d.selfSigned ?? null, extensions: d.extensions ?? [], length: c.der.length, range,
  };
  if (d.error) {
    rep.error = d.error;
    const p = d.partial;
    if (p) {
      // Read in part by a bounded walk of the DER (x509/derWalk.ts): names, validity, key algorithm, SANs counted.
      Object.assign(rep, { subject: p.subject, issuer: p.issuer, subjectCN: p.subjectCN, issuerCN: p.issuerCN, serialNumber: p.serialNumber,
        notBefore: p.notBefore, notAfter: p.notAfter, subjectAltNames: p.subjectAltNames });
      if (p.publicKeyAlgorithm) rep.publicKey = { algorithm: p.publicKeyAlgorithm, oid: p.publicKeyOid ?? '', bits: null };
      if (p.subjectAltNameCount > p.subjectAltNames.length) rep.subjectAltNameCount = p.subjectAltNameCount;
    }
  }
  if (opts.ja4plus) rep.ja4x = ja4plus().ja4x(c.der);
  return rep;
}

function tcpReport(conn: Connection): TcpReport {
  const cs = conn.stream('client');
  const ss = conn.stream('server');
  return {
    roleBy: conn.roleBy, packets: conn.packetCount,
    bytes: { client: Math.max(cs.highest, cs.next), server: Math.max(ss.highest, ss.next) },
    gaps: { client: cs.gaps.slice(0, 100), server: ss.gaps.slice(0, 100) },
    retransmissions: { ...conn.counts.retransmissions }, retransmissionsDiffering: conn.counts.retransmissionsDiffering, outOfOrder: conn.counts.outOfOrder,
    rst: conn.rstFrom, fin: { ...conn.finFrom }, synSeen: cs.synSeen || ss.synSeen,
    timelineTruncated: conn.timeline.length > 0 && conn.packetCount > TIMELINE_LIMIT,
    isn: { client: isnOf(cs), server: isnOf(ss) },
    tunnel: conn.tunnel,
  };
}

function isnOf(s: Connection['sa']): number | null {
  return s.baseFromSyn ? ((s.base - 1) >>> 0) : null;
}

const ORDER_ENCRYPTED = -1;

function summarize(tls: TlsSession | null, ch: ConnectionReport['clientHello'], sh: ConnectionReport['serverHello'], messages: MessageReport[], tcp: TcpReport): TlsSummary {
  // SSL 2.0 has no ServerHello of the TLS kind: its SERVER-HELLO names the version, the CLIENT-MASTER-KEY the cipher.
  const v2 = sh ? undefined : messages.find((m) => m.from === 'server' && m.details?.serverVersion !== undefined)?.details;
  const v2Cipher = v2 && messages.find((m) => m.from === 'client' && m.details?.cipherKind !== undefined)?.details;
  const version = sh ? sh.selectedVersion : v2?.serverVersion ?? null;
  const clear = messages.filter((m) => m.type !== ORDER_ENCRYPTED);
  const resumed = !!(sh && ch && sh.sessionId !== '' && sh.sessionId === ch.sessionId && version !== 0x0304) ||
    !!(sh && sh.extensions.some((e) => e.type === 41)) || v2?.sessionIdHit === true;
  const handshakeDone = !!tls && (tls.traffic.client.applicationDataRecords > 0 || tls.traffic.server.applicationDataRecords > 0 ||
    messages.some((m) => m.type === ORDER_ENCRYPTED && m.from === 'client'));
  return {
    available: true,
    version, versionName: version === null ? null : versionName(version),
    cipherSuite: sh ? sh.cipherSuite : v2Cipher?.cipherKind ?? null, cipherSuiteName: sh ? sh.cipherSuiteName : v2Cipher?.cipherKindName ?? null,
    serverName: ch?.serverName ?? null, alpn: sh?.alpn ?? encryptedAlpn(messages), resumed,
    incomplete: !!tls && tls.isTls && (tcp.gaps.client.length > 0 || tcp.gaps.server.length > 0 || !handshakeDone),
    lastMessage: clear.length > 0 ? clear[clear.length - 1].name : null,
    applicationData: {
      client: { records: tls?.traffic.client.applicationDataRecords ?? 0, bytes: tls?.traffic.client.applicationDataBytes ?? 0 },
      server: { records: tls?.traffic.server.applicationDataRecords ?? 0, bytes: tls?.traffic.server.applicationDataBytes ?? 0 },
    },
  };
}

/** TLS 1.3 sends ALPN in EncryptedExtensions: known once that was decrypted. */
export function encryptedAlpn(messages: MessageReport[]): string | null {
  const ee = messages.find((m) => m.decrypted && m.type === 8 && m.from === 'server');
  const alpn = ee?.details?.extensions?.find((e) => e.type === 16);
  const protocols = (alpn?.data as { protocols?: string[] } | undefined)?.protocols;
  return protocols && protocols.length > 0 ? protocols[0] : null;
}

const RECORD_LABELS: Record<number, string> = { 20: 'ChangeCipherSpec', 23: 'ApplicationData', 24: 'Heartbeat' };

/**
 * The notes or TLS content of a packet that has none: one frozen list for
 * all (most packets have none, and a compare holds every packet of both
 * captures; a list per packet was a tenth of a held connection).
 */
const NO_NAMES = Object.freeze([]) as unknown as string[];

function packetReports(conn: Connection, messages: MessageReport[], alerts: AlertReport[], tls: TlsSession | null, maps: Record<Direction, StreamMap>): PacketReport[] {
  const tlsByPacket = new Map<number, string[]>();
  const add = (packet: number, name: string) => {
    if (packet < 0) return;
    const list = tlsByPacket.get(packet);
    if (list) list.push(name);
    else tlsByPacket.set(packet, [name]);
  };
  for (const m of messages) add(m.packet, m.name);
  for (const a of alerts) add(a.packet, a.encrypted ? 'EncryptedAlert' : `Alert(${a.name})`);
  // Records that carry no handshake message still mark their packet, so a
  // timeline shows where the encrypted part starts and what each segment held.
  for (const r of tls?.records ?? []) {
    const label = RECORD_LABELS[r.contentType];
    if (label) add(maps[r.from].packetAt(r.span[0]), label);
  }
  // Gaps are only known once the hole is given up on, after later segments
  // went by: mark the segments that resume a stream after one here.
  const gapEnds: Record<Direction, Set<number>> = { client: new Set(), server: new Set() };
  for (const from of ['client', 'server'] as const) for (const g of conn.stream(from).gaps) gapEnds[from].add(g.start + g.length);
  // Reassembled IP fragments are fed when their datagram is complete, which
  // may be after later packets: list the timeline in capture order.
  let rows = conn.timeline;
  for (let i = 1; i < rows.length; i++) {
    if (rows[i].index < rows[i - 1].index) {
      rows = [...rows].sort((a, b) => a.index - b.index);
      break;
    }
  }
  return rows.map((p) => {
    const notes = p.length > 0 && gapEnds[p.from].has(p.seq) ? p.notes | PacketNote.AFTER_GAP : p.notes;
    return {
      index: p.index, time: p.time, from: p.from, flags: flagsText(p.flags), seq: p.seq, ack: p.ack, length: p.length,
      window: p.window, ttl: p.ttl, ipId: p.ipId, notes: notes === 0 ? NO_NAMES : noteNames(notes),
      payloadHash: p.hash === 0 ? '' : p.hash.toString(16).padStart(8, '0'),
      // Retransmissions carry the same bytes again; the TLS content belongs to the first copy.
      tls: tlsByPacket.get(p.index) ?? NO_NAMES,
    };
  });
}
