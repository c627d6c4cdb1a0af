import { test } from 'node:test';
import assert from 'node:assert/strict';
import { spawnSync } from 'node:child_process';
import { mkdtempSync, readdirSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { parseKeyLog } from '../../server/src/decrypt/keyLog';
import { hkdfExpandLabel } from '../../server/src/decrypt/hkdf';
import { nextTrafficSecret } from '../../server/src/decrypt/tls13';
import { keyBlock, prfKind } from '../../server/src/decrypt/tls12/prf';
import { TLS12_SUITES } from '../../server/src/decrypt/cipherSuites';
import { ROOT } from '../helpers/paths';
import { skipUnlessCi } from '../helpers/prerequisites';

// Secrets are secrets (issue #14): no output format carries key material
// unless --include-secrets asks for it. Every secret of every fixture key
// log, the keys and IVs derived from it and the secrets after a KeyUpdate,
// each as hex (both cases), base64 and base64url, is looked for in every
// output of the CLI as a user runs it.
const BIN = join(ROOT, 'bin', 'handshake-inspector.js');
const DIR = join(ROOT, 'test', 'fixtures', 'decrypt');
const missing = (() => {
  try {
    readFileSync(join(ROOT, 'dist', 'cli.js'));
    return null;
  } catch {
    return 'dist/ not built (npm run build)';
  }
})();

function run(args: string[]) {
  const r = spawnSync(process.execPath, [BIN, ...args], { cwd: ROOT, encoding: 'utf8', maxBuffer: 64 << 20 });
  assert.equal(r.status, 0, r.stderr);
  return r.stdout + r.stderr;
}

const EMPTY = new Uint8Array(0);
/** Every spelling of every key byte string a key log leads to. */
function forbidden(keylog: string): string[] {
  const blobs: Uint8Array[] = [];
  for (const l of parseKeyLog(readFileSync(keylog)).lines) {
    blobs.push(l.secret);
    const hash = l.secret.length === 48 ? 'sha384' : 'sha256';
    let s = l.secret;
    for (let i = 0; i < 3; i++) {
      for (const len of hash === 'sha384' ? [32] : [16, 32]) blobs.push(hkdfExpandLabel(hash, s, 'key', EMPTY, len));
      blobs.push(hkdfExpandLabel(hash, s, 'iv', EMPTY, 12));
      s = nextTrafficSecret(hash, s);
      blobs.push(s);
    }
  }
  const out = new Set<string>();
  for (const b of blobs) {
    const buf = Buffer.from(b);
    // 12 bytes at least: shorter spellings (a 16-char hex) could occur by chance in hashes.
    out.add(buf.toString('hex')).add(buf.toString('hex').toUpperCase()).add(buf.toString('base64').replace(/=+$/, '')).add(buf.toString('base64url'));
  }
  return [...out];
}

const cases = readdirSync(DIR)
  .filter((f) => f.endsWith('.keylog'))
  .map((k) => ({ keylog: join(DIR, k), capture: join(DIR, k.replace(/\.keylog$/, '.pcap')) }));

test("no output of any format carries a secret, a derived key or IV of the fixtures' key logs", { skip: skipUnlessCi(missing) }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'hi-secrets-'));
  try {
    let outputs = 0;
    for (const { keylog, capture } of cases) {
      const secrets = forbidden(keylog);
      assert.ok(secrets.length >= 20);
      const k = ['--keylog', keylog];
      const texts: Array<[string, string]> = [
        ['analyze', run(['analyze', capture, ...k])],
        [
          'analyze --json',
          run(['analyze', capture, ...k, '--json', '--ranges', '--names', '--raw-fingerprints', '--all-certificates', '--packets', '--ja4plus']),
        ],
        ['compare --json', run(['compare', capture, capture, ...k, '--json', '--ranges'])],
        ['compare', run(['compare', capture, ...k])],
      ];
      for (const format of ['html', 'md', 'json']) {
        const out = join(tmp, `report.${format}`);
        run(['report', capture, capture, ...k, '--format', format, '--out', out]);
        texts.push([`report ${format}`, readFileSync(out, 'utf8')]);
      }
      for (const [what, text] of texts) {
        assert.ok(
          /EncryptedExtensions|close_notify|certificate_required/.test(text),
          `${what} of ${capture} shows nothing decrypted: the check would prove nothing`,
        );
        for (const s of secrets) assert.ok(!text.includes(s), `${what} of ${capture} contains key material`);
        outputs++;
      }
    }
    assert.equal(outputs, cases.length * 7);
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

test('--include-secrets writes them, and only then (the search above can find them)', { skip: skipUnlessCi(missing) }, () => {
  const { keylog, capture } = cases[0];
  const lines = parseKeyLog(readFileSync(keylog)).lines;
  const j = JSON.parse(run(['analyze', capture, '--keylog', keylog, '--json', '--include-secrets']));
  const secrets = j.connections[0].tls.decryption.secrets as Record<string, string>;
  for (const l of lines) assert.equal(secrets[l.label], Buffer.from(l.secret).toString('hex'), l.label);
  const text = JSON.stringify(j);
  assert.ok(forbidden(keylog).some((s) => text.includes(s)));
});

// QUIC (lab/quic): the key log's secrets and every packet key derived from them — "quic key", "quic iv",
// "quic hp" (and the "quicv2" forms), and for the 1-RTT secrets three "quic ku" generations with their keys —
// in every output format, on the captures whose 1-RTT packets are decrypted (key update, 0-RTT).
const QUIC = join(ROOT, 'test', 'fixtures', 'quic');

function forbiddenQuic(keylog: string): string[] {
  const out = new Set<string>();
  const add = (b: Uint8Array) => {
    const buf = Buffer.from(b);
    out.add(buf.toString('hex')).add(buf.toString('hex').toUpperCase()).add(buf.toString('base64').replace(/=+$/, '')).add(buf.toString('base64url'));
  };
  for (const l of parseKeyLog(readFileSync(keylog)).lines) {
    add(l.secret);
    const hash = l.secret.length === 48 ? 'sha384' : 'sha256';
    for (const prefix of ['quic', 'quicv2']) {
      let s = l.secret;
      for (let gen = 0; gen < 3; gen++) {
        for (const len of [16, 32]) {
          add(hkdfExpandLabel(hash, s, `${prefix} key`, EMPTY, len));
          if (gen === 0) add(hkdfExpandLabel(hash, s, `${prefix} hp`, EMPTY, len));
        }
        add(hkdfExpandLabel(hash, s, `${prefix} iv`, EMPTY, 12));
        s = hkdfExpandLabel(hash, s, `${prefix} ku`, EMPTY, l.secret.length);
        add(s);
      }
    }
  }
  return [...out];
}

test('QUIC: no output carries a secret, a packet key, IV, header protection key or key-update secret', { skip: skipUnlessCi(missing) }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'hi-secrets-quic-'));
  try {
    const names = ['ngtcp2-v1', 'ngtcp2-keyupdate', 'ngtcp2-0rtt'];
    for (const name of names) {
      const capture = join(QUIC, `${name}.pcap`);
      const keylog = join(QUIC, `${name}.keys`);
      const secrets = forbiddenQuic(keylog);
      assert.ok(secrets.length >= 300, `${name}: ${secrets.length} spellings`);
      const k = ['--keylog', keylog];
      const texts: Array<[string, string]> = [
        ['analyze', run(['analyze', capture, ...k])],
        ['analyze --json', run(['analyze', capture, ...k, '--json', '--ranges', '--names', '--raw-fingerprints', '--all-certificates', '--packets', '--ja4plus'])],
        ['compare --json', run(['compare', capture, capture, ...k, '--json', '--ranges'])],
      ];
      for (const format of ['html', 'md', 'json']) {
        const out = join(tmp, `report.${format}`);
        run(['report', capture, capture, ...k, '--format', format, '--out', out]);
        texts.push([`report ${format}`, readFileSync(out, 'utf8')]);
      }
      for (const [what, text] of texts) {
        assert.ok(/NewSessionTicket/.test(text), `${what} of ${name} shows nothing decrypted from 1-RTT packets: the check would prove nothing`);
        for (const s of secrets) assert.ok(!text.includes(s), `${what} of ${name} contains key material`);
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});

// TLS 1.0–1.2 (lab/decrypt12): the master secret of each CLIENT_RANDOM line and every 16-byte piece of the key
// block made from it (MAC keys, cipher keys and IVs are slices of it), in every output format.
const DIR12 = join(ROOT, 'test', 'fixtures', 'decrypt12');

function forbidden12(keylog: string, capture: string): string[] {
  const report = JSON.parse(run(['analyze', capture, '--json'])) as { connections: Array<{ serverHello: { random: string; cipherSuite: number } | null; tls: { version: number } }> };
  const out = new Set<string>();
  const add = (b: Uint8Array) => {
    const buf = Buffer.from(b);
    out.add(buf.toString('hex')).add(buf.toString('hex').toUpperCase()).add(buf.toString('base64').replace(/=+$/, '')).add(buf.toString('base64url'));
  };
  for (const l of parseKeyLog(readFileSync(keylog)).lines) {
    if (l.label !== 'CLIENT_RANDOM') continue;
    add(l.secret);
    for (const c of report.connections) {
      if (!c.serverHello) continue;
      const hash = TLS12_SUITES.get(c.serverHello.cipherSuite)?.prfHash ?? 'sha256';
      const block = keyBlock(prfKind(c.tls.version, hash), l.secret, Buffer.from(l.clientRandom, 'hex'), Buffer.from(c.serverHello.random, 'hex'), 160);
      for (let i = 0; i + 16 <= block.length; i++) out.add(Buffer.from(block.subarray(i, i + 16)).toString('hex')).add(Buffer.from(block.subarray(i, i + 16)).toString('hex').toUpperCase());
    }
  }
  return [...out];
}

test("SSL 3.0–TLS 1.2: no output carries a master secret or a piece of its key block", { skip: skipUnlessCi(missing) }, () => {
  const tmp = mkdtempSync(join(tmpdir(), 'hi-secrets12-'));
  try {
    // SSL 3.0 (lab/ssl3) too: its key block is SSL 3.0's own (prfKind gives 'ssl3').
    const sessions = [...readdirSync(DIR12).filter((f) => f.endsWith('.pcap')).map((f) => join(DIR12, f)), join(ROOT, 'test', 'fixtures', 'ssl3', 'ssl3-rsa-aes128-sha.pcap')];
    assert.ok(sessions.length >= 14);
    for (const capture of sessions) {
      const f = capture.slice(capture.lastIndexOf('/') + 1);
      const keylog = capture.replace(/\.pcap$/, '.keys');
      const secrets = forbidden12(keylog, capture);
      assert.ok(secrets.length >= 290, `${f}: ${secrets.length} spellings`);
      const k = ['--keylog', keylog];
      const out = join(tmp, 'report.html');
      run(['report', capture, capture, ...k, '--format', 'html', '--out', out]);
      const texts: Array<[string, string]> = [
        ['analyze', run(['analyze', capture, ...k])],
        ['analyze --json', run(['analyze', capture, ...k, '--json', '--ranges', '--names', '--raw-fingerprints', '--packets'])],
        ['report html', readFileSync(out, 'utf8')],
      ];
      for (const [what, text] of texts) {
        assert.ok(/close_notify|no_renegotiation/.test(text), `${what} of ${f} shows nothing decrypted: the check would prove nothing`);
        for (const s of secrets) assert.ok(!text.includes(s), `${what} of ${f} contains key material`);
      }
    }
  } finally {
    rmSync(tmp, { recursive: true, force: true });
  }
});
