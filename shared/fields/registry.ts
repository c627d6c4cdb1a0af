/**
 * The field registry: every decoded field a rule may name or a surface may
 * show, with its label, the message it is in, the IANA registry that names
 * its numbers and how its value reads. Rules (which fields exist, which
 * message), reports (the handshake tables), hovers and the text dissection
 * (names and values of range keys) and the webview's field tree all read it,
 * so one field is called the same everywhere.
 *
 * A new decoded field needs its decoder and one entry here.
 */
import type { CertificateReport, ClientHelloReport, Fingerprints, ServerHelloReport, ServerKeyExchangeReport, TlsExtension, TlsSummary } from '../analysis';
import { list, named, plainValue, shortHex, type NameRegistry } from './format';
import { patternOf } from './path';

export type MessageName = 'ClientHello' | 'ServerHello' | 'ServerKeyExchange' | 'Certificate';

export interface FieldDescriptor {
  /** Path in the grammar of path.ts, `[*]` for any index: `clientHello.extensions[*].type`. */
  path: string;
  label: string;
  /** The handshake message whose bytes hold the field; null for fields of no one message. */
  message: MessageName | null;
  /** The IANA registry naming its numbers. */
  names?: NameRegistry;
  /** How its value reads when the plain rule (plainValue) would not do; null: nothing to show. */
  show?: (value: unknown, holder: unknown) => string | null;
  /** A value the report does not keep but the bytes hold (length prefixes), from the object that holds the field. */
  derive?: (holder: unknown) => unknown;
  /** Name of one element of a list field (`extensions[3]` is "server_name"); default `[3]`. */
  itemLabel?: (item: unknown, index: number) => string;
  /** How one element of a list field reads, when not like the list's numbers. */
  itemShow?: (item: unknown) => string | null;
  /** A row of the reports' handshake tables (in registry order). */
  table?: boolean;
  /** Shown with a certificate in the webview tree and the text dissection. */
  certRow?: boolean;
  /** A summary field: its bytes are those of this field. */
  source?: string;
  /** A decoder range key only (length prefixes, `…List` vectors): no report property, so not for rules. */
  rangeOnly?: boolean;
}

type Spec = Omit<FieldDescriptor, 'path' | 'message'> & { message?: MessageName | null };
/** Typed by the report's own keys, so a renamed report field breaks the build instead of silently making rules never match. */
type Specs<T> = { [K in keyof T]?: Spec };

type Obj = Record<string, unknown>;
const arr = (v: unknown): unknown[] | null => (Array.isArray(v) ? v : null);
const str = (v: unknown): string | null => (typeof v === 'string' ? v : null);
const num = (v: unknown): number | null => (typeof v === 'number' ? v : null);
const field = (holder: unknown, key: string): unknown => (holder !== null && typeof holder === 'object' ? (holder as Obj)[key] : undefined);

/** Text from the capture (names, subjects): shown whole, never cut like hex. */
const text = (v: unknown) => (v === '' ? '(empty)' : str(v));
const textOrNone = (v: unknown) => (v === null ? '(none)' : text(v));
const bytes = (unit: string) => (v: unknown) => (num(v) === null ? null : `${v} ${unit}`);
const extensionList = (v: unknown) => {
  const xs = arr(v);
  return xs ? list(xs.map((e) => `${str(field(e, 'name')) ?? '?'} (${num(field(e, 'length')) ?? '?'} B)`)) : null;
};
const extensionItem = (item: unknown, i: number) => str(field(item, 'name')) ?? `extension ${i}`;
const extensionValue = (v: unknown) => (v && typeof v === 'object' ? `${num(field(v, 'length')) ?? '?'} B${field(v, 'grease') ? ' (GREASE)' : ''}` : null);
const sessionId = (v: unknown) => (typeof v !== 'string' ? null : v ? `${v.length / 2} bytes: ${shortHex(v)}` : '(empty)');
/** Empty lists of optional extensions read as absent in the tables. */
const namesOrAbsent = (names: NameRegistry) => (v: unknown) => (arr(v)?.length ? plainValue(v, names) : null);
const hexBytes = (key: string) => (holder: unknown) => {
  const h = str(field(holder, key));
  return h === null ? undefined : h.length / 2;
};
const lengthOf = (key: string, size: (xs: unknown[]) => number) => (holder: unknown) => {
  const xs = arr(field(holder, key));
  return xs ? size(xs) : undefined;
};

