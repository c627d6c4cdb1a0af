/**
 * What the HTML, Markdown and JSON renderers share: which connections a report
 * shows, the ladder (timeline) rows, field lookups and the plain-words texts.
 * Renderers only decide how things look; what is said lives here, so the three
 * formats can't tell different stories about the same capture.
 */
import type { AnalysisReport, ConnectionReport, Endpoint, KeySourceKind, MessageReport, PacketReport, SourceLocation } from '../analysis';
import type { CompareReport, ConnectionPair, Interference, PairPacket, PathDirection, RuleTexts, Suspect } from '../compare';
import type { Annotation } from '../annotations';
import { getField } from '../fields/path';
import { formatField, stepLabel } from '../fields/registry';

export type Side = 'client' | 'relay';

export interface ReportContext {
  annotations: Annotation[];
  generatedAt: Date;
  /**
   * The bytes of one handshake message (its 4-byte header included, i.e. the
   * stream bytes [span[0], span[1]) of the sender's direction), or null when
   * not available. Enables the hex views. See `hexBytesFromFiles` in hex.ts.
   */
  hexBytes?: (side: Side, connection: number, message: MessageReport) => Uint8Array | null;
  /** Heading of the report; default "TLS handshake report". */
  title?: string;
  /** At most this many connections get a full section (default 50 in HTML, 10 in Markdown); the rest are listed. */
  maxConnections?: number;
  /** At most this many arrows per ladder (default 300 in HTML, 60 in Markdown). */
  maxArrows?: number;
  /** Markdown only: stop adding connections past this many characters (default: under GitHub's 65,536). */
  maxChars?: number;
}

export type ReportInput = CompareReport | AnalysisReport;

/** compare: two captures; single: one capture run through compare; analysis: `analyze` output. */
export type ReportKind = 'compare' | 'single' | 'analysis';

export function isCompareReport(r: ReportInput): r is CompareReport {
  return 'pairs' in r && 'client' in r;
}

export function normalize(r: ReportInput): { kind: ReportKind; report: CompareReport } {
  if (!isCompareReport(r)) return { kind: 'analysis', report: { schema: r.schema, tool: r.tool, client: r, relay: null, pairs: [], unmatched: { client: [], relay: [] }, rules: r.rules ?? {} } };
  return { kind: r.relay ? 'compare' : 'single', report: r };
}

// ---------------------------------------------------------------------------
// Plain words

export const KIND_WORDS: Record<Interference['kind'], string> = {
  none: 'No interference seen',
  drop: 'Packets dropped on the path',
  'injected-reset': 'Forged reset injected on the path',
  modified: 'Packets modified on the path',
  undetermined: 'Could not tell whether the path interfered',
};

export function directionWords(d: PathDirection, remote: 'relay' | 'server' = 'relay'): string | null {
  switch (d) {
    case 'client-to-relay': return `client → ${remote}`;
    case 'relay-to-client': return `${remote} → client`;
    case 'both': return `both directions (${remote} → client and client → ${remote})`;
    default: return null;
  }
}

export function confidenceWords(c: number): string {
  const pct = Math.round(Math.max(0, Math.min(1, c)) * 100);
  return `${pct} % (${c >= 0.8 ? 'high' : c >= 0.5 ? 'medium' : 'low'})`;
}

/** One sentence: what happened, which way, from which TLS message on. */
export function verdictSentence(v: Interference, remote: 'relay' | 'server' = 'relay'): string {
  if (v.kind === 'undetermined') {
    const dir = directionWords(v.direction, remote);
    const where = [v.firstMissingTlsMessage ? `the first TLS message missing is ${v.firstMissingTlsMessage}` : null, dir ? `traffic ${dir} stopped` : null].filter(Boolean);
    return `${KIND_WORDS[v.kind]}${where.length ? `; ${where.join(', ')}` : ''}.`;
  }
  let s = KIND_WORDS[v.kind];
  const dir = directionWords(v.direction, remote);
  if (dir && v.kind !== 'none') s += `, ${dir}`;
  if (v.firstMissingTlsMessage && v.kind !== 'none') s += `; the first TLS message that did not get through is ${v.firstMissingTlsMessage}`;
  return `${s}.`;
}

