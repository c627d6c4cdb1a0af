/**
 * The quic_transport_parameters TLS extension (0x39, RFC 9000 §18): a list of
 * (id, length, value) with varint ids and lengths. Every parameter is named;
 * integers are decoded, connection IDs and tokens shown in hex.
 */
import { Buffer } from 'node:buffer';
import { readVarint, varintText } from './varint';

export interface TransportParameter {
  id: number;
  name: string;
  /** Offset of the parameter (id first) in the extension body, and its total length. */
  offset: number;
  length: number;
  /** Decoded value: a number for integer parameters (decimal text above 2^53), hex for the rest, true for the empty flags. */
  value: number | string | boolean;
}

type Kind = 'int' | 'hex' | 'flag';

/** RFC 9000 §18.2, RFC 9221 (datagrams), RFC 9287 (grease_quic_bit), RFC 9368 (version_information), drafts that deployed stacks send. */
const PARAMS = new Map<number, [string, Kind]>([
  [0x00, ['original_destination_connection_id', 'hex']],
  [0x01, ['max_idle_timeout', 'int']],
  [0x02, ['stateless_reset_token', 'hex']],
  [0x03, ['max_udp_payload_size', 'int']],
  [0x04, ['initial_max_data', 'int']],
  [0x05, ['initial_max_stream_data_bidi_local', 'int']],
  [0x06, ['initial_max_stream_data_bidi_remote', 'int']],
  [0x07, ['initial_max_stream_data_uni', 'int']],
  [0x08, ['initial_max_streams_bidi', 'int']],
  [0x09, ['initial_max_streams_uni', 'int']],
  [0x0a, ['ack_delay_exponent', 'int']],
  [0x0b, ['max_ack_delay', 'int']],
  [0x0c, ['disable_active_migration', 'flag']],
  [0x0d, ['preferred_address', 'hex']],
  [0x0e, ['active_connection_id_limit', 'int']],
  [0x0f, ['initial_source_connection_id', 'hex']],
  [0x10, ['retry_source_connection_id', 'hex']],
  [0x11, ['version_information', 'hex']],
  [0x20, ['max_datagram_frame_size', 'int']],
  [0x2ab2, ['grease_quic_bit', 'flag']],
  [0x3127, ['initial_rtt', 'int']],
  [0x3128, ['google_connection_options', 'hex']],
  [0x3129, ['user_agent', 'hex']],
  [0x4752, ['google_version', 'hex']],
  [0xff73db, ['version_information_draft', 'hex']],
  [0xff04de1a, ['min_ack_delay_draft', 'int']],
  [0xff04de1b, ['min_ack_delay', 'int']],
]);

/** Reserved ids (31 * N + 27, RFC 9000 §18.1) exist to exercise unknown-parameter handling. */
export function isReservedParameter(id: number): boolean {
  return id >= 27 && (id - 27) % 31 === 0;
}

export function transportParameterName(id: number): string {
  const p = PARAMS.get(id);
  if (p) return p[0];
  if (isReservedParameter(id)) return 'reserved (GREASE)';
  return `unknown (0x${id.toString(16)})`;
}

/** Cap on hex shown per value: transport parameters are attacker-chosen. */
const HEX_CAP = 64;

export interface TransportParameterList {
  parameters: TransportParameter[];
  problem: { message: string; offset: number } | null;
}

export function decodeTransportParameters(b: Uint8Array, start = 0, end = b.length): TransportParameterList {
  const parameters: TransportParameter[] = [];
  let p = start;
  while (p < end) {
    const at = p;
    const id = readVarint(b, p, end);
    if (id === null) return { parameters, problem: { message: 'transport parameter id truncated', offset: p - start } };
    p += id.length;
    const len = readVarint(b, p, end);
    if (len === null) return { parameters, problem: { message: `transport parameter ${transportParameterName(id.value)}: length truncated`, offset: p - start } };
    p += len.length;
    if (p + len.value > end) {
      return { parameters, problem: { message: `transport parameter ${transportParameterName(id.value)}: length ${len.value} runs past the extension`, offset: p - start } };
    }
    const kind = PARAMS.get(id.value)?.[1] ?? 'hex';
    let value: number | string | boolean;
    if (kind === 'int') {
      const v = readVarint(b, p, p + len.value);
      if (v === null || v.length !== len.value) value = hex(b, p, p + len.value);
      else value = Number.isSafeInteger(v.value) ? v.value : varintText(b, p, v.length);
    } else if (kind === 'flag' && len.value === 0) {
      value = true;
    } else {
      value = hex(b, p, p + len.value);
    }
    p += len.value;
    parameters.push({ id: id.value, name: transportParameterName(id.value), offset: at - start, length: p - at, value });
  }
  return { parameters, problem: null };
}

function hex(b: Uint8Array, a: number, z: number): string {
  const cut = z - a > HEX_CAP;
  const s = Buffer.from(b.subarray(a, cut ? a + HEX_CAP : z)).toString('hex');
  return cut ? `${s}…` : s;
}
