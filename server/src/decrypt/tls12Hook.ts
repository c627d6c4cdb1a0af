/**
 * The one place the TLS 1.2-and-earlier record decryption plugs in. On this
 * branch it is a stand-in that declines every record; the merge replaces the
 * body with `export { createTls12Decryptor } from './tls12/index'` (same
 * signature).
 */
import type { Direction } from '../tls/types';
import type { RecordDecryptor } from './recordDecryptor';

export interface Tls12Params {
  /** Negotiated version (0x0300 … 0x0303). */
  version: number;
  cipherSuite: number;
  /** The 48-byte master secret (key log CLIENT_RANDOM line). */
  masterSecret: Uint8Array;
  clientRandom: Uint8Array;
  serverRandom: Uint8Array;
  /** encrypt_then_mac (RFC 7366) echoed in the ServerHello. */
  encryptThenMac: boolean;
}

const tls12Unsupported: RecordDecryptor = {
  decrypt: () => ({ ok: false, reason: 'TLS 1.2 decryption not available' }),
};

/** One direction's record decryptor for a TLS ≤ 1.2 connection; called once per direction at the ServerHello. */
export function createTls12Decryptor(_params: Tls12Params, _from: Direction): RecordDecryptor {
  return tls12Unsupported;
}
