import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import { TlsStreamDecoder } from '../../server/src/tls/recordLayer';
import { collector, feed } from '../helpers/tlsHelpers';

const DIR = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'sslv2');

// An SSLv2-framed CLIENT-HELLO (lab/sslv2/make.sh, bytes checked with tshark -V):
// JA3 and JA4 are defined over TLS ClientHellos; tshark gives this hello no JA3,
// and neither may we (it used to get a made-up JA3 "769,57-53-10-47-255,,," and a JA4 that
// ignored its seven cipher specs).
test('SSLv2 CLIENT-HELLO: cipher specs as tshark lists them, no JA3/JA4 made up', async () => {
  const [row] = readFileSync(join(DIR, 'sslv2-compat-hello.tshark.tsv'), 'utf8').split('\n').map((l) => l.split('\t'));
  const [, port, ja3, specs] = row;
  const report = await analyzeFile(join(DIR, 'sslv2-compat-hello.pcap'));
  assert.equal(report.connections.length, 1);
  const c = report.connections[0];
  assert.equal(c.client.port, Number(port));
  assert.equal(c.clientHello?.sslv2, true);
  assert.deepEqual(c.clientHello?.sslv2CipherSpecs, specs.split(',').map((s) => parseInt(s, 16)));
  assert.equal(ja3, '');
  assert.equal(c.fingerprints.ja3, null);
  assert.equal(c.fingerprints.ja3Full, null);
  assert.equal(c.fingerprints.ja4, null);
  assert.equal(c.alerts[0]?.name, 'handshake_failure');
});

/** tshark -T json of sslv2-server.pcapng, reduced by lab/sslv2/make.sh: client port → direction → records. */
type TsharkRecord = { wire: number; type?: string[]; [field: string]: unknown };
const tshark = JSON.parse(readFileSync(join(DIR, 'sslv2-server.tshark.json'), 'utf8')) as Record<string, Record<'client' | 'server', TsharkRecord[]>>;
const first = (r: TsharkRecord, k: string): string => (r[k] as string[])[0];
const hexSpecs = (xs: number[] | undefined): string[] => (xs ?? []).map((x) => `0x${x.toString(16).padStart(6, '0')}`);

// Three SSL 2.0 connections answered in SSL 2.0 (crafted per the SSL 2.0 draft; no program here speaks it).
// Used to be: the SERVER-HELLO "not decoded further", the CLIENT-MASTER-KEY an error "not a TLS record header".
test('SSLv2 SERVER-HELLO and CLIENT-MASTER-KEY: every field as tshark decodes it, the certificate through the X.509 path', async () => {
  const report = await analyzeFile(join(DIR, 'sslv2-server.pcapng'), { allCertificates: true } as never);
  assert.equal(report.connections.length, 3);
  for (const c of report.connections) {
    const ts = tshark[String(c.client.port)];
    assert.ok(ts, `tshark saw port ${c.client.port}`);
    assert.deepEqual(c.diagnostics, [], `port ${c.client.port}: no errors`);
    const sh = c.messages.find((m) => m.name === 'ServerHello (SSLv2)');
    const tsh = ts.server.find((r) => r.type?.[0] === '4')!;
    assert.ok(sh?.details && tsh);
    assert.equal(sh.type, 4);
    assert.equal(sh.details.sessionIdHit, first(tsh, 'session_id_hit') === '1');
    assert.equal(sh.details.certificateType, Number(first(tsh, 'cert_type')));
    assert.equal(sh.details.serverVersion, parseInt(first(tsh, 'version'), 16));
    assert.deepEqual(hexSpecs(sh.details.cipherSpecs), (tsh.cipherspec as string[] | undefined) ?? []);
    assert.equal(sh.details.cipherSpecNames?.length, sh.details.cipherSpecs?.length);
    assert.equal(sh.details.connectionId, tsh.connection_id);
    assert.equal(c.tls.version, 0x0002);
    assert.equal(c.tls.versionName, 'SSL 2.0');
    assert.equal(c.serverHello, null, 'no TLS ServerHello is made up, so no JA3S either');
    assert.equal(c.fingerprints.ja3s, null);
    const certLength = Number(first(tsh, 'certificate_length'));
    if (certLength > 0) {
      assert.equal(c.certificates.length, 1);
      const cert = c.certificates[0] as { subjectCN?: string; length: number; publicKey?: { bits: number } };
      assert.equal(cert.length, certLength);
      assert.equal(cert.subjectCN, (tsh.cn as string[])[0]);
      assert.equal(cert.publicKey?.bits, 1024);
    } else {
      assert.equal(c.certificates.length, 0);
    }
    const cmk = c.messages.find((m) => m.name === 'ClientMasterKey (SSLv2)');
    const tcmk = ts.client.find((r) => r.type?.[0] === '2');
    if (tcmk) {
      assert.ok(cmk?.details);
      assert.equal(cmk.type, 2);
      assert.deepEqual(hexSpecs([cmk.details.cipherKind!]), tcmk.cipherspec);
      assert.equal(cmk.details.clearKeyLength, Number(first(tcmk, 'clear_key_length')));
      assert.equal(cmk.details.encryptedKeyLength, Number(first(tcmk, 'encrypted_key_length')));
      assert.equal(cmk.details.keyArgLength, Number(first(tcmk, 'key_arg_length')));
      assert.equal(cmk.details.keyArg, tcmk.key_arg ?? '');
      assert.equal(c.tls.cipherSuite, cmk.details.cipherKind);
      assert.equal(c.tls.cipherSuiteName, cmk.details.cipherKindName);
      assert.equal(c.tls.resumed, false);
    } else {
      // A session-id hit: the client goes straight to encrypted records.
      assert.equal(cmk, undefined);
      assert.equal(sh.details.sessionIdHit, true);
      assert.equal(c.tls.resumed, true);
      assert.equal(c.tls.cipherSuite, null);
    }
    // Every record after the cleartext messages is counted as encrypted data, as many as tshark frames.
    for (const dir of ['client', 'server'] as const) {
      assert.equal(c.tls.applicationData[dir].records, ts[dir].filter((r) => r.type === undefined).length, `port ${c.client.port} ${dir}`);
    }
  }
  // The clear key bytes (key material) are never output, only their length.
  const json = JSON.stringify(report);
  assert.ok(!json.includes('b0b1b2b3b4b5b6b7b8b9ba'), 'the export clear key is not in the report');
  // Bodies after the headers: 33 + 104 (100 data + 4 padding, 3-byte header) from the client of port 40001, 33 + 40 + 500 from its server.
  const c1 = report.connections.find((c) => c.client.port === 40001)!;
  assert.deepEqual(c1.tls.applicationData, { client: { records: 2, bytes: 137 }, server: { records: 3, bytes: 573 } });
});

