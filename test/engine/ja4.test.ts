import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { alpnChars, hash12, ja4 } from '../../server/src/fingerprint/ja4';
import { computeJa4Plus, ja4s, ja4xDetails } from '../../server/src/fingerprint/ja4plus';
import { fingerprintClient, fingerprintServer, ja3, ja3s } from '../../server/src/fingerprint';
import { RangeMap, type ClientHello, type ServerHello } from '../../server/src/tls/types';
import {
  certificateChains, clientHellos, loadExpected, loadHandshakes, serverHellos, toClientHello, toServerHello,
} from '../helpers/tsharkHandshakes';

const CAPTURES = ['tls12.pcap', 'tls3.pcapng', 'tls-handshake.pcapng'];

/** Keys of the reference files that this project computes (README in the fixture folder). */
const KEY = /^(JA4(_r|_o|_ro)?\.\d+|JA4S|JA4S_r|JA4X\.\d+)$/;

function computed(capture: string, stream: number): Record<string, string | undefined> {
  const s = loadHandshakes(capture).streams.find((x) => x.stream === stream);
  assert.ok(s, `${capture}: stream ${stream} missing from the handshake fixture`);
  const out: Record<string, string | undefined> = {};
  clientHellos(s).forEach((m, i) => {
    const f = ja4(toClientHello(m));
    out[`JA4.${i + 1}`] = f.ja4;
    out[`JA4_r.${i + 1}`] = f.ja4_r;
    out[`JA4_o.${i + 1}`] = f.ja4_o;
    out[`JA4_ro.${i + 1}`] = f.ja4_ro;
  });
  // The reference keeps the stream's first ServerHello (a HelloRetryRequest if there was one) and first chain.
  const sh = serverHellos(s)[0];
  const plus = computeJa4Plus({ serverHello: sh ? toServerHello(sh) : null, certificates: certificateChains(s)[0] ?? [] });
  if (plus.ja4s !== undefined) {
    out.JA4S = plus.ja4s;
    out.JA4S_r = plus.ja4s_r;
  }
  plus.ja4x.forEach((x, i) => { out[`JA4X.${i + 1}`] = x; });
  return out;
}

for (const capture of CAPTURES) {
  describe(`JA4+ reference values: ${capture}`, () => {
    const expected = loadExpected(capture).filter((e) => Object.keys(e).some((k) => KEY.test(k)));
    for (const e of expected) {
      it(`stream ${e.stream} (${e.domain ?? 'no SNI'})`, () => {
        const got = computed(capture, Number(e.stream));
        for (const key of Object.keys(e).filter((k) => KEY.test(k))) {
          assert.equal(got[key], e[key], `${capture} stream ${e.stream} ${key}`);
        }
        if (typeof e.domain === 'string') {
          const s = loadHandshakes(capture).streams.find((x) => x.stream === e.stream)!;
          assert.equal(toClientHello(clientHellos(s)[0]).serverName, e.domain);
        }
      });
    }
  });
}

describe('JA4 reference coverage', () => {
  it('checked every published TLS value', (t) => {
    // Guards against a fixture silently dropping streams: every published
    // value is computed again here (not counted by the tests above, so this
    // test holds when run alone) and must match.
    let total = 0;
    let matched = 0;
    for (const capture of CAPTURES) {
      for (const e of loadExpected(capture)) {
        const keys = Object.keys(e).filter((k) => KEY.test(k));
        if (keys.length === 0) continue;
        const got = computed(capture, Number(e.stream));
        total += keys.length;
        matched += keys.filter((k) => got[k] === e[k]).length;
      }
    }
    assert.equal(matched, total);
    assert.ok(total > 300, `only ${total} reference values`);
    t.diagnostic(`JA4+ reference values matched: ${matched}/${total}`);
  });
});

function hello(over: Partial<ClientHello>): ClientHello {
  return {
    recordVersion: 0x0301, legacyVersion: 0x0303, random: '', sessionId: '', cipherSuites: [], compressionMethods: [0],
    extensions: [], serverName: null, alpn: [], supportedVersions: [], supportedGroups: [], ecPointFormats: [],
    signatureAlgorithms: [], sslv2: false, ranges: new RangeMap(), ...over,
  };
}

const ext = (type: number, raw?: string) => ({ type, name: '', grease: false, length: raw ? raw.length / 2 : 0, ...(raw ? { raw } : {}) });

