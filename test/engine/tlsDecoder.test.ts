// TLS decoder against real OpenSSL handshakes (test/fixtures/tls/make.sh),
// checked field by field against tshark's dissection of the same captures.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import {
  SCENARIOS, allSpans, colonHex, collector, decodeFixture, feed, hexNum, loadFixture,
  tsharkExtensionTypes, tsharkHandshakes, tsharkRecords, values, type Events, type Fixture,
} from '../helpers/tlsHelpers';
import { TlsStreamDecoder } from '../../server/src/tls/recordLayer';
import type { Direction, HandshakeMessage } from '../../server/src/tls/types';
import { HRR_RANDOM } from '../../server/src/tls/serverHello';

const fixtures = new Map<string, Fixture>(SCENARIOS.map((n) => [n, loadFixture(n)]));
const fx = (n: string): Fixture => fixtures.get(n)!;

function streamOf(f: Fixture, from: Direction): Uint8Array {
  return from === 'client' ? f.client : f.server;
}

function hexAt(f: Fixture, from: Direction, span: [number, number]): string {
  return Buffer.from(streamOf(f, from).subarray(span[0], span[1])).toString('hex');
}

/** k-th cleartext message of a type (server messages first, as decodeFixture feeds them). */
function nth(ev: Events, from: Direction, type: number, k = 0): HandshakeMessage {
  const list = ev.messages.filter((m) => m.from === from && m.type === type);
  assert.ok(list[k], `no ${from} message of type ${type} #${k}`);
  return list[k];
}

function tsNth(f: Fixture, from: Direction, type: number, k = 0): Record<string, unknown> {
  const list = tsharkHandshakes(f).filter((h) => h.from === from && hexNum(String(h.hs['tls.handshake.type'])) === type);
  assert.ok(list[k], `tshark has no ${from} message of type ${type} #${k}`);
  return list[k].hs;
}

