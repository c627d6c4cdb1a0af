import { describe, it } from 'node:test';
import assert from 'node:assert/strict';
import { createHmac } from 'node:crypto';
import { createTls12Decryptors, needsEveryRecord, type Tls12Params } from '../../server/src/decrypt/tls12';
import { keyBlock } from '../../server/src/decrypt/tls12/prf';
import { macHeader } from '../../server/src/decrypt/tls12/recordMac';
import type { DecryptResult, RecordHeader } from '../../server/src/decrypt/recordDecryptor';
import { loadDecrypt12, walkSession, type WalkedRecord } from '../helpers/tls12Sessions';

// Damaged records and wrong keys, starting from real records of the lab captures:
// each fault gives a reason saying what failed, and nothing throws.

interface Session {
  params: Tls12Params;
  /** Records of the first epoch, per direction, with their sequence numbers. */
  records: WalkedRecord[];
}

function session(name: string): Session {
  const walk = walkSession(loadDecrypt12(name));
  return { params: walk.handshakes[0].params!, records: walk.records.filter((w) => w.epoch === 1) };
}

/** A fresh decryptor for `side`, fed the records before `target` (TLS 1.0 chains IVs), then `target` as given. */
function decryptAs(s: Session, target: WalkedRecord, body: Uint8Array = target.body, opts: { params?: Partial<Tls12Params>; header?: Partial<RecordHeader>; seq?: bigint } = {}): DecryptResult {
  const keys = createTls12Decryptors({ ...s.params, ...opts.params });
  assert.ok(keys.ok, keys.ok ? '' : keys.reason);
  const dec = keys[target.from];
  for (const w of s.records) {
    if (w === target) break;
    if (w.from === target.from) dec.decrypt(w.header, w.body, w.seq);
  }
  return dec.decrypt({ ...target.header, ...opts.header }, body, opts.seq ?? target.seq);
}

/** Key material never shows in a reason: no run of hex (letters included, unlike a sequence number) long enough to be a key, IV or MAC. */
const KEY_LIKE = /(?=[0-9a-f]*[a-f])[0-9a-f]{16,}/i;

function reason(r: DecryptResult): string {
  assert.equal(r.ok, false, 'the damaged record decrypted');
  const text = r.ok ? '' : r.reason;
  assert.doesNotMatch(text, KEY_LIKE);
  return text;
}

const flip = (b: Uint8Array, i: number, mask = 0x01): Uint8Array => {
  const c = Uint8Array.from(b);
  c[i] ^= mask;
  return c;
};

/** The last application-data record a side sent (several blocks of ciphertext in every capture). */
const appData = (s: Session, from: 'client' | 'server' = 'client'): WalkedRecord => s.records.filter((w) => w.from === from && w.header.contentType === 23 && w.body.length >= 32).at(-1)!;

const wrongMaster = (p: Tls12Params): Partial<Tls12Params> => ({ masterSecret: flip(p.masterSecret, 0) });

