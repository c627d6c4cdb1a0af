/**
 * CompareReports for the report tests, built by hand from the real Tor capture
 * pair in test/fixtures/report/tor-kz-drop-tls12 (a Kazakhstan-2012-style DPI
 * that drops the ServerHello, then blackholes the connection).
 *
 * Written while the analysis and compare engines were still being integrated:
 * every number here was read off the captures (tshark, openssl asn1parse and
 * the pcap record layout: 24-byte file header, 16-byte record headers,
 * Ethernet + IPv4 + TCP with timestamps = 66 bytes before the payload), and
 * the byte values are taken from the pcap files themselves, so the hex views
 * and highlights are exercised against real bytes at real file offsets.
 * The suspects and the verdict are what the engine is expected to say, not
 * engine output. reportEngine.test.ts renders the engine's own reports once
 * it is available.
 */
import { createHash } from 'node:crypto';
import { readFileSync } from 'node:fs';
import * as path from 'node:path';
import type {
  AnalysisReport, CertificateReport, ClientHelloReport, ConnectionReport, MessageReport, PacketReport, ServerHelloReport, ServerKeyExchangeReport, SourceLocation,
} from '../../shared/analysis';
import type { CompareReport, ConnectionPair, PairPacket } from '../../shared/compare';
import { CONTRACT_SCHEMA } from '../../shared/analysis';

/** The repository (out/test/helpers/ → three up). */
export function repoRoot(): string {
  return path.resolve(__dirname, '../../..');
}

export const TOR_KZ_DIR = 'test/fixtures/report/tor-kz-drop-tls12';

export function torKzFiles(): { client: Uint8Array; relay: Uint8Array; clientPath: string; relayPath: string } {
  const root = repoRoot();
  const clientPath = path.join(TOR_KZ_DIR, 'client.pcap');
  const relayPath = path.join(TOR_KZ_DIR, 'relay.pcap');
  return { client: readFileSync(path.join(root, clientPath)), relay: readFileSync(path.join(root, relayPath)), clientPath, relayPath };
}

const off = (offset: number, length: number): SourceLocation[] => [{ kind: 'offset', offset, length }];
const hexOf = (b: Uint8Array, offset: number, length: number) => Buffer.from(b.subarray(offset, offset + length)).toString('hex');

// Record offsets and times, read off the pcaps (index = frame − 1).
const CLIENT_TIMES = [1795547342.069285, 1795547342.069357, 1795547342.069373, 1795547342.070483, 1795547342.070517];
const RELAY_TIMES = [
  1795547342.069325, 1795547342.069348, 1795547342.069377, 1795547342.070498, 1795547342.070512, 1795547342.071798,
  1795547342.279601, 1795547342.487628, 1795547342.899611, 1795547343.731612, 1795547345.395615, 1795547348.819621,
  1795547355.475637, 1795547368.787634, 1795547396.947619,
];
/** File offset of the first TCP payload byte of the ClientHello (both captures) and of the server's flight (relay capture). */
const CH_PAYLOAD = 368;
const SERVER_PAYLOAD = 1049;

const LIFETIME = (Date.parse('2027-09-07T23:59:59Z') - Date.parse('2026-10-30T00:00:00Z')) / 1000;

const CLIENT_EP = { address: '10.66.1.2', port: 51644 };
const SERVER_EP = { address: '10.66.2.2', port: 443 };

