import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import { formatConnectionText } from '../../server/src/output/textSummary';
import type { ConnectionReport, SourceLocation } from '../../shared/analysis';
import { KeyStore } from '../../server/src/decrypt/keyStore';
import { handshakeKeys } from '../../server/src/quic/handshakeKeys';
import { quicVersion } from '../../server/src/quic/versions';

// QUIC Handshake packets opened with the key log ngtcp2's client wrote
// (lab/quic/make.sh), checked against what tshark decrypts with the same file
// (lab/quic/reference-decrypted.sh).
const QUIC = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'quic');
const PCAP = join(QUIC, 'ngtcp2-v1.pcap');
const KEYS = join(QUIC, 'ngtcp2-v1.keys');

type Layers = Record<string, string[] | undefined>;
// Every packet with a handshake message, the 1-RTT one with the NewSessionTicket included (quic1rtt.test.ts covers 1-RTT).
const ref = (JSON.parse(readFileSync(join(QUIC, 'ngtcp2-v1.keylog.tshark.json'), 'utf8')) as Array<{ _source: { layers: Layers } }>)
  .map((p) => p._source.layers);

/** The key log with every handshake secret's last byte changed (the client randoms still match), without the 1-RTT secrets. */
function wrongKeys(): string {
  const lines = readFileSync(KEYS, 'utf8').split('\n').filter((l) => !/_TRAFFIC_SECRET_0 /.test(l)).map((l) => {
    if (!/^(CLIENT|SERVER)_HANDSHAKE_TRAFFIC_SECRET /.test(l)) return l;
    const last = l.slice(-1);
    return l.slice(0, -1) + (last === '0' ? '1' : '0');
  });
  const path = join(mkdtempSync(join(tmpdir(), 'hi-quicdec-')), 'wrong.keys');
  writeFileSync(path, lines.join('\n'));
  return path;
}

/** The parts of a connection that a key log may change, taken off to compare the rest. */
function withoutDecryption(c: ConnectionReport): unknown {
  const copy = JSON.parse(JSON.stringify(c)) as ConnectionReport;
  delete copy.tls.decryption;
  copy.diagnostics = copy.diagnostics.filter((d) => !d.message.includes('HANDSHAKE_TRAFFIC_SECRET'));
  for (const d of copy.quic!.datagramList) for (const p of d.packets) if (p.type === 'Handshake') p.status = 'encrypted (no keys)';
  return copy;
}