describe('wrong key', () => {
  const cases: Array<[string, RegExp]> = [
    ['tls12-ecdhe-aes128gcm', /^AES-128-GCM tag does not verify: wrong key/],
    ['tls12-rsa-aes256gcm', /^AES-256-GCM tag does not verify/],
    ['tls12-ecdhe-chacha20', /^ChaCha20-Poly1305 tag does not verify/],
    ['tls12-ecdhe-aes128sha-etm', /^bad record MAC \(HMAC-SHA1 over the ciphertext, encrypt-then-MAC\)/],
    // MAC-then-encrypt: random plaintext fails the padding check first, almost always.
    ['tls12-ecdhe-aes128sha', /^bad (padding|record MAC)/],
    ['tls10-ecdhe-aes128sha', /^bad (padding|record MAC)/],
    ['tls10-ecdhe-aes128sha-etm', /^bad record MAC \(HMAC-SHA1 over the ciphertext, encrypt-then-MAC\)/],
  ];
  for (const [name, re] of cases) {
    it(`${name}: every record of the session fails with a reason`, () => {
      const s = session(name);
      for (const w of s.records) assert.match(reason(decryptAs(s, w, w.body, { params: wrongMaster(s.params) })), re);
    });
  }
  it('a wrong client random (another connection\'s key log line) fails the same way', () => {
    const s = session('tls12-ecdhe-aes128gcm');
    assert.match(reason(decryptAs(s, appData(s), undefined, { params: { clientRandom: flip(s.params.clientRandom, 31) } })), /tag does not verify/);
  });
  it('encrypt_then_mac assumed when it was not negotiated, and the other way round', () => {
    const mte = session('tls12-ecdhe-aes128sha');
    assert.match(reason(decryptAs(mte, appData(mte), undefined, { params: { encryptThenMac: true } })), /^(bad record MAC \(HMAC-SHA1 over the ciphertext, encrypt-then-MAC\)|record body of 64 bytes does not fit AES-128-CBC with HMAC-SHA1 \(encrypt-then-MAC\))/);
    const etm = session('tls12-ecdhe-aes128sha-etm');
    assert.match(reason(decryptAs(etm, appData(etm), undefined, { params: { encryptThenMac: false } })), /^(bad padding|bad record MAC|record body of \d+ bytes does not fit)/);
  });
});

describe('wrong sequence number or header', () => {
  it('GCM and ChaCha20 authenticate the sequence number, and say which one was tried', () => {
    for (const name of ['tls12-ecdhe-aes128gcm', 'tls12-ecdhe-chacha20']) {
      const s = session(name);
      const w = appData(s);
      assert.match(reason(decryptAs(s, w, undefined, { seq: w.seq + 1n })), new RegExp(`wrong sequence number \\(${w.seq + 1n}\\)`));
    }
  });
  it('CBC with HMAC authenticates the content type', () => {
    const s = session('tls12-rsa-aes256sha256');
    assert.match(reason(decryptAs(s, appData(s), undefined, { header: { contentType: 21 } })), /^bad record MAC \(HMAC-SHA256 over \d+ decrypted bytes\)/);
  });
  it('sequence numbers outside 64 bits are refused before any cryptography', () => {
    const s = session('tls12-ecdhe-aes128gcm');
    assert.match(reason(decryptAs(s, appData(s), undefined, { seq: -1n })), /sequence number -1 is outside/);
    assert.match(reason(decryptAs(s, appData(s), undefined, { seq: 1n << 64n })), /outside 0 … 2\^64 - 1/);
  });
});

describe('truncated and oversized records', () => {
  for (const name of ['tls12-ecdhe-aes128gcm', 'tls12-ecdhe-chacha20', 'tls12-ecdhe-aes128sha', 'tls12-ecdhe-aes128sha-etm', 'tls10-ecdhe-aes128sha', 'tls10-ecdhe-aes128sha-etm']) {
    it(`${name}: a body cut short of its header's length says so`, () => {
      const s = session(name);
      const w = appData(s);
      for (const keep of [0, 1, 7, 16, w.body.length - 1]) {
        assert.equal(reason(decryptAs(s, w, w.body.subarray(0, keep))), `truncated record: ${keep} of the ${w.header.length} bytes its header announces`);
      }
    });
    it(`${name}: a record too short for its cipher's overhead says what it needs`, () => {
      const s = session(name);
      const w = appData(s);
      for (const n of [0, 5, 15]) {
        const body = w.body.subarray(0, n);
        assert.match(reason(decryptAs(s, w, body, { header: { length: n } })), /^record body of \d+ bytes (is shorter than|does not fit)/);
      }
    });
  }
  it('a body longer than the header, or than TLS allows, is refused', () => {
    const s = session('tls12-ecdhe-aes128gcm');
    const w = appData(s);
    assert.match(reason(decryptAs(s, w, new Uint8Array(w.body.length + 1))), /is longer than the \d+ its header announces/);
    assert.match(reason(decryptAs(s, w, new Uint8Array(18433), { header: { length: 18433 } })), /longer than TLS allows/);
  });
  it('CBC bodies that are not whole blocks', () => {
    const s = session('tls12-ecdhe-aes128sha');
    const w = appData(s);
    const body = w.body.subarray(0, w.body.length - 3);
    assert.match(reason(decryptAs(s, w, body, { header: { length: body.length } })), /does not fit AES-128-CBC with HMAC-SHA1: it needs a 16-byte IV, whole 16-byte blocks/);
  });
});

