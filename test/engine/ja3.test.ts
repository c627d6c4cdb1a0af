import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { ja3, ja3s } from '../../server/src/fingerprint/ja3';
import { fingerprintServer } from '../../server/src/fingerprint';
import { RangeMap, type ClientHello } from '../../server/src/tls/types';
import { clientHellos, loadHandshakes, serverHellos, toClientHello, toServerHello } from '../helpers/tsharkHandshakes';

/**
 * Wireshark's own tls.handshake.ja3* fields, recorded in the fixtures by
 * make-handshakes.py: three browser captures from the JA4 reference set and
 * one OpenSSL s_client/s_server loopback capture (incl. a HelloRetryRequest).
 */
const CAPTURES = ['tls12.pcap', 'tls3.pcapng', 'tls-handshake.pcapng', 'local-openssl.pcap'];

describe('JA3 / JA3S against tshark', () => {
  for (const capture of CAPTURES) {
    it(capture, (t) => {
      const hs = loadHandshakes(capture);
      let clients = 0;
      let servers = 0;
      for (const s of hs.streams) {
        for (const m of clientHellos(s)) {
          assert.ok(m.ja3Full && m.ja3, `tshark gave no JA3 for frame ${m.frame}`);
          assert.deepEqual(ja3(toClientHello(m)), { ja3: m.ja3, ja3Full: m.ja3Full }, `${capture} frame ${m.frame}`);
          clients++;
        }
        for (const m of serverHellos(s)) {
          assert.ok(m.ja3sFull && m.ja3s, `tshark gave no JA3S for frame ${m.frame}`);
          assert.deepEqual(ja3s(toServerHello(m)), { ja3s: m.ja3s, ja3sFull: m.ja3sFull }, `${capture} frame ${m.frame}`);
          servers++;
        }
      }
      assert.ok(clients > 0 && (servers > 0 || capture === 'tls12.pcap'));
      t.diagnostic(`${clients} JA3 and ${servers} JA3S values equal tshark's`);
    });
  }

  it('covers a HelloRetryRequest exchange in the loopback capture', () => {
    const s = loadHandshakes('local-openssl.pcap').streams.find((x) => serverHellos(x).some((m) => toServerHello(m).helloRetryRequest));
    assert.ok(s, 'no HelloRetryRequest in local-openssl.pcap');
    assert.equal(clientHellos(s).length, 2);
  });
});

describe('JA3 definition details', () => {
  const base: ClientHello = {
    recordVersion: 0x0301, legacyVersion: 0x0303, random: '', sessionId: '', cipherSuites: [], compressionMethods: [0],
    extensions: [], serverName: null, alpn: [], supportedVersions: [], supportedGroups: [], ecPointFormats: [],
    signatureAlgorithms: [], sslv2: false, ranges: new RangeMap(),
  };
  const ext = (type: number) => ({ type, name: '', grease: false, length: 0 });

  it('keeps empty fields when there are no extensions', () => {
    const f = ja3({ ...base, legacyVersion: 0x0301, cipherSuites: [0x002f, 0x0035] });
    assert.equal(f.ja3Full, '769,47-53,,,');
  });

  it('removes GREASE from ciphers, extensions and groups and uses client_version', () => {
    const f = ja3({
      ...base, supportedVersions: [0x0304], cipherSuites: [0x0a0a, 0x1301], extensions: [ext(0xfafa), ext(0x000a), ext(0x000b)],
      supportedGroups: [0x2a2a, 0x001d], ecPointFormats: [0],
    });
    assert.equal(f.ja3Full, '771,4865,10-11,29,0');
    assert.equal(f.ja3, 'adb10e23313654b9fedd8d855193ec58'); // md5sum of the string above
  });

  it('is what fingerprintServer returns', () => {
    const sh = {
      recordVersion: 0x0303, legacyVersion: 0x0303, random: '', sessionId: '', cipherSuite: 0x1301, cipherSuiteName: '',
      compressionMethod: 0, extensions: [ext(0x002b), ext(0x0033)], selectedVersion: 0x0304, helloRetryRequest: false, alpn: null, ranges: new RangeMap(),
    };
    assert.deepEqual(fingerprintServer(sh), { ja3sFull: '771,4865,43-51', ja3s: ja3s(sh).ja3s });
    assert.ok(!('ja4s' in fingerprintServer(sh)));
  });
});