export function endpoint(e: Endpoint | null | undefined): string {
  if (!e) return '?';
  return e.address.includes(':') ? `[${e.address}]:${e.port}` : `${e.address}:${e.port}`;
}

export function relTime(t: number, t0: number): string {
  if (!Number.isFinite(t)) return '—';
  const d = t - t0;
  return `${d < 0 ? '−' : '+'}${Math.abs(d).toFixed(6)} s`;
}

export function absTime(t: number): string {
  if (!Number.isFinite(t)) return '—';
  // Text dumps with time of day only give seconds since midnight.
  if (t < 86400 * 366) return `${new Date(t * 1000).toISOString().slice(11, 26)} (time of day)`;
  return new Date(t * 1000).toISOString().replace('T', ' ').replace('Z', ' UTC');
}

export function seconds(s: number | null | undefined, digits = 6): string {
  if (s === null || s === undefined || !Number.isFinite(s)) return '—';
  return `${s < 0 ? '−' : s > 0 ? '+' : ''}${Math.abs(s).toFixed(digits)} s`;
}

export function hex(n: number | null | undefined, width = 4): string {
  if (n === null || n === undefined) return '—';
  return `0x${n.toString(16).padStart(width, '0')}`;
}

/** tcpdump letters → words a reader without tcpdump knows. */
export function flagWords(flags: string): string {
  const names: Record<string, string> = { S: 'SYN', F: 'FIN', R: 'RST', P: 'PSH', U: 'URG', E: 'ECE', W: 'CWR', '.': 'ACK' };
  const out = [...flags].map((c) => names[c]).filter((x): x is string => !!x);
  return out.length ? out.join('+') : flags;
}

/**
 * A UDP datagram's timeline entry (QUIC, DTLS): no TCP flags and no stream offset. Censors' UDP rules are about
 * datagram sizes and order (Russia inspects QUIC payloads of 1001 bytes and more; the GFW only a flow's first
 * Initial), so its size is always shown.
 */
export function isDatagram(p: { flags: string; seq: number }): boolean {
  // Not by seq: a DTLS datagram's seq is its offset in the side's datagrams laid end to end (for dump hovers).
  return p.flags === '';
}

/** What an arrow says: the TLS messages it starts, else the TCP flags that matter; a datagram's size. */
export function packetLabel(p: { flags: string; seq: number; length: number; tls: string[]; notes?: string[] }): string {
  const again = p.notes?.includes('retransmission') ? ' (retransmission)' : '';
  if (isDatagram(p)) return `${p.tls.length > 0 ? `${p.tls.join(', ')} · ` : ''}${p.length} B${again}`;
  if (p.tls.length > 0) return p.tls.join(', ');
  if (p.length > 0) {
    // A data segment is known by its size; only flags beyond ACK/PSH say more.
    const extra = flagWords(p.flags).split('+').filter((w) => w !== 'PSH' && w !== 'ACK' && w !== p.flags);
    return `${p.length} B${extra.length ? ` ${extra.join('+')}` : ''}${again}`;
  }
  // ACK is noise next to RST/FIN; SYN+ACK is a name of its own.
  const words = flagWords(p.flags).split('+').filter((w) => w !== 'PSH' && !(w === 'ACK' && /[FR]/.test(p.flags)));
  return (words.join('+') || flagWords(p.flags)) + again;
}

// ---------------------------------------------------------------------------
// Sections: one per connection shown

