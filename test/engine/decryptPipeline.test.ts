import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, rmSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeBytes, analyzeFile } from '../../server/src/analysis/analyzeCapture';
import type { AnalysisReport, ConnectionReport, SourceLocation } from '../../shared/analysis';
import { ROOT } from '../helpers/paths';
import { spawnSync } from 'node:child_process';
import { createHash } from 'node:crypto';
import { ja4x } from '../../server/src/fingerprint/ja4plus';
import { parseUserRules } from '../../server/src/rules/userRules';
import { commandMissing, skipUnlessCi } from '../helpers/prerequisites';

// Real TLS 1.3 captures with the key logs their programs wrote (lab/decrypt/make.sh),
// decrypted through the whole pipeline and checked against what tshark decrypted
// from the same files with the same key logs (NAME.tshark.json, written by the lab).
const DIR = join(ROOT, 'test', 'fixtures', 'decrypt');
const fixture = (name: string) => join(DIR, name);

type Layers = Record<string, string[] | undefined>;
function tshark(name: string): Layers[] {
  const j = JSON.parse(readFileSync(fixture(`${name}.tshark.json`), 'utf8')) as Array<{ _source: { layers: Layers } }>;
  return j.map((p) => p._source.layers);
}
const withKeys = (name: string, file = `${name}.pcap`) => analyzeFile(fixture(file), { keyLogFiles: [fixture(`${name}.keylog`)], packets: true });

/**
 * Handshake message types in order, per direction ("c:1", "s:2", …). Frames are not compared: a
 * message split over two segments is in the packet of its first byte here, of its last in tshark.
 */
function oursTypes(c: ConnectionReport): string[] {
  return (['client', 'server'] as const).flatMap((from) => c.messages.filter((m) => m.from === from).map((m) => `${from[0]}:${m.type}`));
}
function theirTypes(layers: Layers[], clientPort: number): string[] {
  const of = (l: Layers) => (Number(l['tcp.srcport']![0]) === clientPort ? 'c' : 's');
  return ['c', 's'].flatMap((d) => layers.filter((l) => of(l) === d).flatMap((l) => (l['tls.handshake.type'] ?? []).map((t) => `${d}:${t}`)));
}
function theirAlerts(layers: Layers[], clientPort: number): string[] {
  return layers.flatMap((l) => (l['tls.alert_message.desc'] ?? []).map((d) => `${Number(l['tcp.srcport']![0]) === clientPort ? 'client' : 'server'}:${d}`));
}
const ourAlerts = (c: ConnectionReport) => c.alerts.map((a) => `${a.from}:${a.description}`);

const SUITES: Array<[string, number]> = [
  ['tls13-aes128gcm', 0x1301],
  ['tls13-aes256gcm', 0x1302],
  ['tls13-chacha20', 0x1303],
  ['tls13-aes128ccm', 0x1304],
  ['tls13-aes128ccm8', 0x1305],
];

describe('TLS 1.3 decryption with a key log, every suite (openssl s_client/s_server)', () => {
  for (const [name, suite] of SUITES) {
    it(`${name}: the whole handshake, as tshark decrypts it; both Finished check`, async () => {
      const r = await withKeys(name);
      assert.equal(r.connections.length, 1);
      const c = r.connections[0];
      assert.equal(c.tls.cipherSuite, suite);
      const ts = tshark(name);
      assert.deepEqual(oursTypes(c), theirTypes(ts, c.client.port));
      assert.deepEqual(c.tls.decryption?.finished, { client: true, server: true });
      assert.deepEqual(c.tls.decryption?.failed, { client: 0, server: 0 });
      assert.equal(c.tls.decryption?.keySource, 'keylog');
      // Certificate: serial and names as tshark decoded them from the decrypted record.
      assert.equal(c.certificates.length, 1);
      assert.equal(c.certificates[0].serialNumber.replace(/^0+/, ''), ts.flatMap((l) => l['x509af.serialNumber'] ?? [])[0].replace(/^0+/, ''));
      assert.equal(c.certificates[0].subjectCN, 'decrypt.example');
      assert.ok(ts.flatMap((l) => l['x509sat.uTF8String'] ?? []).includes('decrypt.example'));
      // Alerts: the closing close_notify of both sides, which only decryption can tell from data.
      assert.deepEqual(ourAlerts(c), theirAlerts(ts, c.client.port));
      assert.ok(c.alerts.every((a) => a.decrypted && a.keySource === 'keylog' && a.name === 'close_notify'));
      // Every message after the ServerHello came out of a decrypted record and says so.
      for (const m of c.messages.slice(2)) assert.equal(m.decrypted, true, m.name);
      for (const m of c.messages.slice(0, 2)) assert.equal(m.decrypted, undefined, m.name);
      assert.deepEqual(
        r.diagnostics.filter((d) => d.code.startsWith('decrypt') || d.code.startsWith('keylog')),
        [],
      );
    });
  }
});