describe('TLS decoder on real captures, compared with tshark', () => {
  for (const name of SCENARIOS) {
    describe(name, () => {
      const f = fx(name);
      const ev = decodeFixture(f);

      it('reports no errors or warnings', () => {
        const bad = ev.problems.filter((p) => p.severity !== 'info');
        assert.deepEqual(bad, []);
        assert.deepEqual(ev.notTls, []);
      });

      it('frames the same records as tshark, per direction', () => {
        for (const from of ['client', 'server'] as const) {
          const mine = ev.records.filter((r) => r.from === from).map((r) => [r.contentType, r.length]);
          const theirs = tsharkRecords(f)
            .filter((r) => r.from === from)
            .map(({ rec }) => [Number(rec['tls.record.opaque_type'] ?? rec['tls.record.content_type']), Number(rec['tls.record.length'])]);
          assert.deepEqual(mine, theirs, from);
        }
      });

      it('record spans tile each stream', () => {
        for (const from of ['client', 'server'] as const) {
          let at = 0;
          for (const r of ev.records.filter((x) => x.from === from)) {
            assert.equal(r.span[0], at);
            assert.equal(r.span[1] - r.span[0], 5 + r.length);
            at = r.span[1];
          }
          assert.equal(at, streamOf(f, from).length, `${from} stream fully framed`);
        }
      });

      it('decodes the same cleartext handshake messages as tshark', () => {
        for (const from of ['client', 'server'] as const) {
          const mine = ev.messages.filter((m) => m.from === from && m.type >= 0).map((m) => [m.type, m.length]);
          const theirs = tsharkHandshakes(f)
            .filter((h) => h.from === from)
            .map(({ hs }) => [Number(hs['tls.handshake.type']), Number(hs['tls.handshake.length'])]);
          assert.deepEqual(mine, theirs, from);
        }
      });

      it('ClientHello fields match tshark', () => {
        const chs = ev.messages.filter((m) => m.clientHello);
        assert.ok(chs.length >= 1);
        chs.forEach((m, k) => {
          const ch = m.clientHello!;
          const ts = tsNth(f, 'client', 1, k);
          assert.equal(ch.legacyVersion, hexNum(String(ts['tls.handshake.version'])));
          assert.equal(ch.random, colonHex(String(ts['tls.handshake.random'])));
          assert.equal(ch.sessionId, colonHex(String(ts['tls.handshake.session_id'] ?? '')));
          assert.deepEqual(ch.cipherSuites, values(ts, 'tls.handshake.ciphersuite').map(hexNum));
          assert.deepEqual(ch.compressionMethods, values(ts, 'tls.handshake.comp_method').map(hexNum));
          assert.deepEqual(ch.extensions.map((e) => e.type), tsharkExtensionTypes(ts));
          assert.equal(ch.serverName, values(ts, 'tls.handshake.extensions_server_name')[0] ?? null);
          assert.deepEqual(ch.alpn, values(ts, 'tls.handshake.extensions_alpn_str'));
          assert.deepEqual(ch.supportedVersions, values(ts, 'tls.handshake.extensions.supported_version').map(hexNum));
          assert.deepEqual(ch.supportedGroups, values(ts, 'tls.handshake.extensions_supported_group').map(hexNum));
          assert.deepEqual(ch.ecPointFormats, values(ts, 'tls.handshake.extensions_ec_point_format').map(hexNum));
          assert.deepEqual(ch.signatureAlgorithms, values(ts, 'tls.handshake.sig_hash_alg').map(hexNum));
          const ks = ch.extensions.find((e) => e.name === 'key_share');
          const shares = ((ks?.data as { shares?: Array<{ group: number; length: number }> })?.shares ?? []);
          assert.deepEqual(shares.map((s) => s.group), values(ts, 'tls.handshake.extensions_key_share_group').map(hexNum));
          assert.deepEqual(shares.map((s) => s.length), values(ts, 'tls.handshake.extensions_key_share_key_exchange_length').map(Number));
          const psk = ch.extensions.find((e) => e.name === 'psk_key_exchange_modes');
          assert.deepEqual((psk?.data as { modes?: number[] })?.modes ?? [], values(ts, 'tls.extension.psk_ke_mode').map(Number));
          assert.equal(ch.sslv2, false);
          const chRecords = tsharkRecords(f).filter((r) => r.from === 'client' && values(r.rec, 'tls.handshake.type')[0] === '1');
          assert.equal(ch.recordVersion, hexNum(String(chRecords[k].rec['tls.record.version'])));
        });
      });

      it('ClientHello ranges point at the bytes they describe', () => {
        for (const m of ev.messages.filter((x) => x.clientHello)) {
          const ch = m.clientHello!;
          const r = ch.ranges;
          assert.equal(hexAt(f, 'client', r.get('random')!), ch.random);
          assert.equal(hexAt(f, 'client', r.get('sessionId')!), ch.sessionId);
          assert.equal(hexAt(f, 'client', r.get('legacyVersion')!), ch.legacyVersion.toString(16).padStart(4, '0'));
          assert.equal(hexAt(f, 'client', r.get('recordVersion')!), ch.recordVersion.toString(16).padStart(4, '0'));
          ch.cipherSuites.forEach((c, i) => assert.equal(hexAt(f, 'client', r.get(`cipherSuites[${i}]`)!), c.toString(16).padStart(4, '0')));
          ch.extensions.forEach((e, i) => {
            assert.equal(hexAt(f, 'client', r.get(`extensions[${i}].type`)!), e.type.toString(16).padStart(4, '0'));
            const d = r.get(`extensions[${i}].data`)!;
            assert.equal(d[1] - d[0], e.length);
          });
          if (ch.serverName) assert.equal(Buffer.from(hexAt(f, 'client', r.get('serverName')!), 'hex').toString('latin1'), ch.serverName);
          assert.equal(m.span[1] - m.span[0], 4 + m.length);
          assert.equal(hexAt(f, 'client', m.ranges.get('type')!), '01');
        }
      });

      it('ServerHello fields match tshark', () => {
        const shs = ev.messages.filter((m) => m.serverHello);
        if (name === 'tls12-alert') {
          assert.equal(shs.length, 0);
          return;
        }
        shs.forEach((m, k) => {
          const sh = m.serverHello!;
          const ts = tsNth(f, 'server', 2, k);
          assert.equal(sh.legacyVersion, hexNum(String(ts['tls.handshake.version'])));
          assert.equal(sh.random, colonHex(String(ts['tls.handshake.random'])));
          assert.equal(sh.cipherSuite, hexNum(values(ts, 'tls.handshake.ciphersuite')[0]));
          assert.deepEqual(sh.extensions.map((e) => e.type), tsharkExtensionTypes(ts));
          const sv = values(ts, 'tls.handshake.extensions.supported_version').map(hexNum);
          assert.equal(sh.selectedVersion, sv[0] ?? sh.legacyVersion);
          assert.equal(sh.alpn, values(ts, 'tls.handshake.extensions_alpn_str')[0] ?? null);
          assert.equal(hexAt(f, 'server', sh.ranges.get('cipherSuite')!), sh.cipherSuite.toString(16).padStart(4, '0'));
          assert.equal(hexAt(f, 'server', sh.ranges.get('random')!), sh.random);
          const ks = sh.extensions.find((e) => e.name === 'key_share')?.data as Record<string, number> | undefined;
          if (sh.helloRetryRequest) {
            assert.equal(m.name, 'HelloRetryRequest');
            assert.equal(ks?.selectedGroup, Number(values(ts, 'tls.handshake.extensions_key_share_selected_group')[0]));
          } else if (ks) {
            assert.equal(ks.group, Number(values(ts, 'tls.handshake.extensions_key_share_group')[0]));
          }
        });
      });

      it('Certificate DER matches tshark', () => {
        for (const from of ['server', 'client'] as const) {
          const mine = ev.messages.filter((m) => m.from === from && m.type === 11);
          mine.forEach((m, k) => {
            const ts = tsNth(f, from, 11, k);
            assert.deepEqual(m.certificates!.map((c) => c.der.length), values(ts, 'tls.handshake.certificate_length').map(Number));
            assert.deepEqual(m.certificates!.map((c) => Buffer.from(c.der).toString('hex')), values(ts, 'tls.handshake.certificate').map(colonHex));
            m.certificates!.forEach((c) => assert.equal(hexAt(f, from, c.span), Buffer.from(c.der).toString('hex')));
          });
        }
      });

      it('ServerKeyExchange matches tshark', () => {
        const skes = ev.messages.filter((m) => m.type === 12);
        const tss = tsharkHandshakes(f).filter((h) => h.hs['tls.handshake.type'] === '12');
        assert.equal(skes.length, tss.length);
        skes.forEach((m, k) => {
          const s = m.serverKeyExchange!;
          const ts = tss[k].hs;
          if (ts['tls.handshake.p'] !== undefined || values(ts, 'tls.handshake.p').length) {
            assert.equal(s.kind, 'dhe');
            assert.equal(s.dhPrime, colonHex(values(ts, 'tls.handshake.p')[0]));
            assert.equal(s.dhPrimeBits! <= Number(values(ts, 'tls.handshake.p_len')[0]) * 8, true);
            assert.equal(s.dhGenerator, colonHex(values(ts, 'tls.handshake.g')[0]));
            assert.equal(s.dhPublic, colonHex(values(ts, 'tls.handshake.ys')[0]));
            assert.equal(hexAt(f, 'server', s.ranges.get('dhPrime')!), s.dhPrime);
          } else {
            assert.equal(s.kind, 'ecdhe');
            assert.equal(s.curveType, hexNum(values(ts, 'tls.handshake.server_curve_type')[0]));
            assert.equal(s.namedCurve, hexNum(values(ts, 'tls.handshake.server_named_curve')[0]));
            assert.equal(s.ecPoint, colonHex(values(ts, 'tls.handshake.server_point')[0]));
            assert.equal(hexAt(f, 'server', s.ranges.get('ecPoint')!), s.ecPoint);
          }
          assert.equal(s.signatureLength, Number(values(ts, 'tls.handshake.sig_len')[0]));
          const alg = values(ts, 'tls.handshake.sig_hash_alg');
          assert.equal(s.signatureAlgorithm, alg.length ? hexNum(alg[0]) : null);
        });
      });

      it('ClientKeyExchange public value length matches tshark', () => {
        const ckes = ev.messages.filter((m) => m.type === 16);
        const tss = tsharkHandshakes(f).filter((h) => h.hs['tls.handshake.type'] === '16');
        assert.equal(ckes.length, tss.length);
        ckes.forEach((m, k) => {
          const ts = tss[k].hs;
          const d = m.details!;
          const yc = values(ts, 'tls.handshake.yc_len')[0] ?? values(ts, 'tls.handshake.client_point_len')[0];
          const epms = values(ts, 'tls.handshake.epms_len')[0];
          if (yc !== undefined) assert.equal(d.publicValueLength, Number(yc));
          else if (epms !== undefined) assert.equal(d.encryptedPreMasterSecretLength, Number(epms));
          else assert.fail('tshark shows no key exchange value');
        });
      });

      it('spans stay inside their streams', () => {
        for (const { where, span } of allSpans(ev)) {
          assert.ok(span[0] >= 0 && span[0] <= span[1], `${where}: ${span}`);
        }
        for (const m of ev.messages) {
          const len = streamOf(f, m.from).length;
          for (const [k, s] of Object.entries(m.ranges.toRecord())) assert.ok(s[1] <= len, `${m.name}.${k}`);
        }
      });

      it('gives identical events whatever the chunking', () => {
        const whole = decodeFixture(f).log;
        assert.deepEqual(decodeFixture(f, 1).log, whole, '1-byte chunks');
        assert.deepEqual(decodeFixture(f, 'segments').log, whole, 'TCP segments');
        assert.deepEqual(decodeFixture(f, [3, 7, 1, 4, 2, 11, 5]).log, whole, 'odd sizes');
        assert.deepEqual(decodeFixture(f, 4).log, whole, '4-byte chunks (headers split)');
      });
    });
  }
});

