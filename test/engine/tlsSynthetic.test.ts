// TLS decoder on hand-built and re-framed streams: things OpenSSL on loopback
// does not produce (GREASE, ECH, PSK, SSLv2 hellos, odd framing, gaps, garbage).
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { collector, decodeFixture, feed, loadFixture, type Events } from '../helpers/tlsHelpers';
import { TlsStreamDecoder } from '../../server/src/tls/recordLayer';
import { decodeHandshakeMessage, newConnectionInfo } from '../../server/src/tls/handshake';
import { LinearMap, MsgCtx } from '../../server/src/tls/reader';
import type { HandshakeMessage, TlsExtension } from '../../server/src/tls/types';

// --- byte builders -----------------------------------------------------------
type B = number[];
const u8 = (n: number): B => [n & 0xff];
const u16 = (n: number): B => [(n >> 8) & 0xff, n & 0xff];
const u24 = (n: number): B => [(n >> 16) & 0xff, (n >> 8) & 0xff, n & 0xff];
const u32 = (n: number): B => [...u16(Math.floor(n / 0x10000)), ...u16(n & 0xffff)];
const vec = (lenBytes: 1 | 2 | 3, body: B): B => [...(lenBytes === 1 ? u8(body.length) : lenBytes === 2 ? u16(body.length) : u24(body.length)), ...body];
const str = (s: string): B => [...Buffer.from(s, 'latin1')];
const fill = (n: number, v = 0): B => new Array<number>(n).fill(v);
const seq = (n: number, start = 0): B => Array.from({ length: n }, (_, i) => (start + i) & 0xff);
const ext = (type: number, body: B): B => [...u16(type), ...vec(2, body)];
const hs = (type: number, body: B): B => [type, ...u24(body.length), ...body];
const record = (type: number, body: B, version = 0x0303): B => [type, ...u16(version), ...u16(body.length), ...body];
const bytes = (...parts: B[]): Uint8Array => Uint8Array.from(parts.flat());

function clientHelloBody(opts: { suites: number[]; exts: B[]; sid?: B; version?: number }): B {
  return [
    ...u16(opts.version ?? 0x0303),
    ...seq(32, 0x10),
    ...vec(1, opts.sid ?? []),
    ...vec(2, opts.suites.flatMap(u16)),
    ...vec(1, [0]),
    ...vec(2, opts.exts.flat()),
  ];
}

function decode(stream: Uint8Array, from: 'client' | 'server' = 'client', chunk = 1 << 20, opts = {}): Events {
  const { sink, ev } = collector();
  feed(new TlsStreamDecoder(from, sink, opts), stream, chunk);
  return ev;
}

/** Decode one message outside the record layer (layouts that only appear encrypted on the wire). */
function decodeMessage(msg: B, conn = newConnectionInfo(), from: 'client' | 'server' = 'server'): { m: HandshakeMessage; problems: string[] } {
  const problems: string[] = [];
  const ctx = new MsgCtx(Uint8Array.from(msg), new LinearMap(100), from, (code) => problems.push(code));
  const m = decodeHandshakeMessage(ctx, { from, record: 0, recordVersion: 0x0303, recordVersionSpan: null, afterGap: false, conn });
  return { m, problems };
}

const dataOf = <T>(e: TlsExtension | undefined): T => e?.data as T;

