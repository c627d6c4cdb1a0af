/**
 * "Open as Text Dissection": the handshake layers of a capture as indented
 * text, like `tshark -V` restricted to TLS, with a line map so the server can
 * answer hovers and document symbols on the virtual document.
 */
import { SymbolKind, type DocumentSymbol, type Range } from 'vscode-languageserver-types';
import type { AnalysisReport, ConnectionReport, MessageReport, SourceLocation } from '../../../shared/analysis';
import type { RuleTexts, Suspect } from '../../../shared/compare';
import { certificateFields, formatField, stepLabel } from '../../../shared/fields/registry';
import { formatValue, hexString, OWNER_MESSAGE, prettyKey, type HelloOwner } from './fieldText';

export interface DissectionLine {
  path: string[];
  value: string | null;
  raw: string | null;
  connection: number;
  packet: number;
  /** Stream offset of the field's first byte in the sender's direction, -1 unknown. */
  streamOffset: number;
  from: 'client' | 'server';
  suspects: Suspect[];
}

export interface Dissection {
  text: string;
  /** Per line of `text`: what it shows, or null for headings and blank lines. */
  lines: Array<DissectionLine | null>;
  symbols: DocumentSymbol[];
  /** The texts of the rules the lines' suspects name. */
  rules: RuleTexts;
}

/** Reads the bytes of offset-located ranges (binary captures); null when unknown. */
export type ByteReader = (locs: SourceLocation[]) => Uint8Array | null;