export interface Section {
  /** HTML anchor, unique in the report. */
  anchor: string;
  kind: 'pair' | 'single' | 'unmatched';
  /** Connection in the client capture / relay capture. */
  client: ConnectionReport | null;
  relay: ConnectionReport | null;
  pair: ConnectionPair | null;
  /** For single/unmatched: which capture the connection is from. */
  side: Side;
  verdict: Interference | null;
  /** In rank order. */
  suspects: Suspect[];
  /** The texts of the rules the suspects name (the document's `rules`). */
  rules: RuleTexts;
  /** What the other end is called: "relay" with two captures, "server" with one. */
  remote: 'relay' | 'server';
  /** A relay-only connection the client never sent: why it is taken for spoofed (CompareReport.spoofed). */
  spoofed?: string[];
  /** A client-only connection sent while the relay's capture was not running: why (CompareReport.uncovered). */
  uncovered?: string[];
}

/**
 * A QUIC connection's datagrams in words: how many each end sent and the first sizes in order. Sizes and order
 * are what UDP censors key on (Russia's TSPU reads QUIC Initials of 1001 bytes and more; the GFW only a flow's
 * first Initial), so reports show them beside the handshake. Null for TCP.
 */
export function datagramSummary(c: ConnectionReport): string | null {
  const q = c.quic;
  if (!q) return null;
  const side = (from: 'client' | 'server') => {
    const sizes = q.datagramList.filter((d) => d.from === from).map((d) => d.size);
    const shown = sizes.slice(0, 8).join(', ');
    const more = q.datagrams[from] > Math.min(sizes.length, 8) ? ', …' : '';
    return `${from} ${q.datagrams[from]} (${sizes.length ? `${shown}${more} bytes` : 'none'})`;
  };
  return `${q.versionName} datagrams: ${side('client')}; ${side('server')}`;
}

export function connectionTitle(s: Section): string {
  const c = s.client ?? s.relay!;
  const ids = s.kind === 'pair'
    ? `client capture connection ${s.pair!.client}, ${s.pair!.relay === null ? 'never seen in the relay capture' : `relay capture connection ${s.pair!.relay}`}`
    : `${s.side} capture connection ${c.id}${s.spoofed ? ', never sent by the client: spoofed' : s.uncovered ? ', not covered by the relay capture' : s.kind === 'unmatched' ? `, seen only in the ${s.side} capture` : ''}`;
  return `${endpoint(c.client)} → ${endpoint(s.relay?.server ?? c.server)} (${ids})`;
}

/**
 * Where the connection's ClientHello sat on the wire (TLS records, TCP segments and the packets, #1-based),
 * flagged when split: evidence against censors that do not reassemble. Null when there is no layout.
 */
export function helloLayoutWords(c: ConnectionReport | null): { text: string; split: boolean } | null {
  const l = c?.messages.find((m) => m.layout)?.layout;
  if (!l) return null;
  const plural = (n: number, what: string) => `${n} ${what}${n === 1 ? '' : 's'}`;
  const packets = l.segments.map((g) => `#${g.packet + 1}`).join(', ');
  const what = `${plural(l.records.length, 'TLS record')}, ${plural(l.segments.length, 'TCP segment')}${packets ? ` (packet${l.segments.length === 1 ? '' : 's'} ${packets})` : ''}`;
  const split = [l.splitRecords ? 'TLS records' : '', l.splitSegments ? 'TCP segments' : ''].filter((x) => x !== '');
  return { text: split.length ? `split over several ${split.join(' and ')}: ${what}` : what, split: split.length > 0 };
}

const KEY_KIND_WORDS: Record<KeySourceKind, string> = { keylog: 'a key log', dsb: "the capture's Decryption Secrets Block", sidecar: 'a sidecar key log next to the capture' };

/**
 * Whether a connection was decrypted, with which kind of key, and whether its Finished messages check
 * (issue #14): what a report says of decryption. Never the key.
 */