describe('JA4 definition details (JA4.md)', () => {
  it('reproduces the worked example of the specification', () => {
    const ciphers = [0x1301, 0x1302, 0x1303, 0xc02b, 0xc02f, 0xc02c, 0xc030, 0xcca9, 0xcca8, 0xc013, 0xc014, 0x009c, 0x009d, 0x002f, 0x0035];
    const exts = [0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x000d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015];
    const ch = hello({
      cipherSuites: [0x0a0a, ...ciphers], extensions: [ext(0x1a1a), ...exts.map((t) => ext(t)), ext(0x2a2a)],
      supportedVersions: [0x3a3a, 0x0304, 0x0303], alpn: ['h2', 'http/1.1'], serverName: 'example.com',
      signatureAlgorithms: [0x0403, 0x0804, 0x0401, 0x0503, 0x0805, 0x0501, 0x0806, 0x0601],
    });
    const f = ja4(ch);
    assert.equal(f.ja4, 't13d1516h2_8daaf6152771_e5627efa2ab1');
    assert.equal(f.ja4_o, 't13d1516h2_acb858a92679_18f69afefd3d');
    assert.equal(f.ja4_r, 't13d1516h2_002f,0035,009c,009d,1301,1302,1303,c013,c014,c02b,c02c,c02f,c030,cca8,cca9_0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01_0403,0804,0401,0503,0805,0501,0806,0601');
    assert.equal(f.ja4_ro, 't13d1516h2_1301,1302,1303,c02b,c02f,c02c,c030,cca9,cca8,c013,c014,009c,009d,002f,0035_001b,0000,0033,0010,4469,0017,002d,000d,0005,0023,0012,002b,ff01,000b,000a,0015_0403,0804,0401,0503,0805,0501,0806,0601');
  });

  it('hashes the extension list alone when there are no signature algorithms', () => {
    const exts = [0x001b, 0x0000, 0x0033, 0x0010, 0x4469, 0x0017, 0x002d, 0x0005, 0x0023, 0x0012, 0x002b, 0xff01, 0x000b, 0x000a, 0x0015, 0x000d];
    const f = ja4(hello({ cipherSuites: [0x1301], extensions: exts.map((t) => ext(t)) }));
    assert.equal(f.ja4_r.split('_')[2], '0005,000a,000b,000d,0012,0015,0017,001b,0023,002b,002d,0033,4469,ff01');
    assert.equal(f.ja4.split('_')[2], '6d807ffa2a79');
  });

  it('uses twelve zeros for empty lists and 00 for a missing ALPN', () => {
    const f = ja4(hello({ legacyVersion: 0x0301 }));
    assert.equal(f.ja4, 't10i000000_000000000000_000000000000');
    assert.equal(f.ja4_r, 't10i000000__');
    assert.equal(hash12(''), '000000000000');
  });

  it('counts SNI and ALPN but leaves them out of the sorted hash', () => {
    const f = ja4(hello({ cipherSuites: [0x002f], extensions: [ext(0x0000), ext(0x0010)], alpn: ['h2'] }));
    assert.equal(f.ja4_r, 't12d0102h2_002f_');
    assert.equal(f.ja4.split('_')[2], '000000000000');
    assert.equal(f.ja4_ro, 't12d0102h2_002f_0000,0010');
  });

  it('caps counts at 99 and keeps SCSV / reserved cipher values', () => {
    const ciphers = Array.from({ length: 120 }, (_, i) => i + 1).concat([0x00ff, 0x5600, 0xfe00]);
    const f = ja4(hello({ cipherSuites: ciphers }));
    assert.equal(f.ja4.slice(0, 8), 't12i9900');
    assert.ok(f.ja4_r.includes('00ff,5600,fe00'));
  });

  it('maps versions, picking the highest non-GREASE supported_versions entry', () => {
    const v = (legacy: number, supported: number[] = []) => ja4(hello({ legacyVersion: legacy, supportedVersions: supported })).ja4.slice(1, 3);
    assert.equal(v(0x0303, [0x0a0a, 0x0303, 0x0304]), '13');
    assert.equal(v(0x0303, [0x0302]), '11');
    assert.equal(v(0x0303), '12');
    assert.equal(v(0x0300), 's3');
    assert.equal(v(0x0002), 's2');
    assert.equal(v(0x0305), '00');
    assert.equal(v(0x0303, [0xfafa]), '12');
    assert.equal(ja4(hello({ legacyVersion: 0xfefd, supportedVersions: [0xfefc, 0xfefd] }), 'd').ja4.slice(0, 3), 'dd3');
  });

  it('applies the ALPN rules, including the hex fallback examples', () => {
    const b = (...bytes: number[]) => Uint8Array.from(bytes);
    assert.equal(alpnChars(null), '00');
    assert.equal(alpnChars(b()), '00');
    assert.equal(alpnChars(Buffer.from('http/1.1')), 'h1');
    assert.equal(alpnChars(Buffer.from('h')), 'hh');
    assert.equal(alpnChars(b(0xab)), 'ab');
    assert.equal(alpnChars(b(0xab, 0xcd)), 'ad');
    assert.equal(alpnChars(b(0x30, 0xab)), '3b');
    assert.equal(alpnChars(b(0x30, 0x31, 0xab, 0xcd)), '3d');
    assert.equal(alpnChars(b(0x30, 0xab, 0xcd, 0x31)), '01');
    // From the extension bytes when the decoder kept them: list length 3, one name of 3 bytes.
    const ch = hello({ extensions: [ext(0x0010, '000303ab6364')], alpn: ['\u00abcd'] });
    assert.equal(ja4(ch).ja4.slice(8, 10), 'a4');
    // From the decoded string otherwise (UTF-8: é is c3 a9).
    assert.equal(ja4(hello({ extensions: [ext(0x0010)], alpn: ['é'] })).ja4.slice(8, 10), 'c9');
  });

  it('drops GREASE from signature algorithms', () => {
    const f = ja4(hello({ extensions: [ext(0x000d)], signatureAlgorithms: [0x0a0a, 0x0403, 0x0804] }));
    assert.equal(f.ja4_r.split('_').slice(2).join('_'), '000d_0403,0804');
  });

  it('is part of the default client fingerprints', () => {
    const fp = fingerprintClient(hello({ cipherSuites: [0x002f] }));
    assert.equal(fp.ja4, ja4(hello({ cipherSuites: [0x002f] })).ja4);
    assert.ok(!('ja4s' in fp));
  });

  it('gives every hello its own fingerprints although repeated hellos are memoised', () => {
    const base = {
      cipherSuites: [0x1301, 0x1302, 0xc02b], extensions: [ext(0x0000), ext(0x000a), ext(0x000d), ext(0x0010, '000302683200'), ext(0x002b)],
      supportedGroups: [0x001d, 0x0017], signatureAlgorithms: [0x0403, 0x0804], supportedVersions: [0x0304, 0x0303], alpn: ['h2'],
    };
    // Each variant changes one input of JA3 or JA4 only; a memo keyed too
    // loosely would hand back the first hello's values for some of them.
    const variants: Array<Partial<ClientHello>> = [
      base,
      { ...base, legacyVersion: 0x0301 },
      { ...base, cipherSuites: [0x1302, 0x1301, 0xc02b] },
      { ...base, extensions: [ext(0x000a), ext(0x0000), ext(0x000d), ext(0x0010, '000302683200'), ext(0x002b)] },
      { ...base, supportedGroups: [0x0017, 0x001d] },
      { ...base, ecPointFormats: [0] },
      { ...base, signatureAlgorithms: [0x0804, 0x0403] },
      { ...base, supportedVersions: [0x0303] },
      { ...base, extensions: [ext(0x0000), ext(0x000a), ext(0x000d), ext(0x0010, '000302683300'), ext(0x002b)], alpn: ['h3'] },
    ];
    const seen = new Set<string>();
    for (let round = 0; round < 2; round++) {
      for (const v of variants) {
        const fp = fingerprintClient(hello(v));
        const fresh = { ...ja3(hello(v)), ...ja4(hello(v)) };
        assert.deepEqual(fp, fresh);
        seen.add(`${fp.ja3Full} ${fp.ja4_ro}`);
      }
    }
    assert.equal(seen.size, variants.length);
  });

  it('gives every ServerHello its own JA3S although repeated ones are memoised', () => {
    const sh = (o: Partial<ServerHello>): ServerHello => ({
      recordVersion: 0x0303, legacyVersion: 0x0303, random: '', sessionId: '', cipherSuite: 0xc030, cipherSuiteName: '',
      compressionMethod: 0, extensions: [0xff01, 0x0000, 0x000b].map((t) => ext(t)), selectedVersion: 0x0303,
      helloRetryRequest: false, alpn: null, ranges: new RangeMap(), ...o,
    });
    const variants: Array<Partial<ServerHello>> = [
      {},
      { legacyVersion: 0x0301 },
      { cipherSuite: 0xc02f },
      { extensions: [0x0000, 0xff01, 0x000b].map((t) => ext(t)) },
      { extensions: [0xff01, 0x0000].map((t) => ext(t)) },
    ];
    const seen = new Set<string>();
    for (let round = 0; round < 2; round++) {
      for (const v of variants) {
        const fp = fingerprintServer(sh(v));
        assert.deepEqual(fp, ja3s(sh(v)));
        seen.add(fp.ja3sFull);
      }
    }
    assert.equal(seen.size, variants.length);
  });
});

