/**
 * The Markdown report, for pasting into an issue tracker (GitHub-flavoured).
 *
 * GitHub renders inline HTML and turns URLs, `www.` names, @names and #numbers
 * into links, so every capture value goes through escapeMarkdown and the
 * output has no HTML of its own: outside the timeline's code block there is no
 * `<` or `>` at all. The timeline is a fenced code block (nothing inside one is
 * rendered) built only from the engine's own words (TLS message names, flags).
 * GitHub caps an issue body at 65,536 characters: connections and timeline rows
 * are capped lower than in the HTML report.
 */
import type { ConnectionReport } from '../../../shared/analysis';
import type { CompareReport, Suspect } from '../../../shared/compare';
import { foldSuspects, ruleText } from '../../../shared/suspects';
import { escapeMarkdown as m, markdownCodeBlock } from './escape';
import { fieldGroups, fieldMatches } from './fields';
import {
  absTime, annotationsFor, buildLadder, buildSections, confidenceWords, connectionTitle, datagramSummary, decryptionWords, directionWords, frameList, KIND_WORDS, type Ladder,
  type LadderArrow, lookupField, normalize, pickSections, relTime, type ReportContext, type ReportInput, type ReportKind, type Section,
  serverName, seconds, verdictSentence, helloLayoutWords,
} from '../../../shared/report/model';

/** Characters GitHub accepts in an issue or comment body. */
export const GITHUB_LIMIT = 65536;

/** Rows that summarise a handshake; the HTML report has the rest. */
const SUMMARY_FIELDS = new Set([
  'clientHello.legacyVersion', 'clientHello.supportedVersions', 'clientHello.serverName', 'clientHello.alpn', 'fingerprints.ja3', 'fingerprints.ja4',
  'serverHello.selectedVersion', 'serverHello.cipherSuite', 'serverHello.alpn', 'fingerprints.ja3s',
  'serverKeyExchange.kind', 'serverKeyExchange.namedCurve', 'serverKeyExchange.dhPrimeBits', 'serverKeyExchange.signatureAlgorithm',
]);
const CERT_SUMMARY = /^certificates\[\d+\]\.(subject|issuer|notBefore|notAfter|lifetimeSeconds|sha256)$/;

/** Engine-made hex (hashes): shown as code for easy copying; anything else is escaped text. */
function code(s: string): string {
  return /^[0-9a-fA-F]+$/.test(s) ? `\`${s}\`` : m(s);
}

export function renderMarkdown(input: ReportInput, ctx: ReportContext): string {
  const { kind, report } = normalize(input);
  const all = buildSections(kind, report);
  const { shown, omitted } = pickSections(all, ctx.maxConnections ?? 10);
  const notes = ctx.annotations.map((a, i) => ({ ...a, n: i + 1 }));
  const out: string[] = [];
  out.push(`## ${m(ctx.title ?? 'TLS handshake report')}`, '');
  const what = kind === 'compare' ? 'Client capture compared with relay capture' : kind === 'single' ? 'One capture (no second vantage point)' : 'Handshake analysis of one capture';
  out.push(`${what}; generated ${m(ctx.generatedAt.toISOString())} by ${m(report.tool.name)} ${m(report.tool.version)}\\.`, '');

  if (all.length > 1 || omitted.length) {
    out.push('| conn\\. | endpoints | server name | verdict | first missing | confidence |', '| --- | --- | --- | --- | --- | --- |');
    for (const s of all) {
      const c = (s.client ?? s.relay)!;
      const verdict = s.spoofed ? 'spoofed: only at the relay' : s.uncovered ? 'not covered by the relay capture' : s.kind === 'unmatched' ? `only in the ${s.side} capture` : s.verdict ? shortVerdict(s) : '—';
      out.push(`| ${c.id} | ${m(connectionTitle(s).replace(/ \(.*$/, ''))} | ${m(serverName(s) ?? '—')} | ${m(verdict)} | ${m(s.verdict?.firstMissingTlsMessage ?? '—')} | ${s.verdict && s.verdict.kind !== 'none' ? m(confidenceWords(s.verdict.confidence)) : ''} |`);
    }
    out.push('');
    if (omitted.length) out.push(`${omitted.length} more connection${omitted.length === 1 ? '' : 's'} are not detailed here; the HTML and JSON reports have them\\.`, '');
  }

  // Sections go in while they fit GitHub's limit; the first one always does.
  const budget = ctx.maxChars ?? GITHUB_LIMIT - 4000;
  let used = out.join('\n').length;
  let cut = 0;
  for (const [i, s] of shown.entries()) {
    const lines = section(kind, s, ctx, notes);
    const size = lines.join('\n').length + 1;
    if (i > 0 && used + size > budget) {
      cut = shown.length - i;
      break;
    }
    out.push(...lines);
    used += size;
  }
  if (cut) out.push(`${cut} more connection${cut === 1 ? ' is' : 's are'} left out to stay under the ${GITHUB_LIMIT}-character limit of a GitHub issue; the HTML and JSON reports have them\\.`, '');

  const unplaced = notes.filter((a) => !shown.some((s) => annotationsFor(s, [a]).length > 0));
  if (unplaced.length) {
    out.push('### Other notes', '');
    for (const a of unplaced) out.push(...noteLines(a));
    out.push('');
  }
  out.push(...inputs(kind, report));
  return `${out.join('\n').replace(/\n{3,}/g, '\n\n').trimEnd()}\n`;
}

