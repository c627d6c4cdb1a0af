/**
 * Decoded TLS extensions as they appear in the `--json` contract: one variant
 * per extension the engine decodes (keyed by its IANA type number), plus the
 * extensions it does not decode. Part of the contract, so declared here on
 * its own; the decoders (server/src/tls/extensions.ts) fill these shapes.
 *
 * Every `data` field is optional: decoding stops at the first malformed or
 * truncated field and keeps what came before it, and the same extension has
 * a different body in a ClientHello and in a ServerHello (noted per field).
 *
 * In `--json` (schema 4, unless --full) a hello's first extension of a type
 * has no `data` when the hello's own non-empty field holds it
 * (shared/contractDerived.ts `heldByHello`): in a ClientHello server_name
 * `{serverNames: [{type: 0, name: serverName}]}`, supported_groups
 * `{groups: supportedGroups}`, ec_point_formats `{formats: ecPointFormats}`,
 * signature_algorithms `{algorithms: signatureAlgorithms}`, ALPN
 * `{protocols: alpn}`, supported_versions `{versions: supportedVersions}`; in
 * a ServerHello ALPN `{protocols: [alpn]}`, supported_versions
 * `{selected: selectedVersion, selectedName}` (when selectedVersion is not
 * legacyVersion).
 *
 * The name lists (`groupNames`, `formatNames`, `algorithmNames`,
 * `versionNames`, and `groupName` in a ClientHello's key shares) only repeat
 * the numbers beside them by their IANA names: `--json` writes them only with
 * `--names`.
 */

export interface ServerNameData {
  /** ClientHello only; a ServerHello's acknowledgement is empty. */
  serverNames?: Array<{ type: number; name: string }>;
}
export interface MaxFragmentLengthData {
  value?: number;
  /** Bytes, null for a code outside 1..4. */
  size?: number | null;
}
export interface StatusRequestData {
  statusType?: number;
  /** ClientHello. */
  responderIdListLength?: number;
  requestExtensionsLength?: number;
  /** TLS 1.3 Certificate entry. */
  responseLength?: number;
}
export interface SupportedGroupsData {
  groups?: number[];
  groupNames?: string[];
}
export interface EcPointFormatsData {
  formats?: number[];
  formatNames?: string[];
}
export interface SignatureAlgorithmsData {
  algorithms?: number[];
  algorithmNames?: string[];
}
/** delegated_credential: the algorithm list in a ClientHello or CertificateRequest, else only the length. */
export interface DelegatedCredentialData extends SignatureAlgorithmsData {
  length?: number;
}
/** ALPN, ALPS and NPN: protocol names, non-printable bytes escaped (the extension's `raw` keeps them exact). */
export interface ProtocolListData {
  protocols?: string[];
}
export interface SignedCertificateTimestampData {
  listLength?: number;
  count?: number;
}
export interface CertificateTypeData {
  /** ClientHello. */
  types?: number[];
  /** ServerHello / EncryptedExtensions. */
  type?: number;
}
export interface PaddingData {
  length?: number;
  allZero?: boolean;
}
/** encrypt_then_mac, extended_master_secret, post_handshake_auth: presence is the whole message. */
export type EmptyData = Record<string, never>;
export interface CompressCertificateData {
  algorithms?: number[];
}
export interface RecordSizeLimitData {
  limit?: number;
}
export interface SessionTicketData {
  ticketLength?: number;
}
export interface PreSharedKeyData {
  /** ClientHello. */
  identities?: Array<{ identityLength: number; obfuscatedTicketAge: number }>;
  binderLengths?: number[];
  /** ServerHello. */
  selectedIdentity?: number;
}
export interface EarlyDataData {
  /** NewSessionTicket only. */
  maxEarlyDataSize?: number;
}
export interface SupportedVersionsData {
  /** ClientHello. */
  versions?: number[];
  versionNames?: string[];
  /** ServerHello / HelloRetryRequest. */
  selected?: number;
  selectedName?: string;
}
export interface CookieData {
  length?: number;
}
export interface PskKeyExchangeModesData {
  modes?: number[];
}
export interface CertificateAuthoritiesData {
  count?: number;
  length?: number;
}
export interface KeyShareData {
  /** ClientHello: one entry per offered share. */
  shares?: Array<{
    group: number;
    /** In `--json` only with `--names`. @withNames */
    groupName: string;
    length: number;
  }>;
  /** ServerHello: the chosen share. */
  group?: number;
  groupName?: string;
  length?: number;
  /** HelloRetryRequest: the group the server asks for. */
  selectedGroup?: number;
  selectedGroupName?: string;
}
export interface RenegotiationInfoData {
  length?: number;
  /** Hex. */
  renegotiatedConnection?: string;
}
export interface HeartbeatData {
  mode?: number;
}
export interface EncryptedClientHelloData {
  /** ClientHello: 0 outer, 1 inner. */
  type?: number;
  kdfId?: number;
  aeadId?: number;
  configId?: number;
  encLength?: number;
  payloadLength?: number;
  /** EncryptedExtensions. */
  retryConfigsLength?: number;
  /** HelloRetryRequest. */
  confirmationLength?: number;
}
/**
 * Legacy ESNI (0xffce, draft-ietf-tls-esni-01 to -04). ClientHello: ClientEncryptedSNI = cipher suite, key share
 * (group, key exchange), ESNIKeys record digest, encrypted SNI. EncryptedExtensions: the 16-byte nonce echo.
 */
