/**
 * Retry integrity tag (RFC 9001 §5.8, RFC 9369 §3.3.3): AES-128-GCM over the
 * Retry pseudo-packet with a key every version publishes. It proves nothing
 * about the server, but a mismatch means the Retry was not made for the
 * Original Destination Connection ID the client used (or was altered).
 */
import { createCipheriv } from 'node:crypto';
import { Buffer } from 'node:buffer';
import type { QuicVersionInfo } from './versions';

export function retryIntegrityTag(version: QuicVersionInfo, odcid: Uint8Array, retryWithoutTag: Uint8Array): Buffer {
  const pseudo = Buffer.concat([Buffer.from([odcid.length]), odcid, retryWithoutTag]);
  const c = createCipheriv('aes-128-gcm', Buffer.from(version.retryKey, 'hex'), Buffer.from(version.retryNonce, 'hex'));
  c.setAAD(pseudo);
  c.final();
  return c.getAuthTag();
}

/** True when the last 16 bytes of `retry` are the integrity tag for a client that used `odcid`. */
export function verifyRetry(version: QuicVersionInfo, odcid: Uint8Array, retry: Uint8Array): boolean {
  if (retry.length < 16) return false;
  const tag = retryIntegrityTag(version, odcid, retry.subarray(0, retry.length - 16));
  return tag.equals(retry.subarray(retry.length - 16));
}
