/**
 * Packet keys from a key log (RFC 9001 §5.1): the connection is found by the
 * ClientHello random read from the Initial CRYPTO stream, the AEAD by the
 * cipher suite of the ServerHello, and "quic key" / "quic iv" / "quic hp"
 * ("quicv2 …", RFC 9369 §3.3.2) are expanded with the suite's hash from the
 * logged CLIENT_/SERVER_HANDSHAKE_TRAFFIC_SECRET (Handshake packets), the
 * *_TRAFFIC_SECRET_0 (1-RTT, "quic ku" for each key update, §6) and
 * CLIENT_EARLY_TRAFFIC_SECRET (0-RTT).
 */
import { Buffer } from 'node:buffer';
import type { KeySourceKind } from '../../../shared/analysis';
import { TLS13_SUITES, hashLength, type Hash, type Tls13Suite } from '../decrypt/cipherSuites';
import { hkdfExpandLabel } from '../decrypt/hkdf';
import type { KeyStore } from '../decrypt/keyStore';
import type { Direction } from '../tls/types';
import type { PacketKeys, QuicAead } from './keys';
import type { QuicVersionInfo } from './versions';

export interface HandshakeKeys {
  keySource: KeySourceKind;
  client: PacketKeys;
  server: PacketKeys;
  /** The suite's hash and the logged secrets, for the Finished check (handshake.ts); never written out. */
  hash: Hash;
  secrets: Record<Direction, Uint8Array>;
}

const EMPTY = new Uint8Array(0);

/** The 32-byte random of a ClientHello at the start of the client's CRYPTO stream; null until those bytes are held. */
export function clientHelloRandom(stream: Uint8Array): Uint8Array | null {
  // type(1) length(3) legacy_version(2) random(32)
  if (stream.length < 38 || stream[0] !== 1) return null;
  return stream.subarray(6, 38);
}

/** The cipher suite of a ServerHello at the start of the server's CRYPTO stream; null until its bytes are held. */
export function serverHelloSuite(stream: Uint8Array): number | null {
  // type(1) length(3) legacy_version(2) random(32) session_id<0..32> cipher_suite(2)
  if (stream.length < 39 || stream[0] !== 2) return null;
  const at = 39 + stream[38];
  if (stream.length < at + 2) return null;
  return (stream[at] << 8) | stream[at + 1];
}

/**
 * The Handshake keys of a connection, or why there are none: `null` when the
 * key store has nothing for this ClientHello random (the packets stay
 * "encrypted (no keys)", as without a key log); a string when keys exist but
 * cannot be used (a suite QUIC does not allow).
 */
export function handshakeKeys(store: KeyStore, version: QuicVersionInfo, random: Uint8Array, suiteId: number): HandshakeKeys | string | null {
  const entry = store.lookup(Buffer.from(random).toString('hex'));
  if (entry === undefined) return null;
  const s = entry.secrets;
  const client = s.CLIENT_HANDSHAKE_TRAFFIC_SECRET ?? s.QUIC_CLIENT_HANDSHAKE_TRAFFIC_SECRET;
  const server = s.SERVER_HANDSHAKE_TRAFFIC_SECRET ?? s.QUIC_SERVER_HANDSHAKE_TRAFFIC_SECRET;
  if (client === undefined || server === undefined) return null;
  const suite = quicSuite(suiteId);
  if (typeof suite === 'string') return suite;
  return { keySource: entry.source.kind, client: quicPacketKeys(suite, version, client), server: quicPacketKeys(suite, version, server), hash: suite.hash, secrets: { client, server } };
}

/** A TLS 1.3 suite QUIC packets can be opened with, or why not. */
export function quicSuite(suiteId: number): Tls13Suite | string {
  const suite = TLS13_SUITES.get(suiteId);
  // RFC 9001 §5.3: QUIC may use any TLS 1.3 suite but TLS_AES_128_CCM_8_SHA256; CCM has no header protection here.
  if (suite === undefined || suite.cipher === 'aes-128-ccm') return `cipher suite 0x${suiteId.toString(16).padStart(4, '0')} is not decrypted for QUIC`;
  return suite;
}

/** "quic key" / "quic iv" / "quic hp" (RFC 9001 §5.1; "quicv2 …" for v2) from one traffic secret. */
export function quicPacketKeys(suite: Tls13Suite, version: QuicVersionInfo, secret: Uint8Array): PacketKeys {
  return {
    aead: suite.cipher as QuicAead,
    key: Buffer.from(hkdfExpandLabel(suite.hash, secret, `${version.labelPrefix} key`, EMPTY, suite.keyLength)),
    iv: Buffer.from(hkdfExpandLabel(suite.hash, secret, `${version.labelPrefix} iv`, EMPTY, 12)),
    hp: Buffer.from(hkdfExpandLabel(suite.hash, secret, `${version.labelPrefix} hp`, EMPTY, suite.keyLength)),
  };
}

/** RFC 9001 §6.1: the next key phase's secret ("quic ku", RFC 9369 "quicv2 ku"); the hp key is not updated. */
export function nextQuicSecret(hash: Hash, version: QuicVersionInfo, secret: Uint8Array): Uint8Array {
  return hkdfExpandLabel(hash, secret, `${version.labelPrefix} ku`, EMPTY, hashLength(hash));
}

/** The 0-RTT and 1-RTT secrets of a ClientHello random, as logged (QUIC_-prefixed labels too); null when none is. */
export function applicationSecrets(store: KeyStore, random: Uint8Array): { keySource: KeySourceKind; early?: Uint8Array; client?: Uint8Array; server?: Uint8Array } | null {
  const entry = store.lookup(Buffer.from(random).toString('hex'));
  if (entry === undefined) return null;
  const s = entry.secrets;
  const out = {
    keySource: entry.source.kind,
    early: s.CLIENT_EARLY_TRAFFIC_SECRET ?? s.QUIC_CLIENT_EARLY_TRAFFIC_SECRET,
    client: s.CLIENT_TRAFFIC_SECRET_0 ?? s.QUIC_CLIENT_TRAFFIC_SECRET_0,
    server: s.SERVER_TRAFFIC_SECRET_0 ?? s.QUIC_SERVER_TRAFFIC_SECRET_0,
  };
  return out.early === undefined && out.client === undefined && out.server === undefined ? null : out;
}