function clientHello(b: Uint8Array): ClientHelloReport {
  const m = CH_PAYLOAD + 5;
  return {
    recordVersion: 0x0301, legacyVersion: 0x0303, random: hexOf(b, m + 6, 32), sessionId: hexOf(b, m + 39, 32),
    cipherSuites: [0x1301, 0x1303, 0x1302, 0xc02b, 0xc02f, 0xcca9, 0xcca8, 0xc02c, 0xc030, 0xc00a, 0xc009, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035, 0x00ff],
    compressionMethods: [0],
    extensions: [
      { type: 0, name: 'server_name', grease: false, length: 35 }, { type: 11, name: 'ec_point_formats', grease: false, length: 4 },
      { type: 10, name: 'supported_groups', grease: false, length: 8 }, { type: 35, name: 'session_ticket', grease: false, length: 0 },
      { type: 22, name: 'encrypt_then_mac', grease: false, length: 0 }, { type: 23, name: 'extended_master_secret', grease: false, length: 0 },
      { type: 13, name: 'signature_algorithms', grease: false, length: 42 }, { type: 43, name: 'supported_versions', grease: false, length: 5 },
      { type: 45, name: 'psk_key_exchange_modes', grease: false, length: 2 }, { type: 51, name: 'key_share', grease: false, length: 71 },
      { type: 21, name: 'padding', grease: false, length: 188 },
    ],
    serverName: 'www.nticptdx7zayqmuqfjd6aq.com', alpn: [], supportedVersions: [0x0304, 0x0303], supportedGroups: [0x0017, 0x001d, 0x0015],
    ecPointFormats: [0, 1, 2],
    signatureAlgorithms: [0x0403, 0x0503, 0x0603, 0x0807, 0x0808, 0x0809, 0x080a, 0x080b, 0x0804, 0x0805, 0x0806, 0x0401, 0x0501, 0x0601, 0x0303, 0x0301, 0x0302, 0x0402, 0x0502, 0x0602],
    sslv2: false,
    ranges: {
      legacyVersion: off(m + 4, 2), random: off(m + 6, 32), sessionId: off(m + 39, 32), cipherSuites: off(m + 73, 36),
      serverName: off(m + 122, 30), extensions: off(m + 113, 399),
    },
  };
}

function serverHello(b: Uint8Array): ServerHelloReport {
  const m = SERVER_PAYLOAD + 5;
  return {
    recordVersion: 0x0303, legacyVersion: 0x0303, random: hexOf(b, m + 6, 32), sessionId: '', cipherSuite: 0xc030,
    cipherSuiteName: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', compressionMethod: 0,
    extensions: [
      { type: 65281, name: 'renegotiation_info', grease: false, length: 1 }, { type: 11, name: 'ec_point_formats', grease: false, length: 4 },
      { type: 23, name: 'extended_master_secret', grease: false, length: 0 },
    ],
    selectedVersion: 0x0303, helloRetryRequest: false, alpn: null,
    ranges: {
      recordVersion: off(SERVER_PAYLOAD + 1, 2), legacyVersion: off(m + 4, 2), random: off(m + 6, 32), cipherSuite: off(m + 39, 2),
      compressionMethod: off(m + 41, 1), extensions: off(m + 44, 17),
    },
  };
}

function certificate(b: Uint8Array): CertificateReport {
  const der = SERVER_PAYLOAD + 81;
  return {
    index: 0, subject: 'CN=www.b3iya6yfytxok2q7o.net', issuer: 'CN=www.sx3dhznicot62snfljg.com', subjectCN: 'www.b3iya6yfytxok2q7o.net',
    issuerCN: 'www.sx3dhznicot62snfljg.com', serialNumber: '00ee330a79ff9b60ef', notBefore: '2026-10-30T00:00:00Z', notAfter: '2027-09-07T23:59:59Z',
    lifetimeSeconds: LIFETIME, subjectAltNames: [], publicKey: { algorithm: 'RSA', oid: '1.2.840.113549.1.1.1', bits: 2048 }, signatureAlgorithm: 'sha256WithRSAEncryption',
    sha256: createHash('sha256').update(b.subarray(der, der + 590)).digest('hex'), selfSigned: false, extensions: [], length: 590,
    range: off(der, 590),
  };
}

function serverKeyExchange(b: Uint8Array): ServerKeyExchangeReport {
  const m = SERVER_PAYLOAD + 676;
  return {
    kind: 'ecdhe', curveType: 3, namedCurve: 0x0017, namedCurveName: 'secp256r1', ecPoint: hexOf(b, m + 8, 65),
    signatureAlgorithm: 0x0804, signatureAlgorithmName: 'rsa_pss_rsae_sha256', signatureLength: 256,
    ranges: { namedCurve: off(m + 5, 2), ecPoint: off(m + 8, 65), signatureAlgorithm: off(m + 73, 2), signature: off(m + 77, 256) },
  };
}

function packetReports(times: number[], spec: Array<[from: 'client' | 'server', flags: string, seq: number, len: number, ttl: number, tls: string[], notes?: string[]]>): PacketReport[] {
  return spec.map(([from, flags, seq, length, ttl, tls, notes], index) => ({
    index, time: times[index], from, flags, seq, ack: 0, length, window: 64, ttl, ipId: 0, notes: notes ?? [], tls, payloadHash: '',
  }));
}