function shortVerdict(s: Section): string {
  const v = s.verdict!;
  const dir = directionWords(v.direction, s.remote);
  return `${KIND_WORDS[v.kind]}${dir && v.kind !== 'none' ? `, ${dir}` : ''}`;
}

type Numbered = ReportContext['annotations'][number] & { n: number };

function section(kind: ReportKind, s: Section, ctx: ReportContext, allNotes: Numbered[]): string[] {
  const out: string[] = [];
  const notes = annotationsFor(s, allNotes) as Numbered[];
  out.push(`### ${m(connectionTitle(s))}`, '');
  const sni = serverName(s);
  if (sni) out.push(`Server name \\(SNI\\): **${m(sni)}**`, '');
  for (const [who, c] of [['client capture', s.client], ['relay capture', s.relay]] as const) {
    const d = decryptionWords(c);
    if (d) out.push(`TLS in the ${who} was ${m(d)}\\.`, '');
  }
  if (s.spoofed) {
    out.push('**Seen only at the relay, never sent by the client: spoofed**', '');
    for (const e of s.spoofed) out.push(`- ${m(e)}`);
    out.push('');
  } else if (s.uncovered) {
    out.push('**Sent while the relay\'s capture was not running: the relay could not have seen it, so no verdict**', '');
    for (const e of s.uncovered) out.push(`- ${m(e)}`);
    out.push('');
  } else if (s.kind === 'unmatched') {
    out.push(`**Seen only in the ${s.side} capture**: no connection in the other capture matches it\\.`, '');
  } else if (s.verdict) {
    const v = s.verdict;
    out.push(`**Verdict: ${m(verdictSentence(v, s.remote))}**`, '');
    const facts: string[] = [];
    facts.push(`- **Kind:** ${m(KIND_WORDS[v.kind])}`);
    const dir = directionWords(v.direction, s.remote);
    if (dir) facts.push(`- **Direction:** ${m(dir)}`);
    facts.push(`- **First missing TLS message:** ${m(v.firstMissingTlsMessage ?? 'none')}`);
    facts.push(`- **Confidence:** ${m(confidenceWords(v.confidence))}`);
    if (s.pair) {
      const o = s.pair.clockOffset;
      facts.push(o.method === 'none'
        ? '- **Relay clock offset:** could not be estimated; relay times are unshifted'
        : `- **Relay clock offset:** ${m(`${seconds(o.seconds)} ± ${Math.abs(o.uncertainty).toFixed(6)} s (${o.method}, ${o.samples.clientToRelay} + ${o.samples.relayToClient} samples)`)}`);
      facts.push(`- **Matched by:** ${m(s.pair.matchedBy.join(', ') || '—')}`);
    } else if (kind === 'single') {
      facts.push(`- **Vantage:** one capture only \\(${s.side}\\): a drop on the path and a quiet server look alike from here`);
    }
    out.push(...facts, '');
    if (v.evidence.length) {
      out.push('**Evidence**', '');
      for (const e of v.evidence) out.push(`- ${m(e)}`);
      out.push('');
    }
  }
  out.push(`Started ${m(absTime((s.client ?? s.relay)!.startTime))}\\.`, '');
  for (const [c, who] of [[s.client, 'client capture'], [s.relay, 'relay capture']] as const) {
    const l = helloLayoutWords(c);
    if (l) out.push(`ClientHello layout${s.kind === 'pair' ? ` \\(${who}\\)` : ''}: ${l.split ? `**${m(l.text)}**` : m(l.text)}`, '');
    const d = c ? datagramSummary(c) : null;
    if (d) out.push(`${s.kind === 'pair' ? `${who}: ` : ''}${m(d)}`, '');
  }

  const connNotes = notes.filter((a) => a.target.kind !== 'field');
  if (s.suspects.length) {
    out.push('**Suspect fields**', '', '| # | weight | field | value | why | reference |', '| --- | --- | --- | --- | --- | --- |');
    const { shown, folded } = foldSuspects(s.suspects);
    const row = (x: Suspect) => {
      const value = x.value ?? lookupField(s.relay ?? s.client, x.field)?.value ?? lookupField(s.client, x.field)?.value ?? '—';
      const rule = ruleText(s.rules, x.rule);
      out.push(`| ${x.rank} | ${x.weight} | ${m(x.field)} | ${m(value)} | ${x.reason ? `**${m(x.reason)}** ` : ''}${m(rule.explanation)} | ${m(rule.reference)} |`);
    };
    shown.forEach(row);
    for (const g of folded) {
      const rule = ruleText(s.rules, g.rule);
      out.push(`| ${g.suspects[0].rank}–${g.suspects[g.suspects.length - 1].rank} | ${g.suspects[0].weight} | ${m(g.suspects.map((x) => x.field).join(', '))} | | ${g.suspects.length} more, same reason: ${m(rule.title)} | ${m(rule.reference)} |`);
    }
    out.push('');
  }
  out.push(...handshake(s, notes));

  const ladder = buildLadder(s, ctx.maxArrows ?? 60);
  out.push(`**Timeline** \\(client capture's clock${s.pair ? '; relay times shifted by the offset' : ''}\\)`, '');
  out.push(markdownCodeBlock(textTimeline(ladder)), '');
  if (connNotes.length || notes.some((a) => a.target.kind === 'field')) {
    out.push('**Notes**', '');
    for (const a of notes) out.push(...noteLines(a));
    out.push('');
  }
  return out;
}