// ---------------------------------------------------------------------------
// The handshake messages

const CLIENT_HELLO: Specs<ClientHelloReport> = {
  recordVersion: { label: 'record version', names: 'version', table: true },
  legacyVersion: { label: 'legacy version', names: 'version', table: true },
  supportedVersions: { label: 'supported versions', names: 'version', table: true, show: namesOrAbsent('version') },
  serverName: { label: 'server name (SNI)', table: true, show: textOrNone },
  alpn: { label: 'ALPN', table: true },
  cipherSuites: {
    label: 'cipher suites', names: 'cipherSuite', table: true,
    show: (v) => { const xs = arr(v); return xs ? `${xs.length}: ${list(xs.map((s) => (typeof s === 'number' ? named('cipherSuite', s) : String(s))))}` : null; },
  },
  supportedGroups: { label: 'supported groups', names: 'namedGroup', table: true },
  signatureAlgorithms: { label: 'signature algorithms', names: 'signatureScheme', table: true },
  ecPointFormats: { label: 'EC point formats', names: 'ecPointFormat', table: true, show: namesOrAbsent('ecPointFormat') },
  compressionMethods: { label: 'compression methods', table: true },
  extensions: { label: 'extensions (wire order)', table: true, show: extensionList, itemLabel: extensionItem, itemShow: extensionValue },
  random: { label: 'random', table: true },
  sessionId: { label: 'session id', table: true, show: sessionId },
  cookie: { label: 'cookie (DTLS)', table: true, show: sessionId },
  sslv2: { label: 'SSLv2-compatible hello' },
};

const SERVER_HELLO: Specs<ServerHelloReport> = {
  recordVersion: { label: 'record version', names: 'version', table: true },
  legacyVersion: { label: 'legacy version', names: 'version', table: true },
  selectedVersion: { label: 'negotiated version', names: 'version', table: true },
  cipherSuite: { label: 'cipher suite', names: 'cipherSuite', table: true },
  cipherSuiteName: { label: 'cipher suite name', show: text },
  compressionMethod: { label: 'compression method', table: true },
  alpn: { label: 'ALPN', table: true, show: textOrNone },
  extendedMasterSecret: { label: 'extended master secret', table: true },
  extensions: { label: 'extensions (wire order)', table: true, show: extensionList, itemLabel: extensionItem, itemShow: extensionValue },
  random: { label: 'random', table: true },
  sessionId: { label: 'session id', table: true, show: sessionId },
  helloRetryRequest: { label: 'HelloRetryRequest', table: true, show: (v) => (v === true ? 'yes' : null) },
  downgradeSentinel: { label: 'downgrade sentinel' },
  tls13Draft: { label: 'TLS 1.3 draft layout', show: (v) => (num(v) === null ? null : `draft ${v}: no session id, no compression method`) },
};

/** Length prefixes: the decoder locates them, the report keeps only what they prefix. */
const HELLO_LENGTHS: Record<string, Spec> = {
  sessionIdLength: { label: 'session id length', rangeOnly: true, derive: hexBytes('sessionId'), show: bytes('bytes') },
  cookieLength: { label: 'cookie length (DTLS)', rangeOnly: true, derive: hexBytes('cookie'), show: bytes('bytes') },
  cipherSuitesLength: { label: 'cipher suites length', rangeOnly: true, derive: lengthOf('cipherSuites', (xs) => xs.length * 2), show: bytes('bytes') },
  compressionMethodsLength: { label: 'compression methods length', rangeOnly: true, derive: lengthOf('compressionMethods', (xs) => xs.length), show: bytes('bytes') },
  extensionsLength: {
    label: 'extensions length', rangeOnly: true, show: bytes('bytes'),
    derive: lengthOf('extensions', (xs) => xs.reduce((n: number, e) => n + 4 + (num(field(e, 'length')) ?? 0), 0)),
  },
};