describe('QUIC Handshake packets decrypted with ngtcp2\'s key log (real capture)', async () => {
  const plain = (await analyzeFile(PCAP)).connections[0];
  const report = await analyzeFile(PCAP, { keyLogFiles: [KEYS], ja4plus: true });
  const c = report.connections[0];

  it('shows the handshake messages tshark decrypts, in its order, Handshake-space ones marked decrypted', () => {
    assert.deepEqual(c.messages.map((m) => m.type), ref.flatMap((l) => l['tls.handshake.type']!.map(Number)));
    assert.deepEqual(c.messages.map((m) => m.name), ['ClientHello', 'ServerHello', 'EncryptedExtensions', 'Certificate', 'CertificateVerify', 'Finished', 'Finished', 'NewSessionTicket']);
    for (const m of c.messages.slice(2)) {
      assert.equal(m.decrypted, true, m.name);
      assert.equal(m.keySource, 'keylog');
    }
    for (const m of c.messages.slice(0, 2)) assert.equal(m.decrypted, undefined, m.name);
  });

  it('reads the server certificate like tshark (serial, subject, SAN) and fingerprints it (JA4X)', () => {
    const tsh = ref.find((l) => l['x509af.serialNumber'])!;
    assert.equal(c.certificates.length, 1);
    assert.equal(c.certificates[0].serialNumber, tsh['x509af.serialNumber']![0]);
    assert.equal(c.certificates[0].subjectCN, tsh['x509sat.uTF8String']![0]);
    assert.deepEqual(c.certificates[0].subjectAltNames, tsh['x509ce.dNSName']!.map((n) => `DNS:${n}`));
    assert.match(c.certificates[0].ja4x!, /^[0-9a-f]{12}_[0-9a-f]{12}_[0-9a-f]{12}$/);
    assert.deepEqual(c.fingerprints.ja4x, [c.certificates[0].ja4x]);
  });

  it('takes ALPN and the server\'s quic_transport_parameters from EncryptedExtensions, as tshark does', () => {
    const server = ref.find((l) => l['tls.handshake.type']!.includes('8'))!;
    assert.equal(c.tls.alpn, server['tls.handshake.extensions_alpn_str']![0]);
    assert.equal(plain.tls.alpn, null, 'without keys ALPN is not known (QUIC ServerHellos carry none)');
    const ee = c.messages.find((m) => m.type === 8)!;
    const tp = ee.details!.extensions!.find((e) => e.type === 57)!;
    const ids = (tp.data as { parameters: Array<{ id: number }> }).parameters.map((p) => p.id);
    assert.deepEqual(ids, server['tls.quic.parameter.type']!.map(Number));
  });

  it('says the connection was decrypted and which packets were opened', () => {
    assert.deepEqual(c.tls.decryption, { keySource: 'keylog', records: { client: 2, server: 1 }, failed: { client: 0, server: 0 }, finished: { client: true, server: true } });
    const hs = c.quic!.datagramList.flatMap((d) => d.packets).filter((p) => p.type === 'Handshake');
    assert.deepEqual(hs.map((p) => p.status), ['decrypted', 'decrypted', 'decrypted']);
    assert.deepEqual(hs.map((p) => p.packetNumber), [0, 0, 1]);
    assert.equal(c.tls.incomplete, false);
    assert.equal(c.tls.lastMessage, 'NewSessionTicket');
    assert.deepEqual(report.diagnostics.filter((d) => d.code.startsWith('decrypt')), []);
    const text = formatConnectionText(c, { color: false });
    assert.match(text, /decrypted with key log: client 2 \/ server 1 Handshake packets; Finished: server checks, client checks\n/);
    assert.match(text, /; 1-RTT decrypted\n/);
  });

  it('points the certificate at its ciphertext bytes in the file: same length, inside the datagram that carried it', () => {
    const cert = c.messages.find((m) => m.type === 11)!;
    const loc = cert.range as SourceLocation[];
    assert.equal(loc.length, 1);
    const at = loc[0] as Extract<SourceLocation, { kind: 'offset' }>;
    assert.equal(at.kind, 'offset');
    assert.equal(at.length, cert.length + 4);
    assert.equal(cert.packet, 1);
    // Second pcap record: 24-byte file header, first record (16 + its length), second record's header, Ethernet/IPv4/UDP.
    const file = readFileSync(PCAP);
    const second = 24 + 16 + file.readUInt32LE(24 + 8);
    const payload = second + 16 + 14 + 20 + 8;
    const end = second + 16 + file.readUInt32LE(second + 8);
    assert.ok(at.offset > payload && at.offset + at.length <= end, `${at.offset}+${at.length} in ${payload}..${end}`);
    const der = c.certificates[0];
    const inFile = file.subarray(der.range[0].kind === 'offset' ? der.range[0].offset : 0).subarray(0, der.length);
    assert.equal(inFile.length, der.length);
    assert.notEqual(inFile[0], 0x30, 'the file holds ciphertext there, not the DER SEQUENCE');
  });

  it('never writes the key log\'s secrets into the report or the text summary', () => {
    const json = JSON.stringify(report) + formatConnectionText(c, { color: false });
    for (const line of readFileSync(KEYS, 'utf8').split('\n').filter(Boolean)) {
      const secret = line.split(' ')[2];
      assert.ok(!json.includes(secret), line.split(' ')[0]);
    }
  });

  it('without a matching key log the output is what it is without keys', async () => {
    const other = join(mkdtempSync(join(tmpdir(), 'hi-quicdec-')), 'other.keys');
    writeFileSync(other, readFileSync(KEYS, 'utf8').replace(/ [0-9a-f]{64} /g, ` ${'ab'.repeat(32)} `));
    const r = await analyzeFile(PCAP, { keyLogFiles: [other] });
    assert.deepEqual(r.connections, (await analyzeFile(PCAP)).connections);
    assert.ok(r.diagnostics.some((d) => d.code === 'decrypt.keys-unmatched'));
  });

  it('with wrong secrets: one located diagnostic per direction, and the rest as without keys', async () => {
    const r = await analyzeFile(PCAP, { keyLogFiles: [wrongKeys()] });
    const w = r.connections[0];
    const bad = w.diagnostics.filter((d) => d.message.includes('HANDSHAKE_TRAFFIC_SECRET'));
    assert.deepEqual(bad.map((d) => [d.message.split(':')[0], d.packet]), [['server', 1], ['client', 2]]);
    for (const d of bad) assert.match(d.message, /does not authenticate/);
    assert.deepEqual(w.tls.decryption!.records, { client: 0, server: 0 });
    assert.deepEqual(w.tls.decryption!.failed, { client: 2, server: 1 });
    assert.deepEqual(withoutDecryption(w), withoutDecryption(plain));
  });
});