function input(p: string, bytes: Uint8Array, packets: number): AnalysisReport['input'] {
  return {
    path: p, format: 'pcap', compressed: false, sha256: createHash('sha256').update(bytes).digest('hex'), bytes: bytes.length, packets, tcpPackets: packets,
    skipped: {}, snaplenCut: 0, comments: [], interfaces: [{ id: 0, linkType: 1 }], decryptionSecrets: 0,
  };
}

function connection(id: number, messages: MessageReport[], packets: PacketReport[], extra: Partial<ConnectionReport>): ConnectionReport {
  return {
    id, client: CLIENT_EP, server: SERVER_EP, startTime: packets[0].time, endTime: packets[packets.length - 1].time, isTls: true,
    tcp: {
      roleBy: 'syn', packets: packets.length, bytes: { client: 517, server: 0 }, gaps: { client: [], server: [] }, retransmissions: { client: 0, server: 0 },
      retransmissionsDiffering: 0, outOfOrder: 0, rst: null, fin: { client: false, server: false }, synSeen: true, timelineTruncated: false,
      isn: { client: 409017725, server: 3960569124 },
    },
    tls: {
      available: true, version: null, versionName: null, cipherSuite: null, cipherSuiteName: null, serverName: 'www.nticptdx7zayqmuqfjd6aq.com', alpn: null, resumed: false,
      incomplete: true, lastMessage: 'ClientHello', applicationData: { client: { records: 0, bytes: 0 }, server: { records: 0, bytes: 0 } },
    },
    clientHello: null, serverHello: null, serverKeyExchange: null, certificates: [], messages, alerts: [],
    fingerprints: { ja3: null, ja3Full: null, ja3s: null, ja3sFull: null, ja4: null }, suspects: [], diagnostics: [], packets, ...extra,
  };
}

function chMessage(b: Uint8Array): MessageReport {
  const ch = clientHello(b);
  return { type: 1, name: 'ClientHello', from: 'client', length: 508, span: [5, 517], packet: 3, packets: [3], range: off(CH_PAYLOAD + 5, 512), clientHello: ch };
}