const SERVER_KEY_EXCHANGE: Specs<ServerKeyExchangeReport> = {
  kind: { label: 'key exchange', table: true, show: (v) => str(v)?.toUpperCase() ?? null },
  curveType: { label: 'curve type', names: 'ecCurveType' },
  namedCurve: { label: 'named curve', names: 'namedGroup', table: true },
  namedCurveName: { label: 'named curve name', show: text },
  ecPoint: { label: 'EC public point', table: true },
  dhPrimeBits: { label: 'DH prime size', table: true, show: bytes('bits') },
  dhPrime: { label: 'DH prime p', table: true },
  dhGenerator: { label: 'DH generator g', table: true },
  dhPublicBits: { label: 'DH public value size', table: true, show: bytes('bits') },
  dhPublic: { label: 'DH public value', table: true },
  signatureAlgorithm: { label: 'signature algorithm', names: 'signatureScheme', table: true },
  signatureAlgorithmName: { label: 'signature algorithm name', show: text },
  signatureLength: { label: 'signature length', table: true, show: bytes('bytes') },
};

const SKE_LENGTHS: Record<string, Spec> = {
  ecPointLength: { label: 'EC point length', rangeOnly: true, derive: hexBytes('ecPoint'), show: bytes('bytes') },
  dhPrimeLength: { label: 'DH prime length', rangeOnly: true, derive: hexBytes('dhPrime'), show: bytes('bytes') },
  dhGeneratorLength: { label: 'DH generator length', rangeOnly: true, derive: hexBytes('dhGenerator'), show: bytes('bytes') },
  dhPublicLength: { label: 'DH public length', rangeOnly: true, derive: hexBytes('dhPublic'), show: bytes('bytes') },
  signature: { label: 'signature', rangeOnly: true },
};

const days = (v: unknown) => (num(v) === null ? null : `${((v as number) / 86400).toFixed(1)} days`);

const CERTIFICATE: Specs<CertificateReport> = {
  index: { label: 'position in the chain' },
  subject: { label: 'subject', table: true, certRow: true, show: text },
  issuer: { label: 'issuer', table: true, certRow: true, show: text },
  subjectCN: { label: 'subject CN', show: text },
  issuerCN: { label: 'issuer CN', show: text },
  subjectAltNames: { label: 'subject alt names', table: true, certRow: true },
  notBefore: { label: 'not before', table: true, certRow: true, show: text },
  notAfter: { label: 'not after', table: true, certRow: true, show: text },
  lifetimeSeconds: { label: 'lifetime', table: true, certRow: true, show: days },
  serialNumber: { label: 'serial number', table: true, certRow: true },
  publicKey: {
    label: 'public key', table: true, certRow: true,
    show: (v) => {
      const algorithm = str(field(v, 'algorithm'));
      if (algorithm === null) return null;
      const bits = num(field(v, 'bits'));
      const curve = str(field(v, 'curve'));
      return `${algorithm}${bits ? ` ${bits} bits` : ''}${curve ? ` ${curve}` : ''}`;
    },
  },
  signatureAlgorithm: { label: 'signature algorithm', table: true, certRow: true, show: text },
  selfSigned: { label: 'self-signed', table: true, certRow: true },
  extensions: {
    label: 'extensions', certRow: true,
    show: (v) => { const xs = arr(v); return xs ? list(xs.map((e) => `${str(field(e, 'name')) ?? '?'}${field(e, 'critical') === true ? ' (critical)' : ''}`)) : null; },
  },
  sha256: { label: 'SHA-256', table: true, certRow: true },
  length: { label: 'length', show: bytes('bytes') },
  error: { label: 'decoding problem', table: true, certRow: true, show: text },
  ja4x: { label: 'JA4X' },
};

/** The chain itself: its elements are named by their place in it. */
const CHAIN: Spec = { label: 'certificates', itemLabel: (_c, i) => `certificate ${i}${i === 0 ? ' (leaf)' : ''}` };

const fingerprint = (label: string, message: MessageName): Spec => ({ label, message, show: str });
const FINGERPRINTS: Specs<Fingerprints> = {
  ja3: { ...fingerprint('JA3', 'ClientHello'), table: true },
  ja3Full: fingerprint('JA3 (full string)', 'ClientHello'),
  ja3s: { ...fingerprint('JA3S', 'ServerHello'), table: true },
  ja3sFull: fingerprint('JA3S (full string)', 'ServerHello'),
  ja4: { ...fingerprint('JA4', 'ClientHello'), table: true },
  ja4_r: fingerprint('JA4_r', 'ClientHello'),
  ja4_o: fingerprint('JA4_o', 'ClientHello'),
  ja4_ro: fingerprint('JA4_ro', 'ClientHello'),
  ja4s: fingerprint('JA4S', 'ServerHello'),
  ja4s_r: fingerprint('JA4S_r', 'ServerHello'),
  ja4x: { label: 'JA4X', message: 'Certificate' },
};

