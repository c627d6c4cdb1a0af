import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeBytes } from '../../server/src/analysis/analyzeCapture';

const FIXTURE = join(__dirname, '..', '..', '..', 'test', 'fixtures', 'handshakes', 'tls12-ecdhe-rsa.pcap');

// A handshake message whose header lies about its length, in a real capture
// (openssl's TLS 1.2 handshake, the Certificate's 3-byte length set to
// 0xffffff): the record framing around it is sound, so decoding goes on at
// the next record, as tshark does (tshark -r on the same bytes lists the
// server's ServerKeyExchange, ServerHelloDone, NewSessionTicket, encrypted
// Finished, application data and alert). It used to end the direction.
test('a Certificate that lies about its length is reported and decoding resumes at the next record', () => {
  const original = readFileSync(FIXTURE);
  const before = analyzeBytes(original, FIXTURE).connections[0];
  const cert = before.messages.find((m) => m.type === 11)!;
  const at = cert.range[0].kind === 'offset' ? cert.range[0].offset : -1;
  assert.equal(original[at], 11);
  const bytes = Uint8Array.from(original);
  bytes[at + 1] = 0xff;
  bytes[at + 2] = 0xff;
  bytes[at + 3] = 0xff;
  const c = analyzeBytes(bytes, FIXTURE).connections[0];
  const server = (r: typeof c) => r.messages.filter((m) => m.from === 'server').map((m) => m.name);
  assert.deepEqual(server(c), server(before).filter((n) => n !== 'Certificate'));
  assert.deepEqual(server(c), ['ServerHello', 'ServerKeyExchange', 'ServerHelloDone', 'NewSessionTicket', 'EncryptedHandshakeMessage']);
  assert.deepEqual(c.tls.applicationData, before.tls.applicationData);
  assert.equal(c.alerts.filter((a) => a.from === 'server').length, before.alerts.filter((a) => a.from === 'server').length);
  const d = c.diagnostics.find((x) => x.code === 'tls.handshake-length');
  assert.ok(d, 'the lie is reported');
  assert.match(d.message, /claims 16777215 bytes.*decoding goes on at the next record/);
  assert.deepEqual(d.location, { kind: 'offset', offset: at + 1, length: 3 });
});