describe('the ngtcp2 capture as a tcpdump -XX text dump, with the key log', () => {
  it('decrypts the same messages, and the certificate\'s line/column range shows the pcap\'s ciphertext bytes', async () => {
    const pcap = (await analyzeFile(PCAP, { keyLogFiles: [KEYS] })).connections[0];
    const path = join(QUIC, 'ngtcp2-v1.XX.txt');
    const c = (await analyzeFile(path, { keyLogFiles: [KEYS] })).connections[0];
    assert.deepEqual(c.messages.map((m) => [m.name, m.decrypted ?? false]), pcap.messages.map((m) => [m.name, m.decrypted ?? false]));
    assert.deepEqual(c.tls.decryption, pcap.tls.decryption);
    const at = pcap.certificates[0].range[0] as Extract<SourceLocation, { kind: 'offset' }>;
    const lines = readFileSync(path, 'latin1').split('\n');
    const shown = c.certificates[0].range.map((l) => {
      assert.equal(l.kind, 'text');
      return l.kind === 'text' ? lines[l.line].slice(l.column, l.endColumn).replace(/\s+/g, '') : '';
    }).join('');
    assert.equal(shown, readFileSync(PCAP).subarray(at.offset, at.offset + at.length).toString('hex'));
  });
});

describe('QUIC packet keys from a handshake traffic secret (RFC 9001 §5.1, RFC 9369 §3.3.2)', () => {
  // The Initial secrets of RFC 9001 A.1 and RFC 9369 A.1, given as handshake secrets: the labels are the
  // same for every packet number space, so the published key/iv/hp must come out.
  const RANDOM = '11'.repeat(32);
  const cases = [
    { version: 1, secret: 'c00cf151ca5be075ed0ebfb5c80323c42d6b7db67881289af4008f1f6c357aea', key: '1f369613dd76d5467730efcbe3b1a22d', iv: 'fa044b2f42a3fd3b46fb255c', hp: '9f50449e04a0e810283a1e9933adedd2' },
    { version: 0x6b3343cf, secret: '14ec9d6eb9fd7af83bf5a668bc17a7e283766aade7ecd0891f70f9ff7f4bf47b', key: '8b1a0bc121284290a29e0971b5cd045d', iv: '91f73e2351d8fa91660e909f', hp: '45b95e15235d6f45a6b19cbcb0294ba9' },
  ];
  for (const v of cases) {
    it(`${quicVersion(v.version)!.name}: key, iv and hp as published`, () => {
      const store = new KeyStore();
      const p = store.parser({ kind: 'keylog', name: 'vectors.keys' });
      p.push(Buffer.from(`CLIENT_HANDSHAKE_TRAFFIC_SECRET ${RANDOM} ${v.secret}\nSERVER_HANDSHAKE_TRAFFIC_SECRET ${RANDOM} ${v.secret}\n`));
      p.end();
      const keys = handshakeKeys(store, quicVersion(v.version)!, Buffer.from(RANDOM, 'hex'), 0x1301);
      assert.ok(keys !== null && typeof keys !== 'string');
      assert.equal(keys.client.key.toString('hex'), v.key);
      assert.equal(keys.client.iv.toString('hex'), v.iv);
      assert.equal(keys.client.hp.toString('hex'), v.hp);
      assert.equal(keys.keySource, 'keylog');
    });
  }
  it('no keys for an unknown ClientHello random; CCM_8 is refused (RFC 9001 §5.3)', () => {
    const store = new KeyStore();
    const p = store.parser({ kind: 'keylog', name: 'x.keys' });
    p.push(Buffer.from(`CLIENT_HANDSHAKE_TRAFFIC_SECRET ${RANDOM} ${'22'.repeat(32)}\nSERVER_HANDSHAKE_TRAFFIC_SECRET ${RANDOM} ${'33'.repeat(32)}\n`));
    p.end();
    assert.equal(handshakeKeys(store, quicVersion(1)!, Buffer.alloc(32), 0x1301), null);
    assert.match(handshakeKeys(store, quicVersion(1)!, Buffer.from(RANDOM, 'hex'), 0x1305) as string, /0x1305 is not decrypted/);
  });
});