const TLS: Specs<TlsSummary> = {
  version: { label: 'negotiated version', names: 'version', message: 'ServerHello', source: 'serverHello.selectedVersion' },
  versionName: { label: 'negotiated version name', message: 'ServerHello', source: 'serverHello.selectedVersion' },
  cipherSuite: { label: 'cipher suite', names: 'cipherSuite', message: 'ServerHello', source: 'serverHello.cipherSuite' },
  cipherSuiteName: { label: 'cipher suite name', message: 'ServerHello', source: 'serverHello.cipherSuite' },
  serverName: { label: 'server name (SNI)', message: 'ClientHello', source: 'clientHello.serverName' },
  alpn: { label: 'ALPN', message: 'ServerHello', source: 'serverHello.alpn' },
  resumed: { label: 'resumed', message: 'ServerHello' },
  incomplete: { label: 'incomplete', message: 'ServerHello' },
  lastMessage: { label: 'last message', message: 'ServerHello' },
  decryption: { label: 'decryption', message: null, show: (v) => (v !== null && typeof v === 'object' ? `with ${str(field(v, 'keySource')) ?? '?'} keys` : null) },
};

/**
 * An extension entry and the members its decoders write, by range key
 * (`extensions[6].groups[2]`); the report keeps members under `.data`.
 * `…List` keys are a vector as a whole (its length prefix included).
 */
const EXTENSION: Specs<TlsExtension> = {
  type: { label: 'type', names: 'extensionType' },
  name: { label: 'name', show: text },
  grease: { label: 'GREASE' },
  length: { label: 'length' },
  data: { label: 'data' },
  raw: { label: 'raw bytes' },
};
const EXTENSION_DATA: Record<string, Spec> = {
  serverName: { label: 'server name (SNI)', show: text },
  serverNames: { label: 'server names' },
  groups: { label: 'groups', names: 'namedGroup' },
  groupsList: { label: 'groups', names: 'namedGroup', rangeOnly: true },
  algorithms: { label: 'algorithms', names: 'signatureScheme' },
  algorithmsList: { label: 'algorithms', names: 'signatureScheme', rangeOnly: true },
  formats: { label: 'formats', names: 'ecPointFormat' },
  versions: { label: 'versions', names: 'version' },
  selected: { label: 'selected version', names: 'version' },
  protocols: { label: 'protocols' },
  shares: { label: 'key shares' },
  sharesList: { label: 'key shares', rangeOnly: true },
  'shares[*].group': { label: 'group', names: 'namedGroup' },
  'shares[*].keyExchange': { label: 'key exchange' },
  group: { label: 'group', names: 'namedGroup' },
  keyExchange: { label: 'key exchange' },
  modes: { label: 'modes' },
  identities: { label: 'identities' },
  binders: { label: 'binders' },
  // encrypted_client_hello (outer) and legacy ESNI
  configId: { label: 'ECH config id' },
  encLength: { label: 'encapsulated key length', show: bytes('bytes') },
  payloadLength: { label: 'encrypted payload length', show: bytes('bytes') },
  cipherSuite: { label: 'cipher suite', names: 'cipherSuite' },
  keyShareGroup: { label: 'key share group', names: 'namedGroup' },
  recordDigest: { label: 'ESNIKeys record digest' },
  encryptedSni: { label: 'encrypted SNI', rangeOnly: true, show: () => null },
  encryptedSniLength: { label: 'encrypted SNI length', show: bytes('bytes') },
};