// SSLv2 byte strings of the fixture's shape, to feed in every chunking and in both direction orders.
const u16 = (n: number): number[] => [n >> 8, n & 0xff];
const rec2 = (body: number[]): number[] => [...u16(0x8000 | body.length), ...body];
const rec3 = (body: number[], pad: number): number[] => [...u16(body.length + pad), pad, ...body, ...new Array<number>(pad).fill(0)];
const clientHello = rec2([1, 0, 2, ...u16(3), ...u16(0), ...u16(16), 0x07, 0x00, 0xc0, ...new Array<number>(16).fill(0x20)]);
const cert = [0x30, 0x03, 0x02, 0x01, 0x05];
const serverHello = rec2([4, 0, 1, 0, 2, ...u16(cert.length), ...u16(3), ...u16(16), ...cert, 0x07, 0x00, 0xc0, ...new Array<number>(16).fill(0x60)]);
const masterKey = rec2([2, 0x07, 0x00, 0xc0, ...u16(0), ...u16(8), ...u16(8), ...new Array<number>(8).fill(0x99), 1, 2, 3, 4, 5, 6, 7, 8]);

test('SSLv2 records decode alike in any chunking, and whether the server\'s answer or the client\'s CLIENT-MASTER-KEY is decoded first', () => {
  const client = Uint8Array.from([...clientHello, ...masterKey, ...rec2(new Array<number>(33).fill(0xc1)), ...rec3(new Array<number>(20).fill(0xc4), 4)]);
  const server = Uint8Array.from([...serverHello, ...rec3(new Array<number>(33).fill(0xc3), 7), ...rec2(new Array<number>(40).fill(0xc5))]);
  let reference: string | null = null;
  for (const serverFirst of [true, false]) {
    for (const chunk of [1 << 20, 1, 2, 3, 5]) {
      const { sink, ev } = collector();
      const pair = TlsStreamDecoder.pair(sink);
      if (serverFirst) feed(pair.server, server, chunk);
      feed(pair.client, client, chunk);
      if (!serverFirst) feed(pair.server, server, chunk);
      const what = `server first: ${serverFirst}, chunk ${chunk}`;
      assert.deepEqual(ev.problems, [], what);
      assert.deepEqual(ev.messages.map((m) => `${m.from} ${m.name}`), serverFirst
        ? ['server ServerHello (SSLv2)', 'client ClientHello', 'client ClientMasterKey (SSLv2)']
        : ['client ClientHello', 'client ClientMasterKey (SSLv2)', 'server ServerHello (SSLv2)'], what);
      const cmk = ev.messages.find((m) => m.name === 'ClientMasterKey (SSLv2)')!;
      assert.equal(cmk.details?.keyArg, '0102030405060708');
      assert.deepEqual(cmk.ranges.get('keyArg'), [clientHello.length + 2 + 10 + 8, clientHello.length + 2 + 10 + 16]);
      assert.deepEqual(ev.messages.find((m) => m.from === 'server')!.certificates?.map((c) => [...c.der]), [cert]);
      const records = ev.records.map((r) => `${r.from} ${r.contentType} ${r.length} ${r.encrypted} ${r.span[0]}-${r.span[1]}`).sort();
      const appData = ev.appData.map((a) => `${a.from} ${a.length}`).sort();
      const now = JSON.stringify({ records, appData });
      reference ??= now;
      assert.equal(now, reference, what);
    }
  }
  assert.ok(reference!.includes('client 128 24 '), 'the 3-byte-header record counts its padding: 20 + 4 bytes');
});

test('an SSLv2 SERVER-HELLO cut short: the fields read so far, a located error, no crash', () => {
  const { sink, ev } = collector();
  const pair = TlsStreamDecoder.pair(sink);
  // certificate length claims 0x0400 bytes, the record holds 5
  const bad = rec2([4, 0, 1, 0, 2, ...u16(0x400), ...u16(3), ...u16(16), ...cert]);
  feed(pair.server, Uint8Array.from(bad), 1 << 20);
  const m = ev.messages[0];
  assert.equal(m.name, 'ServerHello (SSLv2)');
  assert.equal(m.details?.serverVersion, 2);
  assert.equal(m.certificates, undefined);
  const p = ev.problems.find((x) => x.code === 'tls.truncated-field');
  assert.ok(p, JSON.stringify(ev.problems));
  assert.deepEqual(p.span, [2 + 11, bad.length]);
});
