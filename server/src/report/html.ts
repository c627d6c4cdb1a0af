/**
 * The HTML report: one self-contained file a researcher can attach to a
 * write-up or mail to a colleague. It loads nothing (no scripts, fonts,
 * images or styles from anywhere; the CSP forbids it anyway), reads without
 * JavaScript, prints with page breaks between connections, and follows the
 * reader's light/dark preference on screen.
 *
 * All text goes through escape.ts: markup is built with the `html` tag, which
 * escapes every interpolated value, and capture values sit in <bdi> so
 * right-to-left text in a certificate can't rearrange the sentence around it.
 */
import type { ConnectionReport, MessageReport, ReportDiagnostic, SourceLocation } from '../../../shared/analysis';
import type { CompareReport, Suspect } from '../../../shared/compare';
import { foldSuspects, ruleText, suspectWhy } from '../../../shared/suspects';
import type { Annotation } from './annotations';
import { html, joinHtml, raw, SafeHtml } from './escape';
import { fieldGroups, fieldMatches, messageOfField } from './fields';
import { type Highlight, hexView, isTextLocated, locatedIn, messageRelativeSpans } from './hex';
import { legendSwatch, renderLadder } from './ladder';
import {
  absTime, annotationsFor, buildLadder, buildSections, confidenceWords, connectionTitle, datagramSummary, decryptionWords, directionWords, endpoint, findMessage,
  KEY_MESSAGES, KIND_WORDS, type Ladder, lookupField, normalize, pickSections, type ReportContext, type ReportInput, type ReportKind,
  type Section, serverName, type Side, seconds, verdictSentence, helloLayoutWords,
} from '../../../shared/report/model';
import { describeLocation } from '../capture/source';
import { sameElements } from '../util/sameElements';

export type { ReportContext } from '../../../shared/report/model';

export const CSP = "default-src 'none'; style-src 'unsafe-inline'; img-src data:";

/** A value that came from a capture or a user: escaped and bidi-isolated. */
function v(s: string | number | null | undefined): SafeHtml {
  if (s === null || s === undefined) return html`<span class="none">—</span>`;
  return html`<bdi>${String(s)}</bdi>`;
}

interface Numbered extends Annotation {
  n: number;
}

export function renderHtml(input: ReportInput, ctx: ReportContext): string {
  const { kind, report } = normalize(input);
  const all = buildSections(kind, report);
  const { shown, omitted } = pickSections(all, ctx.maxConnections ?? 50);
  const notes: Numbered[] = ctx.annotations.map((a, i) => ({ ...a, n: i + 1 }));
  const title = ctx.title ?? 'TLS handshake report';

  const body = joinHtml([
    header(kind, report, ctx, title),
    summary(kind, report, all, shown, omitted),
    shown.map((s) => section(kind, s, ctx, notes)),
    notesSection(notes, shown),
    inputsSection(kind, report),
    html`<footer><p>Generated ${ctx.generatedAt.toISOString()} by ${report.tool.name} ${report.tool.version}. This file is self-contained: it runs no scripts and loads nothing from the network.</p></footer>`,
  ]);
  return `<!DOCTYPE html>
<html lang="en">
<head>
<meta charset="utf-8">
<meta http-equiv="Content-Security-Policy" content="${CSP}">
<meta name="referrer" content="no-referrer">
<meta name="viewport" content="width=device-width, initial-scale=1">
<meta name="color-scheme" content="light dark">
<meta name="generator" content="${html`${report.tool.name} ${report.tool.version}`}">
<title>${html`${title}`}</title>
<style>${STYLE}</style>
</head>
<body>
${body}
</body>
</html>
`;
}

function header(kind: ReportKind, r: CompareReport, ctx: ReportContext, title: string): SafeHtml {
  const what = kind === 'compare' ? 'Comparison of a client capture and a relay capture of the same connections'
    : kind === 'single' ? 'What one capture can tell (no second vantage point)'
      : 'Handshake analysis of one capture';
  const files = [html`<li>client capture: <code>${v(r.client.input.path)}</code></li>`];
  if (r.relay) files.push(html`<li>relay capture: <code>${v(r.relay.input.path)}</code></li>`);
  return html`<header><h1>${title}</h1><p class="lead">${what}.</p><ul class="files">${files}</ul>
<p class="meta">Generated ${ctx.generatedAt.toISOString()} by ${r.tool.name} ${r.tool.version}. File hashes are under <a href="#inputs">Inputs</a>.</p></header>`;
}

function verdictShort(s: Section): SafeHtml {
  if (s.spoofed) return html`<span class="k k-injected-reset">spoofed: only at the relay</span>`;
  if (s.uncovered) return html`<span class="k k-undetermined">not covered by the relay capture</span>`;
  if (s.kind === 'unmatched') return html`<span class="k k-undetermined">only in the ${s.side} capture</span>`;
  if (!s.verdict) return html`<span class="none">—</span>`;
  const dir = directionWords(s.verdict.direction, s.remote);
  return html`<span class="${`k k-${s.verdict.kind}`}">${KIND_WORDS[s.verdict.kind]}</span>${dir && s.verdict.kind !== 'none' ? `, ${dir}` : ''}`;
}