describe('version-specific behaviour', () => {
  it('TLS 1.2: Finished after CCS is an encrypted handshake message, app data is length only', () => {
    const ev = decodeFixture(fx('tls12-ecdhe'));
    for (const from of ['client', 'server'] as const) {
      const msgs = ev.messages.filter((m) => m.from === from);
      const last = msgs[msgs.length - 1];
      assert.equal(last.type, -1);
      assert.equal(last.name, 'EncryptedHandshakeMessage');
      assert.equal(last.length, 40);
      const ccsRec = ev.records.findIndex((r) => r.from === from && r.contentType === 20);
      const after = ev.records.filter((r) => r.from === from).slice(ev.records.filter((r) => r.from === from).indexOf(ev.records[ccsRec]) + 1);
      assert.ok(after.every((r) => r.encrypted));
    }
    assert.ok(ev.appData.length >= 2);
    assert.deepEqual(ev.alerts.map((a) => a.name), ['EncryptedAlert', 'EncryptedAlert']);
    assert.ok(ev.alerts.every((a) => a.level === null && a.description === null && a.encrypted));
    const sh = nth(ev, 'server', 2).serverHello!;
    assert.equal(sh.downgradeSentinel, 'tls12', 'OpenSSL 3 is TLS 1.3 capable and sets DOWNGRD\\x01');
    assert.ok(ev.problems.some((p) => p.code === 'tls.downgrade-sentinel' && p.severity === 'info'));
    const nst = nth(ev, 'server', 4);
    const ts = tsNth(fx('tls12-ecdhe'), 'server', 4);
    assert.equal(nst.details!.lifetimeHint, Number(values(ts, 'tls.handshake.session_ticket_lifetime_hint')[0]));
    assert.equal(nst.details!.ticketLength, Number(values(ts, 'tls.handshake.session_ticket_length')[0]));
  });

  it('TLS 1.2 DHE: prime size and generator', () => {
    const ske = nth(decodeFixture(fx('tls12-dhe')), 'server', 12).serverKeyExchange!;
    assert.equal(ske.kind, 'dhe');
    assert.equal(ske.kex, 'dhe');
    assert.equal(ske.dhPrimeBits, 2048);
    assert.equal(ske.dhGenerator, '02');
    assert.ok(ske.dhPublicBits! > 2000 && ske.dhPublicBits! <= 2048);
    assert.equal(ske.signatureAlgorithmName?.startsWith('rsa'), true);
  });

  it('TLS 1.0 / 1.1: no signature algorithm in ServerKeyExchange', () => {
    for (const n of ['tls10', 'tls11']) {
      const ev = decodeFixture(fx(n));
      const sh = nth(ev, 'server', 2).serverHello!;
      assert.equal(sh.selectedVersion, n === 'tls10' ? 0x0301 : 0x0302);
      const ske = nth(ev, 'server', 12).serverKeyExchange!;
      assert.equal(ske.signatureAlgorithm, null);
      assert.ok(ske.signatureLength! > 0);
    }
  });

  it('client certificate: CertificateRequest, client Certificate and CertificateVerify', () => {
    const f = fx('tls12-clientcert');
    const ev = decodeFixture(f);
    const cr = nth(ev, 'server', 13);
    const ts = tsNth(f, 'server', 13);
    assert.deepEqual(cr.details!.certificateTypes, values(ts, 'tls.handshake.cert_type').map(Number));
    assert.deepEqual(cr.details!.signatureAlgorithms, values(ts, 'tls.handshake.sig_hash_alg').map(hexNum));
    assert.equal(cr.details!.certificateAuthorities, 0);
    assert.equal(nth(ev, 'server', 11).certificates!.length, 2, 'server sends leaf + CA');
    assert.equal(nth(ev, 'client', 11).certificates!.length, 1);
    const cv = nth(ev, 'client', 15);
    const tcv = tsNth(f, 'client', 15);
    assert.equal(cv.details!.signatureLength, Number(values(tcv, 'tls.handshake.client_cert_vrfy.sig_len')[0]));
    assert.equal(cv.details!.signatureAlgorithm, hexNum(values(tcv, 'tls.handshake.sig_hash_alg')[0]));
  });

  it('ECDSA server: ECDHE on secp384r1 with an ECDSA signature', () => {
    const ske = nth(decodeFixture(fx('tls12-ecdsa')), 'server', 12).serverKeyExchange!;
    assert.equal(ske.namedCurveName, 'secp384r1');
    assert.equal(ske.ecPoint!.length, 97 * 2);
    assert.ok(ske.signatureAlgorithmName!.startsWith('ecdsa'));
  });

  it('cleartext alert: handshake_failure', () => {
    const ev = decodeFixture(fx('tls12-alert'));
    assert.deepEqual(ev.alerts.map((a) => [a.from, a.level, a.description, a.name, a.encrypted]), [['server', 2, 40, 'handshake_failure', false]]);
    const ts = tsharkHandshakes(fx('tls12-alert'));
    assert.equal(ts.length, 1);
  });

  it('TLS 1.3: everything after ServerHello is application-data framed', () => {
    const ev = decodeFixture(fx('tls13'));
    const server = ev.messages.filter((m) => m.from === 'server');
    assert.deepEqual(server.map((m) => m.name), ['ServerHello']);
    assert.equal(server[0].serverHello!.selectedVersion, 0x0304);
    assert.equal(server[0].serverHello!.alpn, null, 'ALPN is in EncryptedExtensions in 1.3');
    assert.ok(ev.appData.filter((a) => a.from === 'server').length >= 3);
    // The compatibility CCS does not switch the 1.3 record layer to "encrypted handshake".
    assert.ok(ev.messages.every((m) => m.type !== -1));
  });

  it('TLS 1.3 HelloRetryRequest: recognised, second ClientHello decoded after the compat CCS', () => {
    const ev = decodeFixture(fx('tls13-hrr'));
    const [hrr, sh] = ev.messages.filter((m) => m.type === 2);
    assert.equal(hrr.name, 'HelloRetryRequest');
    assert.equal(hrr.serverHello!.random, HRR_RANDOM);
    assert.equal(hrr.serverHello!.helloRetryRequest, true);
    assert.equal(sh.name, 'ServerHello');
    const chs = ev.messages.filter((m) => m.type === 1);
    assert.equal(chs.length, 2);
    const groups = (m: HandshakeMessage): number[] => ((m.clientHello!.extensions.find((e) => e.name === 'key_share')!.data as { shares: Array<{ group: number }> }).shares.map((s) => s.group));
    assert.deepEqual(groups(chs[0]), [0x001d]);
    assert.deepEqual(groups(chs[1]), [0x0017]);
    const ch2Record = ev.records.filter((r) => r.from === 'client')[chs[1].record];
    assert.equal(ch2Record.contentType, 22);
    assert.equal(ch2Record.encrypted, false);
    assert.ok(ev.ccs.some((c) => c.from === 'client'));
  });

  it('ClientKeyExchange kind follows the negotiated suite', () => {
    assert.equal(nth(decodeFixture(fx('tls12-dhe')), 'client', 16).details!.kex, 'dhe');
    assert.equal(nth(decodeFixture(fx('tls12-ecdhe')), 'client', 16).details!.kex, 'ecdhe');
  });
});