export interface EncryptedServerNameData {
  cipherSuite?: number;
  keyShareGroup?: number;
  keyShareGroupName?: string;
  keyShareLength?: number;
  /** Hex: a hash of the server's published ESNIKeys, which names the key the client used. */
  recordDigest?: string;
  encryptedSniLength?: number;
  /** EncryptedExtensions. */
  nonceLength?: number;
}
export interface EchOuterExtensionsData {
  types?: number[];
}
export interface UseSrtpData {
  profiles?: number[];
  /** IANA DTLS-SRTP protection profile names of `profiles`. */
  profileNames?: string[];
  mkiLength?: number;
  /** Hex; only when the MKI is not empty. */
  mki?: string;
}
export interface ConnectionIdData {
  cidLength?: number;
  /** Hex: the connection ID the sender asks to receive (RFC 9146). */
  cid?: string;
}
export interface TicketRequestData {
  newSessionCount?: number;
  resumptionCount?: number;
}

/** IANA extension type → the shape of its decoded `data`. */
/** quic_transport_parameters (RFC 9000 §18): every parameter named. */
export interface QuicTransportParametersData {
  parameters?: Array<{
    id: number;
    name: string;
    /** A number for integer parameters (decimal text above 2^53), hex for the rest, true for the empty flags. */
    value: number | string | boolean;
  }>;
}

export interface ExtensionDataByType {
  0: ServerNameData;
  1: MaxFragmentLengthData;
  5: StatusRequestData;
  10: SupportedGroupsData;
  11: EcPointFormatsData;
  13: SignatureAlgorithmsData;
  14: UseSrtpData;
  15: HeartbeatData;
  16: ProtocolListData;
  18: SignedCertificateTimestampData;
  19: CertificateTypeData;
  20: CertificateTypeData;
  21: PaddingData;
  22: EmptyData;
  23: EmptyData;
  27: CompressCertificateData;
  28: RecordSizeLimitData;
  34: DelegatedCredentialData;
  35: SessionTicketData;
  /** key_share as TLS 1.3 drafts up to 22 numbered it (IANA: reserved); same layout as 51. */
  40: KeyShareData;
  41: PreSharedKeyData;
  42: EarlyDataData;
  43: SupportedVersionsData;
  44: CookieData;
  45: PskKeyExchangeModesData;
  47: CertificateAuthoritiesData;
  49: EmptyData;
  50: SignatureAlgorithmsData;
  51: KeyShareData;
  54: ConnectionIdData;
  57: QuicTransportParametersData;
  58: TicketRequestData;
  13172: ProtocolListData;
  17513: ProtocolListData;
  17613: ProtocolListData;
  0xfd00: EchOuterExtensionsData;
  0xfe0d: EncryptedClientHelloData;
  0xff01: RenegotiationInfoData;
  0xffce: EncryptedServerNameData;
  /** quic_transport_parameters as drafts 27–32 numbered it. */
  0xffa5: QuicTransportParametersData;
}

export type DecodedExtensionType = keyof ExtensionDataByType;

interface ExtensionHeader {
  /** IANA registry name, or `unknown (N)` / `GREASE (0x…)`. In `--json` left out when it is the registry's name of `type` (unless --full). @jsonMayOmit */
  name: string;
  /** @jsonDefault false */
  grease: boolean;
  /** Body length as the header states it. */
  length: number;
  /** Hex of the body when not decoded (and always for ALPN, whose names are byte strings), at most 64 bytes. */
  raw?: string;
  /** `raw` holds only the first 64 bytes of the body. */
  rawTruncated?: boolean;
}

/** An extension the engine decodes. */
export type DecodedExtension = {
  [K in DecodedExtensionType]: ExtensionHeader & {
    type: K;
    /**
     * Absent when its length ran past the extension block; in `--json` (unless --full) also on a hello's first
     * extension of a type whose data the hello's own non-empty field holds (README: extension data the hello holds). @jsonMayOmit
     */
    data?: ExtensionDataByType[K];
  };
}[DecodedExtensionType];

/** Any other extension (and GREASE): only `raw`. */
export interface UndecodedExtension extends ExtensionHeader {
  type: number;
  data?: undefined;
}

export type TlsExtension = DecodedExtension | UndecodedExtension;

/**
 * The decoded data of the first extension of `type` in `exts`: `{}` when it
 * is there but its body was not decoded, undefined when absent. The one place
 * the union is narrowed by type number (a numeric `type` cannot exclude the
 * undecoded variant on its own).
 */
export function extensionData<K extends DecodedExtensionType>(exts: readonly TlsExtension[], type: K): ExtensionDataByType[K] | undefined {
  for (const e of exts) if (e.type === type) return (e.data ?? {}) as ExtensionDataByType[K];
  return undefined;
}
