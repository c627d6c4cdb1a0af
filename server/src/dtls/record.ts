/**
 * DTLS record headers (RFC 6347 §4.1, RFC 9146 CID records, RFC 9147 §4
 * unified header). A datagram holds one or more records back to back; each is
 * parsed without copying, as offsets into the capture buffer.
 */

export const CT = { change_cipher_spec: 20, alert: 21, handshake: 22, application_data: 23, heartbeat: 24, tls12_cid: 25, ack: 26 } as const;

const CONTENT_TYPES: ReadonlyMap<number, string> = new Map([
  [20, 'ChangeCipherSpec'], [21, 'Alert'], [22, 'Handshake'], [23, 'ApplicationData'], [24, 'Heartbeat'], [25, 'tls12_cid'], [26, 'ACK'],
]);

export function contentTypeName(t: number): string {
  return CONTENT_TYPES.get(t) ?? `content type ${t}`;
}

/** Record versions a DTLS record header carries: DTLS 1.0, 1.2 (also in 1.3's plaintext records), OpenSSL's pre-RFC 1.0. */
export function isDtlsRecordVersion(v: number): boolean {
  return v === 0xfeff || v === 0xfefd || v === 0xfefc || v === 0x0100;
}

export interface DtlsRecordHeader {
  /** 'plaintext' = DTLSPlaintext/DTLSCiphertext (13 bytes), 'cid' = RFC 9146 tls12_cid, 'unified' = DTLS 1.3 (RFC 9147 §4). */
  form: 'plaintext' | 'cid' | 'unified';
  /** Content type; for 'cid' and 'unified' records the real type is encrypted: 25 / -1. */
  contentType: number;
  /** Record version; 0 for the unified header, which has none. */
  version: number;
  /** Epoch; the unified header carries only its two low bits. */
  epoch: number;
  /** Sequence number (48 bits fit a double); the unified header's is 8 or 16 bits and encrypted (record number encryption). */
  sequence: number;
  /** Connection ID bytes [cidStart, cidEnd) in the buffer; equal when absent. */
  cidStart: number;
  cidEnd: number;
  /** Record start, fragment start and end in the buffer. */
  start: number;
  bodyStart: number;
  end: number;
  /** Byte positions of the header fields (for ranges): offsets from `start`. */
  lengthAt: number;
}

export type RecordResult = DtlsRecordHeader | { error: string; at: number };

function u48(b: Uint8Array, p: number): number {
  return ((b[p] << 8) | b[p + 1]) * 2 ** 32 + (((b[p + 2] << 24) | (b[p + 3] << 16) | (b[p + 4] << 8) | b[p + 5]) >>> 0);
}

/**
 * The record at buf[p..end). `cidLength` is the length of the connection ID
 * the receiver asked for (negotiated in the hellos): neither the CID record
 * nor the unified header says it.
 */
export function parseRecord(buf: Uint8Array, p: number, end: number, cidLength: number): RecordResult {
  const first = buf[p];
  if ((first & 0xe0) === 0x20) return parseUnified(buf, p, end, cidLength);
  if (end - p < 13) return { error: `record header of ${end - p} bytes (13 needed)`, at: p };
  const version = (buf[p + 1] << 8) | buf[p + 2];
  const epoch = (buf[p + 3] << 8) | buf[p + 4];
  const sequence = u48(buf, p + 5);
  let q = p + 11;
  let cidEnd = q;
  if (first === CT.tls12_cid) {
    cidEnd = q + cidLength;
    if (cidEnd + 2 > end) return { error: `CID record header cut short (connection ID of ${cidLength} bytes)`, at: p };
    q = cidEnd;
  }
  const length = (buf[q] << 8) | buf[q + 1];
  const bodyStart = q + 2;
  if (bodyStart + length > end) return { error: `record of ${length} bytes, only ${end - bodyStart} left in the datagram`, at: p };
  return {
    form: first === CT.tls12_cid ? 'cid' : 'plaintext', contentType: first, version, epoch, sequence,
    cidStart: p + 11, cidEnd, start: p, bodyStart, end: bodyStart + length, lengthAt: q - p,
  };
}

/** RFC 9147 §4: 0b001CSLEE, then CID, 8- or 16-bit sequence, optional 16-bit length. */
function parseUnified(buf: Uint8Array, p: number, end: number, cidLength: number): RecordResult {
  const first = buf[p];
  const hasCid = (first & 0x10) !== 0;
  const seq16 = (first & 0x08) !== 0;
  const hasLength = (first & 0x04) !== 0;
  let q = p + 1;
  const cidStart = q;
  if (hasCid) q += cidLength;
  const cidEnd = q;
  const seqLen = seq16 ? 2 : 1;
  if (q + seqLen + (hasLength ? 2 : 0) > end) return { error: 'unified header cut short', at: p };
  const sequence = seq16 ? (buf[q] << 8) | buf[q + 1] : buf[q];
  q += seqLen;
  let recEnd = end;
  const lengthAt = q - p;
  if (hasLength) {
    const length = (buf[q] << 8) | buf[q + 1];
    q += 2;
    if (q + length > end) return { error: `record of ${length} bytes, only ${end - q} left in the datagram`, at: p };
    recEnd = q + length;
  }
  return { form: 'unified', contentType: -1, version: 0, epoch: first & 0x03, sequence, cidStart, cidEnd, start: p, bodyStart: q, end: recEnd, lengthAt };
}

export interface FragmentHeader {
  type: number;
  /** Whole message length. */
  length: number;
  messageSeq: number;
  fragmentOffset: number;
  fragmentLength: number;
  /** Buffer positions of the 12-byte header and the fragment bytes. */
  start: number;
  bodyStart: number;
}

/** The 12-byte DTLS handshake header (RFC 6347 §4.2.2) at buf[p..end). */
export function parseFragment(buf: Uint8Array, p: number, end: number): FragmentHeader | { error: string; at: number } {
  if (end - p < 12) return { error: `handshake fragment header of ${end - p} bytes (12 needed)`, at: p };
  const u24 = (q: number) => (buf[q] << 16) | (buf[q + 1] << 8) | buf[q + 2];
  const h: FragmentHeader = {
    type: buf[p], length: u24(p + 1), messageSeq: (buf[p + 4] << 8) | buf[p + 5], fragmentOffset: u24(p + 6), fragmentLength: u24(p + 9),
    start: p, bodyStart: p + 12,
  };
  if (h.bodyStart + h.fragmentLength > end) return { error: `fragment of ${h.fragmentLength} bytes, only ${end - h.bodyStart} left in the record`, at: p };
  if (h.fragmentOffset + h.fragmentLength > h.length) {
    return { error: `fragment ${h.fragmentOffset}+${h.fragmentLength} runs past the message length ${h.length}`, at: p };
  }
  return h;
}

/**
 * Whether a datagram on an unknown 5-tuple starts a DTLS handshake: a
 * plaintext handshake record of a DTLS version, epoch 0, holding the header of
 * a ClientHello, HelloVerifyRequest or ServerHello. Anything looser would claim
 * stray UDP whose first byte happens to be 22.
 */
export function startsDtlsHandshake(buf: Uint8Array, p: number, end: number): boolean {
  if (end - p < 25 || buf[p] !== CT.handshake) return false;
  const version = (buf[p + 1] << 8) | buf[p + 2];
  if (!isDtlsRecordVersion(version) || buf[p + 3] !== 0 || buf[p + 4] !== 0) return false;
  const length = (buf[p + 11] << 8) | buf[p + 12];
  if (length < 12 || p + 13 + length > end) return false;
  const t = buf[p + 13];
  return t === 1 || t === 2 || t === 3;
}