/** The tor-kz pair as the compare engine is expected to report it. */
export function torKzCompare(): CompareReport {
  const f = torKzFiles();
  const ch = chMessage(f.relay);
  const sh = serverHello(f.relay);
  const cert = certificate(f.relay);
  const ske = serverKeyExchange(f.relay);
  const relayMessages: MessageReport[] = [
    ch,
    { type: 2, name: 'ServerHello', from: 'server', length: 57, span: [5, 66], packet: 5, packets: [5], range: off(SERVER_PAYLOAD + 5, 61), serverHello: sh },
    { type: 11, name: 'Certificate', from: 'server', length: 596, span: [71, 671], packet: 5, packets: [5], range: off(SERVER_PAYLOAD + 71, 600), certificates: [cert] },
    { type: 12, name: 'ServerKeyExchange', from: 'server', length: 329, span: [676, 1009], packet: 5, packets: [5], range: off(SERVER_PAYLOAD + 676, 333), serverKeyExchange: ske },
    { type: 14, name: 'ServerHelloDone', from: 'server', length: 0, span: [1014, 1018], packet: 5, packets: [5], range: off(SERVER_PAYLOAD + 1014, 4) },
  ];
  const retrans = Array.from({ length: 9 }, () => ['server', 'P.', 0, 1018, 64, [], ['retransmission']] as ['server', string, number, number, number, string[], string[]]);
  const relayPackets = packetReports(RELAY_TIMES, [
    ['client', 'S', -1, 0, 63, []], ['server', 'S.', -1, 0, 64, []], ['client', '.', 0, 0, 63, []], ['client', 'P.', 0, 517, 63, ['ClientHello']],
    ['server', '.', 0, 0, 64, []], ['server', 'P.', 0, 1018, 64, ['ServerHello', 'Certificate', 'ServerKeyExchange', 'ServerHelloDone']], ...retrans,
  ]);
  const clientPackets = packetReports(CLIENT_TIMES, [
    ['client', 'S', -1, 0, 64, []], ['server', 'S.', -1, 0, 63, []], ['client', '.', 0, 0, 64, []], ['client', 'P.', 0, 517, 64, ['ClientHello']], ['server', '.', 0, 0, 63, []],
  ]);
  const clientConn = connection(1, [chMessage(f.client)], clientPackets, { clientHello: clientHello(f.client) });
  const relayConn = connection(1, relayMessages, relayPackets, {
    clientHello: ch.clientHello!, serverHello: sh, serverKeyExchange: ske, certificates: [cert],
    tcp: { ...clientConn.tcp, packets: 15, bytes: { client: 517, server: 1018 }, retransmissions: { client: 0, server: 9 } },
    tls: {
      ...clientConn.tls, version: 0x0303, versionName: 'TLS 1.2', cipherSuite: 0xc030, cipherSuiteName: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384', lastMessage: 'ServerHelloDone',
    },
  });

  const offset = -0.000003;
  const pp = (from: 'client' | 'relay', status: PairPacket['status'], ci: number, ri: number, flags: string, seq: number, length: number, tls: string[], notes: string[] = []): PairPacket => {
    const clientTime = ci >= 0 ? CLIENT_TIMES[ci] : NaN;
    const relayTime = ri >= 0 ? RELAY_TIMES[ri] + offset : NaN;
    const delay = ci >= 0 && ri >= 0 ? (from === 'client' ? relayTime - clientTime : clientTime - relayTime) : null;
    return { from, status, clientIndex: ci, relayIndex: ri, clientTime, relayTime, delay, flags, seq, length, tls, notes };
  };
  const packets: PairPacket[] = [
    pp('client', 'delivered', 0, 0, 'S', -1, 0, []),
    pp('relay', 'delivered', 1, 1, 'S.', -1, 0, []),
    pp('client', 'delivered', 2, 2, '.', 0, 0, []),
    pp('client', 'delivered', 3, 3, 'P.', 0, 517, ['ClientHello']),
    pp('relay', 'delivered', 4, 4, '.', 0, 0, []),
    pp('relay', 'dropped', -1, 5, 'P.', 0, 1018, ['ServerHello', 'Certificate', 'ServerKeyExchange', 'ServerHelloDone']),
    // The engine keeps 'dropped' for retransmissions that never arrived ('retransmitted' is for delivered ones).
    ...Array.from({ length: 9 }, (_, i) => pp('relay', 'dropped', -1, 6 + i, 'P.', 0, 1018, [], ['retransmission'])),
  ];
  const pair: ConnectionPair = {
    client: 1, relay: 1, matchedBy: ['clientHello.random', 'initial sequence numbers', '4-tuple'], matchScore: 1,
    clockOffset: { seconds: offset, uncertainty: 0.000018, samples: { clientToRelay: 3, relayToClient: 2 }, method: 'two-way-median', oneWayDelay: 0.000009 },
    interference: {
      kind: 'drop', direction: 'relay-to-client', firstMissingTlsMessage: 'ServerHello', confidence: 0.9,
      evidence: [
        'The relay sent ServerHello, Certificate, ServerKeyExchange and ServerHelloDone in one segment (relay frame 6) and sent it 9 more times over 54.9 s; the client capture never shows it.',
        'The relay acknowledged the ClientHello (relay frame 5, client frame 5): client → relay traffic got through.',
        'Nothing the relay sent after that reached the client: the connection was blackholed from the ServerHello on.',
      ],
    },
    packets,
    suspects: [
      {
        rule: 'fixture.tor-link-cert-names', field: 'certificates[0].subject', message: 'Certificate', weight: 'low', rank: 1,
        reason: 'Subject CN is a random www.<base32>.net name, as Tor relays generate for their TLS link certificates.',
        range: off(SERVER_PAYLOAD + 81 + 111, 38), value: 'CN=www.b3iya6yfytxok2q7o.net',
      },
      {
        rule: 'fixture.tor-link-cert-names', field: 'certificates[0].issuer', message: 'Certificate', weight: 'low', rank: 2,
        reason: 'Issuer CN is another random www.<base32>.com name, different from the subject: Tor\'s identity-signed link certificate pattern.',
        range: off(SERVER_PAYLOAD + 81 + 39, 40), value: 'CN=www.sx3dhznicot62snfljg.com',
      },
      {
        rule: 'fixture.serverhello-cipher', field: 'serverHello.cipherSuite', message: 'ServerHello', weight: 'medium', rank: 3,
        reason: 'The segment carrying this ServerHello is the first one the path dropped.',
        range: sh.ranges!.cipherSuite, value: 'TLS_ECDHE_RSA_WITH_AES_256_GCM_SHA384 (0xc030)',
      },
    ],
  };
  return {
    schema: CONTRACT_SCHEMA,
    tool: { name: 'handshake-inspector', version: '0.1.0' },
    client: { schema: CONTRACT_SCHEMA, tool: { name: 'handshake-inspector', version: '0.1.0' }, input: input(f.clientPath, f.client, 5), connections: [clientConn], diagnostics: [] },
    relay: { schema: CONTRACT_SCHEMA, tool: { name: 'handshake-inspector', version: '0.1.0' }, input: input(f.relayPath, f.relay, 15), connections: [relayConn], diagnostics: [] },
    pairs: [pair],
    unmatched: { client: [], relay: [] },
    rules: {
      'fixture.serverhello-cipher': { title: 'Fixture: the dropped ServerHello\'s cipher', explanation: 'The field sits in the first message that never arrived.', reference: 'test fixture' },
      'fixture.tor-link-cert-names': { title: 'Fixture: Tor link certificate names', explanation: 'Tor relays name their link certificates at random.', reference: 'Tor source, src/lib/tls/tortls.c (link certificate generation)' },
    },
  };
}

