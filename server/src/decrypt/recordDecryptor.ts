/** One direction's record protection; the pipeline calls decrypt() for each protected record in stream order. */
export interface RecordHeader { contentType: number; version: number; length: number }
export interface DecryptedRecord {
  /** Inner content type (TLS 1.3: from TLSInnerPlaintext; TLS 1.2: the outer header's). */
  contentType: number;
  plaintext: Uint8Array;
  /** Offset inside the record BODY of plaintext byte 0 (AEAD TLS 1.3: 0; TLS 1.2 GCM: 8 explicit nonce; CBC TLS>=1.1: IV length). */
  bodyOffset: number;
}
export type DecryptResult = { ok: true; record: DecryptedRecord } | { ok: false; reason: string };
export interface RecordDecryptor {
  /** seq is the record sequence number in this direction (the caller counts; reset on key change). */
  decrypt(header: RecordHeader, body: Uint8Array, seq: bigint): DecryptResult;
}
