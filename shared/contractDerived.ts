/**
 * What `--json` (schema 4, issue #11) leaves out because any reader derives
 * it from what stays, unless `--full`:
 *   - a name the IANA registry gives the number beside it: an extension's
 *     `name` (by `type`), a message's `name` (by handshake `type`),
 *     `cipherSuiteName`, `versionName`, `namedCurveName`,
 *     `signatureAlgorithmName`;
 *   - a hello extension's `data` that the hello's own field holds
 *     (supported_groups ↔ `supportedGroups`, …: `heldByHello` below);
 *   - a ClientHello's `layout` when the hello is one whole record in one
 *     segment (`plainLayout` below);
 *   - a ServerHello's `extendedMasterSecret`, which says whether its
 *     extensions hold extended_master_secret (23);
 *   - a connection's diagnostic's `connection`: that connection's id.
 * Each is left out only when it equals what the rule derives, so reading the
 * rule backwards always restores the field (README, "The --json contract"):
 * `withDerivedFields` does, for a reader that wants the full form.
 */
import type { ClientHelloReport, ConnectionReport, HelloLayout, MessageReport, ServerHelloReport, ServerKeyExchangeReport } from './analysis';
import type { TlsExtension } from './tlsExtensions';
import { cipherSuiteName } from './tls/registry/cipherSuites';
import { extensionName } from './tls/registry/extensionTypes';
import { handshakeTypeName } from './tls/registry/handshakeTypes';
import { namedGroupName } from './tls/registry/namedGroups';
import { signatureSchemeName } from './tls/registry/signatureSchemes';
import { versionName } from './tls/registry/versions';

type Obj = Record<string, unknown>;

/** True when `key` of the hello is a flag its extensions say (ServerHello `extendedMasterSecret`). */
export function isSaidByExtensions(h: Record<string, unknown> & { extensions?: readonly TlsExtension[] }, key: string): boolean {
  return key === 'extendedMasterSecret' && Array.isArray(h.extensions) && h[key] === h.extensions.some((e) => e.type === 23);
}

/** The registry that names a number field, by the key of its name field. */
const NAMED_BY: Record<string, { number: string; name: (n: number) => string }> = {
  cipherSuiteName: { number: 'cipherSuite', name: cipherSuiteName },
  versionName: { number: 'version', name: versionName },
  namedCurveName: { number: 'namedCurve', name: namedGroupName },
  signatureAlgorithmName: { number: 'signatureAlgorithm', name: signatureSchemeName },
};

/** True when `key` of `holder` is a registry name that the number beside it gives (so a reader derives it). */
export function isRegistryName(holder: Obj, key: string): boolean {
  const by = NAMED_BY[key];
  if (!by) return false;
  const n = holder[by.number];
  return typeof n === 'number' && holder[key] === by.name(n);
}

export function isExtensionRegistryName(e: TlsExtension): boolean {
  return e.name === extensionName(e.type);
}

export function isMessageRegistryName(m: MessageReport): boolean {
  return m.name === handshakeTypeName(m.type);
}

const same = (a: unknown, b: unknown): boolean => b !== undefined && JSON.stringify(a) === JSON.stringify(b);

/**
 * The `data` the first extension of `type` in a hello has when it says no
 * more than the hello's own field, which the decoder fills from that first
 * extension. Undefined when there is no such field, or when the field is
 * empty: then the decoder may have found nothing to fill it with (a body that
 * ran past the block has no `data` at all), so `data` is always written.
 * ServerHello's supported_versions also names the version, as it always has;
 * its field falls back to `legacyVersion`, so that value is never derived.
 */
export function heldByHello(h: ClientHelloReport | ServerHelloReport, type: number): unknown {
  const some = <T>(xs: T[], data: unknown) => (xs.length > 0 ? data : undefined);
  if ('cipherSuites' in h) {
    switch (type) {
      case 0: return h.serverName === null ? undefined : { serverNames: [{ type: 0, name: h.serverName }] };
      case 10: return some(h.supportedGroups, { groups: h.supportedGroups });
      case 11: return some(h.ecPointFormats, { formats: h.ecPointFormats });
      case 13: return some(h.signatureAlgorithms, { algorithms: h.signatureAlgorithms });
      case 16: return some(h.alpn, { protocols: h.alpn });
      case 43: return some(h.supportedVersions, { versions: h.supportedVersions });
      default: return undefined;
    }
  }
  switch (type) {
    case 16: return h.alpn === null ? undefined : { protocols: [h.alpn] };
    case 43: return h.selectedVersion === h.legacyVersion ? undefined : { selected: h.selectedVersion, selectedName: versionName(h.selectedVersion) };
    default: return undefined;
  }
}

const firstOfType = (exts: readonly TlsExtension[], i: number): boolean => exts.findIndex((x) => x.type === exts[i].type) === i;

