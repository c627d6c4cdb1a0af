import type { AnalysisReport, ConnectionReport, DecryptionSummary, ReportDiagnostic } from '../../../shared/analysis';
import { quicLine } from './quicText';
import { dtlsLine } from './dtlsText';
import type { CompareReport, ConnectionPair, RuleTexts, Suspect } from '../../../shared/compare';
import { documentOf, type CompareDocument } from '../compare/compareDocument';
import { foldSuspects, ruleText } from '../../../shared/suspects';
import { packetCountsLine } from '../../../shared/captureContents';
import { describeLocation } from '../capture/source';

export interface TextOptions {
  color: boolean;
}

/**
 * Capture contents are attacker-controlled: a certificate name could carry
 * terminal escape sequences that rewrite the researcher's screen. Show control
 * characters as escapes instead of printing them.
 */
const UNSAFE = /[\u0000-\u001f\u007f-\u009f\u2028\u2029\u202a-\u202e\u2066-\u2069]/;
const UNSAFE_ALL = new RegExp(UNSAFE.source, 'g');

export function safeText(s: string): string {
  // Nearly every string is clean: testing first skips replace()'s per-call setup.
  return UNSAFE.test(s) ? s.replace(UNSAFE_ALL, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`) : s;
}

function endpoint(e: { address: string; port: number }): string {
  return e.address.includes(':') ? `[${safeText(e.address)}]:${e.port}` : `${safeText(e.address)}:${e.port}`;
}

function time(t: number): string {
  if (Number.isNaN(t)) return '—';
  // Time-of-day-only dumps give seconds since midnight; show those as a clock time.
  const clock = t <= 86400 * 366;
  const ms = Math.trunc(t * 1000);
  const second = Math.floor(ms / 1000);
  // Outside years 0001-9999 toISOString writes six-digit years: leave those to it.
  if (!(second >= -62135596800 && second < 253402300800)) {
    const iso = new Date(t * 1000).toISOString();
    return clock ? iso.slice(11, 23) : iso.replace('T', ' ').replace('Z', ' UTC');
  }
  const frac = `.${pad(ms - second * 1000, 3)}`;
  const prefix = secondText(second, clock);
  return clock ? prefix + frac : `${prefix}${frac} UTC`;
}

/**
 * `YYYY-MM-DD hh:mm:ss` (UTC) of a second in years 0001-9999, or `hh:mm:ss`
 * for a clock time, as Date#toISOString writes them. Worked out with
 * integers: a capture's connections mostly start in different seconds, and a
 * Date per time was most of writing a connection's summary line.
 */
function secondText(second: number, clock: boolean): string {
  const days = Math.floor(second / 86400);
  const inDay = second - days * 86400;
  const hms = `${pad(Math.floor(inDay / 3600), 2)}:${pad(Math.floor(inDay / 60) % 60, 2)}:${pad(inDay % 60, 2)}`;
  if (clock) return hms;
  // Days since 1970-01-01 to a civil date (H. Hinnant, "chrono-Compatible Low-Level Date Algorithms").
  const z = days + 719468;
  const era = Math.floor(z / 146097);
  const doe = z - era * 146097;
  const yoe = Math.floor((doe - Math.floor(doe / 1460) + Math.floor(doe / 36524) - Math.floor(doe / 146096)) / 365);
  const doy = doe - (365 * yoe + Math.floor(yoe / 4) - Math.floor(yoe / 100));
  const mp = Math.floor((5 * doy + 2) / 153);
  const day = doy - Math.floor((153 * mp + 2) / 5) + 1;
  const month = mp < 10 ? mp + 3 : mp - 9;
  const year = yoe + era * 400 + (month <= 2 ? 1 : 0);
  return `${pad(year, 4)}-${pad(month, 2)}-${pad(day, 2)} ${hms}`;
}

function pad(n: number, width: number): string {
  return String(n).padStart(width, '0');
}

function styles(opts: TextOptions): Styles {
  return {
    bold: (s: string) => (opts.color ? `\x1b[1m${s}\x1b[0m` : s),
    dim: (s: string) => (opts.color ? `\x1b[2m${s}\x1b[0m` : s),
    warn: (s: string) => (opts.color ? `\x1b[33m${s}\x1b[0m` : s),
  };
}

/*
 * The readable summary is written as the capture is read: the file's name,
 * then each connection as soon as it is over (in the order connections end,
 * each with its id), then what is only known at the end (hash, counts,
 * problems). A 1 GB capture's summary starts within moments and the whole
 * analysis is never held in memory.
 */

export function formatAnalysisHead(path: string, opts: TextOptions): string {
  return `${styles(opts).bold(safeText(path))}\n\n`;
}

export function formatConnectionText(c: ConnectionReport, opts: TextOptions): string {
  return `${formatConnection(c, styles(opts)).join('\n')}\n\n`;
}

export function formatAnalysisTail(r: Omit<AnalysisReport, 'connections'>, shown: number, opts: TextOptions): string {
  const { bold, dim } = styles(opts);
  const lines: string[] = [bold('Capture')];
  const i = r.input;
  lines.push(`  ${i.format}${i.compressed ? ' (gzip)' : ''}, ${i.bytes} bytes, sha256 ${i.sha256}`);
  lines.push(`  ${packetCountsLine(i, shown)}`);
  for (const c of i.comments.slice(0, 20)) lines.push(dim(`  packet ${c.packet + 1} comment: ${safeText(c.comments.join(' | '))}`));
  const diags = r.diagnostics.filter((d) => d.severity !== 'info');
  if (diags.length > 0) {
    lines.push('', bold('Problems in the input'));
    for (const d of diags.slice(0, 50)) lines.push(`  ${formatDiagnostic(d)}`);
    if (diags.length > 50) lines.push(`  … and ${diags.length - 50} more (see --json)`);
  }
  return `${lines.join('\n')}\n`;
}

interface Styles {
  bold(s: string): string;
  dim(s: string): string;
  warn(s: string): string;
}

/*
 * One connection's lines, built by a few small functions rather than one big
 * one: V8 optimises a function once it is hot, and recompiles it whenever a
 * new shape of array or report reaches it; the one big function used to be
 * compiled three times, each as costly as decoding a ClientHello a thousand times.
 */
function formatConnection(c: ConnectionReport, st: Styles): string[] {
  const out: string[] = [headLine(c, st), factsLine(c)];
  if (c.preamble) preambleLines(c, st, out);
  const flow = flowLine(c);
  if (flow !== '') out.push(flow);
  const layout = c.messages.find((m) => m.layout)?.layout;
  if (layout && (layout.splitRecords || layout.splitSegments)) {
    out.push(st.warn(`    ClientHello split: ${layout.records.length} TLS record(s), ${layout.segments.length} TCP segment(s) (packets ${layout.segments.map((g) => g.packet).join(', ')})`));
  }
  keyExchangeLines(c, out);
  certificateLines(c, st, out);
  fingerprintLines(c, st, out);
  noteLines(c, st, out);
  return out;
}

function headLine(c: ConnectionReport, st: Styles): string {
  const t = c.tls;
  const head = [`#${c.id}`, `${endpoint(c.client)} → ${endpoint(c.server)}`];
  if (t.versionName) head.push(t.versionName);
  if (t.cipherSuiteName) head.push(t.cipherSuiteName);
  if (c.transport === 'quic') head.push('QUIC');
  if (c.transport === 'dtls' && c.tls.version === null) head.push('DTLS');
  return st.bold(head.join('  '));
}

function factsLine(c: ConnectionReport): string {
  const t = c.tls;
  const facts: string[] = [];
  if (t.serverName !== null) facts.push(`SNI ${safeText(t.serverName)}`);
  else if (c.clientHello) facts.push('no SNI');
  if (c.clientHello && c.clientHello.alpn.length > 0) facts.push(`ALPN offered ${safeList(c.clientHello.alpn)}`);
  if (t.alpn) facts.push(`chosen ${safeText(t.alpn)}`);
  if (t.resumed) facts.push('resumed');
  if (c.ech) facts.push(`${c.ech.kind === 'esni' ? 'ESNI' : 'ECH'} likely ${c.ech.likely === 'grease' ? 'GREASE' : c.ech.likely}`);
  facts.push(`${c.tcp.packets} packets, ${time(c.startTime)} – ${time(c.endTime)}`);
  return `    ${facts.join('; ')}`;
}

/** Units of a preamble listed before the handshake; a long dialogue is cut (the JSON has it all). */
const PREAMBLE_LINES = 12;

function preambleLines(c: ConnectionReport, st: Styles, out: string[]): void {
  const p = c.preamble!;
  const at = c.tls.startOffset;
  const where = at ? ` (client offset ${at.client ?? '—'}, server offset ${at.server ?? '—'})` : '';
  const target = p.destination ? `; target ${safeText(p.destination.host)}:${p.destination.port}` : '';
  const source = p.source ? `; original client ${safeText(p.source.host)}:${p.source.port}` : '';
  out.push(p.noTls === null ? `    TLS after ${p.chain.join(' › ')}${where}${target}${source}` : st.warn(`    no TLS after ${p.chain.join(' › ')}: ${safeText(p.noTls)}${target}`));
  for (const u of p.units.slice(0, PREAMBLE_LINES)) out.push(st.dim(`      ${u.from === 'client' ? 'C' : 'S'}: ${safeText(clip(u.text, 100))}`));
  const more = p.units.length - PREAMBLE_LINES + p.unitsDropped;
  if (more > 0) out.push(st.dim(`      … ${more} more`));
}

function safeList(items: string[]): string {
  let s = '';
  for (let i = 0; i < items.length; i++) s += (i > 0 ? ',' : '') + safeText(items[i]);
  return s;
}

function flowLine(c: ConnectionReport): string {
  let s = '';
  for (const m of c.messages) s += `${s === '' ? '    ' : ' '}${m.from === 'client' ? 'C' : 'S'}:${m.name}`;
  return s;
}

const KEY_SOURCE_WORDS: Record<DecryptionSummary['keySource'], string> = { keylog: 'key log', dsb: "the capture's Decryption Secrets Block", sidecar: 'sidecar key log' };

/** Which kind of key decrypted the connection and whether the Finished messages check: never the key. */
export function decryptionLine(d: DecryptionSummary, unit = 'records'): string {
  const fin = (v: boolean | null) => (v === null ? 'not checked' : v ? 'checks' : 'DOES NOT CHECK');
  const failed = d.failed.client + d.failed.server > 0 ? `; ${unit} that failed to decrypt: client ${d.failed.client}, server ${d.failed.server}` : '';
  return `decrypted with ${KEY_SOURCE_WORDS[d.keySource]}: client ${d.records.client} / server ${d.records.server} ${unit}; Finished: server ${fin(d.finished.server)}, client ${fin(d.finished.client)}${failed}`;
}

function keyExchangeLines(c: ConnectionReport, out: string[]): void {
  const ad = c.tls.applicationData;
  if (ad.client.records + ad.server.records > 0) out.push(`    application data: client ${ad.client.records} records / ${ad.client.bytes} B, server ${ad.server.records} records / ${ad.server.bytes} B`);
  for (const a of c.alerts) out.push(`    alert from ${a.from}: ${a.encrypted ? 'encrypted' : `${a.level === 2 ? 'fatal' : 'warning'} ${a.name}`}${a.decrypted ? ' (decrypted)' : ''}`);
  const dec = c.tls.decryption;
  // QUIC has no TLS records: its decryption counts Handshake packets.
  if (dec) out.push(`    ${decryptionLine(dec, c.transport === 'quic' ? 'Handshake packets' : 'records')}`);
  const ske = c.serverKeyExchange;
  if (ske) {
    if (ske.kind === 'dhe') out.push(`    DHE: p ${ske.dhPrimeBits} bits, g ${ske.dhGenerator}, Ys ${ske.dhPublicBits} bits`);
    else if (ske.kind === 'ecdhe') out.push(`    ECDHE: ${ske.namedCurveName ?? ske.namedCurve}`);
  }
}

function certificateLines(c: ConnectionReport, st: Styles, out: string[]): void {
  for (const cert of c.certificates) {
    const who = cert.subject || '(unparsed)';
    out.push(`    cert[${cert.index}] ${safeText(who)}  issuer ${safeText(cert.issuer)}`);
    out.push(st.dim(`            ${cert.notBefore ?? '?'} – ${cert.notAfter ?? '?'}, ${cert.publicKey ? `${cert.publicKey.algorithm} ${cert.publicKey.bits ?? ''}` : '?'}, sha256 ${cert.sha256.slice(0, 16)}…`));
  }
}

function fingerprintLines(c: ConnectionReport, st: Styles, out: string[]): void {
  const f = c.fingerprints;
  if (f.ja3) out.push(st.dim(`    JA3 ${f.ja3}  JA4 ${f.ja4 ?? '—'}`));
  if (f.ja3s) out.push(st.dim(`    JA3S ${f.ja3s}${f.ja4s ? `  JA4S ${f.ja4s}` : ''}`));
  let shown = 0;
  for (const x of c.suspects) {
    if (x.weight === 'low') continue;
    if (shown++ === 6) break;
    out.push(st.warn(`    suspect [${x.weight}] ${x.field}${x.value !== undefined ? ` = ${safeText(clip(x.value, 60))}` : ''} (${x.rule})`));
  }
}

function noteLines(c: ConnectionReport, st: Styles, out: string[]): void {
  const t = c.tls;
  const tcp = c.tcp;
  const tcpNotes: string[] = [];
  if (tcp.retransmissions.client + tcp.retransmissions.server > 0) tcpNotes.push(`retransmissions: client ${tcp.retransmissions.client}, server ${tcp.retransmissions.server}`);
  if (tcp.rst) tcpNotes.push(`RST from ${tcp.rst}`);
  if (tcp.gaps.client.length + tcp.gaps.server.length > 0) tcpNotes.push('bytes missing from the capture');
  const quic = quicLine(c) ?? dtlsLine(c);
  if (quic !== null) out.push(quic);
  else if (!tcp.synSeen) tcpNotes.push(`no SYN seen (roles by ${tcp.roleBy})`);
  if (!t.available) tcpNotes.push('no payload bytes in this dump: the TLS layer is not available');
  if (t.incomplete) tcpNotes.push(`handshake incomplete${t.lastMessage ? ` (last seen: ${t.lastMessage})` : ''}`);
  if (tcpNotes.length > 0) out.push(st.warn(`    ${tcpNotes.join('; ')}`));
  let shown = 0;
  for (const d of c.diagnostics) {
    if (d.severity === 'info') continue;
    if (shown++ === 10) break;
    out.push(st.warn(`    ${formatDiagnostic(d)}`));
  }
}

export function formatDiagnostic(d: ReportDiagnostic): string {
  const where = describeLocation(d.location);
  return `${d.severity}: ${safeText(d.message)}${where ? ` (${where})` : ''}`;
}



const KIND_WORDS: Record<string, string> = {
  none: 'no interference',
  drop: 'DROPPED on the path',
  'injected-reset': 'RESET INJECTED on the path',
  modified: 'MODIFIED on the path',
  undetermined: 'undetermined',
};

/** One line per pair, for scripts that grep the verdict. */
export function formatVerdictLine(doc: CompareReport | CompareDocument): string {
  const d = 'head' in doc ? doc : documentOf(doc);
  if (d.pairCount === 0) return d.head.relay ? 'verdict: no connection appears in both captures' : 'verdict: one capture only (see evidence)';
  return Array.from(d.pairs(), verdictLine).join('\n');
}

export function verdictLine(p: ConnectionPair): string {
  const i = p.interference;
  return `verdict: client #${p.client} ↔ ${p.relay === null ? 'never at the relay' : `relay #${p.relay}`}: ${i.kind}${i.direction ? ` (${i.direction})` : ''}${i.firstMissingTlsMessage ? `, first missing TLS message: ${i.firstMissingTlsMessage}` : ''}, confidence ${Math.round(i.confidence * 100)}%`;
}

function clip(s: string, n: number): string {
  return s.length > n ? `${s.slice(0, n - 1)}…` : s;
}

/** The strongest suspects with their reasons, then one line per rule for the rest ("N more, same reason"). */
function suspectLines(suspects: readonly Suspect[], rules: RuleTexts, dim: (s: string) => string, lines: string[]): void {
  const { shown, folded } = foldSuspects(suspects);
  for (const s of shown) {
    lines.push(`   ${s.rank}. [${s.weight}] ${s.field}${s.value !== undefined ? ` = ${safeText(clip(s.value, 70))}` : ''} ${dim(`(${s.rule})`)}`);
    lines.push(`      ${safeText(s.reason ?? ruleText(rules, s.rule).title)}`);
  }
  for (const g of folded) {
    lines.push(dim(`   … ${g.suspects.length} more, same reason (${safeText(ruleText(rules, g.rule).title)}): ${g.suspects.map((x) => x.field).join(', ')}`));
  }
}

type Where = { client: { address: string; port: number }; server: { address: string; port: number } };

/**
 * One pair's block of the text summary (its lines and the blank line after):
 * the streamed comparison writes it while the pair is in memory
 * (streamedCompare.ts), formatCompare for a comparison held whole.
 * `ruleTexts`: the rule texts of the pair's suspects (any superset).
 */
export function comparePairText(p: ConnectionPair, c: Where, rel: Where | null, ruleTexts: RuleTexts, opts: TextOptions): string {
  const bold = (s: string) => (opts.color ? `\x1b[1m${s}\x1b[0m` : s);
  const dim = (s: string) => (opts.color ? `\x1b[2m${s}\x1b[0m` : s);
  const red = (s: string) => (opts.color ? `\x1b[31m${s}\x1b[0m` : s);
  const lines: string[] = [];
  const i = p.interference;
  const head = `${endpoint(c.client)} → ${endpoint(c.server)}  (${rel ? `relay sees ${endpoint(rel.client)} → ${endpoint(rel.server)}` : 'never seen at the relay'})`;
  lines.push(bold(head));
  const verdict = `${KIND_WORDS[i.kind] ?? i.kind}${i.direction ? `, ${i.direction === 'both' ? 'both ways: relay to client and client to relay' : i.direction.replace(/-/g, ' ')}` : ''}${i.firstMissingTlsMessage ? `; first TLS message that did not get through: ${i.firstMissingTlsMessage}` : ''} (confidence ${Math.round(i.confidence * 100)}%)`;
  lines.push(`  verdict: ${i.kind === 'none' ? verdict : red(verdict)}`);
  for (const e of i.evidence) lines.push(`   - ${safeText(e)}`);
  if (p.matchedBy.length > 0) lines.push(dim(`  matched by: ${p.matchedBy.join('; ')}`));
  const counts = new Map<string, number>();
  for (const pk of p.packets) counts.set(pk.status, (counts.get(pk.status) ?? 0) + 1);
  lines.push(dim(`  packets: ${[...counts].map(([k, v]) => `${v} ${k}`).join(', ')}`));
  if (p.suspects.length > 0) {
    lines.push(`  suspect fields (${p.suspects.length}, strongest evidence first; the report and --json give each rule's source):`);
    suspectLines(p.suspects, ruleTexts, dim, lines);
  }
  for (const d of (p.baselineDiff ?? []).filter((x) => x.distinctive)) lines.push(`   differs from baseline: ${d.field}: ${safeText(d.blocked ?? '—')} vs ${safeText(d.baseline ?? '—')}`);
  lines.push('');
  return lines.join('\n');
}

/** The comparison as text; a document's pairs are read once, one at a time (the verdict lines at the end come from the same pass). */
export function formatCompare(doc: CompareReport | CompareDocument, opts: TextOptions): string {
  const d = 'head' in doc ? doc : documentOf(doc);
  const r = d.head;
  const bold = (s: string) => (opts.color ? `\x1b[1m${s}\x1b[0m` : s);
  const dim = (s: string) => (opts.color ? `\x1b[2m${s}\x1b[0m` : s);
  const lines: string[] = [];
  lines.push(`${r.relay ? 'client view:' : 'capture:'} ${safeText(r.client.input.path)} (${r.client.input.format}, ${r.client.input.packets} packets, sha256 ${r.client.input.sha256.slice(0, 16)}…)`);
  if (r.relay) lines.push(`relay view:  ${safeText(r.relay.input.path)} (${r.relay.input.format}, ${r.relay.input.packets} packets, sha256 ${r.relay.input.sha256.slice(0, 16)}…)`);
  lines.push('');
  const verdicts: string[] = [];
  if (d.renderedText) {
    for (const { block, verdict } of d.renderedText()) {
      lines.push(block);
      verdicts.push(verdict);
    }
  } else {
    for (const p of d.pairs()) {
      verdicts.push(verdictLine(p));
      lines.push(comparePairText(p, d.endpoints('client', p.client)!, p.relay === null ? null : d.endpoints('relay', p.relay)!, r.rules, opts));
    }
  }
  for (const s of r.singleVantage ?? []) {
    const c = d.endpoints('client', s.connection)!;
    lines.push(bold(`${endpoint(c.client)} → ${endpoint(c.server)}  (one vantage point)`));
    for (const e of s.interference.evidence) lines.push(`   - ${safeText(e)}`);
    suspectLines(s.suspects, r.rules, dim, lines);
    lines.push('');
  }
  for (const s of r.spoofed ?? []) {
    const c = d.endpoints('relay', s.relay)!;
    lines.push(bold(`${endpoint(c.client)} → ${endpoint(c.server)}  (relay capture only: spoofed)`));
    for (const e of s.evidence) lines.push(`   - ${safeText(e)}`);
    lines.push('');
  }
  for (const u of r.uncovered ?? []) lines.push(dim(safeText(u.evidence[0])));
  if (r.unmatched.client.length + r.unmatched.relay.length > 0) {
    lines.push(dim(`not matched: client connections ${r.unmatched.client.join(', ') || 'none'}; relay connections ${r.unmatched.relay.join(', ') || 'none'}`));
  }
  lines.push(verdicts.length > 0 ? verdicts.join('\n') : formatVerdictLine(d));
  return `${lines.join('\n')}\n`;
}
