/**
 * Problem codes the TLS decoder reports through TlsSink.problem, with what
 * each means. Rules and reports key on these codes, so they are stable.
 */
export const TLS_PROBLEMS = {
  'tls.not-tls': 'The direction does not start with a TLS record (the message shows what it starts with).',
  'tls.record-length': 'A record header claims more than 2^14+2048 bytes: garbage or not TLS; decoding of the direction stops.',
  'tls.record-header': 'Bytes where a record header should be are not one (bad content type or version); decoding stops.',
  'tls.record-overflow': 'A cleartext record is longer than 2^14 bytes.',
  'tls.empty-record': 'A zero-length handshake, alert, ChangeCipherSpec or heartbeat record.',
  'tls.record-truncated': 'A record was cut short by the end of the stream or lost in a gap.',
  'tls.handshake-length': 'A handshake message claims more than maxMessageBytes; decoding of the direction stops.',
  'tls.message-truncated': 'A handshake message was cut short (end of stream, gap, or ChangeCipherSpec in the middle).',
  'tls.ccs-body': 'ChangeCipherSpec body is not the single byte 01.',
  'tls.alert-length': 'A cleartext alert record whose length is not a multiple of 2.',
  'tls.heartbeat': 'A heartbeat record (RFC 6520) was seen.',
  'tls.heartbleed': 'A heartbeat claims a payload longer than its record: the CVE-2014-0160 over-read pattern.',
  'tls.sslv2': 'An SSL 2.0 message out of place (not a CLIENT-HELLO, SERVER-HELLO or CLIENT-MASTER-KEY where one was due), not decoded.',
  'tls.sslv2-challenge': 'SSLv2 ClientHello challenge outside 16-32 bytes.',
  'tls.sslv2-certificate-type': 'An SSLv2 SERVER-HELLO certificate of a type other than X.509 (1), not decoded.',
  'tls.sslv2-connection-id': 'An SSLv2 SERVER-HELLO connection id outside 16-32 bytes.',
  'tls.sslv2-padding': 'An SSLv2 3-byte record header whose padding count exceeds the record length.',
  'tcp.gap': 'Bytes of the stream are missing (capture loss); what follows is marked afterGap.',
  'tls.resync': 'After a gap, record framing was found again; the span covers the bytes skipped.',
  'tls.vector-overrun': 'A length-prefixed field runs past the end of its enclosing structure (span: the length field).',
  'tls.truncated-field': 'A fixed-size field is cut off by the end of its enclosing structure.',
  'tls.trailing-bytes': 'Bytes left over after the last field of a structure.',
  'tls.odd-length': 'A list length is not a multiple of its element size.',
  'tls.extension-truncated': 'Fewer than 4 bytes left in an extensions block: no room for an extension header.',
  'tls.extension-overrun': 'An extension length runs past the end of the extensions block (span: the length field).',
  'tls.duplicate-extension': 'The same extension type appears twice in one message.',
  'tls.empty-protocol': 'An empty ALPN/NPN protocol name.',
  'tls.padding-nonzero': 'The padding extension contains non-zero bytes (covert data or a broken client).',
  'tls.session-id-length': 'A session id longer than 32 bytes.',
  'tls.empty-list': 'A ClientHello without cipher suites.',
  'tls.empty-certificate': 'A zero-length certificate in a Certificate message.',
  'tls.downgrade-sentinel': 'ServerHello random carries the TLS 1.3 downgrade sentinel: the server supports a newer version than it chose.',
  'tls.explicit-curve': 'ServerKeyExchange uses explicit curve parameters instead of a named curve.',
  'tls.unexpected-message': 'A ServerKeyExchange under a key exchange that has none.',
  'tls.missing-signature': 'ServerKeyExchange parameters are not followed by the signature the suite requires.',
  'tls.decode-exception': 'A decoder failed unexpectedly (a bug); the message or stream was abandoned.',
} as const;

export type TlsProblemCode = keyof typeof TLS_PROBLEMS;

export const TLS_PROBLEM_CODES = Object.keys(TLS_PROBLEMS) as TlsProblemCode[];