// A Chrome-like hello with everything a modern client sends, GREASE included.
const GREASE_SUITE = 0x4a4a;
const mlkemShare = fill(1216, 0x77);
const modernExts: B[] = [
  ext(0x2a2a, []),
  ext(0x0000, vec(2, [0, ...vec(2, str('blocked.example'))])),
  ext(0x0017, []),
  ext(0xff01, [0]),
  ext(0x000a, vec(2, [0x3a, 0x3a, 0x11, 0xec, 0x00, 0x1d, 0x00, 0x17, 0x00, 0x18])),
  ext(0x000b, vec(1, [0])),
  ext(0x0023, []),
  ext(0x0010, vec(2, [...vec(1, str('h2')), ...vec(1, str('http/1.1'))])),
  ext(0x0005, [1, 0, 0, 0, 0]),
  ext(0x000d, vec(2, [0x04, 0x03, 0x08, 0x04, 0x04, 0x01])),
  ext(0x0012, []),
  ext(0x0033, vec(2, [...u16(0x3a3a), ...vec(2, [0]), ...u16(0x11ec), ...vec(2, mlkemShare), ...u16(0x001d), ...vec(2, fill(32, 0x55))])),
  ext(0x002d, vec(1, [1])),
  ext(0x002b, vec(1, [0x7a, 0x7a, 0x03, 0x04, 0x03, 0x03])),
  ext(0x001b, vec(1, [0x00, 0x02])),
  ext(0x44cd, vec(2, vec(1, str('h2')))),
  ext(0xfe0d, [0, ...u16(1), ...u16(1), 0x42, ...vec(2, fill(32, 1)), ...vec(2, fill(144, 2))]),
  ext(0x001c, u16(0x4001)),
  ext(0x0022, vec(2, [0x04, 0x03])),
  ext(0x1234, fill(100, 0xab)),
  ext(0x0a0a, [0]),
  ext(0x0015, fill(20)),
  ext(0x0029, [...vec(2, [...vec(2, fill(40, 9)), ...u32(0xdeadbeef)]), ...vec(2, vec(1, fill(32, 3)))]),
];
const modernHello = hs(1, clientHelloBody({ suites: [GREASE_SUITE, 0x1301, 0x1302, 0x1303, 0xc02b], exts: modernExts, sid: fill(32, 0xcc) }));