function ep(e: { address: string; port: number }): string {
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

function time(t: number): string {
  return Number.isFinite(t) && t > 1e8 ? new Date(t * 1000).toISOString() : `${t}`;
}

/** Offset of the first byte of `field` within the message, walking the message's file pieces. */
function offsetInMessage(message: SourceLocation[], field: SourceLocation): number {
  if (field.kind !== 'offset') return -1;
  let acc = 0;
  for (const piece of message) {
    if (piece.kind !== 'offset') return -1;
    if (field.offset >= piece.offset && field.offset < piece.offset + piece.length) return acc + (field.offset - piece.offset);
    acc += piece.length;
  }
  return -1;
}

function sizeOf(locs: SourceLocation[]): number | null {
  let n = 0;
  for (const l of locs) {
    if (l.kind !== 'offset') return null;
    n += l.length;
  }
  return n;
}

export function renderDissection(report: AnalysisReport, opts: { read?: ByteReader; suspects?: Map<number, Suspect[]>; rules?: RuleTexts } = {}): Dissection {
  const text: string[] = [];
  const lines: Array<DissectionLine | null> = [];
  const symbols: DocumentSymbol[] = [];
  const emit = (s: string, info: DissectionLine | null = null) => {
    text.push(s);
    lines.push(info);
    return text.length - 1;
  };
  const range = (a: number, b: number): Range => ({ start: { line: a, character: 0 }, end: { line: b, character: text[b]?.length ?? 0 } });

  emit(`Handshake Inspector dissection of ${report.input.path}`);
  emit(`Format ${report.input.format}${report.input.compressed ? ' (gzip)' : ''}, ${report.input.packets} packets, ${report.input.tcpPackets} TCP, SHA-256 ${report.input.sha256}`);
  for (const d of report.diagnostics.slice(0, 20)) emit(`! ${d.severity}: ${d.message}`);
  emit('');
  if (report.connections.length === 0) emit('No TLS connection was found.');

  for (const c of report.connections) {
    const start = emit(`Connection ${c.id}: ${ep(c.client)} → ${ep(c.server)}`);
    const children: DocumentSymbol[] = [];
    emit(`    Time: ${time(c.startTime)} … ${time(c.endTime)}`);
    emit(`    TCP: ${c.tcp.packets} packets, ${c.tcp.bytes.client} bytes client → server, ${c.tcp.bytes.server} bytes server → client, retransmissions ${c.tcp.retransmissions.client}/${c.tcp.retransmissions.server}${c.tcp.rst ? `, RST from ${c.tcp.rst}` : ''}`);
    emit(`    TLS: ${[c.tls.versionName ?? 'no ServerHello', c.tls.cipherSuiteName, c.tls.serverName ? `SNI ${c.tls.serverName}` : null, c.tls.lastMessage ? `last message ${c.tls.lastMessage}` : null, c.tls.incomplete ? 'incomplete' : null].filter(Boolean).join(', ')}`);
    if (c.preamble) {
      const at = c.tls.startOffset;
      emit(`    Preamble: ${c.preamble.chain.join(' › ')}${c.preamble.noTls === null ? (at ? `, TLS from client offset ${at.client ?? '—'}, server offset ${at.server ?? '—'}` : '') : ` — no TLS: ${c.preamble.noTls}`}`);
      for (const u of c.preamble.units) emit(`      ${u.from === 'client' ? 'C' : 'S'}: ${u.text}`);
    }
    if (c.fingerprints.ja3) emit(`    JA3: ${c.fingerprints.ja3}`);
    if (c.fingerprints.ja4) emit(`    JA4: ${c.fingerprints.ja4}`);
    if (c.fingerprints.ja3s) emit(`    JA3S: ${c.fingerprints.ja3s}`);
    for (const d of c.diagnostics) emit(`    ! ${d.severity}: ${d.message}`);
    const suspects = opts.suspects?.get(c.id) ?? [];
    for (const m of c.messages) children.push(message(c, m, suspects));
    for (const a of c.alerts) {
      emit(`    Alert from ${a.from} (packet #${a.packet + 1}): ${a.encrypted ? 'encrypted' : `${a.level === 2 ? 'fatal' : 'warning'} ${a.name}`}${a.decrypted ? ' [decrypted]' : ''}`, {
        path: ['TLS', 'Alert'], value: a.encrypted ? 'encrypted' : a.name, raw: null, connection: c.id, packet: a.packet, streamOffset: -1, from: a.from, suspects: [],
      });
    }
    emit('');
    symbols.push({ name: `Connection ${c.id}: ${ep(c.client)} → ${ep(c.server)}`, detail: c.tls.serverName ?? undefined, kind: SymbolKind.Module, range: range(start, text.length - 2), selectionRange: range(start, start), children });
  }
  return { text: text.join('\n'), lines, symbols, rules: opts.rules ?? {} };

  function message(c: ConnectionReport, m: MessageReport, suspects: Suspect[]): DocumentSymbol {
    const arrow = m.from === 'client' ? 'client → server' : 'server → client';
    const start = emit(`    ${m.name} (${arrow}, packet #${m.packet + 1}, ${m.length} bytes, stream offset ${m.span[0]})${m.decrypted ? ' [decrypted]' : ''}`, {
      path: ['TLS', 'Handshake', m.name], value: `${m.length} bytes`, raw: null, connection: c.id, packet: m.packet, streamOffset: m.span[0], from: m.from, suspects: [],
    });
    for (const owner of ['clientHello', 'serverHello', 'serverKeyExchange'] as HelloOwner[]) {
      const obj = m[owner];
      if (!obj) continue;
      const ranges = obj.ranges ?? {};
      for (const key of Object.keys(ranges)) {
        const locs = ranges[key];
        const raw = opts.read?.(locs) ?? null;
        const value = formatValue(owner, obj, key, raw);
        const size = sizeOf(locs);
        const depth = key.split('.').length - 1 + (/\[\d+\]$/.test(key.split('.')[0]) ? 1 : 0);
        const pretty = prettyKey(owner, obj, key);
        const inMsg = locs[0] ? offsetInMessage(m.range, locs[0]) : -1;
        const reportPath = `${owner}.${key}`;
        const marks = suspects.filter((s) => s.field === reportPath);
        emit(`${' '.repeat(8 + depth * 4)}${pretty[pretty.length - 1]}: ${value ?? (size !== null ? `(${size} bytes)` : '')}${marks.length ? `   ⚠ suspect: ${marks.map((s) => s.rule).join(', ')}` : ''}`, {
          path: ['TLS', 'Handshake', OWNER_MESSAGE[owner], ...pretty], value, raw: raw ? hexString(raw) : null, connection: c.id, packet: m.packet,
          streamOffset: inMsg >= 0 ? m.span[0] + inMsg : -1, from: m.from, suspects: marks,
        });
      }
    }
    for (const cert of m.certificates ?? []) {
      const info = (label: string, value: string | null) => emit(`            ${label}: ${value ?? '—'}`, {
        path: ['TLS', 'Handshake', 'Certificate', stepLabel(`certificates[${cert.index}]`, cert), label], value, raw: null, connection: c.id, packet: m.packet, streamOffset: -1, from: m.from,
        suspects: suspects.filter((s) => s.field.startsWith(`certificates[${cert.index}]`)),
      });
      emit(`        ${stepLabel(`certificates[${cert.index}]`, cert)} (${cert.length} bytes)`);
      for (const d of certificateFields()) {
        const key = d.path.slice('certificates[*].'.length);
        const value = formatField(`certificates[${cert.index}].${key}`, (cert as unknown as Record<string, unknown>)[key], cert);
        if (value !== null) info(d.label, value);
      }
    }
    if (m.details) {
      for (const [k, v] of Object.entries(m.details)) emit(`        ${k}: ${typeof v === 'object' ? JSON.stringify(v) : String(v)}`);
    }
    const end = text.length - 1;
    return { name: m.name, detail: `${arrow}, packet #${m.packet + 1}`, kind: SymbolKind.Struct, range: range(start, end), selectionRange: range(start, start) };
  }
}
