/**
 * The handshake as a tree of fields, built from the engine's `ranges`: every
 * range key becomes a node under the nearest key it extends
 * (`extensions[6].algorithms[3]` under `extensions[6]`), so each node knows
 * its bytes and the hex pane can find the innermost field under any byte.
 * Node paths are the field paths suspects and notes use
 * (`serverHello.cipherSuite`, `certificates[0].subject`).
 */
import type { CertificateReport, ConnectionReport, MessageReport, SourceLocation } from '../../shared/analysis';
import type { Suspect } from '../../shared/compare';
import { cipherSuiteName } from '../../shared/tls/registry/cipherSuites';
import { extensionName } from '../../shared/tls/registry/extensionTypes';
import { ecPointFormatName, namedGroupName } from '../../shared/tls/registry/namedGroups';
import { signatureSchemeName } from '../../shared/tls/registry/signatureSchemes';
import { versionName } from '../../shared/tls/registry/versions';
import { hex } from './format';

export interface FieldNode {
  /** Unique in the tree. */
  id: string;
  label: string;
  value: string;
  /** Field path as in suspects and notes; for message nodes `messages[i]`. */
  path: string;
  /** Index of the message it is in (connection.messages), -1 for nodes outside any message. */
  message: number;
  ranges: SourceLocation[];
  children: FieldNode[];
  parent: FieldNode | null;
  depth: number;
  /** Suspects on this field or a field inside it. */
  suspects: Suspect[];
}

const LABELS: Record<string, string> = {
  recordVersion: 'record version', legacyVersion: 'legacy version', random: 'random', sessionIdLength: 'session id length', sessionId: 'session id',
  cipherSuitesLength: 'cipher suites length', cipherSuites: 'cipher suites', cipherSuite: 'cipher suite', compressionMethodsLength: 'compression methods length',
  compressionMethods: 'compression methods', compressionMethod: 'compression method', extensionsLength: 'extensions length', extensions: 'extensions',
  serverName: 'server name (SNI)', supportedVersions: 'supported versions', supportedGroups: 'supported groups', ecPointFormats: 'EC point formats',
  signatureAlgorithms: 'signature algorithms', selectedVersion: 'selected version', alpn: 'ALPN', curveType: 'curve type', namedCurve: 'named curve',
  ecPointLength: 'EC point length', ecPoint: 'EC public point', signatureAlgorithm: 'signature algorithm', signatureLength: 'signature length',
  signature: 'signature', dhPrime: 'DH prime p', dhGenerator: 'DH generator g', dhPublic: 'DH public value', dhPrimeLength: 'DH prime length',
  dhGeneratorLength: 'DH generator length', dhPublicLength: 'DH public length', type: 'type', length: 'length', data: 'data',
  groupsList: 'groups', algorithmsList: 'algorithms', sharesList: 'key shares', keyExchange: 'key exchange', group: 'group',
};

function humanize(key: string): string {
  return LABELS[key] ?? key.replace(/([a-z])([A-Z])/g, '$1 $2').toLowerCase();
}

type Obj = Record<string, unknown>;

