/**
 * Opening one protected long-header packet (Initial, or Handshake/0-RTT when
 * keys are known): header protection off, packet number recovered, payload
 * decrypted and authenticated. Plaintext byte i is ciphertext byte i, so the
 * caller maps a frame's plaintext offset to `payloadOffset + i` in the datagram.
 */
import type { PacketKeys } from './keys';
import type { QuicPacketHeader } from './packet';
import { decodePacketNumber, decryptPayload, removeHeaderProtection } from './protection';

export interface OpenedPacket {
  packetNumber: number;
  packetNumberLength: number;
  /** First byte with the protected bits restored (reserved bits, packet number length). */
  firstByte: number;
  plaintext: Uint8Array;
  /** Where plaintext byte 0 sits in the buffer the header was parsed from. */
  payloadOffset: number;
}

export function openPacket(buf: Uint8Array, h: QuicPacketHeader, keys: PacketKeys, largestPn: number): OpenedPacket | string {
  if (h.pnOffset < 0) return `${h.type} packets carry no protected payload`;
  const u = removeHeaderProtection(keys, buf, h.start, h.pnOffset, h.end);
  if (u === null) return 'packet too short for a header protection sample';
  const payloadOffset = h.pnOffset + u.packetNumberLength;
  const packetNumber = decodePacketNumber(largestPn, u.truncatedPacketNumber, u.packetNumberLength);
  const plaintext = decryptPayload(keys, packetNumber, u.header, buf.subarray(payloadOffset, h.end));
  if (plaintext === null) return 'payload does not authenticate with these keys';
  return { packetNumber, packetNumberLength: u.packetNumberLength, firstByte: u.firstByte, plaintext, payloadOffset };
}