export function decryptionWords(c: ConnectionReport | null): string | null {
  const d = c?.tls.decryption;
  if (!d) return null;
  const fin = (v: boolean | null) => (v === null ? 'not checked' : v ? 'checks' : 'does not check');
  const failed = d.failed.client + d.failed.server > 0 ? `; ${d.failed.client + d.failed.server} record(s) failed to decrypt (wrong key or altered bytes)` : '';
  return `decrypted with ${KEY_KIND_WORDS[d.keySource]}: server Finished ${fin(d.finished.server)}, client Finished ${fin(d.finished.client)}${failed}`;
}

export function serverName(s: Section): string | null {
  return s.client?.tls.serverName ?? s.relay?.tls.serverName ?? null;
}

function interesting(s: Section): number {
  let score = 0;
  if (s.verdict && s.verdict.kind !== 'none') score += 4;
  if (s.suspects.some((x) => x.weight === 'high')) score += 2;
  if (s.suspects.length > 0) score += 1;
  return score;
}

function byRank(xs: Suspect[]): Suspect[] {
  return [...xs].sort((a, b) => a.rank - b.rank);
}

export function buildSections(kind: ReportKind, r: CompareReport): Section[] {
  const byId = (a: AnalysisReport | null, id: number) => a?.connections.find((c) => c.id === id) ?? null;
  const out: Section[] = [];
  if (kind === 'compare') {
    for (const p of r.pairs) {
      out.push({
        anchor: `pair-${p.client}-${p.relay ?? 'none'}`, kind: 'pair', client: byId(r.client, p.client), relay: p.relay === null ? null : byId(r.relay, p.relay), pair: p,
        side: 'client', verdict: p.interference, suspects: byRank(p.suspects), rules: r.rules, remote: 'relay',
      });
    }
    for (const x of r.spoofed ?? []) {
      const c = byId(r.relay, x.relay);
      if (c) out.push({ anchor: `relay-${x.relay}`, kind: 'unmatched', client: null, relay: c, pair: null, side: 'relay', verdict: null, suspects: [], rules: r.rules, remote: 'relay', spoofed: x.evidence });
    }
    for (const side of ['client', 'relay'] as const) {
      for (const id of r.unmatched[side]) {
        const c = byId(side === 'client' ? r.client : r.relay, id);
        if (!c) continue;
        const uncovered = side === 'client' ? r.uncovered?.find((x) => x.client === id)?.evidence : undefined;
        out.push({
          anchor: `${side}-${id}`, kind: 'unmatched', client: side === 'client' ? c : null, relay: side === 'relay' ? c : null, pair: null, side,
          verdict: null, suspects: [], rules: r.rules, remote: 'relay', ...(uncovered ? { uncovered } : {}),
        });
      }
    }
    return out.filter((s) => s.client || s.relay);
  }
  for (const c of r.client.connections) {
    const sv = r.singleVantage?.find((x) => x.connection === c.id);
    out.push({
      anchor: `conn-${c.id}`, kind: 'single', client: c, relay: null, pair: null, side: 'client',
      verdict: sv?.interference ?? null, suspects: byRank(sv?.suspects ?? []), rules: r.rules, remote: 'server',
    });
  }
  return out;
}

/** Keeps the most telling sections when there are too many to show, in their original order. */
export function pickSections(all: Section[], max: number): { shown: Section[]; omitted: Section[] } {
  if (all.length <= max) return { shown: all, omitted: [] };
  const ranked = all.map((s, i) => ({ s, i, score: interesting(s) })).sort((a, b) => b.score - a.score || a.i - b.i);
  const keep = new Set(ranked.slice(0, max).map((x) => x.i));
  return { shown: all.filter((_, i) => keep.has(i)), omitted: all.filter((_, i) => !keep.has(i)) };
}

/** Which connection (by capture side and id) an annotation belongs to, for placing it in the right section. */
export function sectionConnection(s: Section, side: Side): ConnectionReport | null {
  return side === 'client' ? s.client : s.relay;
}