function handshake(s: Section, notes: Numbered[]): string[] {
  const two = s.kind === 'pair';
  const conns: Array<ConnectionReport | null> = two ? [s.client, s.relay] : [s.client ?? s.relay];
  const rows: string[] = [];
  for (const g of fieldGroups(conns)) {
    for (const row of g.rows) {
      const marked = s.suspects.some((x) => fieldMatches(row.field, x.field)) || notes.some((a) => a.target.kind === 'field' && fieldMatches(row.field, a.target.field));
      if (!SUMMARY_FIELDS.has(row.field) && !CERT_SUMMARY.test(row.field) && !marked) continue;
      const vals = conns.map((c) => (c && g.present(c) ? row.get(c) : null));
      if (vals.every((x) => x === null)) continue;
      const label = `${g.title}: ${row.label}`;
      const flag = marked ? ' ⚑' : '';
      const cell = (x: string | null) => (x === null ? '—' : row.field.endsWith('.sha256') ? code(x) : m(x));
      if (!two) rows.push(`| ${m(label)}${flag} | ${cell(vals[0])} |`);
      else if (vals[0] !== null && vals[0] === vals[1]) rows.push(`| ${m(label)}${flag} | ${cell(vals[0])} | same |`);
      else {
        // A whole message one end never got reads "not received" in that column, not a blank.
        const absent = conns.map((c) => !c || !g.present(c));
        const col = (k: number) => (absent[k] && !absent[1 - k] ? (k === 0 ? '*not received*' : '*not in the relay capture*') : cell(vals[k]));
        rows.push(`| ${m(label)}${flag} | ${col(0)} | ${col(1)} |`);
      }
    }
  }
  if (!rows.length) return [];
  const head = two ? ['| field | client capture | relay capture |', '| --- | --- | --- |'] : ['| field | value |', '| --- | --- |'];
  return ['**Handshake**', '', ...head, ...rows, ''];
}