describe('bad padding and bad MAC are told apart', () => {
  it('MAC-then-encrypt: a bit flipped in the block before the last changes the padding length', () => {
    for (const name of ['tls12-ecdhe-aes128sha', 'tls12-rsa-aes256sha256', 'tls12-ecdhe-aes256sha384', 'tls10-ecdhe-aes128sha']) {
      const s = session(name);
      const w = appData(s);
      // CBC: flipping ciphertext byte j flips plaintext byte j + 16 (the padding length is the last plaintext
      // byte); the high bit, so a padding length of 1 does not turn into a valid 0.
      assert.match(reason(decryptAs(s, w, flip(w.body, w.body.length - 17, 0x80))), /^bad padding: /, name);
    }
  });
  it('MAC-then-encrypt: a bit flipped in the explicit IV changes the first content byte only, which the MAC catches', () => {
    const s = session('tls12-ecdhe-aes128sha');
    assert.match(reason(decryptAs(s, appData(s), flip(appData(s).body, 0))), /^bad record MAC \(HMAC-SHA1 over \d+ decrypted bytes\)/);
  });
  it('TLS 1.0: the same flip in the previous record\'s last block (this record\'s IV) is caught by the MAC', () => {
    const s = session('tls10-ecdhe-aes128sha');
    const w = appData(s);
    const before = s.records.filter((r) => r.from === w.from && r.seq === w.seq - 1n)[0];
    const keys = createTls12Decryptors(s.params);
    assert.ok(keys.ok);
    for (const r of s.records) {
      if (r.from !== w.from || r === w) continue;
      if (r === before) keys[w.from].decrypt(r.header, flip(r.body, r.body.length - 1), r.seq);
      else if (r.seq < w.seq) keys[w.from].decrypt(r.header, r.body, r.seq);
    }
    assert.match(reason(keys[w.from].decrypt(w.header, w.body, w.seq)), /^bad record MAC/);
  });
  it('TLS 1.0: a record that is not whole blocks leaves the next one without an IV, and the one after that decrypts again', () => {
    const s = session('tls10-ecdhe-aes128sha');
    const mine = s.records.filter((r) => r.from === 'client');
    const keys = createTls12Decryptors(s.params);
    assert.ok(keys.ok);
    const d = keys.client;
    const k = mine.findIndex((r) => r.header.contentType === 23);
    for (const r of mine.slice(0, k)) assert.ok(d.decrypt(r.header, r.body, r.seq).ok);
    const cut = mine[k].body.subarray(0, mine[k].body.length - 1);
    assert.match(reason(d.decrypt({ ...mine[k].header, length: cut.length }, cut, mine[k].seq)), /not fit/);
    assert.match(reason(d.decrypt(mine[k + 1].header, mine[k + 1].body, mine[k + 1].seq)), /^TLS 1.0 CBC: the record before this one was not whole blocks/);
    const r = d.decrypt(mine[k + 2].header, mine[k + 2].body, mine[k + 2].seq);
    assert.ok(r.ok, r.ok ? '' : r.reason);
  });
  it('encrypt-then-MAC: a flipped ciphertext bit fails the MAC before anything is decrypted', () => {
    const s = session('tls12-ecdhe-aes128sha-etm');
    const w = appData(s);
    assert.match(reason(decryptAs(s, w, flip(w.body, 20))), /^bad record MAC \(HMAC-SHA1 over the ciphertext, encrypt-then-MAC\)/);
  });
  it('encrypt-then-MAC: a record with a valid MAC over bad padding fails on the padding', () => {
    const s = session('tls12-ecdhe-aes128sha-etm');
    const w = appData(s);
    // Re-MAC the damaged ciphertext with the client's MAC key (the first 20 bytes of the key block).
    const macKey = keyBlock('sha256', s.params.masterSecret, s.params.clientRandom, s.params.serverRandom, 20);
    const enc = flip(w.body.subarray(0, w.body.length - 20), w.body.length - 20 - 17, 0x80);
    const mac = createHmac('sha1', macKey).update(macHeader(w.seq, w.header.contentType, w.header.version, enc.length)).update(enc).digest();
    const body = Buffer.concat([enc, mac]);
    assert.equal(w.from, 'client');
    assert.match(reason(decryptAs(s, w, body)), /^bad padding: /);
  });
  it('GCM: a flipped bit anywhere (nonce, ciphertext or tag) fails the tag', () => {
    const s = session('tls12-ecdhe-aes128gcm');
    const w = appData(s);
    for (const i of [0, 8, w.body.length - 1]) assert.match(reason(decryptAs(s, w, flip(w.body, i))), /tag does not verify/);
  });
});

