/**
 * The TLS 1.0–1.2 pseudo-random function and what is derived with it: the key
 * block (RFC 5246 §6.3) and Finished verify_data (§7.4.9); SSL 3.0's own
 * constructions of both from MD5 and SHA-1 (RFC 6101 §6.2.2, §5.6.9). HMAC and
 * hashes come from node:crypto.
 */
import { createHash, createHmac } from 'node:crypto';

/** TLS 1.2 PRF hash; TLS 1.0 and 1.1 use MD5 and SHA-1 together ('md5+sha1'); SSL 3.0 has no PRF ('ssl3'). */
export type PrfKind = 'sha256' | 'sha384' | 'md5+sha1' | 'ssl3';

const TLS12 = 0x0303;
const SSL3 = 0x0300;

export function prfKind(version: number, suiteHash: 'sha256' | 'sha384'): PrfKind {
  return version >= TLS12 ? suiteHash : version === SSL3 ? 'ssl3' : 'md5+sha1';
}

/** P_hash(secret, seed) of RFC 5246 §5, `length` bytes. */
function pHash(hash: 'md5' | 'sha1' | 'sha256' | 'sha384', secret: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  let a: Uint8Array = seed; // A(0)
  let have = 0;
  while (have < length) {
    a = createHmac(hash, secret).update(a).digest();
    const block = createHmac(hash, secret).update(a).update(seed).digest();
    const n = Math.min(block.length, length - have);
    out.set(block.subarray(0, n), have);
    have += n;
  }
  return out;
}

/**
 * PRF(secret, label, seed) for `length` bytes. TLS 1.0/1.1 (RFC 2246 §5):
 * P_MD5 over the first half of the secret xor P_SHA-1 over the second half
 * (the halves share the middle byte when the length is odd).
 */
export function prf(kind: Exclude<PrfKind, 'ssl3'>, secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  const labelSeed = Buffer.concat([Buffer.from(label, 'latin1'), seed]);
  if (kind !== 'md5+sha1') return pHash(kind, secret, labelSeed, length);
  const half = Math.ceil(secret.length / 2);
  const md5 = pHash('md5', secret.subarray(0, half), labelSeed, length);
  const sha1 = pHash('sha1', secret.subarray(secret.length - half), labelSeed, length);
  for (let i = 0; i < length; i++) md5[i] ^= sha1[i];
  return md5;
}

/** key_block = PRF(master_secret, "key expansion", server_random + client_random). */
export function keyBlock(kind: PrfKind, masterSecret: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array, length: number): Uint8Array {
  if (kind === 'ssl3') return ssl3KeyBlock(masterSecret, clientRandom, serverRandom, length);
  return prf(kind, masterSecret, 'key expansion', Buffer.concat([serverRandom, clientRandom]), length);
}

/**
 * Finished verify_data (12 bytes): PRF(master_secret, finished_label, Hash(handshake_messages)),
 * the hash being the PRF's own in TLS 1.2 and MD5(…) + SHA-1(…) before.
 */
export function verifyData(kind: PrfKind, masterSecret: Uint8Array, sender: 'client' | 'server', transcript: Uint8Array[]): Uint8Array {
  if (kind === 'ssl3') return ssl3VerifyData(masterSecret, sender, transcript);
  let digest: Uint8Array;
  if (kind === 'md5+sha1') {
    const md5 = createHash('md5');
    const sha1 = createHash('sha1');
    for (const m of transcript) {
      md5.update(m);
      sha1.update(m);
    }
    digest = Buffer.concat([md5.digest(), sha1.digest()]);
  } else {
    const h = createHash(kind);
    for (const m of transcript) h.update(m);
    digest = h.digest();
  }
  return prf(kind, masterSecret, `${sender} finished`, digest, 12);
}

/**
 * SSL 3.0 key block (RFC 6101 §6.2.2): MD5(master + SHA-1("A" + master + server_random + client_random)),
 * then "BB", "CCC" … until `length` bytes.
 */
function ssl3KeyBlock(masterSecret: Uint8Array, clientRandom: Uint8Array, serverRandom: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length);
  for (let i = 0, have = 0; have < length; i++) {
    const salt = Buffer.alloc(i + 1, 0x41 + i);
    const inner = createHash('sha1').update(salt).update(masterSecret).update(serverRandom).update(clientRandom).digest();
    const block = createHash('md5').update(masterSecret).update(inner).digest();
    const n = Math.min(block.length, length - have);
    out.set(block.subarray(0, n), have);
    have += n;
  }
  return out;
}

/** pad_1 and pad_2 of SSL 3.0 (RFC 6101 §5.2.3.1): 48 bytes for MD5, 40 for SHA-1. */
export function ssl3Pads(hash: 'md5' | 'sha1'): { pad1: Buffer; pad2: Buffer } {
  const n = hash === 'md5' ? 48 : 40;
  return { pad1: Buffer.alloc(n, 0x36), pad2: Buffer.alloc(n, 0x5c) };
}

/**
 * SSL 3.0 Finished (RFC 6101 §5.6.9), 36 bytes: for MD5 then SHA-1,
 * hash(master + pad_2 + hash(handshake_messages + Sender + master + pad_1)), Sender "CLNT" or "SRVR".
 */
function ssl3VerifyData(masterSecret: Uint8Array, sender: 'client' | 'server', transcript: Uint8Array[]): Uint8Array {
  const label = Buffer.from(sender === 'client' ? 'CLNT' : 'SRVR', 'latin1');
  const part = (hash: 'md5' | 'sha1') => {
    const { pad1, pad2 } = ssl3Pads(hash);
    const h = createHash(hash);
    for (const m of transcript) h.update(m);
    const inner = h.update(label).update(masterSecret).update(pad1).digest();
    return createHash(hash).update(masterSecret).update(pad2).update(inner).digest();
  };
  return Buffer.concat([part('md5'), part('sha1')]);
}