/** The client capture alone, run through compare with no relay capture. */
export function torKzSingle(): CompareReport {
  const r = torKzCompare();
  return {
    schema: r.schema, tool: r.tool, client: r.client, relay: null, pairs: [], unmatched: { client: [], relay: [] }, rules: {},
    singleVantage: [{
      connection: 1, side: 'client', suspects: [],
      interference: {
        kind: 'undetermined', direction: 'relay-to-client', firstMissingTlsMessage: 'ServerHello', confidence: 0.4,
        evidence: ['The server acknowledged the ClientHello but nothing more arrived; from one capture a drop on the path and a stalled server look the same.'],
      },
    }],
  };
}

/** The engine orders by send time, receive time for injected packets (compare/classifyPackets.ts alignPackets). */
function rowTime(p: PairPacket): number {
  const send = p.from === 'client' ? p.clientTime : p.relayTime;
  return Number.isNaN(send) ? (p.from === 'client' ? p.relayTime : p.clientTime) : send;
}

/**
 * A forged-RST pair mirroring test/fixtures/two-vantage/openssl-rst-injected:
 * the ServerHello is dropped and the client gets an RST the relay never sent.
 * Only the pair (packets, verdict) mirrors that capture; the analyses are the tor-kz ones.
 */
export function rstInjectedCompare(): CompareReport {
  const base = torKzCompare();
  const pair = structuredClone(base.pairs[0]);
  // Epoch times from `tshark -t e` on test/fixtures/two-vantage/openssl-rst-injected (one host clock: offset 0).
  const C = [1795588254.064833, 1795588254.064876, 1795588254.064887, 1795588254.066693, 1795588254.066717, 1795588254.088393];
  const R = [1795588254.064859, 1795588254.064871, 1795588254.06489, 1795588254.066707, 1795588254.066713, 1795588254.068095,
    1795588254.276522, 1795588254.484536, 1795588254.908534, 1795588255.736536, 1795588257.400521];
  const mk = (from: 'client' | 'relay', status: PairPacket['status'], ci: number, ri: number, flags: string, seq: number, length: number, tls: string[]): PairPacket => ({
    from, status, clientIndex: ci, relayIndex: ri, clientTime: ci >= 0 ? C[ci] : NaN, relayTime: ri >= 0 ? R[ri] : NaN,
    delay: ci >= 0 && ri >= 0 ? Math.abs(R[ri] - C[ci]) : null, flags, seq, length, tls, notes: [],
  });
  pair.clockOffset = { seconds: 0, uncertainty: 0.000017, samples: { clientToRelay: 3, relayToClient: 2 }, method: 'two-way-median', oneWayDelay: 0.000012 };
  pair.packets = [
    mk('client', 'delivered', 0, 0, 'S', -1, 0, []),
    mk('relay', 'delivered', 1, 1, 'S.', -1, 0, []),
    mk('client', 'delivered', 2, 2, '.', 0, 0, []),
    mk('client', 'delivered', 3, 3, 'P.', 0, 330, ['ClientHello']),
    mk('relay', 'delivered', 4, 4, '.', 0, 0, []),
    mk('relay', 'dropped', -1, 5, 'P.', 0, 932, ['ServerHello', 'Certificate', 'ServerKeyExchange', 'ServerHelloDone']),
    { ...mk('relay', 'injected', 5, -1, 'R', 0, 0, []), evidence: ['TTL 64 where the relay\'s genuine packets arrive with TTL 63', 'window 16384 unlike the relay\'s 64', 'never sent by the relay (absent from the relay\'s capture)'] },
    ...[6, 7, 8, 9, 10].map((ri) => ({ ...mk('relay', 'dropped', -1, ri, 'P.', 0, 932, []), notes: ['retransmission'] })),
  ].sort((a, b) => rowTime(a) - rowTime(b));
  pair.interference = {
    kind: 'injected-reset', direction: 'relay-to-client', firstMissingTlsMessage: 'ServerHello', confidence: 0.95,
    evidence: ['The client received an RST from 10.66.2.2:443 (client frame 6) that is not in the relay capture.', 'Its IP header is unlike the relay\'s genuine packets: TTL 64 instead of 63, DF clear, window 16384.'],
  };
  pair.suspects = [];
  return { ...base, pairs: [pair] };
}