describe('decoder lifecycle', () => {
  it('setTls13() and wantsBytes(): done watching after idleAfter application-data records', () => {
    const f = fx('tls13');
    const { sink } = collector();
    const server = new TlsStreamDecoder('server', sink, { idleAfter: 2 });
    const client = new TlsStreamDecoder('client', sink, { idleAfter: 2 });
    assert.equal(server.wantsBytes(), true);
    feed(server, f.server, 1 << 20, false);
    assert.equal(server.tls13, true, 'server decoder saw its own ServerHello');
    assert.equal(server.wantsBytes(), false);
    client.setTls13();
    feed(client, f.client, 1 << 20, false);
    assert.equal(client.wantsBytes(), false);
    assert.equal(client.done, false);
    client.end();
    assert.equal(client.done, true);
  });

  it('TLS 1.2: wantsBytes() stays true until Finished and application data went by', () => {
    const f = fx('tls12-ecdhe');
    const { sink } = collector();
    const d = new TlsStreamDecoder('server', sink, { idleAfter: 1 });
    feed(d, f.server.subarray(0, 100), 1 << 20, false);
    assert.equal(d.wantsBytes(), true);
    d.push(f.server.slice(100), 100);
    assert.equal(d.wantsBytes(), false);
  });

  it('pushing after end() is ignored', () => {
    const { sink, ev } = collector();
    const d = new TlsStreamDecoder('client', sink);
    d.end();
    d.push(fx('tls13').client, 0);
    assert.equal(ev.records.length, 0);
  });
});