function summary(kind: ReportKind, r: CompareReport, all: Section[], shown: Section[], omitted: Section[]): SafeHtml {
  const interfered = all.filter((s) => s.verdict && s.verdict.kind !== 'none' && s.verdict.kind !== 'undetermined');
  let headline: SafeHtml;
  if (kind === 'analysis') headline = html`<p>${all.length} TLS connection${all.length === 1 ? '' : 's'} in the capture.</p>`;
  else if (kind === 'single') headline = html`<p>${all.length} connection${all.length === 1 ? '' : 's'}; ${interfered.length} show signs of interference as far as one capture can tell.</p>`;
  else {
    headline = html`<p>${r.pairs.length} connection${r.pairs.length === 1 ? '' : 's'} matched between the captures; <strong>${interfered.length}</strong> show interference.${r.unmatched.client.length || r.unmatched.relay.length ? ` Unmatched: ${r.unmatched.client.length} only in the client capture${r.uncovered?.length ? ` (${r.uncovered.length} sent while the relay's capture was not running)` : ''}, ${r.unmatched.relay.length} only in the relay capture.` : ''}</p>`;
  }
  if (all.length === 0) return html`<section class="summary"><h2>Summary</h2>${headline}</section>`;
  const rows = all.map((s) => {
    const isShown = shown.includes(s);
    const c = (s.client ?? s.relay)!;
    return html`<tr><td>${isShown ? html`<a href="${`#${s.anchor}`}">${c.id}</a>` : String(c.id)}</td><td>${v(endpoint(c.client))} → ${v(endpoint(s.relay?.server ?? c.server))}</td><td>${v(serverName(s))}</td>
<td>${verdictShort(s)}</td><td>${s.verdict?.firstMissingTlsMessage ? v(s.verdict.firstMissingTlsMessage) : html`<span class="none">—</span>`}</td><td>${s.verdict && s.verdict.kind !== 'none' ? confidenceWords(s.verdict.confidence) : ''}</td><td class="num">${s.suspects.length || ''}</td></tr>`;
  });
  const more = omitted.length ? html`<p class="note">${omitted.length} connection${omitted.length === 1 ? ' is' : 's are'} listed but not shown in full (the ${shown.length} with the most signs of interference are); the JSON report has all of them.</p>` : '';
  return html`<section class="summary"><h2>Summary</h2>${headline}
<table class="list"><thead><tr><th>${kind === 'compare' ? 'client conn.' : 'conn.'}</th><th>endpoints</th><th>server name</th><th>verdict</th><th>first missing TLS message</th><th>confidence</th><th>suspect fields</th></tr></thead><tbody>${rows}</tbody></table>${more}</section>`;
}

