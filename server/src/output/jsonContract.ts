/**
 * Writes reports as the `--json` contract (shared/analysis.ts, shared/compare.ts).
 *
 * In memory a connection keeps what the editor needs: every hello both at the
 * connection and inside its message, and the byte ranges of every field. On
 * many short connections that made ~31 kB of JSON each, half of it hellos
 * written twice and most of the rest ranges, so the JSON writes each decoded
 * body once (the message names the connection field that holds it,
 * `decodedAt`) and byte ranges only when asked (`--ranges`): the hellos'
 * per-field `ranges` and the `range` of messages, certificates, alerts and
 * suspects.
 *
 * Three more things repeat without informing, and are left out unless asked:
 * the registry names of numbers in lists (`groupNames`, `algorithmNames`, …:
 * any reader has the IANA tables; `--names` keeps them); a certificate
 * already written in full earlier in the same `connections` list (a server's
 * chain is the same on every connection to it): it becomes a reference,
 * `{index, sha256, length, sameAs}` (`--all-certificates` keeps every copy);
 * the raw fingerprint strings (`ja3Full`, `ja4_r`, …), which spell out the
 * hellos written beside them (`--raw-fingerprints` keeps them; the hashes stay).
 *
 * Fields at a documented default, and (schema 4) fields a reader derives from
 * the registry or from the hello itself (shared/contractDerived.ts), are left out
 * unless `--full`.
 */
import { jsonAtDepth, jsonChunks, StreamedArray } from '../util/jsonChunks';
import { documentOf, type CaptureSide, type CompareDocument } from '../compare/compareDocument';
import type { AnalysisReport, CertificateRef, CertificateReport, ClientHelloReport, ConnectionReport, MessageDetails, MessageReport, ServerHelloReport, TlsExtension } from '../../../shared/analysis';
import { isExtensionRegistryName, isHeldByHello, isMessageRegistryName, isPlainLayout, isRegistryName, isSaidByExtensions } from '../../../shared/contractDerived';
import type { CompareReport, ConnectionPair } from '../../../shared/compare';

export interface JsonOptions {
  /** Keep the byte ranges: hellos' per-field `ranges`, and `range` of messages, certificates, alerts, suspects. */
  ranges: boolean;
  /** Keep the name lists that only repeat numbers by their IANA names (`groupNames`, `shares[].groupName`, …). */
  names?: boolean;
  /** Write every certificate in full, not a reference to an earlier connection that has the same one. */
  allCertificates?: boolean;
  /** Keep the raw fingerprint strings (ja3Full, ja3sFull, ja4_r, ja4_ro, ja4s_r). */
  rawFingerprints?: boolean;
  /**
   * Write everything the other options do not leave out (`--full`, alias `--defaults`): fields that hold their
   * documented default (`@jsonDefault` in shared/: an extension's `grease: false`, a message's `packets` that is
   * only its `packet`, empty `details`, the TCP counters at zero / null) and the fields a reader derives
   * (shared/contractDerived.ts: registry names, hello extension data the hello's fields hold, a plain ClientHello layout).
   */
  full?: boolean;
}

const RAW_FINGERPRINTS = new Set(['ja3Full', 'ja3sFull', 'ja4_r', 'ja4_ro', 'ja4s_r']);

/** Which earlier connection of the document holds a certificate already (null: write it in full). */
export interface CertificateMemory {
  seen(sha256: string, connection: number): number | null;
}

/**
 * The certificates one document has written in full so far (sha256 → the id
 * of the connection that holds it). Bounded: past `limit` distinct
 * certificates, new ones are written in full again instead of remembered.
 */
export class WrittenCertificates implements CertificateMemory {
  private readonly at = new Map<string, number>();
  constructor(private readonly limit = 1 << 16) {}
  /** The connection that already has it, else null (and from now on this one has it, while there is room). */
  seen(sha256: string, connection: number): number | null {
    const at = this.at.get(sha256);
    if (at !== undefined) return at;
    if (this.at.size < this.limit) this.at.set(sha256, connection);
    return null;
  }
}

/**
 * The same answers as WrittenCertificates would give writing the connections
 * in id order, for connections written in any order (the streamed
 * comparison writes a relay connection when its client pairs it): worked out
 * beforehand from each connection's certificate hashes, in id order.
 */
export class PlannedCertificates implements CertificateMemory {
  private readonly first = new Map<string, number>();
  private readonly written = new Set<string>();
  constructor(connections: Iterable<{ id: number; certificates: readonly string[] }>, limit = 1 << 16) {
    const w = new WrittenCertificates(limit);
    for (const c of connections) {
      for (const sha of c.certificates) if (w.seen(sha, c.id) === null && !this.first.has(sha) && this.first.size < limit) this.first.set(sha, c.id);
    }
  }
  seen(sha256: string, connection: number): number | null {
    const at = this.first.get(sha256);
    if (at === undefined) return null;
    // The holder's own first copy is the one written in full; a second copy in its chain refers to it.
    if (at === connection && !this.written.has(sha256)) {
      this.written.add(sha256);
      return null;
    }
    return at;
  }
}