/** Walks `a.b[2].c` in a decoded object; extension fields live in `.data`. */
function resolve(root: unknown, path: string): unknown {
  let cur: unknown = root;
  for (const part of path.split(/\.|(?=\[)/)) {
    if (cur === null || cur === undefined) return undefined;
    const idx = /^\[(\d+)\]$/.exec(part);
    if (idx) {
      cur = Array.isArray(cur) ? cur[Number(idx[1])] : undefined;
      continue;
    }
    const o = cur as Obj;
    if (part in o) cur = o[part];
    else if (o.data && typeof o.data === 'object' && part in (o.data as Obj)) cur = (o.data as Obj)[part];
    else if (part.endsWith('List') && o.data && typeof o.data === 'object') cur = (o.data as Obj)[part.slice(0, -4)];
    else return undefined;
  }
  return cur;
}

function leafName(path: string): string {
  const parts = path.replace(/\[\d+\]$/, '').split('.');
  return parts[parts.length - 1];
}

function named(kind: string, n: number): string {
  switch (kind) {
    case 'cipherSuites': case 'cipherSuite': return `${cipherSuiteName(n)} (${hex(n)})`;
    case 'supportedGroups': case 'groups': case 'namedCurve': case 'group': case 'groupsList': return `${namedGroupName(n)} (${hex(n)})`;
    case 'signatureAlgorithms': case 'algorithms': case 'signatureAlgorithm': case 'algorithmsList': return `${signatureSchemeName(n)} (${hex(n)})`;
    case 'supportedVersions': case 'versions': case 'recordVersion': case 'legacyVersion': case 'selectedVersion': case 'selected': return `${versionName(n)} (${hex(n)})`;
    case 'ecPointFormats': case 'formats': return `${ecPointFormatName(n)} (${n})`;
    default: return String(n);
  }
}

function short(s: string, max = 80): string {
  return s.length > max ? `${s.slice(0, max)}… (${s.length / 2 === Math.floor(s.length / 2) && /^[0-9a-f]+$/.test(s) ? `${s.length / 2} bytes` : `${s.length} chars`})` : s;
}

/** A decoded value in words: numbers named from the IANA registries, lists counted. */
export function describeValue(path: string, v: unknown): string {
  const kind = leafName(path);
  if (v === null) return '(none)';
  if (v === undefined) return '';
  if (typeof v === 'number') {
    if (kind === 'type' && /extensions\[\d+\]\.type$/.test(path)) return `${extensionName(v)} (${hex(v)})`;
    return named(kind, v);
  }
  if (typeof v === 'string') return v === '' ? '(empty)' : short(v);
  if (typeof v === 'boolean') return v ? 'yes' : 'no';
  if (Array.isArray(v)) {
    if (v.length === 0) return '(none)';
    if (v.every((x) => typeof x === 'number')) return `${v.length}: ${v.map((x) => named(kind, x as number).replace(/ \(0x[0-9a-f]+\)$/, '')).join(', ')}`;
    if (v.every((x) => typeof x === 'string')) return v.join(', ');
    if (v.every((x) => x && typeof x === 'object' && 'name' in (x as Obj))) return v.map((x) => String((x as Obj).name)).join(', ');
    return `${v.length} entries`;
  }
  if (typeof v === 'object') {
    const o = v as Obj;
    if (typeof o.name === 'string' && typeof o.length === 'number') return `${o.name}, ${o.length} B`;
    if (typeof o.name === 'string') return o.name;
    if (typeof o.groupName === 'string') return `${o.groupName}${typeof o.length === 'number' ? `, ${o.length} B` : ''}`;
    return '';
  }
  return String(v);
}

function parentKey(key: string): string | null {
  const m = /^(.*)(?:\.[^.[\]]+|\[\d+\])$/.exec(key);
  return m ? m[1] : null;
}

/** Sort key of a location: file offset, or line/column for text dumps. */
export function locKey(r: SourceLocation | undefined): number {
  if (!r) return Number.MAX_SAFE_INTEGER;
  return r.kind === 'offset' ? r.offset : r.line * 100000 + r.column;
}

export function locLength(rs: SourceLocation[]): number {
  let n = 0;
  for (const r of rs) n += r.kind === 'offset' ? r.length : (r.endLine - r.line) * 100000 + (r.endColumn - r.column);
  return n;
}

function sortNodes(nodes: FieldNode[]): void {
  nodes.sort((a, b) => locKey(a.ranges[0]) - locKey(b.ranges[0]) || locLength(b.ranges) - locLength(a.ranges));
  for (const n of nodes) sortNodes(n.children);
}

/** Length prefixes are not kept as values: they follow from what they prefix. */
function lengthOf(obj: Obj, key: string): string | null {
  const list = (k: string) => (Array.isArray(obj[k]) ? (obj[k] as unknown[]) : null);
  switch (key) {
    case 'sessionIdLength': return typeof obj.sessionId === 'string' ? `${obj.sessionId.length / 2} bytes` : null;
    case 'cipherSuitesLength': return list('cipherSuites') ? `${list('cipherSuites')!.length * 2} bytes` : null;
    case 'compressionMethodsLength': return list('compressionMethods') ? `${list('compressionMethods')!.length} bytes` : null;
    case 'extensionsLength': return list('extensions') ? `${(list('extensions') as Array<{ length: number }>).reduce((n, e) => n + 4 + e.length, 0)} bytes` : null;
    default: return null;
  }
}

function fromRanges(obj: Obj & { ranges: Record<string, SourceLocation[]> }, prefix: string, message: number, parent: FieldNode, idBase: string): void {
  const byKey = new Map<string, FieldNode>();
  for (const key of Object.keys(obj.ranges)) {
    const node: FieldNode = {
      id: `${idBase}/${key}`, label: '', value: lengthOf(obj, key) ?? describeValue(key, resolve(obj, key)), path: `${prefix}.${key}`,
      message, ranges: obj.ranges[key], children: [], parent: null, depth: 0, suspects: [],
    };
    const idx = /\[(\d+)\]$/.exec(key);
    if (idx) {
      const item = resolve(obj, key);
      node.label = /(^|\.)extensions\[\d+\]$/.test(key) && item && typeof item === 'object' ? String((item as Obj).name ?? `extension ${idx[1]}`) : `[${idx[1]}]`;
      if (node.label !== `[${idx[1]}]`) node.value = `${(item as Obj).length ?? '?'} B${(item as Obj).grease ? ' (GREASE)' : ''}`;
    } else node.label = humanize(leafName(key));
    byKey.set(key, node);
  }
  for (const [key, node] of byKey) {
    let p = parentKey(key);
    while (p !== null && !byKey.has(p)) p = parentKey(p);
    const into = p === null ? parent : byKey.get(p)!;
    node.parent = into;
    into.children.push(node);
  }
}

function certNode(c: CertificateReport, message: number, parent: FieldNode, idBase: string): FieldNode {
  const p = `certificates[${c.index}]`;
  const node: FieldNode = {
    id: `${idBase}/${p}`, label: `certificate ${c.index}${c.index === 0 ? ' (leaf)' : ''}`, value: c.subjectCN ?? c.subject, path: p, message,
    ranges: c.range, children: [], parent, depth: 0, suspects: [],
  };
  const days = (s: number | null) => (s === null ? null : `${(s / 86400).toFixed(1)} days`);
  const rows: Array<[string, string, string | null]> = [
    ['subject', 'subject', c.subject || '(empty)'], ['issuer', 'issuer', c.issuer || '(empty)'],
    ['subjectAltNames', 'subject alt names', c.subjectAltNames.length ? c.subjectAltNames.join(', ') : '(none)'],
    ['notBefore', 'not before', c.notBefore], ['notAfter', 'not after', c.notAfter], ['lifetimeSeconds', 'lifetime', days(c.lifetimeSeconds)],
    ['serialNumber', 'serial number', c.serialNumber],
    ['publicKey', 'public key', c.publicKey ? `${c.publicKey.algorithm}${c.publicKey.bits ? ` ${c.publicKey.bits} bits` : ''}${c.publicKey.curve ? ` ${c.publicKey.curve}` : ''}` : null],
    ['signatureAlgorithm', 'signature algorithm', c.signatureAlgorithm], ['selfSigned', 'self-signed', c.selfSigned === null ? null : c.selfSigned ? 'yes' : 'no'],
    ['extensions', 'extensions', c.extensions.length ? c.extensions.map((e) => `${e.name}${e.critical ? ' (critical)' : ''}`).join(', ') : '(none)'],
    ['sha256', 'SHA-256', c.sha256], ['error', 'decoding problem', c.error ?? null],
  ];
  for (const [key, label, value] of rows) {
    if (value === null) continue;
    // The engine locates a certificate as a whole: its fields share its bytes.
    node.children.push({ id: `${node.id}.${key}`, label, value, path: `${p}.${key}`, message, ranges: c.range, children: [], parent: node, depth: 0, suspects: [] });
  }
  return node;
}

function messageValue(m: MessageReport): string {
  const where = m.packet >= 0 ? `, packet #${m.packet + 1}` : '';
  const dir = m.from === 'client' ? 'client → server' : 'server → client';
  const what = m.serverHello ? ` · ${m.serverHello.cipherSuiteName}` : m.clientHello?.serverName ? ` · SNI ${m.clientHello.serverName}` : m.certificates?.length ? ` · ${m.certificates.map((x) => x.subjectCN ?? x.subject).join(' ‹ ')}` : '';
  return `${dir}, ${m.length} B${where}${what}`;
}

/** The tree of one connection's handshake; `suspects` are marked on their fields (and, counted, on the fields around them). */
export function buildTree(c: ConnectionReport, idBase: string, suspects: Suspect[]): FieldNode[] {
  const roots: FieldNode[] = [];
  c.messages.forEach((m, i) => {
    const node: FieldNode = {
      id: `${idBase}/m${i}`, label: m.name, value: messageValue(m), path: `messages[${i}]`, message: i, ranges: m.range, children: [], parent: null, depth: 0, suspects: [],
    };
    const base = `${idBase}/m${i}`;
    if (m.clientHello) fromRanges(m.clientHello as never, 'clientHello', i, node, base);
    if (m.serverHello) fromRanges(m.serverHello as never, 'serverHello', i, node, base);
    if (m.serverKeyExchange) fromRanges(m.serverKeyExchange as never, 'serverKeyExchange', i, node, base);
    if (m.certificates) for (const cert of m.certificates) node.children.push(certNode(cert, i, node, base));
    if (m.details) {
      for (const [k, v] of Object.entries(m.details)) {
        node.children.push({ id: `${base}/d.${k}`, label: humanize(k), value: describeValue(k, v), path: `messages[${i}].${k}`, message: i, ranges: [], children: [], parent: node, depth: 0, suspects: [] });
      }
    }
    roots.push(node);
  });
  c.alerts.forEach((a, i) => {
    roots.push({
      id: `${idBase}/a${i}`, label: a.encrypted ? 'Alert (encrypted)' : `Alert: ${a.name}`, value: `from ${a.from}${a.level !== null ? `, level ${a.level}` : ''}${a.packet >= 0 ? `, packet #${a.packet + 1}` : ''}`,
      path: `alerts[${i}]`, message: -1, ranges: a.range, children: [], parent: null, depth: 0, suspects: [],
    });
  });
  const fp = c.fingerprints;
  const fpRows: Array<[string, string | null | undefined]> = [['ja3', fp.ja3], ['ja3s', fp.ja3s], ['ja4', fp.ja4], ['ja4s', fp.ja4s], ['ja4_r', fp.ja4_r]];
  const shown = fpRows.filter((r): r is [string, string] => typeof r[1] === 'string');
  if (shown.length) {
    const fnode: FieldNode = { id: `${idBase}/fp`, label: 'Fingerprints', value: shown.map((r) => r[0].toUpperCase()).join(', '), path: 'fingerprints', message: -1, ranges: [], children: [], parent: null, depth: 0, suspects: [] };
    for (const [k, v] of shown) fnode.children.push({ id: `${fnode.id}.${k}`, label: k.toUpperCase().replace('_R', '_r'), value: v, path: `fingerprints.${k}`, message: -1, ranges: [], children: [], parent: fnode, depth: 0, suspects: [] });
    roots.push(fnode);
  }
  for (const r of roots) sortNodes(r.children);
  const all = flatten(roots);
  for (const n of all) n.depth = n.parent ? n.parent.depth + 1 : 0;
  markSuspects(all, suspects);
  return roots;
}

export function flatten(roots: FieldNode[]): FieldNode[] {
  const out: FieldNode[] = [];
  const walk = (n: FieldNode) => {
    out.push(n);
    n.children.forEach(walk);
  };
  roots.forEach(walk);
  return out;
}

/** Does a suspect on `field` belong on the node at `path`? */
export function fieldMatches(path: string, field: string): boolean {
  return field === path || field.startsWith(`${path}[`) || field.startsWith(`${path}.`);
}

function markSuspects(all: FieldNode[], suspects: Suspect[]): void {
  for (const s of suspects) {
    // The suspect's own node: exact path, else the closest enclosing one.
    let best: FieldNode | null = null;
    for (const n of all) if (fieldMatches(n.path, s.field) && (!best || n.path.length > best.path.length)) best = n;
    for (let n = best; n; n = n.parent) if (!n.suspects.includes(s)) n.suspects.push(s);
  }
}

/** The node a suspect is shown on (deepest match). */
export function nodeForField(all: FieldNode[], field: string): FieldNode | null {
  let best: FieldNode | null = null;
  for (const n of all) if (fieldMatches(n.path, field) && (!best || n.path.length > best.path.length)) best = n;
  return best;
}

/** A suspect is "on" a node when its field is that node's path (not merely inside it). */
export function ownSuspects(n: FieldNode): Suspect[] {
  return n.suspects.filter((s) => s.field === n.path || !n.children.some((c) => fieldMatches(c.path, s.field)));
}