describe('synthetic ClientHello', () => {
  const stream = bytes(record(22, modernHello, 0x0301));
  const ev = decode(stream);
  const ch = ev.messages[0].clientHello!;

  it('decodes every field without problems', () => {
    assert.deepEqual(ev.problems, []);
    assert.deepEqual(ch.cipherSuites, [GREASE_SUITE, 0x1301, 0x1302, 0x1303, 0xc02b]);
    assert.equal(ch.serverName, 'blocked.example');
    assert.deepEqual(ch.alpn, ['h2', 'http/1.1']);
    assert.deepEqual(ch.supportedVersions, [0x7a7a, 0x0304, 0x0303]);
    assert.deepEqual(ch.supportedGroups, [0x3a3a, 0x11ec, 0x001d, 0x0017, 0x0018]);
    assert.deepEqual(ch.signatureAlgorithms, [0x0403, 0x0804, 0x0401]);
    assert.deepEqual(ch.ecPointFormats, [0]);
    assert.equal(ch.recordVersion, 0x0301);
    assert.equal(ch.sessionId, 'cc'.repeat(32));
  });

  it('names GREASE and registered extensions', () => {
    const names = ch.extensions.map((e) => e.name);
    assert.equal(names[0], 'GREASE (0x2a2a)');
    assert.equal(ch.extensions[0].grease, true);
    assert.ok(names.includes('encrypted_client_hello'));
    assert.ok(names.includes('application_settings'));
    assert.ok(names.includes('compress_certificate'));
    assert.equal(ch.extensions.filter((e) => e.grease).length, 2);
  });

  it('decodes key_share, ECH, PSK, padding and friends', () => {
    const find = (name: string): TlsExtension => ch.extensions.find((e) => e.name === name)!;
    const ks = dataOf<{ shares: Array<{ group: number; groupName: string; length: number }> }>(find('key_share'));
    assert.deepEqual(ks.shares.map((s) => [s.groupName, s.length]), [['GREASE (0x3a3a)', 1], ['X25519MLKEM768', 1216], ['x25519', 32]]);
    assert.deepEqual(find('encrypted_client_hello').data, { type: 0, kdfId: 1, aeadId: 1, configId: 0x42, encLength: 32, payloadLength: 144 });
    assert.deepEqual(find('pre_shared_key').data, { identities: [{ identityLength: 40, obfuscatedTicketAge: 0xdeadbeef }], binderLengths: [32] });
    assert.deepEqual(find('padding').data, { length: 20, allZero: true });
    assert.deepEqual(find('record_size_limit').data, { limit: 0x4001 });
    assert.deepEqual(dataOf<{ algorithms: number[] }>(find('compress_certificate')).algorithms, [2]);
    assert.deepEqual(find('renegotiation_info').data, { length: 0, renegotiatedConnection: '' });
    assert.deepEqual(find('status_request').data, { statusType: 1, responderIdListLength: 0, requestExtensionsLength: 0 });
    assert.deepEqual(dataOf<{ protocols: string[] }>(find('application_settings')).protocols, ['h2']);
    assert.deepEqual(dataOf<{ algorithms: number[] }>(find('delegated_credential')).algorithms, [0x0403]);
    assert.deepEqual(find('psk_key_exchange_modes').data, { modes: [1] });
    const alpn = find('application_layer_protocol_negotiation');
    assert.equal(alpn.raw, '000c02683208687474702f312e31', 'ALPN keeps its wire bytes for fingerprints');
  });

  it('keeps unknown extensions as capped hex', () => {
    const unk = ch.extensions.find((e) => e.type === 0x1234)!;
    assert.equal(unk.name, 'unknown (0x1234)');
    assert.equal(unk.raw, 'ab'.repeat(64));
    assert.equal(unk.rawTruncated, true);
    assert.equal(unk.length, 100);
  });

  it('ranges cover the right bytes', () => {
    const hex = (s: [number, number]): string => Buffer.from(stream.subarray(s[0], s[1])).toString('hex');
    assert.equal(Buffer.from(stream.subarray(...ch.ranges.get('serverName')!)).toString(), 'blocked.example');
    const i = ch.extensions.findIndex((e) => e.name === 'key_share');
    assert.equal(hex(ch.ranges.get(`extensions[${i}].shares[1].group`)!), '11ec');
    const ks = ch.ranges.get(`extensions[${i}].shares[1].keyExchange`)!;
    assert.equal(ks[1] - ks[0], 1216);
    assert.equal(hex(ch.ranges.get('cipherSuites[0]')!), '4a4a');
    assert.equal(hex(ch.ranges.get('sessionIdLength')!), '20');
  });

  it('decodes the same when the hello is split over several records', () => {
    const fragments: B[] = [];
    for (let i = 0; i < modernHello.length; i += 700) fragments.push(record(22, modernHello.slice(i, i + 700)));
    const split = bytes(...fragments);
    const ev2 = decode(split, 'client', 3);
    assert.deepEqual(ev2.problems, []);
    assert.equal(ev2.records.length, fragments.length);
    const ch2 = ev2.messages[0].clientHello!;
    const strip = (x: unknown): unknown => JSON.parse(JSON.stringify(x, (k, v) => (k === 'ranges' ? undefined : v)));
    assert.deepEqual(strip(ch2), strip({ ...ch, recordVersion: 0x0303 }));
    // Spans inside one fragment still point at the right bytes; the header span is not shifted.
    assert.equal(Buffer.from(split.subarray(...ch2.ranges.get('serverName')!)).toString(), 'blocked.example');
    const m = ev2.messages[0];
    assert.equal(m.span[1] - m.span[0], modernHello.length + 5 * (fragments.length - 1));
    assert.equal(m.record, 0);
    // Every one-byte field maps to the byte it came from even across record boundaries.
    ch2.cipherSuites.forEach((c, j) => {
      const s = ch2.ranges.get(`cipherSuites[${j}]`)!;
      assert.equal((split[s[0]] << 8) | split[s[1] - 1], c);
    });
  });
});

