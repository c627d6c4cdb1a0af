/**
 * QUIC versions whose Initial packets an observer can decrypt: each has its own
 * salt (RFC 9001 §5.2, RFC 9369 §3.3.1, drafts 27–32), HKDF labels (v2 uses
 * "quicv2 …") and Retry integrity key (RFC 9001 §5.8, RFC 9369 §3.3.3).
 */
export type LongPacketType = 'Initial' | '0-RTT' | 'Handshake' | 'Retry';

export interface QuicVersionInfo {
  version: number;
  name: string;
  salt: string;
  /** Prefix of the packet-protection labels: "quic" or "quicv2". */
  labelPrefix: string;
  retryKey: string;
  retryNonce: string;
  /** Long header type bits (0..3) → packet type: v2 renumbers them. */
  types: readonly [LongPacketType, LongPacketType, LongPacketType, LongPacketType];
}

const V1_TYPES = ['Initial', '0-RTT', 'Handshake', 'Retry'] as const;
const V2_TYPES = ['Retry', 'Initial', '0-RTT', 'Handshake'] as const;

const V1: Omit<QuicVersionInfo, 'version' | 'name'> = {
  salt: '38762cf7f55934b34d179ae6a4c80cadccbb7f0a', labelPrefix: 'quic',
  retryKey: 'be0c690b9f66575a1d766b54e368c84e', retryNonce: '461599d35d632bf2239825bb', types: V1_TYPES,
};
const DRAFT29: Omit<QuicVersionInfo, 'version' | 'name'> = {
  salt: 'afbfec289993d24c9e9786f19c6111e04390a899', labelPrefix: 'quic',
  retryKey: 'ccce187ed09a09d05728155a6cb96be1', retryNonce: 'e54930f97f2136f0530a8c1c', types: V1_TYPES,
};
const DRAFT27: Omit<QuicVersionInfo, 'version' | 'name'> = {
  salt: 'c3eef712c72ebb5a11a7d2432bb46365bef9f502', labelPrefix: 'quic',
  retryKey: '4d32ecdb2a2133c841e4043df27d4430', retryNonce: '4d1611d05513a552c587d575', types: V1_TYPES,
};

const KNOWN = new Map<number, QuicVersionInfo>([
  [0x00000001, { version: 0x00000001, name: 'QUIC v1', ...V1 }],
  [0x6b3343cf, {
    version: 0x6b3343cf, name: 'QUIC v2', salt: '0dede3def700a6db819381be6e269dcbf9bd2ed9', labelPrefix: 'quicv2',
    retryKey: '8fb4b01b56ac48e260fbcbcead7ccc92', retryNonce: 'd86969bc2d7c6d9990efb04a', types: V2_TYPES,
  }],
  ...[0x1b, 0x1c].map((d) => [0xff000000 + d, { version: 0xff000000 + d, name: `draft-${d}`, ...DRAFT27 }] as const),
  ...[0x1d, 0x1e, 0x1f, 0x20].map((d) => [0xff000000 + d, { version: 0xff000000 + d, name: `draft-${d}`, ...DRAFT29 }] as const),
]);

export function quicVersion(version: number): QuicVersionInfo | undefined {
  return KNOWN.get(version >>> 0);
}

/** A name for any version number, including reserved "greasing" ones (RFC 9000 §15: 0x?a?a?a?a). */
export function quicVersionName(version: number): string {
  const v = version >>> 0;
  const known = KNOWN.get(v);
  if (known) return known.name;
  if (v === 0) return 'Version Negotiation';
  if ((v & 0x0f0f0f0f) === 0x0a0a0a0a) return `reserved (0x${v.toString(16).padStart(8, '0')})`;
  return `0x${v.toString(16).padStart(8, '0')}`;
}