/** Capture-controlled strings crafted to break out of HTML, SVG and Markdown. */
export const HOSTILE = {
  subject: '<script>alert(1)</script>',
  sni: '"><img src=x onerror=alert(1)>',
  alpn: ['h2`|`x', 'a|b', '`code`'],
  issuer: 'CN=\u202Emoc.elgoog\u202C.example \u2066isolate\u2069',
  link: '](javascript:alert(1))',
  path: 'captures/<b>bold</b>/[x](http://evil.example/).pcap',
  annotation: 'line one <script>alert("note")</script>\n# not a heading\n```\nfence\n[link](javascript:alert(2)) @someone #123 www.evil.example https://evil.example/x.png',
};

/** The tor-kz pair with hostile strings where a censor or a crafted file could put them. */
export function hostileCompare(): CompareReport {
  const r = structuredClone(torKzCompare());
  r.client.input.path = HOSTILE.path;
  for (const a of [r.client, r.relay!]) {
    for (const c of a.connections) {
      c.tls.serverName = HOSTILE.sni;
      c.tls.alpn = HOSTILE.alpn.join(',');
      if (c.clientHello) {
        c.clientHello.serverName = HOSTILE.sni;
        c.clientHello.alpn = HOSTILE.alpn;
      }
      for (const m of c.messages) if (m.clientHello) Object.assign(m.clientHello, { serverName: HOSTILE.sni, alpn: HOSTILE.alpn });
      for (const cert of c.certificates) {
        cert.subject = HOSTILE.subject;
        cert.subjectCN = HOSTILE.subject;
        cert.issuer = HOSTILE.issuer;
        cert.subjectAltNames = [HOSTILE.link, HOSTILE.sni];
      }
      if (c.serverHello) c.serverHello.alpn = HOSTILE.alpn[0];
    }
  }
  const p = r.pairs[0];
  p.interference.evidence.push(`The client asked for ${HOSTILE.sni} and the certificate says ${HOSTILE.subject} ${HOSTILE.link}`);
  p.matchedBy.push(HOSTILE.link);
  p.suspects[0].value = HOSTILE.subject;
  p.suspects[0].reason = `Subject is ${HOSTILE.subject}`;
  r.rules['fixture.tor-link-cert-names'].reference = `see [here](https://evil.example/track.png) ${HOSTILE.link}`;
  p.suspects[1].value = HOSTILE.issuer;
  p.suspects.push({
    rule: 'fixture.alpn', field: 'clientHello.alpn', message: 'ClientHello', weight: 'high', rank: 4, reason: `ALPN ${HOSTILE.alpn.join(' ')}`,
    range: [], value: HOSTILE.alpn.join(', '),
  });
  r.rules['fixture.alpn'] = { title: 'Fixture: ALPN', explanation: 'A hostile ALPN list.', reference: '| table | breaker |' };
  return r;
}