describe('record framing', () => {
  const f = loadFixture('tls12-ecdhe');
  const orig = decodeFixture(f);
  const serverMsgs = orig.messages.filter((m) => m.from === 'server' && m.type >= 0);
  // Cleartext handshake bytes of the server flight, message by message.
  const flight = serverMsgs.map((m) => [...f.server.subarray(m.span[0], m.span[1])]);
  const strip = (ms: HandshakeMessage[]): unknown => JSON.parse(JSON.stringify(ms.map((m) => ({ ...m, span: undefined, record: undefined })), (k, v) => (k === 'ranges' || k === 'span' || k === 'der' ? undefined : v)));

  it('several handshake messages in one record', () => {
    const ev = decode(bytes(record(22, flight.flat())), 'server');
    assert.deepEqual(ev.problems.filter((p) => p.severity !== 'info'), []);
    assert.equal(ev.records.length, 1);
    assert.deepEqual(strip(ev.messages), strip(serverMsgs));
    assert.ok(ev.messages.every((m) => m.record === 0));
  });

  it('a message spread over one-byte records', () => {
    const all = flight.flat();
    const ev = decode(bytes(...all.map((b) => record(22, [b]))), 'server', 7);
    assert.deepEqual(ev.problems.filter((p) => p.severity !== 'info'), []);
    assert.deepEqual(strip(ev.messages), strip(serverMsgs));
    assert.equal(ev.messages[1].record, flight[0].length, 'record index where the Certificate starts');
    const der = ev.messages[1].certificates![0];
    assert.deepEqual(der.der, serverMsgs[1].certificates![0].der);
  });

  it('after ChangeCipherSpec a type-22 record is an encrypted handshake message', () => {
    const ev = decode(bytes(record(20, [1]), record(22, seq(40, 0x80))), 'server');
    assert.deepEqual(ev.messages.map((m) => [m.type, m.name, m.length]), [[-1, 'EncryptedHandshakeMessage', 40]]);
    assert.deepEqual(ev.records.map((r) => r.encrypted), [false, true]);
  });

  it('an empty app-data record and a zero-length handshake record', () => {
    const ev = decode(bytes(record(23, []), record(22, []), record(21, [1, 0])));
    assert.deepEqual(ev.appData.map((a) => a.length), [0]);
    assert.ok(ev.problems.some((p) => p.code === 'tls.empty-record'));
    assert.equal(ev.alerts[0].name, 'close_notify');
  });
});

describe('SSLv2-compatible ClientHello', () => {
  const specs = [0x010080, 0x0700c0, 0x000039, 0x000035, 0x00000a, 0x0000ff];
  const challenge = seq(16, 0xa0);
  const msg = [1, ...u16(0x0301), ...u16(specs.length * 3), ...u16(0), ...u16(challenge.length), ...specs.flatMap(u24), ...challenge];
  const stream = bytes([0x80 | (msg.length >> 8), msg.length & 0xff, ...msg], record(21, [2, 40]));

  it('maps cipher specs and continues with TLS records', () => {
    for (const chunk of [1 << 20, 1, 2, 3]) {
      const ev = decode(stream, 'client', chunk);
      assert.deepEqual(ev.problems, [], `chunk ${chunk}`);
      const ch = ev.messages[0].clientHello!;
      assert.equal(ch.sslv2, true);
      assert.equal(ch.legacyVersion, 0x0301);
      assert.deepEqual(ch.sslv2CipherSpecs, specs);
      assert.deepEqual(ch.cipherSuites, [0x39, 0x35, 0x0a, 0xff]);
      assert.equal(ch.random, Buffer.from(challenge).toString('hex'));
      assert.deepEqual(ev.records.map((r) => [r.contentType, r.length]), [[0x80, msg.length], [21, 2]]);
      assert.deepEqual(ch.ranges.get('cipherSuites[0]')!, [2 + 9 + 6, 2 + 9 + 9]);
      assert.equal(ev.alerts[0].name, 'handshake_failure');
    }
  });
});

