// Registries: lookups, GREASE, and a cross-check of cipher suite names and key
// exchanges against the OpenSSL on this machine.
import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { GREASE_VALUES, isGrease, isGrease8 } from '../../shared/tls/registry/grease';
import { allCipherSuites, cipherSuiteInfo, cipherSuiteName, kexOf, sslv2CipherSpecName } from '../../shared/tls/registry/cipherSuites';
import { extensionName } from '../../shared/tls/registry/extensionTypes';
import { namedGroupName } from '../../shared/tls/registry/namedGroups';
import { signatureSchemeName } from '../../shared/tls/registry/signatureSchemes';
import { alertDescriptionName, alertLevelName } from '../../shared/tls/registry/alerts';
import { handshakeTypeName } from '../../shared/tls/registry/handshakeTypes';
import { isTls13, versionName } from '../../shared/tls/registry/versions';
import { TLS_PROBLEM_CODES } from '../../server/src/tls/problems';
import { commandMissing, skipUnlessCi } from '../helpers/prerequisites';

describe('GREASE', () => {
  it('recognises exactly the 16 RFC 8701 values', () => {
    const all: number[] = [];
    for (let n = 0; n <= 0xffff; n++) if (isGrease(n)) all.push(n);
    assert.deepEqual(all, [...GREASE_VALUES]);
    assert.equal(all[0], 0x0a0a);
    assert.equal(all[15], 0xfafa);
    assert.equal(isGrease(0x0a1a), false);
    assert.equal(isGrease(-1), false);
    assert.equal(isGrease(0x10a0a), false);
  });

  it('8-bit GREASE (psk modes, ALPN bytes)', () => {
    const all: number[] = [];
    for (let n = 0; n < 256; n++) if (isGrease8(n)) all.push(n);
    assert.deepEqual(all, [0x0b, 0x2a, 0x49, 0x68, 0x87, 0xa6, 0xc5, 0xe4]);
  });
});

describe('cipher suites', () => {
  it('covers the IANA registry', () => {
    const iana = allCipherSuites().filter(([n]) => cipherSuiteInfo(n).iana);
    assert.ok(iana.length >= 350, `${iana.length} IANA suites`);
    assert.equal(cipherSuiteName(0x1301), 'TLS_AES_128_GCM_SHA256');
    assert.equal(cipherSuiteName(0xc02f), 'TLS_ECDHE_RSA_WITH_AES_128_GCM_SHA256');
    assert.equal(cipherSuiteName(0x00ff), 'TLS_EMPTY_RENEGOTIATION_INFO_SCSV');
    assert.equal(cipherSuiteName(0x5600), 'TLS_FALLBACK_SCSV');
    assert.equal(cipherSuiteName(0x1306), 'TLS_AEGIS_256_SHA512');
    assert.equal(cipherSuiteName(0xcca8), 'TLS_ECDHE_RSA_WITH_CHACHA20_POLY1305_SHA256');
    assert.equal(cipherSuiteName(0x1234), 'unknown (0x1234)');
    assert.equal(cipherSuiteName(0x0a0a), 'GREASE (0x0a0a)');
    assert.equal(cipherSuiteInfo(0xcc13).iana, false);
  });

  it('classifies key exchange from the registry names', () => {
    const cases: Array<[number, string]> = [
      [0x1301, 'tls13'], [0xc02f, 'ecdhe'], [0xc02b, 'ecdhe'], [0x0039, 'dhe'], [0x0033, 'dhe'], [0x009e, 'dhe'],
      [0x002f, 'rsa'], [0x0003, 'rsa-export'], [0x0014, 'dhe'], [0x0030, 'dh'], [0xc004, 'ecdh'], [0xc018, 'ecdhe'],
      [0x0034, 'dhe'], [0x008c, 'psk'], [0x0090, 'dhe-psk'], [0xc035, 'ecdhe-psk'], [0x0094, 'rsa-psk'], [0xc01d, 'srp'],
      [0x001e, 'krb5'], [0x00ff, 'scsv'], [0x5600, 'scsv'], [0x0000, 'null'], [0xc0b4, 'tls13'], [0xc100, 'gost'],
      [0xd001, 'ecdhe-psk'], [0x00aa, 'dhe-psk'], [0x1234, 'unknown'], [0x0a0a, 'unknown'],
    ];
    for (const [n, k] of cases) assert.equal(kexOf(n), k, cipherSuiteName(n));
    assert.equal(cipherSuiteInfo(0x0034).anonymous, true);
    assert.equal(cipherSuiteInfo(0xc01d).anonymous, true);
    assert.equal(cipherSuiteInfo(0xc01e).anonymous, false);
    assert.equal(cipherSuiteInfo(0x0014).export, true);
  });

  it('agrees with OpenSSL on names and key exchange', { skip: skipUnlessCi(commandMissing('openssl', ['version'])) }, () => {
    const r = spawnSync('openssl', ['ciphers', '-stdname', '-V', 'ALL:COMPLEMENTOFALL:@SECLEVEL=0'], { encoding: 'utf8' });
    assert.equal(r.status, 0, `openssl ciphers failed: ${r.stderr}`);
    const kx: Record<string, string[]> = {
      ECDH: ['ecdhe'], DH: ['dhe'], RSA: ['rsa', 'rsa-export'], PSK: ['psk'], ECDHEPSK: ['ecdhe-psk'], DHEPSK: ['dhe-psk'],
      RSAPSK: ['rsa-psk'], SRP: ['srp'], any: ['tls13'], GOST: ['gost'], GOST18: ['gost'],
    };
    let checked = 0;
    for (const line of r.stdout.split('\n')) {
      const m = /0x([0-9A-F]{2}),0x([0-9A-F]{2}) - (\S+)\s+- \S+\s+\S+\s+Kx=(\S+)/.exec(line);
      if (!m) continue;
      const id = parseInt(m[1] + m[2], 16);
      assert.equal(cipherSuiteName(id), m[3], `0x${id.toString(16)}`);
      assert.ok((kx[m[4]] ?? []).includes(kexOf(id)), `${m[3]}: Kx=${m[4]} vs ${kexOf(id)}`);
      checked++;
    }
    assert.ok(checked > 100, `${checked} suites checked`);
  });

  it('SSLv2 cipher kinds', () => {
    assert.equal(sslv2CipherSpecName(0x0700c0), 'SSL2_DES_192_EDE3_CBC_WITH_MD5');
    assert.equal(sslv2CipherSpecName(0x00002f), 'TLS_RSA_WITH_AES_128_CBC_SHA');
    assert.equal(sslv2CipherSpecName(0x090080), 'unknown SSLv2 (0x090080)');
  });
});