/** Data keys that are a list of names for the list of numbers beside them. */
const NAME_LISTS = new Set(['groupNames', 'formatNames', 'algorithmNames', 'versionNames', 'signatureAlgorithmNames', 'profileNames']);

function withoutKeys<T extends object>(o: T, drop: (k: string) => boolean): T {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(o)) if (!drop(k)) out[k] = o[k as keyof T];
  return out as T;
}

function namelessData(d: Record<string, unknown>): Record<string, unknown> {
  const out = withoutKeys(d, (k) => NAME_LISTS.has(k));
  // key_share in a ClientHello: one entry per share, each naming its group.
  if (Array.isArray(d.shares)) out.shares = (d.shares as Array<Record<string, unknown>>).map((s) => withoutKeys(s, (k) => k === 'groupName'));
  return out;
}

function namelessExtensions(exts: TlsExtension[]): TlsExtension[] {
  return exts.map((e) => (e.data ? { ...e, data: namelessData(e.data as Record<string, unknown>) } : e) as TlsExtension);
}

type HelloWithExtensions = ClientHelloReport | ServerHelloReport;

/**
 * Without `grease: false` (the default: written only on GREASE extensions), a `name` the registry gives the
 * type, and the `data` that the hello's own field holds (`hello`: the hello the extensions are in, if one).
 */
function compactExtensions(exts: TlsExtension[], hello: HelloWithExtensions | undefined): TlsExtension[] {
  return exts.map((e, i) => {
    const registryName = isExtensionRegistryName(e);
    const held = hello !== undefined && isHeldByHello(exts, i, hello);
    return withoutKeys(e, (k) => (k === 'grease' && !e.grease) || (k === 'name' && registryName) || (k === 'data' && held)) as TlsExtension;
  });
}

function extensionsAsWritten(exts: TlsExtension[], opts: JsonOptions, hello?: HelloWithExtensions): TlsExtension[] {
  const named = opts.names ? exts : namelessExtensions(exts);
  return opts.full ? named : compactExtensions(named, hello);
}

type Tcp = ConnectionReport['tcp'];

/** The TCP block without the counters at their documented defaults (none, zero, null). */
function tcpAsWritten(t: Tcp): Tcp {
  const none = (k: string): boolean => {
    switch (k) {
      case 'gaps': return t.gaps.client.length === 0 && t.gaps.server.length === 0;
      case 'retransmissions': return t.retransmissions.client === 0 && t.retransmissions.server === 0;
      case 'retransmissionsDiffering': return t.retransmissionsDiffering === 0;
      case 'outOfOrder': return t.outOfOrder === 0;
      case 'rst': return t.rst === null;
      case 'timelineTruncated': return !t.timelineTruncated;
      case 'tunnel': return t.tunnel === null;
      default: return false;
    }
  };
  return withoutKeys(t, none);
}

function detailsAsWritten(d: MessageDetails, opts: JsonOptions): MessageDetails {
  const out = withoutKeys(d, (k) => (!opts.names && NAME_LISTS.has(k)) || (!opts.full && isRegistryName(d as Record<string, unknown>, k)));
  if (d.extensions) out.extensions = extensionsAsWritten(d.extensions, opts);
  return out;
}

type Body = NonNullable<MessageReport['decodedAt']>;
type Hello = NonNullable<ConnectionReport['clientHello'] | ConnectionReport['serverHello'] | ConnectionReport['serverKeyExchange']>;

/**
 * A copy without `ranges`, which is never read: a hello's ranges are resolved
 * lazily, on first read, and a spread or JSON.stringify (even with a replacer
 * that drops the key) would read it.
 */
function rangeless<T extends Hello>(h: T): T {
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(h)) if (k !== 'ranges') out[k] = h[k as keyof T];
  return out as T;
}

/** A hello as written: ranges and name lists only when asked, defaults and derived fields left out unless `full`. */
function helloAsWritten<T extends Hello>(h: T, opts: JsonOptions): T {
  if (opts.ranges && opts.names && opts.full) return h;
  let out = opts.ranges ? { ...h } : rangeless(h);
  if (!opts.full) {
    const held = h as unknown as Record<string, unknown>;
    // `helloRetryRequest: false` and `sslv2: false` are defaults.
    out = withoutKeys(out, (k) => isRegistryName(held, k) || isSaidByExtensions(held, k) || ((k === 'helloRetryRequest' || k === 'sslv2') && held[k] === false));
  }
  if ('extensions' in h && Array.isArray(h.extensions)) (out as { extensions: TlsExtension[] }).extensions = extensionsAsWritten(h.extensions, opts, h as HelloWithExtensions);
  return out;
}