describe('garbage and limits', () => {
  it('HTTP instead of TLS: notTls with a preview, then nothing', () => {
    const { sink, ev } = collector();
    const d = new TlsStreamDecoder('server', sink);
    d.push(Uint8Array.from(Buffer.from('HTTP/1.1 403 Forbidden\r\nContent-Length: 0\r\n\r\n')), 0);
    assert.equal(d.done, true);
    assert.deepEqual(ev.notTls, [{ from: 'server', offset: 0 }]);
    assert.match(ev.problems[0].message, /HTTP\/1\.1 403 Forbidden\\x0d\\x0a/);
    d.push(bytes(record(21, [2, 40])), 47);
    assert.equal(ev.records.length, 0);
  });

  it('record length over 2^14+2048 stops the direction', () => {
    const ev = decode(bytes(record(22, hs(1, clientHelloBody({ suites: [0x1301], exts: [] }))), [23, 3, 3, 0x48, 0x01]));
    const p = ev.problems.find((x) => x.code === 'tls.record-length')!;
    assert.equal(p.severity, 'error');
    assert.equal(ev.messages.length, 1);
    const first = decode(bytes([22, 3, 1, 0xff, 0xff]));
    assert.equal(first.problems[0].code, 'tls.record-length');
    assert.equal(first.notTls.length, 0);
  });

  it('a bad record header mid-stream stops the direction', () => {
    const ev = decode(bytes(record(21, [1, 0]), [0x47, 0x45, 0x54, 0x20, 0x2f, 0x20]));
    assert.equal(ev.problems[0].code, 'tls.record-header');
    assert.deepEqual(ev.problems[0].span, [7, 12]);
  });

  it('handshake length over the limit: problem, stop, no allocation of the claimed size', () => {
    const ev = decode(bytes(record(22, [11, 0xff, 0xff, 0xff, 0, 0])));
    const p = ev.problems.find((x) => x.code === 'tls.handshake-length')!;
    assert.deepEqual(p.span, [6, 9]);
    const small = decode(bytes(record(22, hs(11, fill(2000)))), 'server', 1 << 20, { maxMessageBytes: 1000 });
    assert.ok(small.problems.some((x) => x.code === 'tls.handshake-length'));
  });

  it('extension length past the extensions block: exact span, earlier fields kept', () => {
    const exts = [ext(0x0000, vec(2, [0, ...vec(2, str('a.example'))])), [...u16(0x0010), ...u16(500), 0, 2]];
    const body = clientHelloBody({ suites: [0x1301, 0xc02f], exts });
    const stream = bytes(record(22, hs(1, body)));
    const ev = decode(stream);
    const ch = ev.messages[0].clientHello!;
    assert.deepEqual(ch.cipherSuites, [0x1301, 0xc02f]);
    assert.equal(ch.serverName, 'a.example');
    const p = ev.problems.find((x) => x.code === 'tls.extension-overrun')!;
    assert.equal(p.severity, 'error');
    assert.equal(Buffer.from(stream.subarray(...p.span)).toString('hex'), '01f4');
    assert.equal(ch.extensions.length, 2);
  });

  it('cipher suite list running past the message', () => {
    const body = [...u16(0x0303), ...seq(32), 0, ...u16(400), 0x13, 0x01];
    const stream = bytes(record(22, hs(1, body)));
    const ev = decode(stream);
    const p = ev.problems.find((x) => x.code === 'tls.vector-overrun')!;
    assert.equal(Buffer.from(stream.subarray(...p.span)).toString('hex'), '0190');
    assert.equal(ev.messages[0].clientHello!.random, Buffer.from(seq(32)).toString('hex'));
  });

  it('odd cipher suite length and a truncated extension header', () => {
    const body = [...u16(0x0303), ...seq(32), 0, ...vec(2, [0x13, 0x01, 0x13]), ...vec(1, [0]), ...vec(2, [0x00, 0x17, 0x00])];
    const ev = decode(bytes(record(22, hs(1, body))));
    const codes = ev.problems.map((p) => p.code);
    assert.ok(codes.includes('tls.odd-length'));
    assert.ok(codes.includes('tls.extension-truncated'));
    assert.deepEqual(ev.messages[0].clientHello!.cipherSuites, [0x1301]);
  });

  it('malformed extension contents do not stop the following extensions', () => {
    const exts = [ext(0x000a, [0, 9, 0, 0x1d]), ext(0x0010, vec(2, vec(1, str('h2'))))];
    const ev = decode(bytes(record(22, hs(1, clientHelloBody({ suites: [0x1301], exts })))));
    assert.ok(ev.problems.some((p) => p.code === 'tls.vector-overrun'));
    assert.deepEqual(ev.messages[0].clientHello!.alpn, ['h2']);
  });

  it('heartbeat: normal and Heartbleed-shaped', () => {
    const ev = decode(bytes(record(24, [1, ...u16(4), ...seq(4), ...fill(16)]), record(24, [1, 0x40, 0x00, ...fill(16)])));
    assert.deepEqual(ev.problems.map((p) => [p.code, p.severity]), [['tls.heartbeat', 'info'], ['tls.heartbleed', 'warning']]);
    assert.deepEqual(ev.problems[1].span, [5 + 23 + 5 + 1, 5 + 23 + 5 + 3]);
  });

  it('non-printable SNI bytes are escaped, not decoded', () => {
    const exts = [ext(0x0000, vec(2, [0, ...vec(2, [0x61, 0x00, 0xff, 0x5c])]))];
    const ch = decode(bytes(record(22, hs(1, clientHelloBody({ suites: [0x1301], exts }))))).messages[0].clientHello!;
    assert.equal(ch.serverName, 'a\\x00\\xff\\\\');
  });
});