describe('TLS 1.3 decryption: the handshake variants', () => {
  it('HelloRetryRequest: both ClientHellos, the transcript with message_hash, both Finished check', async () => {
    const c = (await withKeys('tls13-hrr')).connections[0];
    assert.deepEqual(oursTypes(c), theirTypes(tshark('tls13-hrr'), c.client.port));
    assert.equal(c.messages[1].name, 'HelloRetryRequest');
    assert.deepEqual(c.tls.decryption?.finished, { client: true, server: true });
  });

  it("0-RTT: the resumed connection's early data and EndOfEarlyData under the early key (its suite found by the tag), then the handshake key; both Finished check", async () => {
    const r = await withKeys('tls13-early');
    assert.equal(r.connections.length, 2);
    const ts = tshark('tls13-early');
    const [first, second] = r.connections;
    // The captures' connections follow each other: the second starts at its ClientHello's frame.
    const split = ts.findIndex((l) => Number(l['tcp.srcport']![0]) === second.client.port);
    assert.ok(split > 0);
    assert.deepEqual(oursTypes(first), theirTypes(ts.slice(0, split), first.client.port));
    assert.deepEqual(oursTypes(second), theirTypes(ts.slice(split), second.client.port));
    assert.ok(
      second.clientHello?.extensions.some((e) => e.type === 42),
      'the client offered early data',
    );
    assert.ok(second.messages.some((m) => m.name === 'EndOfEarlyData' && m.decrypted));
    for (const c of r.connections) {
      assert.deepEqual(c.tls.decryption?.finished, { client: true, server: true });
      assert.deepEqual(c.tls.decryption?.failed, { client: 0, server: 0 });
    }
    // Early data record + EndOfEarlyData + Finished + close_notify.
    assert.equal(second.tls.decryption?.records.client, 4);
    assert.deepEqual(r.connections.flatMap(ourAlerts), [
      ...theirAlerts(ts.slice(0, split), first.client.port),
      ...theirAlerts(ts.slice(split), second.client.port),
    ]);
  });

  it('client certificate and KeyUpdate in both directions: CertificateRequest, client Certificate/CertificateVerify, records after the update decrypted', async () => {
    const c = (await withKeys('tls13-keyupdate')).connections[0];
    const ts = tshark('tls13-keyupdate');
    assert.deepEqual(oursTypes(c), theirTypes(ts, c.client.port));
    const updates = c.messages.filter((m) => m.name === 'KeyUpdate');
    assert.deepEqual(
      updates.map((m) => m.details?.requestUpdate),
      ts.flatMap((l) => l['tls.handshake.key_update.request_update'] ?? []).map(Number),
    );
    const clientCert = c.messages.find((m) => m.name === 'Certificate' && m.from === 'client');
    assert.equal(clientCert?.certificates?.[0].subjectCN, 'client.example');
    // The close_notify alerts come after the KeyUpdate: read with the updated keys.
    assert.deepEqual(ourAlerts(c), theirAlerts(ts, c.client.port));
    assert.deepEqual(c.tls.decryption?.finished, { client: true, server: true });
    assert.deepEqual(c.tls.decryption?.failed, { client: 0, server: 0 });
  });

  it('an encrypted alert says why the server ended it: certificate_required (116), fatal', async () => {
    const c = (await withKeys('tls13-alert')).connections[0];
    assert.deepEqual(oursTypes(c), theirTypes(tshark('tls13-alert'), c.client.port));
    assert.deepEqual(
      c.alerts.map((a) => [a.from, a.level, a.description, a.name, a.decrypted]),
      [['server', 2, 116, 'certificate_required', true]],
    );
    assert.deepEqual(
      tshark('tls13-alert').flatMap((l) => l['tls.alert_message.desc'] ?? []),
      ['116'],
    );
  });

  it("Node's tls (keylog event) and curl (SSLKEYLOGFILE): ALPN from the decrypted EncryptedExtensions, as tshark reads it", async () => {
    for (const [name, alpn] of [
      ['node-keylog', 'h2'],
      ['curl', 'http/1.1'],
    ] as const) {
      const c = (await withKeys(name)).connections[0];
      const ts = tshark(name);
      assert.deepEqual(oursTypes(c), theirTypes(ts, c.client.port), name);
      assert.equal(c.tls.alpn, alpn, name);
      const ee = ts.find((l) => l['tls.handshake.type']?.includes('8'));
      assert.equal(ee?.['tls.handshake.extensions_alpn_str']?.[0], alpn);
      assert.deepEqual(c.tls.decryption?.finished, { client: true, server: true }, name);
    }
  });
});

