/**
 * Handshake message types. Source: IANA "TLS HandshakeType" registry, checked
 * against Wireshark 4.0.17's `tls.handshake.type`; 67 (NPN's NextProtocol) is
 * not IANA but deployed. Names are the RFC structure names, which is how
 * analysts (and Wireshark's Info column) refer to them.
 */
const TYPES = new Map<number, string>([
  [0, 'HelloRequest'],
  [1, 'ClientHello'],
  [2, 'ServerHello'],
  [3, 'HelloVerifyRequest'],
  [4, 'NewSessionTicket'],
  [5, 'EndOfEarlyData'],
  [6, 'HelloRetryRequest'],
  [8, 'EncryptedExtensions'],
  [9, 'RequestConnectionId'],
  [10, 'NewConnectionId'],
  [11, 'Certificate'],
  [12, 'ServerKeyExchange'],
  [13, 'CertificateRequest'],
  [14, 'ServerHelloDone'],
  [15, 'CertificateVerify'],
  [16, 'ClientKeyExchange'],
  [17, 'ClientCertificateRequest'],
  [20, 'Finished'],
  [21, 'CertificateUrl'],
  [22, 'CertificateStatus'],
  [23, 'SupplementalData'],
  [24, 'KeyUpdate'],
  [25, 'CompressedCertificate'],
  [26, 'EktKey'],
  [67, 'NextProtocol'],
  [254, 'MessageHash'],
]);

export const HS = {
  hello_request: 0,
  client_hello: 1,
  server_hello: 2,
  hello_verify_request: 3,
  new_session_ticket: 4,
  end_of_early_data: 5,
  encrypted_extensions: 8,
  certificate: 11,
  server_key_exchange: 12,
  certificate_request: 13,
  server_hello_done: 14,
  certificate_verify: 15,
  client_key_exchange: 16,
  finished: 20,
  certificate_url: 21,
  certificate_status: 22,
  supplemental_data: 23,
  key_update: 24,
  compressed_certificate: 25,
  next_protocol: 67,
} as const;

export const ENCRYPTED_HANDSHAKE_TYPE = -1;
export const ENCRYPTED_HANDSHAKE_NAME = 'EncryptedHandshakeMessage';

export function handshakeTypeName(n: number): string {
  if (n === ENCRYPTED_HANDSHAKE_TYPE) return ENCRYPTED_HANDSHAKE_NAME;
  return TYPES.get(n) ?? `unknown (${n})`;
}

export function contentTypeName(n: number): string {
  return ({ 20: 'ChangeCipherSpec', 21: 'Alert', 22: 'Handshake', 23: 'ApplicationData', 24: 'Heartbeat', 25: 'ConnectionId', 0x80: 'SSLv2' } as Record<number, string>)[n] ?? `unknown (${n})`;
}