describe('gaps', () => {
  const f = loadFixture('tls12-ecdhe');
  const full = decodeFixture(f);
  const srv = full.records.filter((r) => r.from === 'server');

  function withGap(start: number, end: number, implicit = false): Events {
    const { sink, ev } = collector();
    const d = new TlsStreamDecoder('server', sink);
    d.push(f.server.slice(0, start), 0);
    if (!implicit) d.gap(start, end - start);
    d.push(f.server.slice(end), end);
    d.end();
    return ev;
  }

  it('inside an application-data body: framing survives', () => {
    const app = srv.find((r) => r.contentType === 23)!;
    const ev = withGap(app.span[0] + 100, app.span[0] + 200);
    assert.ok(ev.problems.some((p) => p.code === 'tcp.gap' && p.span[0] === app.span[0] + 100 && p.span[1] === app.span[0] + 200));
    assert.ok(!ev.problems.some((p) => p.code === 'tls.resync'));
    assert.deepEqual(ev.records.map((r) => [r.contentType, r.length]), srv.map((r) => [r.contentType, r.length]));
    const alert = ev.records[ev.records.length - 1];
    assert.equal(alert.afterGap, true);
    assert.equal(ev.alerts[0].afterGap, true);
  });

  it('an implicit gap (offset jump) behaves like an explicit one', () => {
    const app = srv.find((r) => r.contentType === 23)!;
    assert.deepEqual(withGap(app.span[0] + 100, app.span[0] + 200, true).log, withGap(app.span[0] + 100, app.span[0] + 200).log);
  });

  it('inside a handshake record: the record is lost, the next messages decode, marked afterGap', () => {
    const cert = srv[1];
    const ev = withGap(cert.span[0] + 50, cert.span[0] + 60);
    assert.ok(ev.problems.some((p) => p.code === 'tls.record-truncated'));
    const names = ev.messages.map((m) => m.name);
    assert.deepEqual(names, ['ServerHello', 'ServerKeyExchange', 'ServerHelloDone', 'NewSessionTicket', 'EncryptedHandshakeMessage']);
    assert.equal(ev.messages[0].afterGap, undefined);
    assert.ok(ev.messages.slice(1).every((m) => m.afterGap === true));
    assert.equal(ev.messages[1].serverKeyExchange!.namedCurveName, 'x25519');
  });

  it('across a record boundary: resynchronises at the next header', () => {
    const cert = srv[1];
    const ske = srv[2];
    const ev = withGap(cert.span[0] + 50, ske.span[0] + 20);
    const resync = ev.problems.find((p) => p.code === 'tls.resync')!;
    assert.deepEqual(resync.span, [ske.span[0] + 20, srv[3].span[0]]);
    assert.deepEqual(ev.messages.map((m) => m.name), ['ServerHello', 'ServerHelloDone', 'NewSessionTicket', 'EncryptedHandshakeMessage']);
    assert.ok(ev.messages.slice(1).every((m) => m.afterGap));
  });

  it('resync works when the next header arrives one byte at a time', () => {
    const cert = srv[1];
    const ske = srv[2];
    const { sink, ev } = collector();
    const d = new TlsStreamDecoder('server', sink);
    d.push(f.server.slice(0, cert.span[0] + 50), 0);
    d.gap(cert.span[0] + 50, ske.span[0] + 20 - cert.span[0] - 50);
    for (let i = ske.span[0] + 20; i < f.server.length; i++) d.push(f.server.slice(i, i + 1), i);
    d.end();
    assert.deepEqual(ev.messages.map((m) => m.name), ['ServerHello', 'ServerHelloDone', 'NewSessionTicket', 'EncryptedHandshakeMessage']);
  });

  it('missing start of the stream: resync instead of notTls', () => {
    const ev = withGap(0, srv[1].span[0] + 3);
    assert.equal(ev.notTls.length, 0);
    assert.deepEqual(ev.messages.map((m) => m.name), ['ServerKeyExchange', 'ServerHelloDone', 'NewSessionTicket', 'EncryptedHandshakeMessage']);
    // No ServerHello seen: the suite is unknown, the key exchange is recognised from its bytes.
    assert.equal(ev.messages[0].serverKeyExchange!.kind, 'ecdhe');
  });
});

