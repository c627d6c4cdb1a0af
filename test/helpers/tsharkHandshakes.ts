/**
 * Turns the trimmed tshark dissections in test/fixtures/ja4-reference/
 * (made by make-handshakes.py) into the decoder's ClientHello/ServerHello
 * shapes, so the fingerprint code can be checked against published values
 * before the capture → ClientHello pipeline exists.
 */
import { createHash } from 'node:crypto';
import { existsSync, readFileSync } from 'node:fs';
import { dirname, join } from 'node:path';
import { RangeMap, type ClientHello, type ServerHello, type TlsExtension } from '../../server/src/tls/types';
import { isGrease } from '../../shared/tls/registry/grease';

export interface TsharkExtension {
  type: number;
  len: number;
  serverName?: string;
  alpn?: string[];
  supportedVersions?: number[];
  groups?: number[];
  pointFormats?: number[];
  sigAlgs?: number[];
}

interface MessageBase { frame: number; src: string; dst: string }

export interface TsharkClientHello extends MessageBase {
  type: 1;
  recordVersion: number | null;
  version: number;
  random: string;
  sessionId: string;
  ciphers: number[];
  compression: number[];
  extensions: TsharkExtension[];
  ja3Full: string | null;
  ja3: string | null;
}

export interface TsharkServerHello extends MessageBase {
  type: 2;
  recordVersion: number | null;
  version: number;
  random: string;
  sessionId: string;
  cipher: number;
  compression: number;
  extensions: TsharkExtension[];
  ja3sFull: string | null;
  ja3s: string | null;
}

export interface TsharkCertificate extends MessageBase {
  type: 11;
  certificates: string[];
}

export type TsharkMessage = TsharkClientHello | TsharkServerHello | TsharkCertificate;

export interface TsharkStream {
  stream: number;
  messages: TsharkMessage[];
}

export interface TsharkCapture {
  capture: string;
  tshark: string;
  streams: TsharkStream[];
}

export function repoRoot(): string {
  let dir = __dirname;
  // tsconfig.json, not package.json: tsc copies an imported package.json into out/.
  while (!existsSync(join(dir, 'tsconfig.json'))) {
    const up = dirname(dir);
    if (up === dir) throw new Error('tsconfig.json not found above ' + __dirname);
    dir = up;
  }
  return dir;
}

export const REFERENCE_DIR = join(repoRoot(), 'test', 'fixtures', 'ja4-reference');
export const X509_DIR = join(repoRoot(), 'test', 'fixtures', 'x509');

export function loadHandshakes(capture: string): TsharkCapture {
  return JSON.parse(readFileSync(join(REFERENCE_DIR, `${capture}.handshakes.json`), 'utf8')) as TsharkCapture;
}

export function loadExpected(capture: string): Array<Record<string, string | number>> {
  return JSON.parse(readFileSync(join(REFERENCE_DIR, `${capture}.expected.json`), 'utf8')) as Array<Record<string, string | number>>;
}

function extensions(list: TsharkExtension[]): TlsExtension[] {
  return list.map((e) => ({ type: e.type, name: '', grease: isGrease(e.type), length: e.len }));
}

function find(list: TsharkExtension[], type: number): TsharkExtension | undefined {
  return list.find((e) => e.type === type);
}

export function toClientHello(m: TsharkClientHello): ClientHello {
  return {
    recordVersion: m.recordVersion ?? m.version,
    legacyVersion: m.version,
    random: m.random,
    sessionId: m.sessionId,
    cipherSuites: m.ciphers,
    compressionMethods: m.compression,
    extensions: extensions(m.extensions),
    serverName: find(m.extensions, 0x0000)?.serverName ?? null,
    alpn: find(m.extensions, 0x0010)?.alpn ?? [],
    supportedVersions: find(m.extensions, 0x002b)?.supportedVersions ?? [],
    supportedGroups: find(m.extensions, 0x000a)?.groups ?? [],
    ecPointFormats: find(m.extensions, 0x000b)?.pointFormats ?? [],
    signatureAlgorithms: find(m.extensions, 0x000d)?.sigAlgs ?? [],
    sslv2: false,
    ranges: new RangeMap(),
  };
}

const HRR_RANDOM = createHash('sha256').update('HelloRetryRequest').digest('hex');

export function toServerHello(m: TsharkServerHello): ServerHello {
  return {
    recordVersion: m.recordVersion ?? m.version,
    legacyVersion: m.version,
    random: m.random,
    sessionId: m.sessionId,
    cipherSuite: m.cipher,
    cipherSuiteName: '',
    compressionMethod: m.compression,
    extensions: extensions(m.extensions),
    selectedVersion: find(m.extensions, 0x002b)?.supportedVersions?.[0] ?? m.version,
    helloRetryRequest: m.random === HRR_RANDOM,
    alpn: find(m.extensions, 0x0010)?.alpn?.[0] ?? null,
    ranges: new RangeMap(),
  };
}

export function clientHellos(s: TsharkStream): TsharkClientHello[] {
  return s.messages.filter((m): m is TsharkClientHello => m.type === 1);
}

export function serverHellos(s: TsharkStream): TsharkServerHello[] {
  return s.messages.filter((m): m is TsharkServerHello => m.type === 2);
}

export function certificateChains(s: TsharkStream): Uint8Array[][] {
  return s.messages
    .filter((m): m is TsharkCertificate => m.type === 11)
    .map((m) => m.certificates.map((hex) => Buffer.from(hex, 'hex')));
}
