/**
 * TLS 1.0–1.2 record decryption from a master secret (an NSS key log's
 * CLIENT_RANDOM line).
 *
 * README — what is supported
 * - Versions: SSL 3.0 (0x0300: its own key block, MAC, padding and 36-byte Finished,
 *   prf.ts and cbc.ts; CBC suites only, as SSL 3.0 has no AEAD), TLS 1.0 (0x0301), 1.1
 *   (0x0302), 1.2 (0x0303). Not TLS 1.3 (its own key schedule, elsewhere in decrypt/).
 * - Ciphers (cipherSuites.ts TLS12_SUITES, every IANA key exchange of each):
 *   AES-128/256-GCM (RFC 5288/5289), ChaCha20-Poly1305 (RFC 7905), AES-128/256-CBC
 *   with HMAC-SHA1, HMAC-SHA256 or HMAC-SHA384, MAC-then-encrypt or encrypt-then-MAC
 *   (RFC 7366, `encryptThenMac`: the ServerHello echoed the extension and the suite is
 *   CBC), TLS 1.0's chained IVs and TLS 1.1+'s explicit IVs. MAC, padding and AEAD tag
 *   are checked; a failure gives a reason saying which, never a throw.
 * - Not decrypted, with a reason naming the suite: RC4, 3DES, DES, NULL, export,
 *   AES-CCM, Camellia, ARIA, SEED, IDEA, GOST, SM4, the pre-RFC ChaCha drafts
 *   (0xcc13-15), unknown values.
 * - Key exchange (RSA, DHE, ECDHE, PSK …) does not matter: everything comes from the
 *   master secret. Extended master secret (RFC 7627) needs nothing here either: it
 *   changes how the master secret is made, and the key log holds the result.
 * - PRF: TLS 1.2 P_SHA256 or P_SHA384 (as the suite says), TLS 1.0/1.1 P_MD5 xor P_SHA1;
 *   finishedVerifyData() computes the 12 bytes a Finished must carry.
 *
 * How the pipeline uses it
 * - Record bytes: plaintext byte i of a decrypted record sits at body byte
 *   `bodyOffset + i` (GCM: 8, the explicit nonce; ChaCha20: 0; CBC: 16, the explicit IV,
 *   for TLS ≥ 1.1, 0 for TLS 1.0); the MAC, padding and tag follow the plaintext.
 * - Epochs: one createTls12Decryptors() result per handshake. A direction switches to it
 *   at its own ChangeCipherSpec and counts `seq` from 0 again; the CCS record itself is
 *   still under the old epoch (cleartext in the first handshake).
 * - Renegotiation: the new ClientHello and ServerHello travel encrypted under the current
 *   epoch; decrypt them first, then build the next epoch from the key log line whose
 *   client random is the NEW ClientHello's, the new ServerHello's random, suite and
 *   encrypt_then_mac extension (all may change). Each direction switches at its next
 *   CCS. A resumed renegotiation reuses the master secret but still gets a fresh key
 *   block (new randoms), so it is a new epoch too.
 * - TLS 1.0 CBC decryptors hold state (the IV chain): give them every record of their
 *   direction in order, including ones whose result is not wanted (needsEveryRecord()
 *   says when). A record that is not whole blocks breaks the chain for the next record only.
 * - Finished: transcript = every handshake message of this handshake (4-byte header
 *   included, HelloRequest excluded) before the Finished checked; the server's Finished
 *   includes the client's when the client's came first (a full handshake).
 */
import type { RecordDecryptor } from '../recordDecryptor';
import { TLS12_SUITES, type Tls12Suite } from '../cipherSuites';
import { cipherSuiteInfo, cipherSuiteName } from '../../../../shared/tls/registry/cipherSuites';
import { keyBlock, prfKind, verifyData } from './prf';
import { AeadRecordDecryptor } from './aead';
import { CbcRecordDecryptor } from './cbc';

export type { RecordDecryptor } from '../recordDecryptor';