function section(kind: ReportKind, s: Section, ctx: ReportContext, allNotes: Numbered[]): SafeHtml {
  const notes = annotationsFor(s, allNotes) as Numbered[];
  const sni = serverName(s);
  const parts: SafeHtml[] = [];
  parts.push(html`<h2>${v(connectionTitle(s))}</h2>`);
  if (sni) parts.push(html`<p class="sni">server name (SNI): <strong>${v(sni)}</strong></p>`);
  parts.push(verdictBlock(kind, s));
  const connNotes = notes.filter((a) => a.target.kind === 'connection');
  if (connNotes.length) parts.push(html`<div class="notes-inline">${connNotes.map((a) => noteItem(a))}</div>`);

  const ladder = buildLadder(s, ctx.maxArrows ?? 300);
  const marks = new Map<string, number[]>();
  for (const a of notes) {
    if (a.target.kind !== 'packet') continue;
    const key = `${a.side ?? 'client'}:${a.target.packet}`;
    marks.set(key, [...(marks.get(key) ?? []), a.n]);
  }
  parts.push(html`<h3>Timeline</h3><figure class="ladder-wrap">${renderLadder(ladder, marks)}<figcaption>${ladderLegend(s, ladder)}${ladder.engineTruncated ? html`<br><strong>The analysis kept only the start of this connection's packets;</strong> later ones are not drawn.` : ''}${ladder.omitted ? html`<br>${ladder.omitted.packets} packets in the middle are not drawn, to keep the timeline readable.` : ''}</figcaption></figure>`);
  const packetNotes = notes.filter((a) => a.target.kind === 'packet');
  if (packetNotes.length) parts.push(html`<div class="notes-inline">${packetNotes.map((a) => noteItem(a))}</div>`);

  if (s.suspects.length) parts.push(suspectsTable(s));
  parts.push(handshakeTables(s, notes));
  parts.push(hexSection(s, ctx, notes));
  parts.push(diagnosticsBlock(s));
  return html`<section class="conn" id="${s.anchor}">${parts}</section>`;
}

function verdictBlock(kind: ReportKind, s: Section): SafeHtml {
  const c = (s.client ?? s.relay)!;
  const tls = tlsLine(s);
  if (s.spoofed) {
    return html`<div class="verdict vk-injected-reset"><p class="headline">Seen only at the relay, never sent by the client: spoofed.</p><ul class="evidence">${s.spoofed.map((e) => html`<li>${v(e)}</li>`)}</ul><p>${tls}</p></div>`;
  }
  if (s.uncovered) {
    return html`<div class="verdict vk-undetermined"><p class="headline">Sent while the relay's capture was not running: the relay could not have seen it, so no verdict.</p><ul class="evidence">${s.uncovered.map((e) => html`<li>${v(e)}</li>`)}</ul><p>${tls}</p></div>`;
  }
  if (s.kind === 'unmatched') {
    return html`<div class="verdict vk-undetermined"><p class="headline">Seen only in the ${s.side} capture: no connection in the ${s.side === 'client' ? 'relay' : 'client'} capture matches it.</p><p>${tls}</p></div>`;
  }
  if (!s.verdict) return html`<div class="verdict vk-none"><p>${tls}</p></div>`;
  const vd = s.verdict;
  const facts: SafeHtml[] = [];
  facts.push(html`<dt>verdict</dt><dd><span class="${`k k-${vd.kind}`}">${KIND_WORDS[vd.kind]}</span></dd>`);
  const dir = directionWords(vd.direction, s.remote);
  if (dir) facts.push(html`<dt>direction</dt><dd>${dir}</dd>`);
  facts.push(html`<dt>first missing TLS message</dt><dd>${vd.firstMissingTlsMessage ? v(vd.firstMissingTlsMessage) : 'none'}</dd>`);
  facts.push(html`<dt>confidence</dt><dd>${confidenceWords(vd.confidence)}</dd>`);
  if (s.pair) {
    const o = s.pair.clockOffset;
    const off = o.method === 'none'
      ? 'could not be estimated; relay times are shown unshifted'
      : `${seconds(o.seconds)} ± ${Math.abs(o.uncertainty).toFixed(6)} s (${o.method}, from ${o.samples.clientToRelay} client→relay and ${o.samples.relayToClient} relay→client packets)${o.oneWayDelay !== null ? `; one-way delay about ${o.oneWayDelay.toFixed(6)} s` : ''}; relay times below are shifted onto the client's clock`;
    facts.push(html`<dt>relay clock offset</dt><dd>${off}</dd>`);
    facts.push(html`<dt>matched by</dt><dd>${v(s.pair.matchedBy.join(', ') || '—')} (score ${s.pair.matchScore.toFixed(2)})</dd>`);
  } else if (kind === 'single') {
    facts.push(html`<dt>vantage</dt><dd>one capture only (${s.side}): a drop and a quiet server look alike from here</dd>`);
  }
  facts.push(html`<dt>started</dt><dd>${absTime(c.startTime)}</dd>`);
  for (const [conn, who] of [[s.client, 'client capture'], [s.relay, 'relay capture']] as const) {
    const l = helloLayoutWords(conn);
    if (l) facts.push(html`<dt>ClientHello layout${s.kind === 'pair' ? ` (${who})` : ''}</dt><dd class="${l.split ? 'split' : ''}">${l.text}</dd>`);
  }
  const evidence = vd.evidence.length ? html`<ul class="evidence">${vd.evidence.map((e) => html`<li>${v(e)}</li>`)}</ul>` : '';
  return html`<div class="${`verdict vk-${vd.kind}`}"><p class="headline">${v(verdictSentence(vd, s.remote))}</p><dl>${facts}</dl>${evidence}<p class="tls">${tls}</p></div>`;
}

function tlsLine(s: Section): SafeHtml {
  const describe = (c: ConnectionReport | null, who: string) => {
    if (!c) return null;
    const t = c.tls;
    const bits = [t.versionName ?? 'no ServerHello seen', t.cipherSuiteName, t.lastMessage ? `last handshake message in clear: ${t.lastMessage}` : null, t.incomplete ? 'handshake incomplete' : null];
    if (c.tcp.rst) bits.push(`RST from the ${c.tcp.rst}`);
    bits.push(decryptionWords(c));
    bits.push(datagramSummary(c));
    return html`<span class="who">${who}:</span> ${v(bits.filter(Boolean).join('; '))}`;
  };
  const lines = [describe(s.client, s.kind === 'pair' ? 'client capture' : 'TLS'), describe(s.relay, s.kind === 'pair' ? 'relay capture' : 'TLS')].filter(Boolean);
  return joinHtml(lines as SafeHtml[], '<br>');
}

function ladderLegend(s: Section, l: Ladder): SafeHtml {
  const present = new Set(l.arrows.map((a) => a.kind));
  const kinds = s.pair ? (['delivered', 'dropped', 'injected', 'modified', 'unseen'] as const).filter((k) => k === 'delivered' || k === 'dropped' || present.has(k)) : (['observed'] as const);
  const words: Record<string, string> = {
    delivered: 'delivered', dropped: 'dropped on the path (✕ at the censor)', injected: 'injected on the path (starts at the censor)',
    modified: 'modified on the path (○ at the censor)', unseen: 'not observed at one end (its capture had stopped)', observed: 'packet in this capture',
  };
  const items = kinds.map((k) => html`<span class="leg">${legendSwatch(k)} ${words[k]}</span>`);
  return html`${items}<br>Rows follow time but are not to scale; pauses over 1 s are cut (≈). ×N: the same segment sent N times. Frames: c = client capture, r = relay capture, numbered as in Wireshark. Hover an arrow for times and details.`;
}

function suspectsTable(s: Section): SafeHtml {
  const row = (x: Suspect) => {
    const conn = sideOfSuspect(s, x);
    const value = x.value ?? lookupField(conn?.conn ?? s.client ?? s.relay, x.field)?.value ?? null;
    const rule = ruleText(s.rules, x.rule);
    return html`<tr class="${`w-${x.weight}`}"><td class="num">${x.rank}</td><td><span class="${`wt w-${x.weight}`}">${x.weight}</span></td><td><code>${v(x.field)}</code><br><span class="dim">in ${v(x.message)}</span></td><td class="val">${v(value)}</td><td>${x.reason ? html`<strong>${x.reason}</strong> ` : ''}${rule.explanation}<br><span class="dim">${rule.title} (rule <code>${v(x.rule)}</code>)</span></td><td class="ref">${v(rule.reference)}</td></tr>`;
  };
  const head = html`<thead><tr><th>#</th><th>weight</th><th>field</th><th>value</th><th>why</th><th>reference</th></tr></thead>`;
  const { shown, folded } = foldSuspects(s.suspects);
  // Folded without a script: <details> opens with the keyboard and prints open in most browsers' print preview.
  const more = folded.map((g) => html`<details class="fold"><summary>${g.suspects.length} more, same reason: ${ruleText(s.rules, g.rule).title} (${g.suspects.map((x) => x.field).join(', ')})</summary>
<table class="list suspects">${head}<tbody>${g.suspects.map(row)}</tbody></table></details>`);
  return html`<h3>Suspect fields</h3><p class="note">Ranked by evidence: a value that differs between the two captures, a documented censor match, the field's place at the block point, a field censors are known to read. The strongest are listed; the rest are folded by rule.</p>
<table class="list suspects">${head}<tbody>${shown.map(row)}</tbody></table>${more}`;
}

/** Which capture's copy of the message holds the suspect's bytes. */
function sideOfSuspect(s: Section, x: Suspect): { side: Side; conn: ConnectionReport; message: MessageReport } | null {
  const candidates: Array<{ side: Side; conn: ConnectionReport; message: MessageReport }> = [];
  for (const side of ['client', 'relay'] as const) {
    const conn = side === 'client' ? s.client : s.relay;
    const message = findMessage(conn, x.message);
    if (conn && message) candidates.push({ side, conn, message });
  }
  const located = candidates.find((c) => locatedIn(c.message, x.range));
  if (located) return located;
  // Without locations: what the sender sent is in the sender-side capture.
  const sender = candidates.find((c) => (c.message.from === 'server' ? c.side === 'relay' : c.side === 'client'));
  return sender ?? candidates[0] ?? null;
}

function handshakeTables(s: Section, notes: Numbered[]): SafeHtml {
  const two = s.kind === 'pair';
  const conns = two ? [s.client, s.relay] : [s.client ?? s.relay];
  const groups = fieldGroups(conns);
  if (groups.length === 0) return html`<h3>Handshake</h3><p class="note">No handshake messages in clear.</p>`;
  const fieldNotes = notes.filter((a) => a.target.kind === 'field');
  const tables = groups.map((g) => {
    const rows: SafeHtml[] = [];
    const absent = conns.map((c) => !c || !g.present(c));
    const shownRows = g.rows.filter((row) => conns.some((c) => c && g.present(c) && row.get(c) !== null));
    const rowCount = shownRows.length;
    for (const row of shownRows) {
      const vals = conns.map((c) => (c && g.present(c) ? row.get(c) : null));
      const sus = s.suspects.map((x, i) => ({ x, i })).filter(({ x }) => fieldMatches(row.field, x.field));
      const anns = fieldNotes.filter((a) => a.target.kind === 'field' && fieldMatches(row.field, a.target.field));
      const marks = joinHtml([
        sus.map(({ x, i }) => html` <span class="${`wt w-${x.weight}`}" title="${suspectWhy(s.rules, x)}">⚑${i + 1}</span>`),
        anns.map((a) => html` <span class="ann-mark" title="${a.text}">✎${a.n}</span>`),
      ]);
      const label = html`<th scope="row">${row.label}${marks}<br><code class="path">${row.field}</code></th>`;
      let cells: SafeHtml;
      if (!two) cells = html`<td class="val">${v(vals[0])}</td>`;
      else if (vals[0] !== null && vals[0] === vals[1]) cells = html`<td class="val" colspan="2">${v(vals[0])} <span class="same">same in both</span></td>`;
      else {
        const diff = vals[0] !== null && vals[1] !== null;
        cells = joinHtml(vals.map((x, k) => {
          // A message one end never got: one cell down the whole table, not "not received" on every row.
          if (absent[k]) return rows.length === 0 ? html`<td class="absent" rowspan="${String(rowCount)}">${missingWhy(s, k === 0 ? 'client' : 'relay', g.message)}</td>` : '';
          return html`<td class="${`val${diff ? ' diff' : ''}`}">${x === null ? html`<span class="none">—</span>` : v(x)}</td>`;
        }));
      }
      rows.push(html`<tr class="${sus.length ? `suspect w-${sus[0].x.weight}` : ''}">${label}${cells}</tr>`);
    }
    const from = (c: ConnectionReport | null) => {
      const m = findMessage(c, g.message);
      return m && m.packet >= 0 ? `frame ${m.packet + 1}` : m ? 'seen' : 'not seen';
    };
    const headCols = two ? html`<th>client capture (${from(s.client)})</th><th>relay capture (${from(s.relay)})</th>` : html`<th>value (${from(conns[0])})</th>`;
    return html`<table class="fields"><caption>${g.title}</caption><thead><tr><th>field</th>${headCols}</tr></thead><tbody>${rows}</tbody></table>`;
  });
  return html`<h3>Handshake</h3>${tables}`;
}

function missingWhy(s: Section, side: Side, message: string): string {
  const other = side === 'client' ? s.relay : s.client;
  if (!findMessage(other, message)) return '—';
  return side === 'client' ? `The client never received this ${message}.` : `Not in the relay capture: the relay never received this ${message}.`;
}

function hexSection(s: Section, ctx: ReportContext, notes: Numbered[]): SafeHtml {
  const hexBytes = ctx.hexBytes;
  if (!hexBytes) return html`<h3>Bytes</h3><p class="note">Hex views are not included: the report was made without the capture bytes.</p>`;
  const names = [...new Set([...KEY_MESSAGES, ...s.suspects.map((x) => x.message)])];
  const sides: Array<{ side: Side; conn: ConnectionReport }> = [];
  if (s.client) sides.push({ side: s.kind === 'pair' ? 'client' : s.side, conn: s.client });
  if (s.relay) sides.push({ side: 'relay', conn: s.relay });
  const views: SafeHtml[] = [];
  let textDump = false;
  for (const name of names) {
    const copies = sides.map((x) => ({ ...x, message: findMessage(x.conn, name) })).filter((x): x is typeof x & { message: MessageReport } => !!x.message);
    if (copies.length === 0) continue;
    const suspects = s.suspects.map((x, i) => ({ x, i })).filter(({ x }) => x.message === name);
    let chosen = copies.filter((c) => suspects.some(({ x }) => locatedIn(c.message, x.range)));
    if (chosen.length === 0) chosen = [copies.find((c) => (c.message.from === 'server' ? c.side === 'relay' : c.side === 'client')) ?? copies[0]];
    const bytes = copies.map((c) => ({ c, b: hexBytes(c.side, c.conn.id, c.message) }));
    // Both ends' copies are shown when they differ: that is the modification.
    if (bytes.length === 2 && bytes[0].b && bytes[1].b && !sameElements(bytes[0].b, bytes[1].b)) chosen = copies;
    for (const c of chosen) {
      const b = bytes.find((x) => x.c === c)?.b ?? null;
      if (!b) continue;
      if (isTextLocated(c.message)) textDump = true;
      views.push(hexBlock(s, c.side, c.conn, c.message, b, suspects, notes));
    }
  }
  if (views.length === 0) return raw('');
  return html`<h3>Bytes of key messages</h3><p class="note">Offsets count from the first byte of the handshake message (its 4-byte header). Highlighted: suspect fields (numbers as in the table above) and annotated fields.${textDump ? ' Messages from text dumps are shown without highlights: a dump locates fields by line and column, not by byte, so the field list gives those instead.' : ''}</p>${views}`;
}

function hexBlock(s: Section, side: Side, conn: ConnectionReport, message: MessageReport, bytes: Uint8Array, suspects: Array<{ x: Suspect; i: number }>, notes: Numbered[]): SafeHtml {
  const highlights: Highlight[] = [];
  const legend: SafeHtml[] = [];
  const place = (tag: string, color: number, field: string, locs: SourceLocation[], cls: string, title: string, text: SafeHtml) => {
    const spans = messageRelativeSpans(message, locs);
    let where: string;
    if (spans === null) where = locs.length ? `at ${locs.map((l) => describeLocation(l)).join(', ')} of the dump` : 'location unknown';
    else if (spans.length === 0) where = 'not in this copy of the message';
    else {
      where = spans.map(([a, b]) => (b - a === 1 ? `byte 0x${a.toString(16)}` : `bytes 0x${a.toString(16)}–0x${(b - 1).toString(16)}`)).join(', ');
      for (const span of spans) highlights.push({ span, n: color, tag, title, cls });
    }
    legend.push(html`<li><span class="${`hl ${cls} hl${color % 6}`}">${tag}</span> <code>${v(field)}</code>: ${text} <span class="dim">(${where})</span></li>`);
  };
  for (const { x, i } of suspects) {
    const own = sideOfSuspect(s, x);
    const locs = x.range.length && locatedIn(message, x.range) ? x.range : (own?.side === side || !x.range.length ? lookupField(conn, x.field)?.ranges ?? [] : []);
    const value = x.value ?? lookupField(conn, x.field)?.value ?? '';
    // The why is in the suspects table (same number); here only what and where.
    place(String(i + 1), i, x.field, locs, `w-${x.weight}`, `${x.field} = ${value}: ${suspectWhy(s.rules, x)}`, html`${v(value)} <span class="${`wt w-${x.weight}`}">${x.weight}</span>`);
  }
  for (const a of notes) {
    if (a.target.kind !== 'field' || (a.side ?? 'client') !== side || messageOfField(a.target.field) !== message.name) continue;
    const f = lookupField(conn, a.target.field);
    if (!f) continue;
    place(`✎${a.n}`, suspects.length + a.n, a.target.field, f.ranges, 'w-note', `note ✎${a.n}: ${a.text}`, html`note ✎${a.n}: ${v(a.text)}`);
  }
  const { view, truncated } = hexView(bytes, highlights);
  const where = message.packet >= 0 ? `frame ${message.packet + 1}` : 'frame unknown';
  return html`<div class="hexblock"><h4>${message.name} <span class="dim">from the ${side} capture, connection ${conn.id}, ${where}, ${bytes.length} bytes</span></h4>${message.decrypted ? html`<p class="note">Decrypted for this report's tables; the bytes below are its ciphertext as stored in the capture (the plaintext is not kept), at the same positions.</p>` : ''}${view}${truncated ? html`<p class="note">Only the first 4096 bytes are shown.</p>` : ''}${legend.length ? html`<ul class="hl-legend">${legend}</ul>` : ''}</div>`;
}

function diagnosticsBlock(s: Section): SafeHtml {
  const list: Array<{ d: ReportDiagnostic; side: string }> = [];
  if (s.client) list.push(...s.client.diagnostics.map((d) => ({ d, side: s.kind === 'pair' ? 'client capture' : '' })));
  if (s.relay) list.push(...s.relay.diagnostics.map((d) => ({ d, side: s.kind === 'pair' ? 'relay capture' : '' })));
  const shown = list.filter((x) => x.d.severity !== 'info').slice(0, 30);
  if (shown.length === 0) return raw('');
  return html`<h3>Decoding problems</h3><ul class="diag">${shown.map(({ d, side }) => html`<li class="${d.severity}"><strong>${d.severity}</strong> ${side ? `(${side}) ` : ''}<code>${d.code}</code>: ${v(d.message)}${d.location ? ` — ${describeLocation(d.location)}` : ''}</li>`)}</ul>`;
}

function noteItem(a: Numbered): SafeHtml {
  const target = a.target.kind === 'packet' ? `frame ${a.target.packet + 1} of the ${a.side ?? 'client'} capture`
    : a.target.kind === 'field' ? `field ${a.target.field}, connection ${a.target.connection} of the ${a.side ?? 'client'} capture`
      : `connection ${a.target.connection} of the ${a.side ?? 'client'} capture`;
  const lines = a.text.split(/\r\n|\r|\n/);
  return html`<div class="ann" id="${`note-${a.n}`}"><p class="ann-head"><span class="ann-mark">✎${a.n}</span> ${v(target)} — ${a.author ? html`${v(a.author)}, ` : ''}${v(a.created)}</p><p class="ann-text">${joinHtml(lines.map((l) => v(l)), '<br>')}</p></div>`;
}

function notesSection(notes: Numbered[], shown: Section[]): SafeHtml {
  if (notes.length === 0) return raw('');
  const placed = new Set(shown.flatMap((s) => (annotationsFor(s, notes) as Numbered[]).map((a) => a.n)));
  return html`<section class="notes" id="notes"><h2>Notes</h2><p class="note">Annotations from the captures' sidecar files (<code>*.annotations.json</code>).${notes.some((a) => !placed.has(a.n)) ? ' Notes marked “not placed” point at packets or connections not shown above.' : ''}</p>${notes.map((a) => html`${noteItem(a)}${placed.has(a.n) ? '' : html`<p class="dim">not placed</p>`}`)}</section>`;
}

function inputsSection(kind: ReportKind, r: CompareReport): SafeHtml {
  const inputs = [{ side: kind === 'compare' ? 'client' : 'capture', a: r.client }, ...(r.relay ? [{ side: 'relay', a: r.relay }] : [])];
  const rows = inputs.map(({ side, a }) => {
    const i = a.input;
    return html`<tr><th scope="row">${side}</th><td><code>${v(i.path)}</code></td><td>${v(i.format)}${i.compressed ? ' (gzip)' : ''}</td><td class="num">${i.bytes}</td><td class="num">${i.packets}</td><td><code class="sha">${v(i.sha256)}</code></td></tr>`;
  });
  const diags = inputs.flatMap(({ side, a }) => a.diagnostics.filter((d) => d.severity !== 'info').slice(0, 10).map((d) => html`<li class="${d.severity}">${side}: <code>${d.code}</code> ${v(d.message)}</li>`));
  return html`<section class="inputs" id="inputs"><h2>Inputs</h2>
<table class="list"><thead><tr><th>capture</th><th>path</th><th>format</th><th>bytes</th><th>packets</th><th>SHA-256 (of the file as stored)</th></tr></thead><tbody>${rows}</tbody></table>
<p class="note">To check this report against the files: <code>sha256sum</code> (or <code>shasum -a 256</code>) on each capture must print the hash above; then <code>handshake-inspector</code> ${r.tool.version} on the same files reproduces it. Packet times are from the client capture's clock${kind === 'compare' ? '; relay times are shifted by each connection\'s clock offset' : ''}. Analysis by ${r.tool.name} ${r.tool.version}${r.relay && r.relay.tool.version !== r.tool.version ? `, relay capture analysed by ${r.relay.tool.name} ${r.relay.tool.version}` : ''}.</p>
${diags.length ? html`<h3>Problems reading the inputs</h3><ul class="diag">${diags}</ul>` : ''}</section>`;
}

const STYLE = `
:root{color-scheme:light dark;--bg:#fff;--fg:#1f2328;--muted:#59636e;--line:#d1d9e0;--card:#f6f8fa;--accent:#0969da;
--drop:#c62828;--inject:#8e24aa;--modify:#9a6700;--ok:#1a7f37;--unseen:#8c959f;
--hl0:#fff1a8;--hl1:#ffd8e4;--hl2:#cfe8ff;--hl3:#d5f5d5;--hl4:#ffe2c2;--hl5:#e8dcff;--note:#fff8c5}
@media (prefers-color-scheme:dark){:root{--bg:#0d1117;--fg:#e6edf3;--muted:#9198a1;--line:#3d444d;--card:#151b23;--accent:#4493f8;
--drop:#ff7b72;--inject:#d2a8ff;--modify:#e3b341;--ok:#3fb950;--unseen:#6e7681;
--hl0:#5c4d00;--hl1:#6b2240;--hl2:#0c3c6b;--hl3:#1b4721;--hl4:#6b3a0c;--hl5:#3f2a73;--note:#4b3f00}}
*{box-sizing:border-box}
html{background:var(--bg);color:var(--fg)}
body{font:14px/1.5 system-ui,-apple-system,"Segoe UI",Roboto,"Helvetica Neue",Arial,sans-serif;max-width:1100px;margin:0 auto;padding:24px}
h1{font-size:1.7em;margin:.2em 0}h2{font-size:1.3em;margin:1.6em 0 .5em;padding-bottom:.2em;border-bottom:1px solid var(--line)}
h3{font-size:1.08em;margin:1.4em 0 .4em}h4{font-size:1em;margin:1em 0 .3em}
a{color:var(--accent)}
code,pre,.sha,.path{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,"Liberation Mono",monospace;font-size:.92em}
code.path{color:var(--muted);font-size:.8em}
.lead{font-size:1.1em;margin:.2em 0}.meta,.note,.dim,figcaption{color:var(--muted)}.note{font-size:.92em}
.files{margin:.3em 0;padding-left:1.2em}
.none{color:var(--muted)}
bdi{unicode-bidi:isolate}
table{border-collapse:collapse;margin:.4em 0 1em;width:100%}
th,td{border:1px solid var(--line);padding:4px 8px;text-align:left;vertical-align:top;overflow-wrap:anywhere}
thead th{background:var(--card);font-weight:600;overflow-wrap:normal}
table.fields caption{text-align:left;font-weight:600;padding:.3em 0}
table.fields th[scope=row]{width:24%;font-weight:500;background:var(--card)}
td.val{overflow-wrap:anywhere;word-break:break-word}
td.absent{color:var(--muted);font-style:italic;vertical-align:middle;text-align:center;width:22%;background:repeating-linear-gradient(135deg,transparent 0 8px,color-mix(in srgb,var(--line) 35%,transparent) 8px 9px)}
td.num{text-align:right;font-variant-numeric:tabular-nums}
td.diff{background:color-mix(in srgb,var(--modify) 14%,transparent)}
tr.suspect th[scope=row]{border-left:4px solid var(--modify)}tr.suspect.w-high th[scope=row]{border-left-color:var(--drop)}
.same{color:var(--muted);font-size:.85em;margin-left:.5em}
.sha{overflow-wrap:anywhere}
.ref{font-size:.9em;overflow-wrap:anywhere}
table.suspects td:nth-child(3){min-width:13em}table.suspects td:nth-child(4){min-width:10em}table.suspects td:nth-child(6){width:22%}
.verdict{border:1px solid var(--line);border-left:6px solid var(--ok);background:var(--card);padding:.6em 1em;margin:.6em 0;border-radius:4px}
.verdict.vk-drop{border-left-color:var(--drop)}.verdict.vk-injected-reset{border-left-color:var(--inject)}.verdict.vk-modified{border-left-color:var(--modify)}.verdict.vk-undetermined{border-left-color:var(--unseen)}
.verdict .headline{font-size:1.12em;font-weight:600;margin:.2em 0 .5em}
.verdict dl{display:grid;grid-template-columns:max-content 1fr;gap:2px 14px;margin:.3em 0}
.verdict dt{color:var(--muted)}.verdict dd{margin:0}
.evidence{margin:.5em 0;padding-left:1.3em}.evidence li{margin:.15em 0}
.verdict dd.split{font-weight:600}
.verdict .tls{font-size:.92em;color:var(--muted);margin:.4em 0 .1em}.who{font-weight:600}
.k{font-weight:600}.k-drop{color:var(--drop)}.k-injected-reset{color:var(--inject)}.k-modified{color:var(--modify)}.k-none{color:var(--ok)}.k-undetermined{color:var(--muted)}
.wt{font-size:.78em;font-weight:700;padding:0 5px;border-radius:8px;border:1px solid currentColor;white-space:nowrap}
.w-high{color:var(--drop)}.w-medium{color:var(--modify)}.w-low{color:var(--muted)}
tr.w-high>*,tr.w-medium>*,tr.w-low>*{color:var(--fg)}
.ann-mark{font-weight:700;color:var(--accent);white-space:nowrap}
.ann{border-left:3px solid var(--accent);background:var(--card);padding:.3em .8em;margin:.4em 0}
.ann p{margin:.15em 0}.ann-head{font-size:.88em;color:var(--muted)}
.ladder-wrap{margin:.4em 0;overflow-x:auto}
svg.ladder{display:block;max-width:100%;height:auto;font:11px system-ui,-apple-system,"Segoe UI",Roboto,Arial,sans-serif}
svg.ladder text{fill:var(--fg)}
svg.ladder .lane{stroke:var(--muted);stroke-width:1.5}
svg.ladder .lane.censor{stroke-dasharray:2 4;stroke-width:2}
svg.ladder .lane-name{font-weight:700;font-size:12.5px}
svg.ladder .lane-ep,svg.ladder .frames,svg.ladder .t{fill:var(--muted)}
svg.ladder .t{font-family:ui-monospace,SFMono-Regular,Menlo,Consolas,monospace;font-size:10.5px}
svg.ladder .frames{font-size:10px}
svg.ladder .note{font-weight:600}
.arrow{color:var(--fg)}
.arrow .shaft{stroke:currentColor;stroke-width:1.6;fill:none}
.arrow .head{fill:currentColor;stroke:none}
.arrow .lbl{paint-order:stroke;stroke:var(--bg);stroke-width:3.5px;stroke-linejoin:round}
svg.ladder .arrow text.lbl,svg.ladder .arrow text.note{fill:currentColor}
.arrow.k-dropped{color:var(--drop)}.arrow.k-dropped .shaft{stroke-dasharray:6 3;stroke-width:2}
.arrow .drop-mark{stroke:var(--drop);stroke-width:2.6;fill:none;stroke-linecap:round}
.arrow.k-injected{color:var(--inject)}.arrow.k-injected .shaft{stroke-width:2.2}
.arrow .inject-mark{fill:var(--inject)}
.arrow.k-modified{color:var(--modify)}.arrow .modify-mark{fill:var(--bg);stroke:var(--modify);stroke-width:2}
.arrow.k-unseen{color:var(--unseen)}.arrow.k-unseen .shaft{stroke-dasharray:1.5 3}
.unseen-mark{fill:var(--unseen);font-weight:700;font-size:13px}
svg.ladder .bg{fill:var(--bg)}
svg.ladder .brk{stroke:var(--muted);stroke-width:1.5;fill:none}
svg.ladder .brk-text{fill:var(--muted);font-style:italic}
svg.swatch{vertical-align:middle}
.leg{white-space:nowrap;margin-right:1.2em;font-size:.9em}
figcaption{font-size:.88em;margin-top:.3em}
pre.hex{background:var(--card);border:1px solid var(--line);padding:.6em .8em;overflow-x:auto;line-height:1.45;font-size:12px;margin:.3em 0}
pre.hex .off{color:var(--muted)}pre.hex .asc{color:var(--muted)}
mark.hl{color:var(--fg);border-radius:2px;box-shadow:inset 0 -2px 0 currentColor}
mark.hl.w-high{box-shadow:inset 0 -2px 0 var(--drop)}mark.hl.w-medium{box-shadow:inset 0 -2px 0 var(--modify)}mark.hl.w-low{box-shadow:inset 0 -2px 0 var(--muted)}mark.hl.w-note{box-shadow:inset 0 -2px 0 var(--accent)}
.hl0{background:var(--hl0)}.hl1{background:var(--hl1)}.hl2{background:var(--hl2)}.hl3{background:var(--hl3)}.hl4{background:var(--hl4)}.hl5{background:var(--hl5)}
.hl-legend{list-style:none;padding:0;margin:.3em 0;font-size:.92em}.hl-legend li{margin:.2em 0}
.hl-legend span.hl{display:inline-block;min-width:2em;text-align:center;font-weight:700;border-radius:3px;color:var(--fg)}
.diag li.error strong{color:var(--drop)}.diag li.warning strong{color:var(--modify)}
footer{margin-top:3em;border-top:1px solid var(--line);color:var(--muted);font-size:.88em}
@media print{
:root{--bg:#fff;--fg:#000;--muted:#444;--line:#999;--card:#fff;--accent:#0645ad;--drop:#b71c1c;--inject:#6a1b9a;--modify:#8a5a00;--ok:#1b5e20;--unseen:#777;
--hl0:#fff1a8;--hl1:#ffd8e4;--hl2:#cfe8ff;--hl3:#d5f5d5;--hl4:#ffe2c2;--hl5:#e8dcff;--note:#fff8c5}
html,body{background:#fff;color:#000}
body{max-width:none;padding:0;font-size:10.5pt}
section.conn{break-before:page}
h2,h3,h4{break-after:avoid}
.verdict,figure,tr,.ann,.hexblock h4{break-inside:avoid}
svg.ladder{max-width:100%;height:auto}
.ladder-wrap{overflow:visible}
pre.hex{white-space:pre-wrap;font-size:8.5pt;overflow:visible}
a{color:inherit;text-decoration:none}
*{-webkit-print-color-adjust:exact;print-color-adjust:exact}
}
`;