describe('a decrypted certificate is a certificate like any other', () => {
  it(
    'its DER is the one tshark decrypts (same SHA-256), its JA4X is computed from it, and rules mark it',
    { skip: skipUnlessCi(commandMissing('tshark', ['-v'])) },
    async () => {
      const name = 'tls13-aes128gcm';
      const out = spawnSync(
        'tshark',
        [
          '-r',
          fixture(`${name}.pcap`),
          '-o',
          `tls.keylog_file:${fixture(`${name}.keylog`)}`,
          '-Y',
          'tls.handshake.certificate',
          '-T',
          'fields',
          '-e',
          'tls.handshake.certificate',
        ],
        { encoding: 'utf8' },
      );
      const der = Buffer.from(out.stdout.trim().split(/[\n,]/)[0], 'hex');
      assert.ok(der.length > 500, 'tshark decrypted the certificate');
      const rules = parseUserRules(
        JSON.stringify({
          rules: [
            { id: 'lab-cert', field: 'certificates[0].subjectCN', match: { equals: 'decrypt.example' }, explanation: 'the lab certificate', weight: 'low' },
          ],
        }),
      ).rules;
      const r = await analyzeFile(fixture(`${name}.pcap`), { keyLogFiles: [fixture(`${name}.keylog`)], ja4plus: true, userRules: rules });
      const c = r.connections[0];
      assert.equal(c.certificates[0].sha256, createHash('sha256').update(der).digest('hex'));
      assert.deepEqual(c.fingerprints.ja4x, [ja4x(der)]);
      const s = c.suspects.find((x) => x.rule.endsWith('lab-cert'));
      assert.ok(s, JSON.stringify(c.suspects));
      assert.deepEqual(s.range, c.certificates[0].range);
    },
  );
});

describe('key sources', () => {
  it('a pcapng Decryption Secrets Block decrypts without any key log (editcap --inject-secrets)', async () => {
    const r = await analyzeFile(fixture('dsb.pcapng'));
    assert.equal(r.input.decryptionSecrets, 1);
    const c = r.connections[0];
    assert.equal(c.tls.decryption?.keySource, 'dsb');
    assert.deepEqual(oursTypes(c), theirTypes(tshark('dsb'), c.client.port));
    assert.ok(c.messages.filter((m) => m.decrypted).every((m) => m.keySource === 'dsb'));
  });

  it('CAPTURE.keys next to the capture is picked up by itself, and said so', async () => {
    const r = await analyzeFile(fixture('sidecar.pcap'));
    assert.equal(r.connections[0].tls.decryption?.keySource, 'sidecar');
    const note = r.diagnostics.find((d) => d.code === 'decrypt.sidecar');
    assert.ok(note && note.message.includes('sidecar.pcap.keys'), JSON.stringify(r.diagnostics));
    const off = await analyzeFile(fixture('sidecar.pcap'), { sidecarKeys: false });
    assert.equal(off.connections[0].tls.decryption, undefined);
  });

  it('without keys nothing changes: no decryption block, only the cleartext hellos', async () => {
    const r = await analyzeFile(fixture('tls13-aes128gcm.pcap'));
    const c = r.connections[0];
    assert.equal(c.tls.decryption, undefined);
    assert.deepEqual(
      c.messages.map((m) => m.name),
      ['ClientHello', 'ServerHello'],
    );
    assert.deepEqual(c.certificates, []);
    assert.equal(JSON.stringify(r).includes('"decrypted"'), false);
  });
});