export interface Tls12Params {
  /** The version the ServerHello chose (not the record layer's), 0x0301 … 0x0303. */
  version: number;
  /** The ServerHello's cipher suite. */
  cipherSuite: number;
  /** 48 bytes, from the key log's CLIENT_RANDOM line of this handshake's ClientHello. */
  masterSecret: Uint8Array;
  clientRandom: Uint8Array;
  serverRandom: Uint8Array;
  /** The ServerHello echoed encrypt_then_mac (22); only CBC suites use it (RFC 7366 §3), AEAD ignores it. */
  encryptThenMac: boolean;
}
export type Tls12Keys = { ok: true; client: RecordDecryptor; server: RecordDecryptor; suite: string } | { ok: false; reason: string };

const SSL3 = 0x0300;
const TLS10 = 0x0301;
const TLS12 = 0x0303;

function hex4(n: number): string {
  return `0x${n.toString(16).padStart(4, '0')}`;
}

function versionName(v: number): string {
  return v === 0x0300 ? 'SSL 3.0' : v >= TLS10 && v <= 0x0304 ? `TLS 1.${v - TLS10}` : `version ${hex4(v)}`;
}

/** Why a suite outside TLS12_SUITES is not decrypted, from its registry name. */
function unsupportedCipher(id: number, name: string): string {
  const info = cipherSuiteInfo(id);
  if (info.kex === 'scsv') return 'it is a signalling value, not a cipher suite';
  if (info.grease) return 'it is a GREASE value, not a cipher suite';
  if (info.kex === 'tls13') return 'it is a TLS 1.3 suite';
  if (!info.iana && name.includes('CHACHA20')) return 'it is the pre-RFC 7905 ChaCha20-Poly1305 draft (another nonce and additional data)';
  if (!info.iana && !/^(TLS|SSL)_/.test(name) && !name.startsWith('unknown')) return 'it is not an IANA suite';
  if (name.startsWith('unknown')) return 'it is not a known cipher suite';
  const kinds: Array<[RegExp, string]> = [
    [/EXPORT/, 'export-grade ciphers'],
    [/_WITH_NULL_|^TLS_NULL_WITH_NULL_NULL$/, 'the NULL cipher (records are MACed, not encrypted)'],
    [/RC4/, 'RC4'],
    [/3DES/, '3DES'],
    [/_DES_|DES40|DES_CBC/, 'DES'],
    [/CCM/, 'AES-CCM'],
    [/CAMELLIA/, 'Camellia'],
    [/ARIA/, 'ARIA'],
    [/SEED/, 'SEED'],
    [/IDEA/, 'IDEA'],
    [/RC2/, 'RC2'],
    [/GOST|28147|KUZNYECHIK|MAGMA/, 'GOST'],
    [/SM4/, 'SM4'],
  ];
  const kind = kinds.find(([re]) => re.test(name));
  return `${kind ? kind[1] : 'its cipher'} ${kind && kind[1].endsWith('s') ? 'are' : 'is'} not among the ciphers decrypted here (AES-GCM, ChaCha20-Poly1305, AES-CBC with HMAC)`;
}

/** The suite's parameters, or why they cannot be used for this version. */
function suiteFor(p: Tls12Params): Tls12Suite | string {
  const suite = TLS12_SUITES.get(p.cipherSuite);
  const label = `cipher suite ${hex4(p.cipherSuite)} (${cipherSuiteName(p.cipherSuite)})`;
  if (!suite) return `${label} is not decrypted: ${unsupportedCipher(p.cipherSuite, cipherSuiteName(p.cipherSuite))}`;
  if (suite.tls12Only && p.version < TLS12) return `${label} is defined for TLS 1.2 only, but the connection is ${versionName(p.version)}`;
  return suite;
}

function paramsProblem(p: Tls12Params): string | null {
  if (p.version < SSL3 || p.version > TLS12) return `${versionName(p.version)} is not decrypted by the TLS 1.0–1.2 decryptor`;
  if (p.masterSecret.length !== 48) return `the master secret is ${p.masterSecret.length} bytes, not 48`;
  if (p.clientRandom.length !== 32) return `the client random is ${p.clientRandom.length} bytes, not 32`;
  if (p.serverRandom.length !== 32) return `the server random is ${p.serverRandom.length} bytes, not 32`;
  return null;
}