function noteLines(a: Numbered): string[] {
  const side = a.side ?? 'client';
  const target = a.target.kind === 'packet' ? `frame ${a.target.packet + 1} of the ${side} capture`
    : a.target.kind === 'field' ? `${a.target.field}, connection ${a.target.connection} of the ${side} capture`
      : `connection ${a.target.connection} of the ${side} capture`;
  const head = `- ✎${a.n} ${m(target)} — ${a.author ? `${m(a.author)}, ` : ''}${m(a.created)}`;
  // Each line escaped on its own, joined with hard breaks, so a note can't start a block.
  const body = a.text.split(/\r\n|\r|\n/).map((l) => `  ${m(l)}`);
  return [`${head}\\`, ...body.map((l, i) => (i < body.length - 1 ? `${l}\\` : l))];
}

function inputs(kind: ReportKind, r: CompareReport): string[] {
  const out = ['### Inputs', '', '| capture | file | format | bytes | SHA\\-256 |', '| --- | --- | --- | --- | --- |'];
  const list = [{ side: kind === 'compare' ? 'client' : 'capture', a: r.client }, ...(r.relay ? [{ side: 'relay', a: r.relay }] : [])];
  for (const { side, a } of list) {
    const i = a.input;
    out.push(`| ${side} | ${m(i.path)} | ${m(i.format)}${i.compressed ? ' \\(gzip\\)' : ''} | ${i.bytes} | ${code(i.sha256)} |`);
  }
  out.push('', `Analysed by ${m(r.tool.name)} ${m(r.tool.version)}\\. Times are from the client capture's clock\\.`);
  return out;
}

// ---------------------------------------------------------------------------

const ART = 40;

function art(a: LadderArrow, lanes: 2 | 3): string {
  const mid = ART / 2;
  const shaft = a.kind === 'unseen' ? '.' : '-';
  const right = a.dir === 'right';
  let s: string;
  switch (a.kind) {
    case 'dropped':
      s = right ? `${'-'.repeat(mid - 1)}X${' '.repeat(mid)}` : `${' '.repeat(mid)}X${'-'.repeat(mid - 1)}`;
      break;
    case 'injected':
      s = right ? `${' '.repeat(mid)}*${'-'.repeat(mid - 2)}>` : `<${'-'.repeat(mid - 2)}*${' '.repeat(mid)}`;
      break;
    case 'modified':
      s = right ? `${'-'.repeat(mid - 1)}~${'-'.repeat(mid - 1)}>` : `<${'-'.repeat(mid - 1)}~${'-'.repeat(mid - 1)}`;
      break;
    default:
      s = right ? `${shaft.repeat(ART - 1)}>` : `<${shaft.repeat(ART - 1)}`;
  }
  if (lanes === 3 && a.kind !== 'dropped' && a.kind !== 'injected' && a.kind !== 'modified') s = `${s.slice(0, mid)}${s[mid] === '-' ? '+' : s[mid]}${s.slice(mid + 1)}`;
  return s;
}

/** A plain-text ladder, one row per arrow: time, art between the lanes, label, fate, frames. */
export function textTimeline(l: Ladder): string {
  const names = l.laneNames.map((n) => n.replace(/ \(.*\)$/, ''));
  const timeW = 14;
  const head = l.lanes === 3
    ? `${'time'.padEnd(timeW)}${names[0].padEnd(ART / 2 + 1)}${names[1].padEnd(ART / 2 + 1)}${names[2]}`
    : `${'time'.padEnd(timeW)}${names[0].padEnd(ART + 2)}${names[1]}`;
  const lines = [head];
  l.arrows.forEach((a, i) => {
    if (l.omitted && i === l.omitted.after + 1) lines.push(`${''.padEnd(timeW)}… ${l.omitted.packets} packets not shown …`);
    const prev = l.arrows[i - 1];
    if (prev && a.time - prev.time > 1) lines.push(`${''.padEnd(timeW)}≈ ${(a.time - prev.time).toFixed(3)} s later`);
    const fate = a.count > 1 ? `${a.kind === 'observed' ? 'sent' : a.kind}, ×${a.count} until ${relTime(a.lastTime, l.t0)}` : a.kind === 'delivered' || a.kind === 'observed' ? '' : a.kind;
    lines.push(`${relTime(a.time, l.t0).padEnd(timeW)}|${art(a, l.lanes)}|  ${a.label}${fate ? `  (${fate})` : ''}  [${frameList(a.packets)}]`);
  });
  if (!l.arrows.length) lines.push('(no packets)');
  lines.push('', l.lanes === 3
    ? `X dropped on the path   * injected on the path   ~ modified   ... not observed at one end   [c/r = client/relay capture frame numbers]`
    : '[frame numbers in the capture, as in Wireshark]');
  return lines.join('\n');
}