describe('bad keys and bad key logs: located, and the rest still decodes', () => {
  const tmp = mkdtempSync(join(tmpdir(), 'hi-decrypt-'));
  const keylog = readFileSync(fixture('tls13-aes128gcm.keylog'), 'utf8');
  const write = (name: string, text: string) => {
    const p = join(tmp, name);
    writeFileSync(p, text);
    return p;
  };
  const fileBytes = readFileSync(fixture('tls13-aes128gcm.pcap'));
  const offsetOf = (loc: SourceLocation | null | undefined) => (loc && loc.kind === 'offset' ? loc.offset : -1);

  it('a wrong server handshake key: the first server record that fails its tag is reported at its bytes; the client side still decrypts', async () => {
    const bad = keylog.replace(/^(SERVER_HANDSHAKE_TRAFFIC_SECRET \S+ )(\S)/m, (_m, head: string, c: string) => head + (c === '0' ? '1' : '0'));
    assert.notEqual(bad, keylog);
    const r = await analyzeFile(fixture('tls13-aes128gcm.pcap'), { keyLogFiles: [write('wrong.keys', bad)] });
    const c = r.connections[0];
    const failed = c.diagnostics.filter((d) => d.code === 'decrypt.failed');
    assert.equal(failed.length, 1);
    assert.match(failed[0].message, /^server: .*authentication tag does not check/);
    // It points at the record header: 0x17 0x03 0x03 in the file.
    const at = offsetOf(failed[0].location);
    assert.deepEqual([...fileBytes.subarray(at, at + 3)], [0x17, 0x03, 0x03]);
    assert.equal(c.tls.decryption?.failed.server, 1);
    assert.ok(c.messages.some((m) => m.from === 'client' && m.name === 'Finished' && m.decrypted));
    assert.equal(c.tls.decryption?.finished.client, null, 'the client Finished covers the server flight, which was not read');
    assert.equal(c.certificates.length, 0);
  });

  it('a key log of another capture: a warning naming the file and line, nothing decrypted', async () => {
    const other = readFileSync(fixture('tls13-chacha20.keylog'), 'utf8');
    const p = write('other.keys', other);
    const r = await analyzeFile(fixture('tls13-aes128gcm.pcap'), { keyLogFiles: [p] });
    assert.equal(r.connections[0].tls.decryption, undefined);
    const d = r.diagnostics.find((x) => x.code === 'decrypt.keys-unmatched');
    assert.ok(d, JSON.stringify(r.diagnostics));
    assert.equal(d.severity, 'warning');
    assert.ok(d.message.startsWith(`${p}:2: none of its 1 client random(s)`), d.message);
  });

  it('a key log cut off inside its last line: that line is reported with its number; the handshake still decrypts', async () => {
    const lines = keylog.trimEnd().split('\n');
    const last = lines.length;
    const cut = `${lines.slice(0, -1).join('\n')}\n${lines[last - 1].slice(0, 90)}`;
    const p = write('cut.keys', cut);
    const r = await analyzeFile(fixture('tls13-aes128gcm.pcap'), { keyLogFiles: [p] });
    const d = r.diagnostics.find((x) => x.code.startsWith('keylog.'));
    assert.ok(d && d.message.startsWith(`${p}:${last}: `), JSON.stringify(r.diagnostics));
    const c = r.connections[0];
    assert.equal(c.tls.decryption?.finished.server, true);
    assert.ok(c.certificates.length === 1);
  });

  it('an unreadable key log file is a diagnostic, not a failed run', async () => {
    const r = await analyzeFile(fixture('tls13-aes128gcm.pcap'), { keyLogFiles: [join(tmp, 'missing.keys')] });
    assert.ok(r.diagnostics.some((d) => d.code === 'keylog.unreadable' && d.message.includes('missing.keys')));
    assert.equal(r.connections.length, 1);
    rmSync(tmp, { recursive: true, force: true });
  });
});

describe('byte ranges of decrypted fields are the ciphertext bytes in the file', () => {
  it('pcap: each decrypted message lies inside an application-data record of the packets it names', async () => {
    const r: AnalysisReport = await analyzeFile(fixture('tls13-aes128gcm.pcap'), { keyLogFiles: [fixture('tls13-aes128gcm.keylog')] });
    const c = r.connections[0];
    const bytes = readFileSync(fixture('tls13-aes128gcm.pcap'));
    const ee = c.messages.find((m) => m.name === 'EncryptedExtensions')!;
    const loc = ee.range[0];
    assert.equal(loc.kind, 'offset');
    // The first record of the server's encrypted flight: the message starts right after its 5-byte header.
    if (loc.kind === 'offset') assert.deepEqual([...bytes.subarray(loc.offset - 5, loc.offset - 2)], [0x17, 0x03, 0x03]);
    const cert = c.certificates[0];
    const cl = cert.range[0];
    assert.ok(cl.kind === 'offset' && cl.offset > loc.offset);
    // The ciphertext there is not the certificate's DER (it is encrypted), yet the range is exactly its length.
    assert.equal(
      cert.range.reduce((n, x) => n + (x.kind === 'offset' ? x.length : 0), 0),
      cert.length,
    );
    if (cl.kind === 'offset') assert.notEqual(bytes[cl.offset], 0x30, 'file bytes are ciphertext, not a DER SEQUENCE');
  });

  it('tcpdump -XX text dump: the same messages, with line/column ranges', async () => {
    const r = await analyzeFile(fixture('tls13-aes128gcm.XX.txt'), { keyLogFiles: [fixture('tls13-aes128gcm.keylog')] });
    const pcap = await withKeys('tls13-aes128gcm');
    const c = r.connections[0];
    assert.deepEqual(
      c.messages.map((m) => m.name),
      pcap.connections[0].messages.map((m) => m.name),
    );
    assert.deepEqual(c.tls.decryption?.finished, { client: true, server: true });
    const cert = c.messages.find((m) => m.name === 'Certificate')!;
    assert.equal(cert.decrypted, true);
    assert.ok(cert.range.length > 0 && cert.range.every((x) => x.kind === 'text'));
  });
});

