/**
 * Default fingerprints: JA3/JA3S (BSD-3-Clause) and JA4 (BSD-3-Clause).
 * JA4S/JA4X are FoxIO License 1.1 (non-commercial) and deliberately not
 * re-exported here: import './ja4plus' only behind the user's opt-in.
 */
import type { ClientHello, ServerHello, TlsExtension } from '../tls/types';
import { ja3, ja3s, type Ja3Fingerprint, type Ja3sFingerprint } from './ja3';
import { ja4, type Ja4Fingerprint, type Ja4Transport } from './ja4';
import { sameElements } from '../util/sameElements';
import { memoizeByHash } from '../util/memo';

export type { Ja3Fingerprint, Ja3sFingerprint, Ja4Fingerprint, Ja4Transport };
export { ja3, ja3s, ja4 };

export type ClientFingerprints = Ja3Fingerprint & Ja4Fingerprint;
export type ServerFingerprints = Ja3sFingerprint;

/*
 * A busy capture repeats a handful of client and server configurations
 * thousands of times, and computing JA3 and JA4 (strings, sorting, five
 * digests) costs more than decoding the hello. Hellos are memoised by a
 * numeric hash of exactly the fields the fingerprints read (memoizeByHash).
 */
const EXT_ALPN = 0x0010;

function mix(h: number, v: number): number {
  return Math.imul(h ^ v, 0x01000193);
}

function mixList(h: number, list: readonly number[]): number {
  h = mix(h, list.length);
  for (let i = 0; i < list.length; i++) h = mix(h, list[i]);
  return h;
}

function mixExtensionTypes(h: number, extensions: readonly TlsExtension[]): number {
  h = mix(h, extensions.length);
  for (let i = 0; i < extensions.length; i++) h = mix(h, extensions[i].type);
  return h;
}

function sameExtensionTypes(a: readonly TlsExtension[], b: readonly TlsExtension[]): boolean {
  if (a.length !== b.length) return false;
  for (let i = 0; i < a.length; i++) if (a[i].type !== b[i].type) return false;
  return true;
}

function alpnInput(ch: ClientHello): string {
  const ext = ch.extensions.find((e) => e.type === EXT_ALPN);
  return `${ext?.raw ?? ''}|${ch.alpn[0] ?? ''}`;
}

function clientInputHash(ch: ClientHello): number {
  let h = mix(0x811c9dc5, ch.legacyVersion);
  h = mixList(h, ch.cipherSuites);
  h = mixExtensionTypes(h, ch.extensions);
  h = mixList(h, ch.supportedGroups);
  h = mixList(h, ch.ecPointFormats);
  h = mixList(h, ch.signatureAlgorithms);
  h = mixList(h, ch.supportedVersions);
  return h >>> 0;
}

function sameClientInputs(a: ClientHello, b: ClientHello): boolean {
  return a.legacyVersion === b.legacyVersion && sameExtensionTypes(a.extensions, b.extensions) &&
    sameElements(a.cipherSuites, b.cipherSuites) && sameElements(a.supportedGroups, b.supportedGroups) &&
    sameElements(a.ecPointFormats, b.ecPointFormats) && sameElements(a.signatureAlgorithms, b.signatureAlgorithms) &&
    sameElements(a.supportedVersions, b.supportedVersions) && alpnInput(a) === alpnInput(b);
}

const clientFingerprints = (transport: Ja4Transport) =>
  memoizeByHash(clientInputHash, sameClientInputs, (ch: ClientHello): ClientFingerprints => ({ ...ja3(ch), ...ja4(ch, transport) }));
const byTransport: Record<Ja4Transport, (ch: ClientHello) => ClientFingerprints> = {
  t: clientFingerprints('t'), q: clientFingerprints('q'), d: clientFingerprints('d'),
};

/** JA3 and JA4 of a ClientHello (a fresh object each call: callers may add to it). */
export function fingerprintClient(ch: ClientHello, transport: Ja4Transport = 't'): ClientFingerprints {
  return { ...byTransport[transport](ch) };
}

/** JA3S reads the version, the suite and the extension types in order. */
const serverFingerprints = memoizeByHash(
  (sh: ServerHello) => mixExtensionTypes(mix(mix(0x811c9dc5, sh.legacyVersion), sh.cipherSuite), sh.extensions) >>> 0,
  (a: ServerHello, b: ServerHello) => a.legacyVersion === b.legacyVersion && a.cipherSuite === b.cipherSuite && sameExtensionTypes(a.extensions, b.extensions),
  ja3s,
);

export function fingerprintServer(sh: ServerHello): ServerFingerprints {
  return { ...serverFingerprints(sh) };
}
