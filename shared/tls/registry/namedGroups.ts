/**
 * TLS Supported Groups (named curves and finite-field groups).
 *
 * Source: the IANA "TLS Supported Groups" registry (incl. the ML-KEM hybrids
 * X25519MLKEM768 0x11ec, SecP256r1MLKEM768 0x11eb, SecP384r1MLKEM1024 0x11ed and
 * the pure ML-KEM code points), checked against Wireshark 4.0.17's
 * `tls.handshake.extensions_supported_group` value strings. Wireshark's
 * Open Quantum Safe experimental code points are kept (marked) where they do not
 * collide with an IANA assignment (its frodo640aes/frodo640shake/frodo976aes at
 * 0x0200-0x0202 were superseded by ML-KEM).
 */
import { isGrease } from './grease';

const GROUPS = new Map<number, string>([
  [0x0001, 'sect163k1'],
  [0x0002, 'sect163r1'],
  [0x0003, 'sect163r2'],
  [0x0004, 'sect193r1'],
  [0x0005, 'sect193r2'],
  [0x0006, 'sect233k1'],
  [0x0007, 'sect233r1'],
  [0x0008, 'sect239k1'],
  [0x0009, 'sect283k1'],
  [0x000a, 'sect283r1'],
  [0x000b, 'sect409k1'],
  [0x000c, 'sect409r1'],
  [0x000d, 'sect571k1'],
  [0x000e, 'sect571r1'],
  [0x000f, 'secp160k1'],
  [0x0010, 'secp160r1'],
  [0x0011, 'secp160r2'],
  [0x0012, 'secp192k1'],
  [0x0013, 'secp192r1'],
  [0x0014, 'secp224k1'],
  [0x0015, 'secp224r1'],
  [0x0016, 'secp256k1'],
  [0x0017, 'secp256r1'],
  [0x0018, 'secp384r1'],
  [0x0019, 'secp521r1'],
  [0x001a, 'brainpoolP256r1'],
  [0x001b, 'brainpoolP384r1'],
  [0x001c, 'brainpoolP512r1'],
  [0x001d, 'x25519'],
  [0x001e, 'x448'],
  [0x001f, 'brainpoolP256r1tls13'],
  [0x0020, 'brainpoolP384r1tls13'],
  [0x0021, 'brainpoolP512r1tls13'],
  [0x0022, 'GC256A'],
  [0x0023, 'GC256B'],
  [0x0024, 'GC256C'],
  [0x0025, 'GC256D'],
  [0x0026, 'GC512A'],
  [0x0027, 'GC512B'],
  [0x0028, 'GC512C'],
  [0x0029, 'curveSM2'],
  [0x0100, 'ffdhe2048'],
  [0x0101, 'ffdhe3072'],
  [0x0102, 'ffdhe4096'],
  [0x0103, 'ffdhe6144'],
  [0x0104, 'ffdhe8192'],
  [0x0200, 'MLKEM512'],
  [0x0201, 'MLKEM768'],
  [0x0202, 'MLKEM1024'],
  [0x0203, 'frodo976shake'], // not IANA (Open Quantum Safe)
  [0x0204, 'frodo1344aes'], // not IANA (Open Quantum Safe)
  [0x0205, 'frodo1344shake'], // not IANA (Open Quantum Safe)
  [0x0214, 'ntru_hps2048509'], // not IANA (Open Quantum Safe)
  [0x0215, 'ntru_hps2048677'], // not IANA (Open Quantum Safe)
  [0x0216, 'ntru_hps4096821'], // not IANA (Open Quantum Safe)
  [0x0217, 'ntru_hrss701'], // not IANA (Open Quantum Safe)
  [0x0218, 'lightsaber'], // not IANA (Open Quantum Safe)
  [0x0219, 'saber'], // not IANA (Open Quantum Safe)
  [0x021a, 'firesaber'], // not IANA (Open Quantum Safe)
  [0x021b, 'sidhp434'], // not IANA (Open Quantum Safe)
  [0x021c, 'sidhp503'], // not IANA (Open Quantum Safe)
  [0x021d, 'sidhp610'], // not IANA (Open Quantum Safe)
  [0x021e, 'sidhp751'], // not IANA (Open Quantum Safe)
  [0x021f, 'sikep434'], // not IANA (Open Quantum Safe)
  [0x0220, 'sikep503'], // not IANA (Open Quantum Safe)
  [0x0221, 'sikep610'], // not IANA (Open Quantum Safe)
  [0x0222, 'sikep751'], // not IANA (Open Quantum Safe)
  [0x022c, 'hqc128'], // not IANA (Open Quantum Safe)
  [0x022d, 'hqc192'], // not IANA (Open Quantum Safe)
  [0x022e, 'hqc256'], // not IANA (Open Quantum Safe)
  [0x022f, 'ntrulpr653'], // not IANA (Open Quantum Safe)
  [0x0230, 'ntrulpr761'], // not IANA (Open Quantum Safe)
  [0x0231, 'ntrulpr857'], // not IANA (Open Quantum Safe)
  [0x0232, 'sntrup653'], // not IANA (Open Quantum Safe)
  [0x0233, 'sntrup761'], // not IANA (Open Quantum Safe)
  [0x0234, 'sntrup857'], // not IANA (Open Quantum Safe)
  [0x0238, 'bikel1'], // not IANA (Open Quantum Safe)
  [0x023a, 'kyber512'], // not IANA (Open Quantum Safe)
  [0x023b, 'bikel3'], // not IANA (Open Quantum Safe)
  [0x023c, 'kyber768'], // not IANA (Open Quantum Safe)
  [0x023d, 'kyber1024'], // not IANA (Open Quantum Safe)
  [0x023e, 'kyber90s512'], // not IANA (Open Quantum Safe)
  [0x023f, 'kyber90s768'], // not IANA (Open Quantum Safe)
  [0x0240, 'kyber90s1024'], // not IANA (Open Quantum Safe)
  [0x0241, 'ntrulpr1277'], // not IANA (Open Quantum Safe)
  [0x0242, 'sntrup1277'], // not IANA (Open Quantum Safe)
  [0x0245, 'ntru_hps40961229'], // not IANA (Open Quantum Safe)
  [0x0246, 'ntru_hrss1373'], // not IANA (Open Quantum Safe)
  [0x11eb, 'SecP256r1MLKEM768'],
  [0x11ec, 'X25519MLKEM768'],
  [0x11ed, 'SecP384r1MLKEM1024'],
  [0x2f00, 'p256_frodo640aes'], // not IANA (Open Quantum Safe)
  [0x2f01, 'p256_frodo640shake'], // not IANA (Open Quantum Safe)
  [0x2f02, 'p384_frodo976aes'], // not IANA (Open Quantum Safe)
  [0x2f03, 'p384_frodo976shake'], // not IANA (Open Quantum Safe)
  [0x2f04, 'p521_frodo1344aes'], // not IANA (Open Quantum Safe)
  [0x2f05, 'p521_frodo1344shake'], // not IANA (Open Quantum Safe)
  [0x2f14, 'p256_ntru_hps2048509'], // not IANA (Open Quantum Safe)
  [0x2f15, 'p384_ntru_hps2048677'], // not IANA (Open Quantum Safe)
  [0x2f16, 'p521_ntru_hps4096821'], // not IANA (Open Quantum Safe)
  [0x2f17, 'p384_ntru_hrss701'], // not IANA (Open Quantum Safe)
  [0x2f18, 'p256_lightsaber'], // not IANA (Open Quantum Safe)
  [0x2f19, 'p384_saber'], // not IANA (Open Quantum Safe)
  [0x2f1a, 'p521_firesaber'], // not IANA (Open Quantum Safe)
  [0x2f1b, 'p256_sidhp434'], // not IANA (Open Quantum Safe)
  [0x2f1c, 'p256_sidhp503'], // not IANA (Open Quantum Safe)
  [0x2f1d, 'p384_sidhp610'], // not IANA (Open Quantum Safe)
  [0x2f1e, 'p521_sidhp751'], // not IANA (Open Quantum Safe)
  [0x2f1f, 'p256_sikep434'], // not IANA (Open Quantum Safe)
  [0x2f20, 'p256_sikep503'], // not IANA (Open Quantum Safe)
  [0x2f21, 'p384_sikep610'], // not IANA (Open Quantum Safe)
  [0x2f22, 'p521_sikep751'], // not IANA (Open Quantum Safe)
  [0x2f2c, 'p256_hqc128'], // not IANA (Open Quantum Safe)
  [0x2f2d, 'p384_hqc192'], // not IANA (Open Quantum Safe)
  [0x2f2e, 'p521_hqc256'], // not IANA (Open Quantum Safe)
  [0x2f2f, 'p256_ntrulpr653'], // not IANA (Open Quantum Safe)
  [0x2f31, 'p384_ntrulpr857'], // not IANA (Open Quantum Safe)
  [0x2f32, 'p256_sntrup653'], // not IANA (Open Quantum Safe)
  [0x2f34, 'p384_sntrup857'], // not IANA (Open Quantum Safe)
  [0x2f38, 'p256_bikel1'], // not IANA (Open Quantum Safe)
  [0x2f3a, 'p256_kyber512'], // not IANA (Open Quantum Safe)
  [0x2f3b, 'p384_bikel3'], // not IANA (Open Quantum Safe)
  [0x2f3c, 'p384_kyber768'], // not IANA (Open Quantum Safe)
  [0x2f3d, 'p521_kyber1024'], // not IANA (Open Quantum Safe)
  [0x2f3e, 'p256_kyber90s512'], // not IANA (Open Quantum Safe)
  [0x2f3f, 'p384_kyber90s768'], // not IANA (Open Quantum Safe)
  [0x2f40, 'p521_kyber90s1024'], // not IANA (Open Quantum Safe)
  [0x2f41, 'p521_ntrulpr1277'], // not IANA (Open Quantum Safe)
  [0x2f42, 'p521_sntrup1277'], // not IANA (Open Quantum Safe)
  [0x2f43, 'p256_ntrulpr761'], // not IANA (Open Quantum Safe)
  [0x2f44, 'p256_sntrup761'], // not IANA (Open Quantum Safe)
  [0x2f45, 'p521_ntru_hps40961229'], // not IANA (Open Quantum Safe)
  [0x2f46, 'p521_ntru_hrss1373'], // not IANA (Open Quantum Safe)
  [0x6399, 'X25519Kyber768Draft00'],
  [0x639a, 'SecP256r1Kyber768Draft00'],
  [0xff01, 'arbitrary_explicit_prime_curves'],
  [0xff02, 'arbitrary_explicit_char2_curves'],
]);

export function namedGroupName(n: number): string {
  const name = GROUPS.get(n);
  if (name !== undefined) return name;
  if (isGrease(n)) return `GREASE (0x${n.toString(16).padStart(4, '0')})`;
  return `unknown (0x${n.toString(16).padStart(4, '0')})`;
}

export function isKnownGroup(n: number): boolean {
  return GROUPS.has(n);
}

/** Finite-field (RFC 7919) groups: their key shares are DH public values, not EC points. */
export function isFfdheGroup(n: number): boolean {
  return n >= 0x0100 && n <= 0x01ff;
}

/** EC point formats (ec_point_formats extension), RFC 8422. */
export function ecPointFormatName(n: number): string {
  return ['uncompressed', 'ansiX962_compressed_prime', 'ansiX962_compressed_char2'][n] ?? `unknown (${n})`;
}

/** ECCurveType in ServerKeyExchange, RFC 8422. */
export function ecCurveTypeName(n: number): string {
  return ({ 1: 'explicit_prime', 2: 'explicit_char2', 3: 'named_curve' } as Record<number, string>)[n] ?? `unknown (${n})`;
}