export function annotationsFor(s: Section, annotations: Annotation[]): Annotation[] {
  return annotations.filter((a) => {
    const side = a.side ?? 'client';
    const conn = sectionConnection(s, side);
    if (!conn) return false;
    if (a.target.kind === 'packet') {
      const idx = a.target.packet;
      if (s.pair) return s.pair.packets.some((p) => (side === 'client' ? p.clientIndex : p.relayIndex) === idx);
      return (conn.packets ?? []).some((p) => p.index === idx);
    }
    return a.target.connection === conn.id;
  });
}

// ---------------------------------------------------------------------------
// Ladder rows

export type ArrowKind = 'delivered' | 'dropped' | 'injected' | 'modified' | 'unseen' | 'observed';

export interface LadderArrow {
  /** right: sent by the client (left lane); left: sent by the relay/server. */
  dir: 'right' | 'left';
  kind: ArrowKind;
  /** The row's time on the client capture's clock: send time, or receive time when the sender's capture lacks it. */
  time: number;
  recvTime: number | null;
  delay: number | null;
  /** Transmissions drawn as this one arrow: 1, or more for a retransmitted segment. */
  count: number;
  lastTime: number;
  label: string;
  flags: string;
  length: number;
  seq: number;
  packets: Array<{ side: Side; index: number }>;
  notes: string[];
  evidence: string[];
}

export interface Ladder {
  lanes: 2 | 3;
  /** Lane titles, left to right. */
  laneNames: string[];
  laneEndpoints: string[];
  /** Rows to draw; `gapAfter` marks where arrows were left out. */
  arrows: LadderArrow[];
  omitted: { after: number; arrows: number; packets: number } | null;
  /** Packets in the connection (the timeline may itself be truncated by the engine). */
  packets: number;
  t0: number;
  engineTruncated: boolean;
}

function pairArrow(p: PairPacket): LadderArrow {
  const sender = p.from === 'client' ? p.clientTime : p.relayTime;
  const receiver = p.from === 'client' ? p.relayTime : p.clientTime;
  const senderIdx = p.from === 'client' ? p.clientIndex : p.relayIndex;
  const receiverIdx = p.from === 'client' ? p.relayIndex : p.clientIndex;
  let kind: ArrowKind;
  if (p.status === 'injected') kind = 'injected';
  else if (p.status === 'dropped') kind = 'dropped';
  else if (p.status === 'modified') kind = 'modified';
  else if (p.status === 'not-observed') kind = 'unseen';
  // A retransmission's fate is in which captures hold it.
  else if (senderIdx >= 0 && receiverIdx < 0) kind = 'dropped';
  // Delivered but missing from the sender's own capture: capture loss, not the path.
  else if (senderIdx < 0) kind = 'unseen';
  else kind = 'delivered';
  const time = kind === 'injected' || !Number.isFinite(sender) ? receiver : sender;
  const packets: LadderArrow['packets'] = [];
  if (p.clientIndex >= 0) packets.push({ side: 'client', index: p.clientIndex });
  if (p.relayIndex >= 0) packets.push({ side: 'relay', index: p.relayIndex });
  return {
    dir: p.from === 'client' ? 'right' : 'left', kind, time, recvTime: Number.isFinite(receiver) ? receiver : null, delay: p.delay,
    count: 1, lastTime: time, label: packetLabel(p), flags: p.flags, length: p.length, seq: p.seq, packets,
    notes: p.notes, evidence: p.evidence ?? [],
  };
}

function observedArrow(p: PacketReport, side: Side): LadderArrow {
  return {
    dir: p.from === 'client' ? 'right' : 'left', kind: 'observed', time: p.time, recvTime: null, delay: null, count: 1, lastTime: p.time,
    label: packetLabel(p), flags: p.flags, length: p.length, seq: p.seq, packets: [{ side, index: p.index }], notes: p.notes, evidence: [],
  };
}