describe('other registries', () => {
  it('extensions', () => {
    assert.equal(extensionName(0), 'server_name');
    assert.equal(extensionName(0xff01), 'renegotiation_info');
    assert.equal(extensionName(0xfe0d), 'encrypted_client_hello');
    assert.equal(extensionName(0xfd00), 'ech_outer_extensions');
    assert.equal(extensionName(51), 'key_share');
    assert.equal(extensionName(0x4469), 'application_settings_old');
    assert.equal(extensionName(0xdada), 'GREASE (0xdada)');
    assert.equal(extensionName(0x0100), 'unknown (0x0100)');
  });

  it('named groups', () => {
    assert.equal(namedGroupName(0x001d), 'x25519');
    assert.equal(namedGroupName(0x0017), 'secp256r1');
    assert.equal(namedGroupName(0x11ec), 'X25519MLKEM768');
    assert.equal(namedGroupName(0x11eb), 'SecP256r1MLKEM768');
    assert.equal(namedGroupName(0x0100), 'ffdhe2048');
    assert.equal(namedGroupName(0x6399), 'X25519Kyber768Draft00');
    assert.equal(namedGroupName(0x0201), 'MLKEM768');
    assert.equal(namedGroupName(0x2a2a), 'GREASE (0x2a2a)');
  });

  it('signature schemes, including TLS 1.2 pairs', () => {
    assert.equal(signatureSchemeName(0x0804), 'rsa_pss_rsae_sha256');
    assert.equal(signatureSchemeName(0x0807), 'ed25519');
    assert.equal(signatureSchemeName(0x0101), 'rsa_md5');
    assert.equal(signatureSchemeName(0x0905), 'mldsa65');
    assert.equal(signatureSchemeName(0xeeee), 'unknown (0xeeee)');
  });

  it('alerts, handshake types, versions', () => {
    assert.equal(alertDescriptionName(40), 'handshake_failure');
    assert.equal(alertDescriptionName(112), 'unrecognized_name');
    assert.equal(alertLevelName(2), 'fatal');
    assert.equal(handshakeTypeName(1), 'ClientHello');
    assert.equal(handshakeTypeName(-1), 'EncryptedHandshakeMessage');
    assert.equal(handshakeTypeName(99), 'unknown (99)');
    assert.equal(versionName(0x0304), 'TLS 1.3');
    assert.equal(versionName(0x0300), 'SSL 3.0');
    assert.equal(versionName(0x7f17), 'TLS 1.3 (draft 23)');
    assert.equal(versionName(0xfefd), 'DTLS 1.2');
    assert.equal(versionName(0x8a8a), 'GREASE (0x8a8a)');
    assert.equal(isTls13(0x7f1c), true);
    assert.equal(isTls13(0x0303), false);
  });
});

describe('problem codes', () => {
  it('every code the decoder can report is documented', () => {
    const fs = require('node:fs') as typeof import('node:fs');
    const path = require('node:path') as typeof import('node:path');
    const dir = path.resolve(__dirname, '../../../server/src/tls');
    const used = new Set<string>();
    for (const f of fs.readdirSync(dir).filter((x) => x.endsWith('.ts') && x !== 'problems.ts')) {
      for (const m of fs.readFileSync(path.join(dir, f), 'utf8').matchAll(/'((?:tls|tcp)\.[a-z0-9-]+)'/g)) used.add(m[1]);
    }
    const documented = new Set<string>(TLS_PROBLEM_CODES);
    assert.deepEqual([...used].filter((c) => !documented.has(c)), []);
    assert.deepEqual([...documented].filter((c) => !used.has(c)), []);
  });
});
