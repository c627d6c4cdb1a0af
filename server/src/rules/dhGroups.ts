/**
 * Published finite-field Diffie-Hellman groups a ServerKeyExchange may carry.
 *
 * A fixed, widely shared prime is a constant on the wire, which is exactly what
 * Iran's DPI matched in Tor's handshake in January 2011 (the RFC 2409 group 2
 * prime). Groups are recognised by the SHA-256 of the prime's big-endian bytes
 * so that no long hex has to be copied by hand; the digests were computed from
 * OpenSSL's built-in tables, and test/engine/rulesCatalogue.test.ts recomputes
 * them from Node's `crypto.getDiffieHellman` (RFC 2409 / 3526) and from the
 * `openssl` command (RFC 7919, RFC 5114) when it is installed.
 */
import { createHash } from 'node:crypto';
import { memoize } from '../util/memo';

/**
 * RFC 2409 section 6.2, "Second Oakley Group": the 1024-bit MODP prime
 * 2^1024 - 2^960 - 1 + 2^64 * { [2^894 pi] + 129093 }, generator 2.
 * Kept in full because it is the value a censor is documented to have matched.
 */
export const OAKLEY_GROUP_2_PRIME =
  'ffffffffffffffffc90fdaa22168c234c4c6628b80dc1cd1' +
  '29024e088a67cc74020bbea63b139b22514a08798e3404dd' +
  'ef9519b3cd3a431b302b0a6df25f14374fe1356d6d51c245' +
  'e485b576625e7ec6f44c42e9a637ed6b0bff5cb6f406b7ed' +
  'ee386bfb5a899fa5ae9f24117c4b1fe649286651ece65381' +
  'ffffffffffffffff';

export interface KnownDhGroup {
  /** Short id, as OpenSSL names the group where it has a name. */
  id: string;
  name: string;
  bits: number;
  /** SHA-256 of the prime (big-endian, no leading zero bytes), hex. */
  sha256: string;
  /** Name of the group in Node's crypto.getDiffieHellman, for the MODP groups. */
  node?: string;
}

export const KNOWN_DH_GROUPS: readonly KnownDhGroup[] = [
  { id: 'oakley1', name: 'RFC 2409 Oakley group 1 (768-bit MODP)', bits: 768, sha256: 'b52ba6a3026520a6c49d37e4587601801bee500123b3259b6bf03e7cecc3e63d', node: 'modp1' },
  { id: 'oakley2', name: 'RFC 2409 Oakley group 2 (1024-bit MODP)', bits: 1024, sha256: '3f35a3f5f6c4376a744acad409bb22f8d897f949d2311d885adaa890981b67a0', node: 'modp2' },
  { id: 'modp_1536', name: 'RFC 3526 group 5 (1536-bit MODP)', bits: 1536, sha256: '64fcc83ec403930bf18393dbc883ccaa1fbb08ac876f77f7aa99748ca945019b', node: 'modp5' },
  { id: 'modp_2048', name: 'RFC 3526 group 14 (2048-bit MODP)', bits: 2048, sha256: 'd66436f79bbd6b2e38c0ffbd079be904d2641415e2e67140e09448be9a60890e', node: 'modp14' },
  { id: 'modp_3072', name: 'RFC 3526 group 15 (3072-bit MODP)', bits: 3072, sha256: '48cf8b092fbce4359d9871abf74f98e25b6163379eaa15cd9087e800c6d1c55c', node: 'modp15' },
  { id: 'modp_4096', name: 'RFC 3526 group 16 (4096-bit MODP)', bits: 4096, sha256: '4ee95187682bcb230ad26a95205f6920e84708f6251b3894329b09ec23919e33', node: 'modp16' },
  { id: 'modp_6144', name: 'RFC 3526 group 17 (6144-bit MODP)', bits: 6144, sha256: 'd1bfe6d0925ce7e4da262b62861514a7755e35831e429f343e7b864848657efd', node: 'modp17' },
  { id: 'modp_8192', name: 'RFC 3526 group 18 (8192-bit MODP)', bits: 8192, sha256: '39ab4feab950a3128fb71accb9fc3965d857012e081998a85996e3ea8b3c3bcf', node: 'modp18' },
  { id: 'ffdhe2048', name: 'RFC 7919 ffdhe2048', bits: 2048, sha256: '9cd3b7f336872f46c09428d1bbc19877a4d440512cda8d1c1cf0cd6e33698966' },
  { id: 'ffdhe3072', name: 'RFC 7919 ffdhe3072', bits: 3072, sha256: '0eaf67db3a839156d5013494a5318a772b5697d270d721f37f092efc69ea5a17' },
  { id: 'ffdhe4096', name: 'RFC 7919 ffdhe4096', bits: 4096, sha256: '4648414224ac881b3d0dc59b466f96d06a558278776807797ecf1f66ff397b3e' },
  { id: 'ffdhe6144', name: 'RFC 7919 ffdhe6144', bits: 6144, sha256: '227ac9066b3ddd9e193670cda2388fa884f65ba0cf98b742d1fe77a6687c79c7' },
  { id: 'ffdhe8192', name: 'RFC 7919 ffdhe8192', bits: 8192, sha256: '770b14efaf6f049929c523113b3fa99a8d11dab1b18af3609590122075d19833' },
  { id: 'dh_1024_160', name: 'RFC 5114 1024-bit MODP group with 160-bit subgroup', bits: 1024, sha256: '44c55cfee5c075927cf682da5b681bdecbd5c3eb0784c14f5dce7610f0ef133d' },
  { id: 'dh_2048_224', name: 'RFC 5114 2048-bit MODP group with 224-bit subgroup', bits: 2048, sha256: 'bfe545862ca102ad1eeddb5fbfa5bf855ac4995c56a8b408ce3fe099dce93a9d' },
  { id: 'dh_2048_256', name: 'RFC 5114 2048-bit MODP group with 256-bit subgroup', bits: 2048, sha256: '0b7835722cb619827610c2549fdda5587421686c4409a13865e76225522ddcc9' },
];

const BY_DIGEST = new Map(KNOWN_DH_GROUPS.map((g) => [g.sha256, g]));

/** Hex of an unsigned big-endian number as sent (prime, serial), normalised: lower case, leading zero bytes dropped. */
export const normaliseHex = memoize((hex: string): string => {
  let h = hex.toLowerCase().replace(/[^0-9a-f]/g, '');
  if (h.length % 2 === 1) h = `0${h}`;
  while (h.startsWith('00')) h = h.slice(2);
  return h;
});

export const primeDigest = memoize((hex: string): string => createHash('sha256').update(Buffer.from(normaliseHex(hex), 'hex')).digest('hex'));

/** The published group a prime belongs to, if any. */
export function identifyDhPrime(hex: string): KnownDhGroup | null {
  return BY_DIGEST.get(primeDigest(hex)) ?? null;
}