/** The connection-level field that holds this message's decoded body, if it is the same object. */
function heldAt(m: MessageReport, c: ConnectionReport): Body | null {
  if (m.clientHello && m.clientHello === c.clientHello) return 'clientHello';
  if (m.serverHello && m.serverHello === c.serverHello) return 'serverHello';
  if (m.serverKeyExchange && m.serverKeyExchange === c.serverKeyExchange) return 'serverKeyExchange';
  const certs = m.certificates;
  if (certs && certs.length > 0 && certs.length === c.certificates.length && certs.every((x, i) => x === c.certificates[i])) return 'certificates';
  return null;
}

function messageAsWritten(m: MessageReport, c: ConnectionReport, opts: JsonOptions): MessageReport {
  const at = heldAt(m, c);
  const bare = opts.ranges && opts.names && opts.full;
  if (at === null && (bare || (opts.full && !(m.clientHello || m.serverHello || m.serverKeyExchange || m.details)))) return m;
  // Same key order as before: the body's key replaced by the pointer to it.
  const out: Record<string, unknown> = {};
  for (const k of Object.keys(m) as Array<keyof MessageReport>) {
    if (k === at) out.decodedAt = at;
    else if (!opts.full && ((k === 'name' && isMessageRegistryName(m)) || (k === 'layout' && isPlainLayout(m)))) continue;
    else if (!bare && (k === 'clientHello' || k === 'serverHello' || k === 'serverKeyExchange')) out[k] = helloAsWritten(m[k]!, opts);
    else if (k === 'details') {
      const d = m.details!;
      if (opts.full || Object.keys(d).length > 0) out[k] = bare ? d : detailsAsWritten(d, opts);
    } else if (k === 'packets' && !opts.full && m.packets.length === 1 && m.packets[0] === m.packet) continue;
    else out[k] = m[k];
  }
  return out as unknown as MessageReport;
}

/** The chain with each certificate an earlier connection of the document already has replaced by a reference to it. */
function certificatesAsWritten(c: ConnectionReport, opts: JsonOptions, written: CertificateMemory): Array<CertificateReport | CertificateRef> {
  return c.certificates.map((x) => {
    const at = x.sha256 ? written.seen(x.sha256, c.id) : null;
    if (at === null) return x;
    const ref: CertificateRef = { index: x.index, sha256: x.sha256, length: x.length, sameAs: at };
    // Where this copy's bytes are is this connection's own information.
    if (opts.ranges) ref.range = x.range;
    return ref;
  });
}

/**
 * The connection as `--json` writes it: each decoded body once, ranges, name
 * lists and raw fingerprints only when asked, certificates that `written` has
 * seen as references (all in full without `written` or with `allCertificates`).
 */
export function connectionAsWritten(c: ConnectionReport, opts: JsonOptions, written?: CertificateMemory): ConnectionReport {
  const out: ConnectionReport = { ...c, messages: c.messages.map((m) => messageAsWritten(m, c, opts)) };
  if (c.clientHello) out.clientHello = helloAsWritten(c.clientHello, opts);
  if (c.serverHello) out.serverHello = helloAsWritten(c.serverHello, opts);
  if (c.serverKeyExchange) out.serverKeyExchange = helloAsWritten(c.serverKeyExchange, opts);
  if (!opts.rawFingerprints) out.fingerprints = withoutKeys(c.fingerprints, (k) => RAW_FINGERPRINTS.has(k));
  if (!opts.full) {
    out.tcp = tcpAsWritten(c.tcp);
    out.tls = withoutKeys(c.tls, (k) => isRegistryName(c.tls as unknown as Record<string, unknown>, k));
    if (c.diagnostics.some((d) => d.connection === c.id)) out.diagnostics = c.diagnostics.map((d) => (d.connection === c.id ? withoutKeys(d, (k) => k === 'connection') : d));
  }
  // The JSON form of the chain (shared/analysis.ts: certificates may hold CertificateRef in --json).
  if (written && !opts.allCertificates) out.certificates = certificatesAsWritten(c, opts, written) as CertificateReport[];
  return out;
}