/** Fields of other handshake messages (MessageReport.details) that name registry numbers. */
const MESSAGE_DETAILS: Record<string, Spec> = {
  signatureAlgorithm: { label: 'signature algorithm', names: 'signatureScheme' },
  signatureAlgorithms: { label: 'signature algorithms', names: 'signatureScheme' },
  // SSLv2 SERVER-HELLO and CLIENT-MASTER-KEY
  sessionIdHit: { label: 'session id hit' },
  certificateType: { label: 'certificate type', show: (v) => (v === 1 ? 'X.509 (1)' : num(v) === null ? null : String(v)) },
  serverVersion: { label: 'server version', names: 'version' },
  cipherSpecs: { label: 'cipher specs', names: 'sslv2CipherSpec' },
  connectionId: { label: 'connection id' },
  cipherKind: { label: 'cipher kind', names: 'sslv2CipherSpec' },
  clearKeyLength: { label: 'clear key length', show: bytes('bytes') },
  encryptedKeyLength: { label: 'encrypted key length', show: bytes('bytes') },
  keyArgLength: { label: 'key argument length', show: bytes('bytes') },
  keyArg: { label: 'key argument (IV)' },
  certificateLength: { label: 'certificate length', rangeOnly: true },
  cipherSpecsLength: { label: 'cipher specs length', rangeOnly: true },
  connectionIdLength: { label: 'connection id length', rangeOnly: true },
  certificate: { label: 'certificate', rangeOnly: true, show: () => null },
  // Key material: where it is, never what it is.
  clearKey: { label: 'clear key bytes (key material, not shown)', rangeOnly: true, show: () => null },
  encryptedKey: { label: 'RSA-encrypted master key', rangeOnly: true, show: () => null },
  // NewSessionTicket (TLS 1.3 over TCP, or in QUIC 1-RTT CRYPTO frames once a key log opened them).
  lifetime: { label: 'ticket lifetime', show: bytes('s') },
  lifetimeHint: { label: 'ticket lifetime hint', show: bytes('s') },
  ageAdd: { label: 'ticket age add' },
  nonceLength: { label: 'ticket nonce length', show: bytes('bytes') },
  ticketLength: { label: 'ticket length', show: bytes('bytes') },
  // A decrypted TLS 1.3 Finished (issue #14).
  verified: { label: 'verify data matches the transcript', show: (v) => (v === null ? 'not checked (transcript incomplete)' : v === true ? 'yes' : v === false ? 'NO' : null) },
};

// ---------------------------------------------------------------------------
// The registry

function add(out: FieldDescriptor[], prefix: string, message: MessageName | null, specs: Record<string, Spec | undefined>): void {
  for (const [key, spec] of Object.entries(specs)) {
    if (spec) out.push({ ...spec, path: `${prefix}.${key}`, message: spec.message === undefined ? message : spec.message });
  }
}

function build(): FieldDescriptor[] {
  const out: FieldDescriptor[] = [];
  add(out, 'clientHello', 'ClientHello', CLIENT_HELLO);
  add(out, 'clientHello', 'ClientHello', HELLO_LENGTHS);
  add(out, 'serverHello', 'ServerHello', SERVER_HELLO);
  add(out, 'serverHello', 'ServerHello', HELLO_LENGTHS);
  for (const [root, message] of [['clientHello', 'ClientHello'], ['serverHello', 'ServerHello']] as const) {
    add(out, `${root}.extensions[*]`, message, EXTENSION);
    add(out, `${root}.extensions[*]`, message, EXTENSION_DATA);
  }
  add(out, 'serverKeyExchange', 'ServerKeyExchange', SERVER_KEY_EXCHANGE);
  add(out, 'serverKeyExchange', 'ServerKeyExchange', SKE_LENGTHS);
  out.push({ ...CHAIN, path: 'certificates', message: 'Certificate' });
  add(out, 'certificates[*]', 'Certificate', CERTIFICATE);
  add(out, 'fingerprints', 'ClientHello', FINGERPRINTS);
  add(out, 'tls', 'ServerHello', TLS);
  add(out, 'messages[*]', null, MESSAGE_DETAILS);
  return out;
}

export const FIELDS: readonly FieldDescriptor[] = build();

const BY_PATH = new Map(FIELDS.map((d) => [d.path, d]));

/** Element descriptors, one per list field of the registry. */
const ITEMS = new Map<FieldDescriptor, FieldDescriptor>();

/** The element of a list field: named like the list, by the same registry. */
function itemOf(list: FieldDescriptor, path: string): FieldDescriptor {
  return { path, label: list.label, message: list.message, names: list.names, show: list.itemShow };
}

/*
 * Every hover, tree node and dissection line asks for the descriptor of a
 * concrete path; the same few hundred paths recur in every connection.
 * Cleared when full, so hostile indexes cannot grow it.
 */
const LOOKUPS = new Map<string, FieldDescriptor | null>();

function lookup(path: string): FieldDescriptor | null {
  // Report paths reach extension members through `.data`, range keys directly.
  const pattern = patternOf(path).replace(/(\.extensions\[\*\])\.data\.(?=.)/, '$1.');
  const known = BY_PATH.get(pattern);
  if (known) return known;
  if (!pattern.endsWith('[*]')) return null;
  const list = BY_PATH.get(pattern.slice(0, -3));
  if (!list) return null;
  // Keyed by registry paths: at most one element descriptor per list field.
  let item = ITEMS.get(list);
  if (!item) ITEMS.set(list, (item = itemOf(list, pattern)));
  return item;
}


