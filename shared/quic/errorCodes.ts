/**
 * Names of QUIC CONNECTION_CLOSE error codes: transport errors (RFC 9000
 * §20.1, IANA "QUIC Transport Error Codes", CRYPTO_ERROR carrying a TLS alert)
 * for frame type 0x1c, and HTTP/3 application errors (RFC 9114 §8.1) for
 * 0x1d when the connection negotiated h3. Names as Wireshark 4.0 shows them.
 */
import { alertDescriptionName } from '../tls/registry/alerts';

const TRANSPORT = [
  'NO_ERROR', 'INTERNAL_ERROR', 'CONNECTION_REFUSED', 'FLOW_CONTROL_ERROR', 'STREAM_LIMIT_ERROR', 'STREAM_STATE_ERROR',
  'FINAL_SIZE_ERROR', 'FRAME_ENCODING_ERROR', 'TRANSPORT_PARAMETER_ERROR', 'CONNECTION_ID_LIMIT_ERROR', 'PROTOCOL_VIOLATION',
  'INVALID_TOKEN', 'APPLICATION_ERROR', 'CRYPTO_BUFFER_EXCEEDED', 'KEY_UPDATE_ERROR', 'AEAD_LIMIT_REACHED', 'NO_VIABLE_PATH',
];

const HTTP3 = [
  'H3_NO_ERROR', 'H3_GENERAL_PROTOCOL_ERROR', 'H3_INTERNAL_ERROR', 'H3_STREAM_CREATION_ERROR', 'H3_CLOSED_CRITICAL_STREAM',
  'H3_FRAME_UNEXPECTED', 'H3_FRAME_ERROR', 'H3_EXCESSIVE_LOAD', 'H3_ID_ERROR', 'H3_SETTINGS_ERROR', 'H3_MISSING_SETTINGS',
  'H3_REQUEST_REJECTED', 'H3_REQUEST_CANCELLED', 'H3_REQUEST_INCOMPLETE', 'H3_MESSAGE_ERROR', 'H3_CONNECT_ERROR', 'H3_VERSION_FALLBACK',
];

const hex = (n: number) => `0x${n.toString(16)}`;

/** A transport error code (CONNECTION_CLOSE type 0x1c): "PROTOCOL_VIOLATION", "CRYPTO_ERROR (handshake_failure)". */
export function quicTransportErrorName(code: number): string {
  if (code < TRANSPORT.length) return TRANSPORT[code];
  if (code >= 0x100 && code <= 0x1ff) return `CRYPTO_ERROR (${alertDescriptionName(code - 0x100)})`;
  return `unknown (${hex(code)})`;
}

/** An application error code (type 0x1d): named only for HTTP/3, whose codes the ALPN tells. */
export function quicApplicationErrorName(code: number, alpn: string | null): string | null {
  if (alpn !== null && /^h3(-\d+)?$/.test(alpn) && code >= 0x100 && code < 0x100 + HTTP3.length) return HTTP3[code - 0x100];
  return null;
}
