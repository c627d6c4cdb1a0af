/**
 * Default fingerprints: JA3/JA3S (BSD-3-Clause) and JA4 (BSD-3-Clause).
 * JA4S/JA4X are FoxIO License 1.1 (non-commercial) and deliberately not
 * re-exported here: import './ja4plus' only behind the user's opt-in.
 */
import type { ClientHello, ServerHello } from '../tls/types';
import { ja3, ja3s, type Ja3Fingerprint, type Ja3sFingerprint } from './ja3';
import { ja4, type Ja4Fingerprint, type Ja4Transport } from './ja4';

export type { Ja3Fingerprint, Ja3sFingerprint, Ja4Fingerprint, Ja4Transport };
export { ja3, ja3s, ja4 };

export type ClientFingerprints = Ja3Fingerprint & Ja4Fingerprint;
export type ServerFingerprints = Ja3sFingerprint;

export function fingerprintClient(ch: ClientHello, transport: Ja4Transport = 't'): ClientFingerprints {
  return { ...ja3(ch), ...ja4(ch, transport) };
}

export function fingerprintServer(sh: ServerHello): ServerFingerprints {
  return ja3s(sh);
}