/** Infinity (an unknown clock uncertainty) and NaN (a time one end never saw) are not JSON: write null. */
export function finiteReplacer(_key: string, value: unknown): unknown {
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

// `range` is a plain array (unlike the lazy `ranges`), so dropping it here costs nothing. A preamble unit's
// `elements` are byte positions too (their names and values are in the unit's text).
function finiteNoRange(key: string, value: unknown): unknown {
  if (key === 'range' || key === 'elements') return undefined;
  return typeof value === 'number' && !Number.isFinite(value) ? null : value;
}

function replacer(opts: JsonOptions): (key: string, value: unknown) => unknown {
  return opts.ranges ? finiteReplacer : finiteNoRange;
}

/** One connection of `analyze --json`, on one line. */
export function connectionJson(c: ConnectionReport, opts: JsonOptions, written?: CertificateMemory): string {
  return JSON.stringify(connectionAsWritten(c, opts, written), replacer(opts));
}

/**
 * `compare --json` as written, in pieces: a comparison of two big captures is
 * longer than V8's longest string. Connections and pairs are read from the
 * document one at a time (from disk for the CLI's streamed comparison) and
 * not held. Certificate references point within the same side (connection
 * ids are per capture).
 */
export function compareJsonChunks(doc: CompareDocument | CompareReport, opts: JsonOptions): Generator<string> {
  const d = 'head' in doc ? doc : documentOf(doc);
  const r = d.head;
  const rendered = d.rendered;
  const side = (a: AnalysisReport, which: CaptureSide) => {
    // The comparison's own `rules` holds the sides' rule texts too: written once.
    const { rules: _sideRules, ...rest } = a;
    void _sideRules;
    const connections = rendered
      ? new StreamedArray(d.connectionCount(which), () => rendered.connections(which), true)
      : new StreamedArray(d.connectionCount(which), function* () {
        const written = new WrittenCertificates();
        for (const c of d.connections(which)) yield connectionAsWritten(c, opts, written);
      });
    return { ...rest, connections };
  };
  const pairs = rendered ? new StreamedArray(d.pairCount, () => rendered.pairs(), true) : new StreamedArray(d.pairCount, () => d.pairs());
  const out = { ...r, client: side(r.client, 'client'), relay: r.relay && side(r.relay, 'relay'), pairs };
  return jsonChunks(out, replacer(opts), COMPARE_INDENT);
}

const COMPARE_INDENT = 2;
/** Where compare --json puts a connection (document → analysis → connections → one) and a pair (document → pairs → one). */
const CONNECTION_DEPTH = 3;
const PAIR_DEPTH = 2;

/**
 * A connection's and a pair's text exactly as compareJsonChunks writes them
 * at their place in the document: the streamed comparison writes each while
 * it is in memory, and the document is put together from the texts.
 */
export function compareJsonRenderer(opts: JsonOptions): { connection(c: ConnectionReport, written: CertificateMemory): string; pair(p: ConnectionPair): string; options: JsonOptions } {
  const rep = replacer(opts);
  // The replacer is a call from JSON.stringify into JS for every value: a third of the rendering time. The objects
  // rendered here are thrown away after (read back from disk for this), so what the replacer would leave out is
  // cleared from them in place instead, and JSON.stringify writes non-finite numbers as null on its own.
  const render = (v: object, depth: number): string => {
    if (opts.ranges) return jsonAtDepth(v, null, COMPARE_INDENT, depth);
    try {
      clearRangeKeys(v, 0);
    } catch {
      // Something frozen: the replacer then (what was cleared so far, it would have left out too).
      return jsonAtDepth(v, rep, COMPARE_INDENT, depth);
    }
    return jsonAtDepth(v, null, COMPARE_INDENT, depth);
  };
  return {
    connection: (c, written) => render(connectionAsWritten(c, opts, written), CONNECTION_DEPTH),
    pair: (p) => render(p, PAIR_DEPTH),
    // What another thread makes the same renderer from (a streamed comparison's second share: judgeShare.ts).
    options: opts,
  };
}

/** Deeper than any report: past it, the object is left to the replacer. */
const MAX_DEPTH = 64;

/** Sets every `range` and `elements` field in `v` to undefined (which JSON.stringify leaves out), as finiteNoRange drops them. */
function clearRangeKeys(v: object, depth: number): void {
  if (depth > MAX_DEPTH) throw new RangeError('too deep');
  if (Array.isArray(v)) {
    for (const x of v) if (x !== null && typeof x === 'object') clearRangeKeys(x as object, depth + 1);
    return;
  }
  const o = v as Record<string, unknown>;
  if (o.range !== undefined) o.range = undefined;
  if (o.elements !== undefined) o.elements = undefined;
  for (const k in o) {
    const x = o[k];
    if (x !== null && typeof x === 'object') clearRangeKeys(x as object, depth + 1);
  }
}

/** The same as one string (tests, small documents). */
export function compareJson(r: CompareReport, opts: JsonOptions): string {
  let text = '';
  for (const piece of compareJsonChunks(r, opts)) text += piece;
  return `${text}\n`;
}