/** Both directions' record decryptors for one handshake (one epoch), or why there are none. */
export function createTls12Decryptors(p: Tls12Params): Tls12Keys {
  const problem = paramsProblem(p);
  if (problem) return { ok: false, reason: problem };
  const suite = suiteFor(p);
  if (typeof suite === 'string') return { ok: false, reason: suite };
  const c = suite.cipher;
  const macLength = c.kind === 'cbc' ? c.macLength : 0;
  // SSL 3.0 and TLS 1.0 CBC take their first IVs from the key block; TLS 1.1+ CBC sends them (RFC 4346 §6.3 dropped them from the block).
  const chained = p.version <= TLS10;
  const ivLength = c.kind === 'aead' ? c.fixedIvLength : chained ? c.blockLength : 0;
  const kb = keyBlock(prfKind(p.version, suite.prfHash), p.masterSecret, p.clientRandom, p.serverRandom, 2 * (macLength + c.keyLength + ivLength));
  let o = 0;
  const take = (n: number): Uint8Array => kb.slice(o, (o += n));
  const clientMac = take(macLength);
  const serverMac = take(macLength);
  const clientKey = take(c.keyLength);
  const serverKey = take(c.keyLength);
  const clientIv = take(ivLength);
  const serverIv = take(ivLength);
  if (c.kind === 'aead') {
    return { ok: true, suite: suite.name, client: new AeadRecordDecryptor(c, clientKey, clientIv), server: new AeadRecordDecryptor(c, serverKey, serverIv) };
  }
  const ssl3 = p.version === SSL3;
  return {
    ok: true,
    suite: suite.name,
    client: new CbcRecordDecryptor(c, clientKey, clientMac, p.encryptThenMac, chained ? clientIv : undefined, ssl3),
    server: new CbcRecordDecryptor(c, serverKey, serverMac, p.encryptThenMac, chained ? serverIv : undefined, ssl3),
  };
}

/**
 * Whether this epoch's decryptors must be given every record of their direction, application
 * data included: TLS 1.0 CBC takes each record's IV from the end of the record before, so a
 * pipeline that skips application-data bodies would lose the closing alert or a later
 * renegotiation. Every other suite only needs the sequence number counted.
 */
export function needsEveryRecord(p: Pick<Tls12Params, 'version' | 'cipherSuite'>): boolean {
  return p.version <= TLS10 && TLS12_SUITES.get(p.cipherSuite)?.cipher.kind === 'cbc';
}

/**
 * verify_data check: PRF(master, "client finished"/"server finished", Hash(handshake messages)).
 * Works for any TLS 1.0–1.2 suite, also one whose records are not decrypted here (the
 * TLS 1.2 PRF hash is SHA-384 when the suite's name ends in SHA384, else SHA-256).
 */
export function finishedVerifyData(p: Tls12Params, sender: 'client' | 'server', transcript: Uint8Array[]): Uint8Array {
  const hash = TLS12_SUITES.get(p.cipherSuite)?.prfHash ?? (cipherSuiteName(p.cipherSuite).endsWith('_SHA384') ? 'sha384' : 'sha256');
  return verifyData(prfKind(p.version, hash), p.masterSecret, sender, transcript);
}

/**
 * One direction's decryptor, for a caller that sets up each direction on its own (the
 * TLS pipeline's hook, decrypt/tls12Hook.ts on the key-log branch): when the keys cannot
 * be made, every record gets the reason.
 */
export function createTls12Decryptor(p: Tls12Params, from: 'client' | 'server'): RecordDecryptor {
  const keys = createTls12Decryptors(p);
  if (keys.ok) return keys[from];
  const refused = { ok: false as const, reason: keys.reason };
  return { decrypt: () => refused };
}
