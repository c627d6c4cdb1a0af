/**
 * Default fingerprints: JA3/JA3S (BSD-3-Clause) and JA4 (BSD-3-Clause).
 * JA4S/JA4X are FoxIO License 1.1 (non-commercial) and deliberately not
 * re-exported here: import './ja4plus' only behind the user's opt-in.
 */
import type { ClientHello, ServerHello } from '../tls/types';
import { ja3, ja3s, type Ja3Fingerprint, type Ja3sFingerprint } from './ja3';
import { ja4, type Ja4Fingerprint, type Ja4Transport } from './ja4';
import { sameElements } from '../util/sameElements';

export type { Ja3Fingerprint, Ja3sFingerprint, Ja4Fingerprint, Ja4Transport };
export { ja3, ja3s, ja4 };

export type ClientFingerprints = Ja3Fingerprint & Ja4Fingerprint;
export type ServerFingerprints = Ja3sFingerprint;

export function fingerprintClient(ch: ClientHello, transport: Ja4Transport = 't'): ClientFingerprints {
  const key = inputHash(ch, transport);
  const hit = memo.get(key);
  if (hit && sameInputs(hit.ch, ch) && hit.transport === transport) return { ...hit.result };
  const result = { ...ja3(ch), ...ja4(ch, transport) };
  if (memo.size >= MEMO_CAPACITY) memo.clear();
  memo.set(key, { ch, transport, result });
  return { ...result };
}

/*
 * A busy capture repeats a handful of client configurations thousands of
 * times, and computing JA3 and JA4 (strings, sorting, five digests) costs
 * more than decoding the hello. Hellos are memoised by a numeric hash of
 * exactly the fields the two fingerprints read, and a hit is confirmed field
 * by field, so a collision only costs a recomputation.
 */
interface MemoEntry {
  ch: ClientHello;
  transport: Ja4Transport;
  result: ClientFingerprints;
}
const MEMO_CAPACITY = 1024;
const memo = new Map<number, MemoEntry>();
const EXT_ALPN = 0x0010;

function mix(h: number, v: number): number {
  return Math.imul(h ^ v, 0x01000193);
}

function mixList(h: number, list: readonly number[]): number {
  h = mix(h, list.length);
  for (let i = 0; i < list.length; i++) h = mix(h, list[i]);
  return h;
}

function alpnInput(ch: ClientHello): string {
  const ext = ch.extensions.find((e) => e.type === EXT_ALPN);
  return `${ext?.raw ?? ''}|${ch.alpn[0] ?? ''}`;
}

function inputHash(ch: ClientHello, transport: Ja4Transport): number {
  let h = mix(0x811c9dc5, ch.legacyVersion);
  h = mix(h, transport.charCodeAt(0));
  h = mixList(h, ch.cipherSuites);
  h = mix(h, ch.extensions.length);
  for (let i = 0; i < ch.extensions.length; i++) h = mix(h, ch.extensions[i].type);
  h = mixList(h, ch.supportedGroups);
  h = mixList(h, ch.ecPointFormats);
  h = mixList(h, ch.signatureAlgorithms);
  h = mixList(h, ch.supportedVersions);
  return h >>> 0;
}

function sameInputs(a: ClientHello, b: ClientHello): boolean {
  if (a.legacyVersion !== b.legacyVersion || a.extensions.length !== b.extensions.length) return false;
  for (let i = 0; i < a.extensions.length; i++) if (a.extensions[i].type !== b.extensions[i].type) return false;
  return sameElements(a.cipherSuites, b.cipherSuites) && sameElements(a.supportedGroups, b.supportedGroups) &&
    sameElements(a.ecPointFormats, b.ecPointFormats) && sameElements(a.signatureAlgorithms, b.signatureAlgorithms) &&
    sameElements(a.supportedVersions, b.supportedVersions) && alpnInput(a) === alpnInput(b);
}

/** JA3S, memoised the same way on the three things it reads: version, suite and extension types. */
export function fingerprintServer(sh: ServerHello): ServerFingerprints {
  let h = mix(mix(0x811c9dc5, sh.legacyVersion), sh.cipherSuite);
  h = mix(h, sh.extensions.length);
  for (let i = 0; i < sh.extensions.length; i++) h = mix(h, sh.extensions[i].type);
  const key = h >>> 0;
  const hit = serverMemo.get(key);
  if (hit && sameServerInputs(hit.sh, sh)) return { ...hit.result };
  const result = ja3s(sh);
  if (serverMemo.size >= MEMO_CAPACITY) serverMemo.clear();
  serverMemo.set(key, { sh, result });
  return { ...result };
}

const serverMemo = new Map<number, { sh: ServerHello; result: ServerFingerprints }>();

function sameServerInputs(a: ServerHello, b: ServerHello): boolean {
  if (a.legacyVersion !== b.legacyVersion || a.cipherSuite !== b.cipherSuite || a.extensions.length !== b.extensions.length) return false;
  for (let i = 0; i < a.extensions.length; i++) if (a.extensions[i].type !== b.extensions[i].type) return false;
  return true;
}
