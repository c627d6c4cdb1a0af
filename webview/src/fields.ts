/**
 * The handshake as a tree of fields, built from the engine's `ranges`: every
 * range key becomes a node under the nearest key it extends
 * (`extensions[6].algorithms[3]` under `extensions[6]`), so each node knows
 * its bytes and the hex pane can find the innermost field under any byte.
 * Node paths are the field paths suspects and notes use
 * (`serverHello.cipherSuite`, `certificates[0].subject`).
 * Labels and values are the field registry's (shared/fields), as in reports and hovers.
 */
import type { CertificateReport, ConnectionReport, MessageReport, SourceLocation } from '../../shared/analysis';
import type { Suspect } from '../../shared/compare';
import { fieldContains, valueAtKey } from '../../shared/fields/path';
import { certificateFields, fieldLabel, formatField, stepLabel } from '../../shared/fields/registry';

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
  /** A message or alert read from a decrypted record: the tree marks it (the kind of key, never the key). */
  decrypted?: string;
}

const KEY_KIND: Record<string, string> = { keylog: 'key log', dsb: 'Decryption Secrets Block', sidecar: 'sidecar key log' };

type Obj = Record<string, unknown>;

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

function fromRanges(obj: Obj & { ranges: Record<string, SourceLocation[]> }, prefix: string, message: number, parent: FieldNode, idBase: string): void {
  const byKey = new Map<string, FieldNode>();
  for (const key of Object.keys(obj.ranges)) {
    const path = `${prefix}.${key}`;
    const value = valueAtKey(obj, key);
    const node: FieldNode = {
      id: `${idBase}/${key}`, label: stepLabel(path, value), value: formatField(path, value, obj) ?? '', path,
      message, ranges: obj.ranges[key], children: [], parent: null, depth: 0, suspects: [],
    };
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
    id: `${idBase}/${p}`, label: stepLabel(p, c), value: c.subjectCN ?? c.subject, path: p, message,
    ranges: c.range, children: [], parent, depth: 0, suspects: [],
  };
  for (const d of certificateFields()) {
    const key = d.path.slice('certificates[*].'.length);
    const path = `${p}.${key}`;
    const value = formatField(path, (c as unknown as Obj)[key], c);
    if (value === null) continue;
    // The engine locates a certificate as a whole: its fields share its bytes.
    node.children.push({ id: `${node.id}.${key}`, label: d.label, value, path, message, ranges: c.range, children: [], parent: node, depth: 0, suspects: [] });
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
    if (m.decrypted) node.decrypted = KEY_KIND[m.keySource ?? ''] ?? 'key';
    const base = `${idBase}/m${i}`;
    if (m.clientHello) fromRanges(m.clientHello as never, 'clientHello', i, node, base);
    if (m.serverHello) fromRanges(m.serverHello as never, 'serverHello', i, node, base);
    if (m.serverKeyExchange) fromRanges(m.serverKeyExchange as never, 'serverKeyExchange', i, node, base);
    if (m.certificates) for (const cert of m.certificates) node.children.push(certNode(cert, i, node, base));
    if (m.details) {
      for (const [k, v] of Object.entries(m.details)) {
        const path = `messages[${i}].${k}`;
        node.children.push({ id: `${base}/d.${k}`, label: fieldLabel(path), value: formatField(path, v, m.details) ?? '', path, message: i, ranges: [], children: [], parent: node, depth: 0, suspects: [] });
      }
    }
    roots.push(node);
  });
  c.alerts.forEach((a, i) => {
    roots.push({
      id: `${idBase}/a${i}`, label: a.encrypted ? 'Alert (encrypted)' : `Alert: ${a.name}`, value: `from ${a.from}${a.level !== null ? `, level ${a.level}` : ''}${a.packet >= 0 ? `, packet #${a.packet + 1}` : ''}`,
      path: `alerts[${i}]`, message: -1, ranges: a.range, children: [], parent: null, depth: 0, suspects: [],
      ...(a.decrypted ? { decrypted: KEY_KIND[a.keySource ?? ''] ?? 'key' } : {}),
    });
  });
  const fp = c.fingerprints;
  const fpRows: Array<[string, string | null | undefined]> = [['ja3', fp.ja3], ['ja3s', fp.ja3s], ['ja4', fp.ja4], ['ja4s', fp.ja4s], ['ja4_r', fp.ja4_r]];
  const shown = fpRows.filter((r): r is [string, string] => typeof r[1] === 'string');
  if (shown.length) {
    const fnode: FieldNode = { id: `${idBase}/fp`, label: 'Fingerprints', value: shown.map((r) => r[0].toUpperCase()).join(', '), path: 'fingerprints', message: -1, ranges: [], children: [], parent: null, depth: 0, suspects: [] };
    for (const [k, v] of shown) fnode.children.push({ id: `${fnode.id}.${k}`, label: fieldLabel(`fingerprints.${k}`), value: v, path: `fingerprints.${k}`, message: -1, ranges: [], children: [], parent: fnode, depth: 0, suspects: [] });
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
export const fieldMatches = fieldContains;

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