describe('JA4S / JA4X definition details', () => {
  it('reproduces the JA4S example of JA4S.md', () => {
    const sh = {
      recordVersion: 0x0303, legacyVersion: 0x0303, random: '', sessionId: '', cipherSuite: 0xc030, cipherSuiteName: '',
      compressionMethod: 0, extensions: [0x0005, 0x0017, 0xff01, 0x0000].map((t) => ext(t)), selectedVersion: 0x0303,
      helloRetryRequest: false, alpn: null, ranges: new RangeMap(),
    };
    assert.deepEqual(ja4s(sh), { ja4s: 't120400_c030_4e8089b08790', ja4s_r: 't120400_c030_0005,0017,ff01,0000' });
  });

  it('reproduces the JA4X example hash of JA4X.md', () => {
    assert.equal(hash12('551d0f,551d25,551d11'), 'aae71e8db6d7');
    assert.equal(hash12('550403,550406,550408,55040a'), '96a6439c8f5c');
  });

  it('gives no JA4X for bytes that are not a certificate', () => {
    assert.equal(ja4xDetails(Buffer.from('3003020101', 'hex')), undefined);
    assert.equal(ja4xDetails(new Uint8Array()), undefined);
    assert.deepEqual(computeJa4Plus({ certificates: [new Uint8Array([1, 2, 3])] }).ja4x, [undefined]);
  });
});
