/**
 * TLS ExtensionType values.
 *
 * Source: the IANA "TLS ExtensionType Values" registry (names as IANA spells
 * them), checked against Wireshark 4.0.17's `tls.handshake.extension.type`
 * value strings, which add the widely deployed unregistered ones marked
 * `not IANA` (NPN, ALPS, Channel ID, ESNI, the QUIC draft code point).
 * GREASE values are recognised by `isGrease`.
 */
import { isGrease } from './grease';

const EXTENSIONS = new Map<number, string>([
  [0, 'server_name'],
  [1, 'max_fragment_length'],
  [2, 'client_certificate_url'],
  [3, 'trusted_ca_keys'],
  [4, 'truncated_hmac'],
  [5, 'status_request'],
  [6, 'user_mapping'],
  [7, 'client_authz'],
  [8, 'server_authz'],
  [9, 'cert_type'],
  [10, 'supported_groups'],
  [11, 'ec_point_formats'],
  [12, 'srp'],
  [13, 'signature_algorithms'],
  [14, 'use_srtp'],
  [15, 'heartbeat'],
  [16, 'application_layer_protocol_negotiation'],
  [17, 'status_request_v2'],
  [18, 'signed_certificate_timestamp'],
  [19, 'client_certificate_type'],
  [20, 'server_certificate_type'],
  [21, 'padding'],
  [22, 'encrypt_then_mac'],
  [23, 'extended_master_secret'],
  [24, 'token_binding'],
  [25, 'cached_info'],
  [26, 'tls_lts'],
  [27, 'compress_certificate'],
  [28, 'record_size_limit'],
  [29, 'pwd_protect'],
  [30, 'pwd_clear'],
  [31, 'password_salt'],
  [32, 'ticket_pinning'],
  [33, 'tls_cert_with_extern_psk'],
  [34, 'delegated_credential'],
  [35, 'session_ticket'],
  [36, 'TLMSP'],
  [37, 'TLMSP_proxying'],
  [38, 'TLMSP_delegate'],
  [39, 'supported_ekt_ciphers'],
  [40, 'reserved (40)'],
  [41, 'pre_shared_key'],
  [42, 'early_data'],
  [43, 'supported_versions'],
  [44, 'cookie'],
  [45, 'psk_key_exchange_modes'],
  [46, 'reserved (46)'],
  [47, 'certificate_authorities'],
  [48, 'oid_filters'],
  [49, 'post_handshake_auth'],
  [50, 'signature_algorithms_cert'],
  [51, 'key_share'],
  [52, 'transparency_info'],
  [53, 'connection_id_deprecated'],
  [54, 'connection_id'],
  [55, 'external_id_hash'],
  [56, 'external_session_id'],
  [57, 'quic_transport_parameters'],
  [58, 'ticket_request'],
  [59, 'dnssec_chain'],
  [60, 'sequence_number_encryption_algorithms'],
  [61, 'rrc'],
  [62, 'tls_flags'],
  [13172, 'next_protocol_negotiation'], // not IANA (NPN, 0x3374)
  [17513, 'application_settings_old'], // not IANA (ALPS, Chrome's first code point 0x4469)
  [17613, 'application_settings'], // not IANA (ALPS, 0x44cd)
  [30031, 'channel_id_old'], // not IANA
  [30032, 'channel_id'], // not IANA
  [64768, 'ech_outer_extensions'], // 0xfd00
  [65037, 'encrypted_client_hello'], // 0xfe0d
  [65281, 'renegotiation_info'], // 0xff01
  [65445, 'quic_transport_parameters_draft'], // not IANA (0xffa5)
  [65486, 'encrypted_server_name'], // not IANA (ESNI drafts, 0xffce)
]);

export const EXT = {
  server_name: 0,
  max_fragment_length: 1,
  status_request: 5,
  supported_groups: 10,
  ec_point_formats: 11,
  signature_algorithms: 13,
  use_srtp: 14,
  heartbeat: 15,
  alpn: 16,
  status_request_v2: 17,
  signed_certificate_timestamp: 18,
  client_certificate_type: 19,
  server_certificate_type: 20,
  padding: 21,
  encrypt_then_mac: 22,
  extended_master_secret: 23,
  compress_certificate: 27,
  record_size_limit: 28,
  delegated_credential: 34,
  session_ticket: 35,
  pre_shared_key: 41,
  early_data: 42,
  supported_versions: 43,
  cookie: 44,
  psk_key_exchange_modes: 45,
  certificate_authorities: 47,
  oid_filters: 48,
  post_handshake_auth: 49,
  signature_algorithms_cert: 50,
  key_share: 51,
  /** key_share in TLS 1.3 drafts before 23 (IANA lists 40 as reserved). */
  key_share_draft: 40,
  connection_id: 54,
  ticket_request: 58,
  next_protocol_negotiation: 13172,
  application_settings_old: 17513,
  application_settings: 17613,
  ech_outer_extensions: 0xfd00,
  encrypted_client_hello: 0xfe0d,
  renegotiation_info: 0xff01,
  encrypted_server_name: 0xffce,
} as const;

export function extensionName(n: number): string {
  const name = EXTENSIONS.get(n);
  if (name !== undefined) return name;
  if (isGrease(n)) return `GREASE (0x${n.toString(16).padStart(4, '0')})`;
  if (n >= 0xff00 && n <= 0xffff) return `private use (0x${n.toString(16)})`;
  return `unknown (0x${n.toString(16).padStart(4, '0')})`;
}

export function isKnownExtension(n: number): boolean {
  return EXTENSIONS.has(n);
}
