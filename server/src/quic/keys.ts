/**
 * Initial keys (RFC 9001 §5.2): every observer can derive them from the
 * client's first Destination Connection ID, which is why censors read
 * QUIC Initials and why this tool can. HMAC from node:crypto; no cipher code here.
 */
import { createHmac } from 'node:crypto';
import { Buffer } from 'node:buffer';
import type { QuicVersionInfo } from './versions';

export type QuicAead = 'aes-128-gcm' | 'aes-256-gcm' | 'chacha20-poly1305';

export interface PacketKeys {
  aead: QuicAead;
  key: Buffer;
  iv: Buffer;
  hp: Buffer;
}

export interface InitialSecrets {
  initialSecret: Buffer;
  clientSecret: Buffer;
  serverSecret: Buffer;
  client: PacketKeys;
  server: PacketKeys;
}

/** HKDF-Expand-Label of TLS 1.3 (RFC 8446 §7.1) with SHA-256 and an empty context. */
export function hkdfExpandLabel(secret: Uint8Array, label: string, length: number): Buffer {
  const full = Buffer.from(`tls13 ${label}`, 'latin1');
  const info = Buffer.alloc(2 + 1 + full.length + 1);
  info.writeUInt16BE(length, 0);
  info[2] = full.length;
  full.copy(info, 3);
  info[3 + full.length] = 0;
  // HKDF-Expand only: hkdfSync would run Extract first, with the secret as IKM.
  return Buffer.from(hkdfExpand(secret, info, length));
}

function hkdfExpand(prk: Uint8Array, info: Uint8Array, length: number): Buffer {
  const out: Buffer[] = [];
  let prev = Buffer.alloc(0);
  for (let i = 1; out.length * 32 < length; i++) {
    prev = createHmac('sha256', prk).update(prev).update(info).update(Buffer.from([i])).digest();
    out.push(prev);
  }
  return Buffer.concat(out).subarray(0, length);
}

function hkdfExtract(salt: Uint8Array, ikm: Uint8Array): Buffer {
  return createHmac('sha256', salt).update(ikm).digest();
}

/** key, iv and hp for one direction from its traffic secret (RFC 9001 §5.1). */
export function packetKeys(secret: Uint8Array, labelPrefix: string, aead: QuicAead = 'aes-128-gcm'): PacketKeys {
  const keyLength = aead === 'aes-128-gcm' ? 16 : 32;
  return {
    aead,
    key: hkdfExpandLabel(secret, `${labelPrefix} key`, keyLength),
    iv: hkdfExpandLabel(secret, `${labelPrefix} iv`, 12),
    hp: hkdfExpandLabel(secret, `${labelPrefix} hp`, keyLength),
  };
}

export function initialSecrets(version: QuicVersionInfo, dcid: Uint8Array): InitialSecrets {
  const initialSecret = hkdfExtract(Buffer.from(version.salt, 'hex'), dcid);
  const clientSecret = hkdfExpandLabel(initialSecret, 'client in', 32);
  const serverSecret = hkdfExpandLabel(initialSecret, 'server in', 32);
  return {
    initialSecret, clientSecret, serverSecret,
    client: packetKeys(clientSecret, version.labelPrefix),
    server: packetKeys(serverSecret, version.labelPrefix),
  };
}