describe('messages that only appear decrypted', () => {
  const tls13 = (): ReturnType<typeof newConnectionInfo> => ({ version: 0x0304, cipherSuite: 0x1301, tls13: true });

  it('TLS 1.3 Certificate with entry extensions', () => {
    const der = [0x30, 0x03, 0x02, 0x01, 0x05];
    const entryExt = [...ext(0x0005, [1, ...vec(3, fill(10, 7))]), ...ext(0x0012, vec(2, vec(2, fill(20))))];
    const msg = hs(11, [...vec(1, []), ...vec(3, [...vec(3, der), ...vec(2, entryExt), ...vec(3, der), ...vec(2, [])])]);
    const { m, problems } = decodeMessage(msg, tls13());
    assert.deepEqual(problems, []);
    assert.equal(m.certificateRequestContext, '');
    assert.equal(m.certificates!.length, 2);
    assert.deepEqual([...m.certificates![0].der], der);
    assert.deepEqual(m.certificates![0].extensions!.map((e) => e.data), [{ statusType: 1, responseLength: 10 }, { listLength: 22, count: 1 }]);
    // Layout detection works without the version too.
    assert.equal(decodeMessage(msg).m.certificates!.length, 2);
  });

  it('TLS 1.3 NewSessionTicket, EncryptedExtensions, CertificateRequest, KeyUpdate', () => {
    const nst = decodeMessage(hs(4, [...u32(7200), ...u32(0x01020304), ...vec(1, [0, 1]), ...vec(2, fill(64)), ...vec(2, ext(0x002a, u32(16384)))]), tls13()).m;
    assert.deepEqual({ ...nst.details, extensions: undefined }, { lifetime: 7200, ageAdd: 0x01020304, nonceLength: 2, ticketLength: 64, extensions: undefined });
    assert.deepEqual((nst.details!.extensions as TlsExtension[])[0].data, { maxEarlyDataSize: 16384 });
    const ee = decodeMessage(hs(8, vec(2, [...ext(0x0010, vec(2, vec(1, str('h2')))), ...ext(0x0000, [])])), tls13()).m;
    assert.deepEqual((ee.details!.extensions as TlsExtension[]).map((e) => e.data), [{ protocols: ['h2'] }, {}]);
    const cr = decodeMessage(hs(13, [...vec(1, []), ...vec(2, ext(0x000d, vec(2, [8, 4])))]), tls13()).m;
    assert.equal(cr.details!.contextLength, 0);
    assert.deepEqual((cr.details!.extensions as TlsExtension[])[0].data, { algorithms: [0x0804], algorithmNames: ['rsa_pss_rsae_sha256'] });
    assert.deepEqual(decodeMessage(hs(24, [1]), tls13()).m.details, { requestUpdate: 1 });
  });

  it('ServerKeyExchange variants: ECDHE-PSK, PSK hint, RSA export, explicit curve, anonymous DH', () => {
    const conn = (suite: number, version = 0x0303): ReturnType<typeof newConnectionInfo> => ({ version, cipherSuite: suite, tls13: false });
    const ecdhePsk = decodeMessage(hs(12, [...vec(2, str('hint')), 3, ...u16(0x1d), ...vec(1, fill(32, 4))]), conn(0xc035)).m.serverKeyExchange!;
    assert.equal(ecdhePsk.kind, 'ecdhe');
    assert.equal(ecdhePsk.pskIdentityHint, Buffer.from('hint').toString('hex'));
    assert.equal(ecdhePsk.signatureLength, undefined);
    const psk = decodeMessage(hs(12, vec(2, str('id'))), conn(0x008c)).m.serverKeyExchange!;
    assert.equal(psk.kind, 'psk');
    const exp = decodeMessage(hs(12, [...vec(2, [0x80, ...fill(63, 1)]), ...vec(2, [1, 0, 1]), ...vec(2, fill(64))]), conn(0x0003, 0x0300)).m.serverKeyExchange!;
    assert.deepEqual([exp.kind, exp.rsaModulusBits, exp.rsaExponent, exp.signatureAlgorithm, exp.signatureLength], ['rsa-export', 512, '010001', null, 64]);
    const explicit = decodeMessage(hs(12, [1, ...fill(30)]), conn(0xc013));
    assert.ok(explicit.problems.includes('tls.explicit-curve'));
    const anon = decodeMessage(hs(12, [...vec(2, [0x00, 0xff, 0xff]), ...vec(2, [2]), ...vec(2, [0x7f, 1])]), conn(0x0034)).m.serverKeyExchange!;
    assert.deepEqual([anon.kind, anon.anonymous, anon.dhPrimeBits, anon.dhPublicBits, anon.signatureLength], ['dhe', true, 16, 15, undefined]);
  });

  it('ClientKeyExchange for PSK and RSA', () => {
    const rsa = decodeMessage(hs(16, vec(2, fill(256))), { version: 0x0303, cipherSuite: 0x002f, tls13: false }, 'client').m;
    assert.deepEqual(rsa.details, { kex: 'rsa', encryptedPreMasterSecretLength: 256 });
    const ssl3 = decodeMessage(hs(16, fill(128)), { version: 0x0300, cipherSuite: 0x002f, tls13: false }, 'client').m;
    assert.equal(ssl3.details!.encryptedPreMasterSecretLength, 128);
    const psk = decodeMessage(hs(16, [...vec(2, str('client1')), ...vec(1, fill(32))]), { version: 0x0303, cipherSuite: 0xc035, tls13: false }, 'client').m;
    assert.deepEqual(psk.details, { kex: 'ecdhe-psk', pskIdentity: 'client1', publicValueLength: 32 });
  });

  it('a decoder failure inside a message becomes a problem, not an exception', () => {
    const { m, problems } = decodeMessage(hs(2, [0x03]));
    assert.equal(m.name, 'ServerHello');
    assert.deepEqual(problems, ['tls.truncated-field']);
  });
});