describe('which sessions need every record', () => {
  it('TLS 1.0 CBC only', () => {
    assert.equal(needsEveryRecord(session('tls10-ecdhe-aes128sha').params), true);
    assert.equal(needsEveryRecord(session('tls10-ecdhe-aes128sha-etm').params), true);
    for (const name of ['tls11-ecdhe-aes256sha-etm', 'tls12-ecdhe-aes128sha', 'tls12-ecdhe-aes128gcm', 'tls12-ecdhe-chacha20']) assert.equal(needsEveryRecord(session(name).params), false, name);
  });
  it('TLS 1.0: skipping the application data loses the closing alert; TLS 1.2 CBC only needs the sequence number', () => {
    for (const [name, lost] of [['tls10-ecdhe-aes128sha', true], ['tls12-ecdhe-aes128sha', false]] as const) {
      const s = session(name);
      const keys = createTls12Decryptors(s.params);
      assert.ok(keys.ok);
      let alert: DecryptResult | null = null;
      for (const w of s.records.filter((r) => r.from === 'client')) {
        if (w.header.contentType === 23) continue; // skipped, as a pipeline skipping bodies would
        const r = keys.client.decrypt(w.header, w.body, w.seq);
        if (w.header.contentType === 21) alert = r;
      }
      assert.ok(alert);
      assert.equal(alert.ok, !lost, name);
    }
  });
});

describe('no input throws', () => {
  // A small deterministic generator (xorshift32): the same bodies on every run.
  let x = 0x9e3779b9;
  const rnd = (n: number): number => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    return (x >>> 0) % n;
  };
  for (const name of ['tls12-ecdhe-aes128gcm', 'tls12-ecdhe-chacha20', 'tls12-ecdhe-aes128sha', 'tls12-ecdhe-aes128sha-etm', 'tls10-ecdhe-aes128sha', 'tls12-ecdhe-aes256sha384']) {
    it(`${name}: 2,000 random records (lengths 0-300, any header, any sequence number) each give a result`, () => {
      const s = session(name);
      const keys = createTls12Decryptors(s.params);
      assert.ok(keys.ok);
      let failed = 0;
      for (let i = 0; i < 2000; i++) {
        const n = rnd(300);
        const body = Uint8Array.from({ length: n }, () => rnd(256));
        const header: RecordHeader = { contentType: 20 + rnd(5), version: 0x0300 + rnd(5), length: rnd(4) === 0 ? rnd(400) : n };
        const seq = [0n, BigInt(rnd(1000)), -1n, 1n << 64n, (1n << 64n) - 1n][rnd(5)];
        const r = keys[rnd(2) === 0 ? 'client' : 'server'].decrypt(header, body, seq);
        if (!r.ok) {
          failed++;
          assert.ok(r.reason.length > 10 && r.reason.length < 300, r.reason);
          assert.doesNotMatch(r.reason, KEY_LIKE);
        }
      }
      assert.equal(failed, 2000, 'a random record passed the MAC or tag');
    });
  }
});
