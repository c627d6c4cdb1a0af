/**
 * Hovers on a text dump: for any hex byte or ASCII-pane character, what the
 * byte is (TLS field, or else IP/TCP/link header field), its decoded value, the
 * raw bytes, where it sits in the TCP stream and which packet carried it.
 */
import { MarkupKind, type Hover, type Range } from 'vscode-languageserver-types';
import { headerFieldAt, packetHeaderFields } from '../net/headerFields';
import { hexString } from './fieldText';
import { byteAt, columnsOnLine, cryptoRunAt, fieldAtByte, fieldRawText, packetOfByte, streamOffsetOf, type FieldEntry, type IndexData, type PacketEntry } from './positionIndex';
import type { TextModel } from './textModel';
import type { RuleTexts, Suspect } from '../../../shared/compare';
import { ruleText, suspectWhy } from '../../../shared/suspects';

/** Markdown-safe inline code (values may contain backticks). */
export function code(s: string): string {
  const fence = s.includes('`') ? '``' : '`';
  return `${fence}${s.replace(/\r?\n/g, ' ')}${fence}`;
}

export function escapeMd(s: string): string {
  return s.replace(/[\\`*_{}[\]()#+\-.!|<>]/g, '\\$&');
}

function time(t: number): string {
  if (!Number.isFinite(t)) return 'unknown';
  if (t > 1e8) return new Date(t * 1000).toISOString().replace('T', ' ').replace('Z', ' UTC');
  return `${t.toFixed(6)} s`;
}

function packetLine(p: PacketEntry): string {
  return `#${p.index + 1} (line ${(p.headerLine >= 0 ? p.headerLine : p.firstLine) + 1})`;
}

function connectionWords(model: TextModel, p: PacketEntry): string | null {
  if (p.conn < 0) return null;
  const c = model.report.connections.find((x) => x.id === p.conn);
  if (!c) return `connection ${p.conn}`;
  const ep = (e: { address: string; port: number }) => `${e.address}:${e.port}`;
  return p.from === 'client' ? `connection ${c.id}, client → server (${ep(c.client)} → ${ep(c.server)})` : `connection ${c.id}, server → client (${ep(c.server)} → ${ep(c.client)})`;
}

export function renderFieldHover(opts: {
  path: string[];
  value: string | null;
  raw: string | null;
  rows: Array<[string, string]>;
  notes?: string[];
}): string {
  const lines = [`**${opts.path.map(escapeMd).join(' › ')}**`, ''];
  if (opts.value !== null) lines.push(code(opts.value), '');
  const rows = [...(opts.raw ? [['raw bytes', code(opts.raw)] as [string, string]] : []), ...opts.rows];
  if (rows.length) {
    lines.push('| | |', '|---|---|');
    for (const [k, v] of rows) lines.push(`| ${k} | ${v} |`);
    lines.push('');
  }
  for (const n of opts.notes ?? []) lines.push(n, '');
  return lines.join('\n').trimEnd();
}

/** A suspect in a hover: its weight, why (the case, then the rule), and the rule's source. */
export function suspectNote(rules: RuleTexts, s: Suspect): string {
  const { reference } = ruleText(rules, s.rule);
  return `⚠ **Suspect (${s.weight})** — ${escapeMd(suspectWhy(rules, s))}${reference ? `  \n_${escapeMd(reference)}_` : ''}`;
}

function suspectNotes(model: TextModel, f: FieldEntry): string[] {
  if (!f.reportPath) return [];
  const v = model.verdicts.find((x) => x.connection === f.conn);
  if (!v) return [];
  return v.suspects
    .filter((s) => s.field === f.reportPath || f.reportPath?.startsWith(`${s.field}.`) || f.reportPath?.startsWith(`${s.field}[`))
    .map((s) => suspectNote(model.rules, s));
}

const KEY_WORDS = { keylog: 'a key log', dsb: "the capture's Decryption Secrets Block", sidecar: 'the sidecar key log' } as const;

/** The kind of key that decrypted the message this field is in (never the key), or null when it travelled in clear. */
function decryptedWith(model: TextModel, f: FieldEntry): string | null {
  if (f.message < 0) return null;
  const m = model.report.connections.find((x) => x.id === f.conn)?.messages[f.message];
  return m?.decrypted && m.keySource ? KEY_WORDS[m.keySource] : null;
}

function hoverRange(d: IndexData, line: number, pane: 'hex' | 'ascii', f: FieldEntry): Range | undefined {
  const cols = columnsOnLine(d, line, f.conn, f.from, f.start, f.end);
  const c = pane === 'hex' ? cols.hex : cols.ascii;
  return c ? { start: { line, character: c[0] }, end: { line, character: c[1] } } : undefined;
}

const AEAD_NOTE = 'The AEAD keeps plaintext byte i at ciphertext byte i, so the dump shows this field\'s ciphertext here.';
const QUIC_INITIAL_NOTE = `_Decrypted from a QUIC Initial packet with the keys any observer derives from the client's first Destination `
  + `Connection ID (RFC 9001 §5.2). ${AEAD_NOTE}_`;

/** Why a QUIC field's bytes are shown as ciphertext: how the packet of that space was opened. */
function quicNote(space: string): string {
  if (space === 'Initial') return QUIC_INITIAL_NOTE;
  return space === 'unknown' ? `_Decrypted from a QUIC packet. ${AEAD_NOTE}_` : `_Decrypted from a QUIC ${space} packet with a key log's secrets. ${AEAD_NOTE}_`;
}

export function textHover(model: TextModel, line: number, character: number): Hover | null {
  const d = model.index;
  const hit = byteAt(d, line, character);
  if (!hit) return packetHeaderHover(model, line);
  const g = hit.byte;
  const pi = packetOfByte(d, g);
  if (pi < 0) return null;
  const p = d.packets[pi];
  const inPacket = g - p.dataOffset;
  const conn = connectionWords(model, p);
  const f = fieldAtByte(d, g);
  if (f) {
    // A datagram (QUIC) has no TCP stream: its handshake bytes are CRYPTO data of the packets the engine decrypted,
    // one CRYPTO stream per packet space (the index lays them end to end from `base`).
    const quic = p.seq < 0;
    const run = quic ? cryptoRunAt(d, g) : null;
    const base = run?.base ?? 0;
    const off = streamOffsetOf(d, g, pi) - base;
    const rows: Array<[string, string]> = [
      [quic ? 'CRYPTO offset' : 'stream offset', `${off} (byte ${off - (f.start - base) + 1} of ${f.end - f.start}; field at ${f.start - base}–${f.end - 1 - base})`],
      ['packet', `${packetLine(p)}, byte ${inPacket} of the frame`],
    ];
    if (quic) rows.unshift(['ciphertext', code(fieldRawText(d, f))]);
    if (conn) rows.push(['connection', escapeMd(conn)]);
    if (f.reportPath) rows.push(['report path', code(f.reportPath)]);
    const decrypted = decryptedWith(model, f);
    if (decrypted) rows.push(['decrypted', `with ${decrypted} (the raw bytes above are the ciphertext at these positions)`]);
    const notes = suspectNotes(model, f);
    const space = run?.space ?? 'unknown';
    if (quic) notes.unshift(quicNote(space));
    const path = quic && f.path[0] === 'TLS' ? [space === 'unknown' ? 'QUIC (decrypted)' : `QUIC ${space} (decrypted)`, ...f.path.slice(1)] : f.path;
    return {
      contents: { kind: MarkupKind.Markdown, value: renderFieldHover({ path, value: f.value, raw: quic ? null : fieldRawText(d, f), rows, notes }) },
      range: hoverRange(d, line, hit.pane, f),
    };
  }
  const frame = d.bytes.subarray(p.dataOffset, p.dataOffset + p.length);
  const headers = packetHeaderFields(p.linkType, frame);
  const h = headerFieldAt(headers, inPacket);
  if (h) {
    const raw = frame.subarray(h.offset, h.offset + h.length);
    const rows: Array<[string, string]> = [['frame offset', `${h.offset}${h.length > 1 ? `–${h.offset + h.length - 1}` : ''} (key ${code(h.key)})`], ['packet', packetLine(p)]];
    if (conn) rows.push(['connection', escapeMd(conn)]);
    const range = sameLineRange(d, line, hit.pane, p.dataOffset + h.offset, p.dataOffset + h.offset + h.length);
    return { contents: { kind: MarkupKind.Markdown, value: renderFieldHover({ path: [h.layer, h.name], value: h.value, raw: hexString(raw), rows }) }, range };
  }
  if (headers.payload && inPacket >= headers.payload.offset) {
    const off = streamOffsetOf(d, g, pi);
    const rows: Array<[string, string]> = [['packet', `${packetLine(p)}, payload byte ${inPacket - headers.payload.offset} of ${headers.payload.length}`]];
    if (off >= 0) rows.unshift(['stream offset', String(off)]);
    if (conn) rows.push(['connection', escapeMd(conn)]);
    const what = p.conn < 0 ? 'not part of a TLS connection' : off < 0 ? 'not mapped to the stream' : 'no decoded TLS field here (application data, encrypted, or after a gap)';
    return { contents: { kind: MarkupKind.Markdown, value: renderFieldHover({ path: ['TCP', 'payload'], value: null, raw: hexString(frame.subarray(inPacket, inPacket + 1)), rows, notes: [`_${what}_`] }) } };
  }
  return { contents: { kind: MarkupKind.Markdown, value: renderFieldHover({ path: ['Frame', `byte ${inPacket}`], value: null, raw: hexString(frame.subarray(inPacket, inPacket + 1)), rows: [['packet', packetLine(p)]], notes: headers.note ? [`_${escapeMd(headers.note)}_`] : [] }) } };
}

function sameLineRange(d: IndexData, line: number, pane: 'hex' | 'ascii', from: number, to: number): Range | undefined {
  let a = -1, b = -1;
  for (let g = from; g < to && g < d.bytes.length; g++) {
    if (d.byteLine[g] !== line) continue;
    const c = pane === 'hex' ? d.byteColumn[g] : d.byteAscii[g];
    if (c === 0xffffffff) continue;
    const w = pane === 'hex' ? 2 : 1;
    a = a < 0 ? c : Math.min(a, c);
    b = Math.max(b, c + w);
  }
  return a < 0 ? undefined : { start: { line, character: a }, end: { line, character: b } };
}

function packetHeaderHover(model: TextModel, line: number): Hover | null {
  const d = model.index;
  const pi = line >= 0 && line < d.lineCount ? d.linePacket[line] : -1;
  if (pi < 0) return null;
  const p = d.packets[pi];
  if (p.headerLine !== line) return null;
  const conn = connectionWords(model, p);
  const c = model.report.connections.find((x) => x.id === p.conn);
  const pr = c?.packets?.find((x) => x.index === p.index);
  const rows: Array<[string, string]> = [['time', time(p.time)], ['captured bytes', String(p.length)]];
  if (conn) rows.push(['connection', escapeMd(conn)]);
  if (pr) {
    rows.push(['TCP', escapeMd(`[${pr.flags}] stream offset ${pr.seq}, ${pr.length} bytes, ack ${pr.ack}, window ${pr.window}, TTL ${pr.ttl}`)]);
    if (pr.tls.length) rows.push(['TLS', escapeMd(pr.tls.join(', '))]);
    if (pr.notes.length) rows.push(['notes', escapeMd(pr.notes.join(', '))]);
  }
  return { contents: { kind: MarkupKind.Markdown, value: renderFieldHover({ path: ['Packet', `#${p.index + 1}`], value: null, raw: null, rows }) } };
}
