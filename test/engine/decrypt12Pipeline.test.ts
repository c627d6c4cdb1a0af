import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { mkdtempSync, readdirSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import { ROOT } from '../helpers/paths';

// The TLS 1.0–1.2 module wired into the TLS pipeline (decrypt/tls12Hook.ts): each real openssl
// session of lab/decrypt12/make.sh analysed with its key log, against what tshark decrypted from
// the same capture and key log (the .tshark.json next to it: per frame, the records with their
// handshake types and alerts).

const DIR = join(ROOT, 'test', 'fixtures', 'decrypt12');

interface TsharkFrame {
  frame: number;
  srcport: number;
  records: Array<{ type: number; length: number; handshake?: number[]; alert?: Array<[number, number]> }>;
}

const sessions = readdirSync(DIR).filter((f) => f.endsWith('.pcap')).map((f) => f.slice(0, -'.pcap'.length));

describe('TLS 1.0–1.2 decryption in the pipeline (real openssl sessions, tshark reference)', () => {
  it('has the lab sessions to check', () => {
    assert.ok(sessions.length >= 13, sessions.join(', '));
  });
  for (const name of sessions) {
    it(`${name}: every handshake message and alert as tshark decrypted them; both Finished verified (renegotiations too)`, async () => {
      const ref = JSON.parse(readFileSync(join(DIR, `${name}.tshark.json`), 'utf8')) as TsharkFrame[];
      const clientPort = ref[0].srcport;
      const r = await analyzeFile(join(DIR, `${name}.pcap`), { keyLogFiles: [join(DIR, `${name}.keys`)], sidecarKeys: false });
      assert.equal(r.connections.length, 1);
      const c = r.connections[0];
      for (const from of ['client', 'server'] as const) {
        const frames = ref.filter((f) => (f.srcport === clientPort) === (from === 'client'));
        const types = frames.flatMap((f) => f.records.flatMap((x) => x.handshake ?? []));
        assert.deepEqual(c.messages.filter((m) => m.from === from).map((m) => m.type), types, `${from} handshake types`);
        const alerts = frames.flatMap((f) => f.records.flatMap((x) => x.alert ?? []));
        assert.deepEqual(c.alerts.filter((a) => a.from === from).map((a) => [a.level, a.description]), alerts, `${from} alerts`);
      }
      const d = c.tls.decryption;
      assert.ok(d);
      assert.deepEqual(d.failed, { client: 0, server: 0 });
      assert.deepEqual(d.finished, { client: true, server: true });
      const finished = c.messages.filter((m) => m.name === 'Finished');
      assert.ok(finished.length >= 2);
      for (const m of finished) {
        assert.equal(m.decrypted, true);
        assert.equal(m.details?.verified, true);
      }
      assert.deepEqual(c.diagnostics.filter((x) => x.code.startsWith('decrypt.') && x.severity !== 'info'), []);
    });
  }

  it("a renegotiation whose ClientHello has no key line says so; the first handshake still decrypts and checks", async () => {
    const name = 'tls12-renegotiation';
    const plain = await analyzeFile(join(DIR, `${name}.pcap`));
    const first = plain.connections[0].clientHello!.random.toLowerCase();
    const lines = readFileSync(join(DIR, `${name}.keys`), 'utf8').split('\n');
    const own = lines.filter((l) => l.startsWith(`CLIENT_RANDOM ${first} `));
    assert.equal(own.length, 1);
    const dir = mkdtempSync(join(tmpdir(), 'hi-d12-'));
    writeFileSync(join(dir, 'first.keys'), `${own[0]}\n`);
    const r = await analyzeFile(join(DIR, `${name}.pcap`), { keyLogFiles: [join(dir, 'first.keys')], sidecarKeys: false });
    const c = r.connections[0];
    const missing = c.diagnostics.filter((x) => x.code === 'decrypt.missing-secret');
    assert.equal(missing.length, 1, JSON.stringify(c.diagnostics));
    assert.match(missing[0].message, /renegotiation's ClientHello: records after its ChangeCipherSpec stay encrypted/);
    const finished = c.messages.filter((m) => m.name === 'Finished');
    assert.equal(finished.length, 2);
    assert.ok(finished.every((m) => m.details?.verified === true));
  });

  it('a Finished altered on the wire is caught: the record fails its tag, said at the record, and the server side still decrypts', async () => {
    const name = 'tls12-ecdhe-aes128gcm';
    const plain = await analyzeFile(join(DIR, `${name}.pcap`));
    const fin = plain.connections[0].messages.find((m) => m.from === 'client' && m.name === 'EncryptedHandshakeMessage');
    const last = fin?.range[fin.range.length - 1];
    assert.ok(last && last.kind === 'offset');
    const copy = Buffer.from(readFileSync(join(DIR, `${name}.pcap`)));
    copy[last.offset + last.length - 1] ^= 0x01; // a byte of the record's GCM tag
    const dir = mkdtempSync(join(tmpdir(), 'hi-d12-'));
    writeFileSync(join(dir, 'x.pcap'), copy);
    const r = await analyzeFile(join(dir, 'x.pcap'), { keyLogFiles: [join(DIR, `${name}.keys`)], sidecarKeys: false });
    const c = r.connections[0];
    assert.equal(c.tls.decryption?.failed.client, 1);
    assert.ok(c.diagnostics.some((x) => x.code === 'decrypt.failed' && x.message.includes('tag')), JSON.stringify(c.diagnostics));
    // The server's Finished is still decrypted, but not checked: its transcript holds the client's Finished, which is lost.
    assert.ok(c.messages.some((m) => m.from === 'server' && m.name === 'Finished' && m.decrypted === true));
    assert.deepEqual(c.tls.decryption?.finished, { client: null, server: null });
  });
});