/**
 * A segment sent again with the same bytes (same sequence number, length and
 * flags, nothing else sent by that end in between) is drawn once with ×N:
 * a blackholed ServerHello retransmitted ten times reads as one event.
 * Only segments that carry data, SYN or FIN are retransmitted; equal pure ACKs are not merged.
 */
function groupRetransmissions(arrows: LadderArrow[]): LadderArrow[] {
  const out: LadderArrow[] = [];
  const last = new Map<LadderArrow['dir'], LadderArrow>();
  for (const a of arrows) {
    const g = last.get(a.dir);
    // UDP datagrams (no TCP flags) have no sequence number to compare: only those the decoder marked as a
    // retransmission (a DTLS flight sent again) are one; QUIC datagrams of equal size are not.
    const udp = a.flags === '';
    const retrans = g && g.kind === a.kind && g.length === a.length && g.flags === a.flags &&
      (udp ? a.notes.includes('retransmission') : g.seq === a.seq && (a.length > 0 || /[SF]/.test(a.flags)));
    if (g && retrans) {
      g.count++;
      g.lastTime = a.time;
      g.packets.push(...a.packets);
      for (const n of a.notes) if (!g.notes.includes(n)) g.notes.push(n);
      for (const e of a.evidence) if (!g.evidence.includes(e)) g.evidence.push(e);
      continue;
    }
    const copy = { ...a, packets: [...a.packets], notes: [...a.notes], evidence: [...a.evidence] };
    out.push(copy);
    // An injected packet was not sent by that end: its retransmissions continue around it.
    if (a.kind !== 'injected') last.set(a.dir, copy);
  }
  return out;
}

function byTime(a: LadderArrow, b: LadderArrow): number {
  const ta = Number.isFinite(a.time) ? a.time : Infinity;
  const tb = Number.isFinite(b.time) ? b.time : Infinity;
  return ta - tb;
}

export function buildLadder(s: Section, maxArrows = 300): Ladder {
  let rows: LadderArrow[];
  let laneNames: string[];
  let laneEndpoints: string[];
  let packets: number;
  let engineTruncated = false;
  if (s.pair) {
    rows = s.pair.packets.map(pairArrow);
    laneNames = ['client', 'censor (path)', 'relay'];
    laneEndpoints = [endpoint(s.client?.client), 'between the two captures', endpoint(s.relay?.server)];
    packets = s.pair.packets.length;
    engineTruncated = !!(s.client?.tcp.timelineTruncated || s.relay?.tcp.timelineTruncated);
  } else {
    const c = (s.client ?? s.relay)!;
    rows = (c.packets ?? []).map((p) => observedArrow(p, s.side));
    const remote = s.kind === 'unmatched' ? 'server' : s.remote;
    laneNames = s.side === 'relay' && s.kind !== 'unmatched' ? ['client', 'relay (this capture)'] : ['client', remote];
    laneEndpoints = [endpoint(c.client), endpoint(c.server)];
    packets = c.packets?.length ?? 0;
    engineTruncated = c.tcp.timelineTruncated;
  }
  // Stable sort: the engine's order breaks ties between equal timestamps.
  rows = rows.map((r, i) => ({ r, i })).sort((a, b) => byTime(a.r, b.r) || a.i - b.i).map((x) => x.r);
  const grouped = groupRetransmissions(rows);
  const finite = grouped.map((a) => a.time).filter(Number.isFinite);
  const t0 = finite.length ? Math.min(...finite) : 0;
  let arrows = grouped;
  let omitted: Ladder['omitted'] = null;
  if (grouped.length > maxArrows) {
    // The handshake is at the start and resets/teardown at the end: keep both.
    const tail = Math.max(1, Math.floor(maxArrows / 5));
    const head = maxArrows - tail;
    const left = grouped.slice(head, grouped.length - tail);
    omitted = { after: head - 1, arrows: left.length, packets: left.reduce((n, a) => n + a.count, 0) };
    arrows = [...grouped.slice(0, head), ...grouped.slice(grouped.length - tail)];
  }
  return { lanes: s.pair ? 3 : 2, laneNames, laneEndpoints, arrows, omitted, packets, t0, engineTruncated };
}