describe('hostile bytes under decryption', () => {
  const name = 'tls13-aes128gcm';
  const bytes = readFileSync(fixture(`${name}.pcap`));
  const keyLogFiles = [fixture(`${name}.keylog`)];

  it('a capture cut anywhere decodes what it has, without a decoder exception', () => {
    for (let cut = 24; cut < bytes.length; cut += 97) {
      const r = analyzeBytes(bytes.subarray(0, cut), 'cut.pcap', { keyLogFiles });
      const all = [...r.diagnostics, ...r.connections.flatMap((c) => c.diagnostics)];
      assert.ok(!all.some((d) => d.code === 'tls.decode-exception'), `cut at ${cut}: ${JSON.stringify(all.filter((d) => d.code === 'tls.decode-exception'))}`);
    }
  });

  it('one altered ciphertext byte: that record fails its tag (reported there), the records before it stay decrypted', async () => {
    const good = await analyzeFile(fixture(`${name}.pcap`), { keyLogFiles });
    const cert = good.connections[0].certificates[0].range[0];
    assert.equal(cert.kind, 'offset');
    if (cert.kind !== 'offset') return;
    const bad = Buffer.from(bytes);
    bad[cert.offset + 10] ^= 0x01;
    const r = analyzeBytes(bad, 'altered.pcap', { keyLogFiles });
    const c = r.connections[0];
    const failed = c.diagnostics.find((d) => d.code === 'decrypt.failed');
    assert.ok(failed && failed.location?.kind === 'offset' && failed.location.offset < cert.offset, JSON.stringify(c.diagnostics));
    assert.ok(
      c.messages.some((m) => m.name === 'EncryptedExtensions' && m.decrypted),
      'the record before the altered one',
    );
    assert.equal(c.certificates.length, 0);
    assert.equal(c.tls.decryption?.failed.server, 1);
  });
});

describe('TLS 1.2 through the hook (decrypt/tls12Hook.ts → decrypt/tls12/)', () => {
  it("a CLIENT_RANDOM key decrypts each side's records from its ChangeCipherSpec on: both Finished and the closing alerts; the cleartext part decodes as before", async () => {
    const file = join(ROOT, 'test', 'fixtures', 'handshakes', 'tls12-ecdhe-rsa.pcap');
    const keylog = join(ROOT, 'test', 'fixtures', 'handshakes', 'tls12-ecdhe-rsa.keylog');
    const plain = (await analyzeFile(file)).connections[0];
    const r = await analyzeFile(file, { keyLogFiles: [keylog], sidecarKeys: false });
    const c = r.connections[0];
    assert.equal(c.tls.version, 0x0303);
    assert.equal(c.tls.decryption?.keySource, 'keylog');
    assert.deepEqual(c.tls.decryption?.failed, { client: 0, server: 0 });
    assert.deepEqual(c.diagnostics.filter((d) => d.code.startsWith('decrypt.')), [], JSON.stringify(c.diagnostics));
    // What was "EncryptedHandshakeMessage" without keys is each side's Finished.
    const encrypted = plain.messages.flatMap((m, i) => (m.name === 'EncryptedHandshakeMessage' ? [i] : []));
    assert.ok(encrypted.length === 2);
    for (const i of encrypted) {
      assert.equal(c.messages[i].name, 'Finished');
      assert.equal(c.messages[i].decrypted, true);
      assert.equal(c.messages[i].keySource, 'keylog');
    }
    assert.deepEqual(
      c.messages.filter((m) => !m.decrypted).map((m) => m.name),
      plain.messages.filter((m) => m.name !== 'EncryptedHandshakeMessage').map((m) => m.name),
    );
    assert.deepEqual(plain.alerts.map((a) => a.name), ['EncryptedAlert', 'EncryptedAlert']);
    assert.deepEqual(c.alerts.map((a) => [a.name, a.decrypted]), [['close_notify', true], ['close_notify', true]]);
  });
});
