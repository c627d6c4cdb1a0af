/**
 * Where the fields of a ConnectionReport (`serverHello.cipherSuite`,
 * `certificates[0].lifetimeSeconds`; grammar in shared/fields/path.ts) have
 * their bytes in the capture, and which message holds them.
 */
import type { ConnectionReport, MessageReport, SourceLocation } from '../../../shared/analysis';
import { sourceRangeOf } from '../output/sourceRanges';
import { formatFieldPath, parseFieldPath } from '../../../shared/fields/path';
import { fieldSource, messageOfField as registryMessage } from '../../../shared/fields/registry';
import { memoize } from '../util/memo';

// The grammar and the walker live in shared/ (the webview and the reports use them too).
export {
  formatFieldPath, getField, isPathError, parseFieldPath, resolveField, type PathError, type PathSegment, type ResolvedField,
} from '../../../shared/fields/path';

/*
 * Rules mark the same few paths on every connection; parsing each again (and
 * formatting its prefixes) was most of turning a mark into a suspect.
 * Read-only results.
 */
const parsedPath = memoize(parseFieldPath);

/** The keys a hello's ranges may hold for `path` below its root, longest first (root.a[1].b → a[1].b, a[1], a). */
const prefixKeys = memoize((path: string): readonly string[] => {
  const segs = parsedPath(path);
  const out: string[] = [];
  if (Array.isArray(segs)) for (let n = segs.length; n > 1; n--) out.push(formatFieldPath(segs.slice(1, n)));
  return out;
});

/** The handshake message a field path lies in, by the message names of MessageReport (the field registry's). */
export function messageOfField(path: string): string | null {
  return Array.isArray(parsedPath(path)) ? registryMessage(path) : null;
}

function isEmptyRange(r: SourceLocation[]): boolean {
  return r.every((l) => (l.kind === 'offset' ? l.length === 0 : l.line === l.endLine && l.column === l.endColumn));
}

const HELLO_ROOTS = new Set(['clientHello', 'serverHello', 'serverKeyExchange']);

/**
 * The message a decoded object came from. The report builder shares the
 * object between `conn.clientHello` and its message, so identity finds the
 * right one; after a JSON round trip the first message of that name does.
 */
export function findMessage(conn: ConnectionReport, name: string): MessageReport | undefined {
  const byIdentity = conn.messages.find((m) =>
    (name === 'ClientHello' && m.clientHello !== undefined && m.clientHello === conn.clientHello) ||
    (name === 'ServerHello' && m.serverHello !== undefined && m.serverHello === conn.serverHello) ||
    (name === 'ServerKeyExchange' && m.serverKeyExchange !== undefined && m.serverKeyExchange === conn.serverKeyExchange) ||
    (name === 'Certificate' && m.from === 'server' && m.certificates !== undefined && m.certificates.length > 0 && m.certificates[0] === conn.certificates[0]));
  if (byIdentity) return byIdentity;
  if (name === 'ServerHello') return conn.messages.find((m) => m.name === name && !m.serverHello?.helloRetryRequest) ?? conn.messages.find((m) => m.name === name);
  if (name === 'Certificate') return conn.messages.find((m) => m.name === name && m.from === 'server') ?? conn.messages.find((m) => m.name === name);
  return conn.messages.find((m) => m.name === name);
}

/**
 * Where a field's bytes are in the capture: the field's own range when the
 * decoder recorded one, else that of the nearest enclosing field (e.g.
 * `cipherSuites` for `cipherSuites[3].name`), else the whole certificate or
 * message. Empty only when the report carries no locations at all.
 */
export function fieldRange(conn: ConnectionReport, path: string): SourceLocation[] {
  const source = fieldSource(path);
  if (source) return fieldRange(conn, source);
  const segs = parsedPath(path);
  if (!Array.isArray(segs) || segs[0].kind !== 'key') return [];
  const root = segs[0].name;

  if (HELLO_ROOTS.has(root)) {
    const obj = conn[root as 'clientHello' | 'serverHello' | 'serverKeyExchange'];
    if (obj) {
      const lookup = (key: string) => sourceRangeOf(obj, key);
      for (const key of prefixKeys(path)) {
        const hit = lookup(key);
        if (hit && hit.length > 0 && !isEmptyRange(hit)) return hit;
        // An empty vector (no session id, no extensions) has no bytes of its own:
        // its length prefix is what the capture shows.
        const prefix = hit ? lookup(`${key}Length`) : undefined;
        if (prefix && prefix.length > 0) return prefix;
      }
    }
  } else if (root === 'certificates') {
    const ix = segs[1];
    if (ix?.kind === 'index') {
      const cert = conn.certificates[ix.index];
      if (cert && cert.range.length > 0) return cert.range;
    }
  } else if (root === 'messages') {
    const ix = segs[1];
    if (ix?.kind === 'index') return conn.messages[ix.index]?.range ?? [];
    return [];
  }
  const name = messageOfField(path);
  return name ? findMessage(conn, name)?.range ?? [] : [];
}