/** "c4" / "r6–r15": frame numbers as Wireshark shows them (1-based). */
export function frameList(packets: LadderArrow['packets']): string {
  const parts: string[] = [];
  for (const side of ['client', 'relay'] as const) {
    const idx = packets.filter((p) => p.side === side).map((p) => p.index + 1).sort((a, b) => a - b);
    if (!idx.length) continue;
    const letter = side === 'client' ? 'c' : 'r';
    const runs: string[] = [];
    let start = idx[0];
    let prev = idx[0];
    for (const n of [...idx.slice(1), NaN]) {
      if (n === prev + 1) {
        prev = n;
        continue;
      }
      runs.push(start === prev ? `${letter}${start}` : `${letter}${start}–${letter}${prev}`);
      start = n;
      prev = n;
    }
    parts.push(runs.join(','));
  }
  return parts.join(' ');
}

export const ARROW_WORDS: Record<ArrowKind, string> = {
  delivered: 'delivered',
  dropped: 'dropped on the path',
  injected: 'injected on the path (the other end never sent it)',
  modified: 'modified on the path',
  unseen: 'not observed at the other end (its capture had stopped, or missed it)',
  observed: 'seen in this capture',
};

// ---------------------------------------------------------------------------
// Fields

export interface FieldValue {
  value: string;
  ranges: SourceLocation[];
}

/**
 * Resolves a field path as used by suspects and annotations
 * (`serverHello.cipherSuite`, `clientHello.extensions[2]`, `certificates[0].notAfter`,
 * `serverKeyExchange.dhPrime`) in one connection.
 */
export function lookupField(conn: ConnectionReport | null, field: string): FieldValue | null {
  if (!conn) return null;
  const m = /^(clientHello|serverHello|serverKeyExchange)\.(.+)$/.exec(field);
  if (m) {
    const obj = conn[m[1] as 'clientHello' | 'serverHello' | 'serverKeyExchange'];
    if (!obj) return null;
    const value = getField(obj, m[2]);
    const ranges = obj.ranges?.[m[2]] ?? obj.ranges?.[m[2].replace(/\[\d+\].*$/, '')] ?? [];
    return value === undefined ? null : { value: show(field, value, obj), ranges };
  }
  const c = /^certificates\[(\d+)\](?:\.(.+))?$/.exec(field);
  if (c) {
    const cert = conn.certificates[Number(c[1])];
    if (!cert) return null;
    const path = c[2] ? field : `${field}.subject`;
    const value = getField(conn, path);
    return value === undefined ? null : { value: show(path, value, cert), ranges: cert.range };
  }
  return null;
}

/** As the field registry shows it (as the tables, hovers and the webview do); raw for what it has no words for. */
function show(path: string, v: unknown, holder: unknown): string {
  const shown = formatField(path, v, holder);
  // A list element named by what it is (an extension) says so: "supported_groups: 12 B".
  const name = /\[\d+\]$/.test(path) ? stepLabel(path, v) : null;
  if (shown !== null) return name && !name.startsWith('[') ? `${name}: ${shown}` : shown;
  if (v === null) return 'null';
  if (typeof v === 'string') return v;
  if (typeof v === 'number' || typeof v === 'boolean') return String(v);
  return JSON.stringify(v);
}

/** Messages worth a hex view: the ones a censor's rules look at on the way back. */
export const KEY_MESSAGES = ['ServerHello', 'Certificate', 'ServerKeyExchange'];

export function findMessage(conn: ConnectionReport | null, name: string, from?: 'client' | 'server'): MessageReport | null {
  return conn?.messages.find((m) => m.name === name && (!from || m.from === from)) ?? null;
}
