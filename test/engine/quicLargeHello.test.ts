import { test } from 'node:test';
import assert from 'node:assert/strict';
import { readFileSync } from 'node:fs';
import { join } from 'node:path';
import { analyzeFile } from '../../server/src/analysis/analyzeCapture';
import type { KeyShareData } from '../../shared/tlsExtensions';
import { ROOT } from '../helpers/paths';

// A real ClientHello that spans two QUIC Initials (lab/quic/make-large-hello.sh: gtlsclient offering FFDHE8192
// first, a 1,024-byte key share), checked against what tshark reassembled and decoded from the same capture.
const DIR = join(ROOT, 'test', 'fixtures', 'quic');
type Layers = Record<string, string[]>;
const ref = (JSON.parse(readFileSync(join(DIR, 'ngtcp2-ffdhe8192.tshark.json'), 'utf8')) as Array<{ _source: { layers: Layers } }>)[0]._source.layers;
/** frame, UDP length, CRYPTO offset, CRYPTO length of each Initial, per tshark. */
const initials = readFileSync(join(DIR, 'ngtcp2-ffdhe8192.crypto.tsv'), 'utf8').trim().split('\n').map((l) => l.split('\t'));

test('a ClientHello over two Initials is put back together and decoded as tshark decodes it', async () => {
  const r = await analyzeFile(join(DIR, 'ngtcp2-ffdhe8192.pcap'), { packets: true });
  assert.equal(r.connections.length, 1);
  const c = r.connections[0];
  const ch = c.clientHello!;
  const hello = c.messages.find((m) => m.name === 'ClientHello')!;
  // tshark: the ClientHello's CRYPTO bytes are in the first two client Initials (frames 1 and 2), 1132 + 194 bytes.
  const clientCrypto = initials.filter((x) => x[2] !== '' && x[2] !== undefined).slice(0, 2);
  assert.deepEqual(clientCrypto.map((x) => [x[0], x[2], x[3]]), [['1', '0', '1132'], ['2', '1132', '194']]);
  assert.deepEqual(hello.packets, [0, 1]);
  assert.equal(hello.length, Number(ref['tls.handshake.length'][0]));
  assert.equal(hello.span[1] - hello.span[0], 1132 + 194);
  assert.equal(c.quic!.cryptoBytes.client >= 1326, true);
  assert.equal(ch.random, ref['tls.handshake.random'][0]);
  assert.deepEqual(ch.cipherSuites.map((x) => `0x${x.toString(16).padStart(4, '0')}`), ref['tls.handshake.ciphersuite']);
  assert.deepEqual(ch.extensions.map((e) => String(e.type)), ref['tls.handshake.extension.type']);
  assert.deepEqual(ch.supportedGroups.map((g) => `0x${g.toString(16).padStart(4, '0')}`), ref['tls.handshake.extensions_supported_group']);
  const shares = (ch.extensions.find((e) => e.type === 51)!.data as KeyShareData).shares!;
  assert.deepEqual(shares.map((s) => String(s.group)), ref['tls.handshake.extensions_key_share_group']);
  assert.deepEqual(shares.map((s) => String(s.length)), ref['tls.handshake.extensions_key_share_key_exchange_length']);
  assert.equal(ch.serverName, ref['tls.handshake.extensions_server_name'][0]);
  // Both Initials are 1,200-byte datagrams (UDP length 1208 in tshark), and the timeline says which carries the hello.
  const sizes = c.packets!.filter((p) => p.from === 'client').slice(0, 2).map((p) => p.length);
  assert.deepEqual(sizes, clientCrypto.map((x) => Number(x[1]) - 8));
  assert.deepEqual(c.packets![0].tls, ['ClientHello']);
  assert.ok(c.fingerprints.ja4?.startsWith('q13d'), c.fingerprints.ja4 ?? '');
});