/**
 * The descriptor of a concrete or pattern path (`clientHello.cipherSuites[3]`,
 * `serverHello.extensions[*].data.selected`), or undefined for a field the
 * registry does not know.
 */
export function fieldDescriptor(path: string): FieldDescriptor | undefined {
  let d = LOOKUPS.get(path);
  if (d === undefined) {
    d = lookup(path);
    if (LOOKUPS.size >= 8192) LOOKUPS.clear();
    LOOKUPS.set(path, d);
  }
  return d ?? undefined;
}

/** `cipherSuitesLength` → "cipher suites length": for fields the registry does not know. */
function humanize(key: string): string {
  return key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

function lastKey(path: string): string {
  const parts = path.replace(/\[(\d+|\*)\]$/, '').split('.');
  return parts[parts.length - 1];
}

/** What a field is called. */
export function fieldLabel(path: string): string {
  return fieldDescriptor(path)?.label ?? humanize(lastKey(path));
}

/**
 * What one step of a path is called where it is shown under its parent (a
 * tree node, a hover's breadcrumb): a field's label, or for a list element
 * its item name (`server_name` for an extension) or its index.
 */
export function stepLabel(path: string, value: unknown): string {
  const ix = /\[(\d+)\]$/.exec(path);
  if (!ix) return fieldLabel(path);
  const list = fieldDescriptor(path.slice(0, ix.index));
  return list?.itemLabel ? list.itemLabel(value, Number(ix[1])) : `[${ix[1]}]`;
}

/**
 * How a field's value reads; `holder` is the object the path's last step is
 * in (for values the report does not keep). Null: nothing to show.
 */
export function formatField(path: string, value: unknown, holder?: unknown): string | null {
  const d = fieldDescriptor(path);
  if (d?.derive) value = d.derive(holder);
  if (d?.show) return d.show(value, holder);
  return plainValue(value, d?.names);
}

/** The handshake message holding a field; null for fields of no one message (and paths that are not fields). */
export function messageOfField(path: string): MessageName | null {
  const d = fieldDescriptor(path);
  if (d) return d.message;
  // Deeper than the registry goes (`clientHello.extensions[2].data.foo`): the message of its root.
  const root = /^(clientHello|serverHello|serverKeyExchange|certificates)\b/.exec(path);
  if (root) return ROOT_MESSAGE[root[1]];
  if (path.startsWith('fingerprints.')) return 'ClientHello';
  if (path.startsWith('tls.')) return 'ServerHello';
  return null;
}

const ROOT_MESSAGE: Record<string, MessageName> = {
  clientHello: 'ClientHello',
  serverHello: 'ServerHello',
  serverKeyExchange: 'ServerKeyExchange',
  certificates: 'Certificate',
};

/** The field a summary field (`tls.cipherSuite`) takes its bytes from, or null. */
export function fieldSource(path: string): string | null {
  return BY_PATH.get(path)?.source ?? null;
}

/** The keys a rule may name after `root` (`clientHello`, `certificates[*]`, `clientHello.extensions[*]`): report properties, not range keys. */
export function ruleKeys(root: string): string[] {
  const out: string[] = [];
  for (const d of FIELDS) {
    if (d.rangeOnly || !d.path.startsWith(`${root}.`)) continue;
    const rest = d.path.slice(root.length + 1);
    if (/^[A-Za-z_][A-Za-z0-9_]*$/.test(rest) && !(root.endsWith('.extensions[*]') && rest in EXTENSION_DATA)) out.push(rest);
  }
  return out;
}

/** The roots of a connection's fields a rule may start with. */
export const RULE_ROOTS = ['clientHello', 'serverHello', 'serverKeyExchange', 'certificates', 'fingerprints', 'tls'] as const;

/** The rows of a message's table in the reports, in registry order (a certificate's as `certificates[*].…`). */
export function tableFields(message: MessageName): FieldDescriptor[] {
  return FIELDS.filter((d) => d.table && d.message === message);
}

/** A certificate's rows in the webview tree and the text dissection, in order. */
export function certificateFields(): FieldDescriptor[] {
  return FIELDS.filter((d) => d.certRow);
}