/** True when extension `i` of `exts` (a hello's, as written) has the data the hello's own field holds. */
export function isHeldByHello(exts: readonly TlsExtension[], i: number, h: ClientHelloReport | ServerHelloReport): boolean {
  return exts[i].data !== undefined && firstOfType(exts, i) && same(exts[i].data, heldByHello(h, exts[i].type));
}

/** The layout of a hello that is one whole TLS record (the stream's first) in one TCP segment: nothing split. */
export function plainLayout(m: Pick<MessageReport, 'span' | 'packet'>): HelloLayout {
  const span: [number, number] = [m.span[0] - 5, m.span[1]];
  return { records: [{ index: 0, span, length: m.span[1] - m.span[0] }], segments: [{ packet: m.packet, span: [span[0], span[1]] }], splitRecords: false, splitSegments: false };
}

export function isPlainLayout(m: MessageReport): boolean {
  return m.layout !== undefined && same(m.layout, plainLayout(m));
}

// ---------------------------------------------------------------------------
// Reading it back

/** Each left-out name the registry gives a number of `o`, added back. */
function withRegistryNames<T extends object>(o: T): T {
  const out = { ...o } as Obj;
  for (const [nameKey, by] of Object.entries(NAMED_BY)) {
    const n = out[by.number];
    if (typeof n === 'number' && !(nameKey in out)) out[nameKey] = by.name(n);
  }
  return out as T;
}

function extensionsRestored(exts: readonly TlsExtension[], hello: ClientHelloReport | ServerHelloReport | null): TlsExtension[] {
  return exts.map((e, i) => {
    const out = { ...e, name: e.name ?? extensionName(e.type), grease: e.grease ?? false } as TlsExtension;
    const held = hello && e.data === undefined && firstOfType(exts, i) ? heldByHello(hello, e.type) : undefined;
    if (held !== undefined) (out as { data?: unknown }).data = held;
    return out;
  });
}

function helloRestored<T extends ClientHelloReport | ServerHelloReport | ServerKeyExchangeReport>(h: T): T {
  const out = withRegistryNames(h) as unknown as Obj;
  if ('extensions' in h) {
    const hello = h as ClientHelloReport | ServerHelloReport;
    out.extensions = extensionsRestored(hello.extensions, hello);
    if ('cipherSuites' in hello) out.sslv2 = hello.sslv2 ?? false;
    else {
      out.helloRetryRequest = hello.helloRetryRequest ?? false;
      out.extendedMasterSecret = hello.extendedMasterSecret ?? hello.extensions.some((e) => e.type === 23);
    }
  }
  return out as T;
}

function messageRestored(m: MessageReport, overTcp: boolean): MessageReport {
  const out: MessageReport = { ...m, name: m.name ?? handshakeTypeName(m.type), packets: m.packets ?? [m.packet] };
  // Every ClientHello over TCP has its layout.
  if (overTcp && m.layout === undefined && (m.clientHello || m.decodedAt === 'clientHello')) out.layout = plainLayout(m);
  if (m.clientHello) out.clientHello = helloRestored(m.clientHello);
  if (m.serverHello) out.serverHello = helloRestored(m.serverHello);
  if (m.serverKeyExchange) out.serverKeyExchange = helloRestored(m.serverKeyExchange);
  if (m.details) {
    out.details = withRegistryNames(m.details);
    if (m.details.extensions) out.details.extensions = extensionsRestored(m.details.extensions, null);
  }
  return out;
}

/**
 * A connection of `analyze --json` (or a side of `compare --json`) with what
 * it left out as derivable or default put back, as `--full` writes it (key
 * order aside; an empty `details` stays out: it says nothing).
 */
export function withDerivedFields(c: ConnectionReport): ConnectionReport {
  const t = c.tcp;
  return {
    ...c,
    tcp: {
      ...t, gaps: t.gaps ?? { client: [], server: [] }, retransmissions: t.retransmissions ?? { client: 0, server: 0 },
      retransmissionsDiffering: t.retransmissionsDiffering ?? 0, outOfOrder: t.outOfOrder ?? 0, rst: t.rst ?? null,
      timelineTruncated: t.timelineTruncated ?? false, tunnel: t.tunnel ?? null,
    },
    tls: withRegistryNames(c.tls),
    clientHello: c.clientHello && helloRestored(c.clientHello),
    serverHello: c.serverHello && helloRestored(c.serverHello),
    serverKeyExchange: c.serverKeyExchange && helloRestored(c.serverKeyExchange),
    messages: c.messages.map((m) => messageRestored(m, c.transport === undefined)),
    diagnostics: c.diagnostics.map((d) => ({ ...d, connection: d.connection ?? c.id })),
  };
}
