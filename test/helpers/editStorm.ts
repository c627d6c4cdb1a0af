// An edit storm on an open text dump, as an editor sends it: one small
// incremental change every few milliseconds (a space at a line's end, now and
// then a new line above a packet, which moves everything below it) and a
// hover on a hex byte every few edits, sent without waiting for the previous
// answers. Used by the LSP scale test and scripts/lsp-timing.mjs.
import type { MessageConnection } from 'vscode-jsonrpc/node';
import type { Hover, MarkupContent } from 'vscode-languageserver-types';

export interface StormOptions {
  uri: string;
  /** The document's current lines; kept current by the storm. */
  lines: string[];
  /** The document's current version; the storm's edits follow it. */
  version: number;
  edits: number;
  /** A hover after every this many edits. */
  hoverEvery: number;
  intervalMs: number;
  /** How long each hover may take before it counts as unanswered. */
  timeoutMs: number;
  seed?: number;
}

export interface StormResult {
  /** Milliseconds from each hover's request to its answer (answered ones only). */
  latencies: number[];
  hovers: number;
  unanswered: number;
  /** Answers saying they came from an analysis older than the text. */
  stale: number;
  /** Answers with nothing in them (the position had nothing to say). */
  empty: number;
  version: number;
  /** performance.now() when the last edit was sent. */
  lastEditAt: number;
}

export function hoverText(h: Hover | null): string {
  if (!h) return '';
  const c = h.contents as MarkupContent | string;
  return typeof c === 'string' ? c : c.value;
}

const HEX_LINE = /^(\s+0x[0-9a-f]{4}:\s+)([0-9a-f]{2})/;

export function percentile(sorted: number[], p: number): number {
  if (sorted.length === 0) return NaN;
  return sorted[Math.min(sorted.length - 1, Math.ceil((p / 100) * sorted.length) - 1)];
}

/** Lines holding a packet's header: where a new line can go without splitting a packet. */
function isHeader(line: string): boolean {
  return /^\d/.test(line);
}

export async function editStorm(conn: MessageConnection, o: StormOptions): Promise<StormResult> {
  let seed = o.seed ?? 1;
  const random = (n: number) => {
    seed = (seed * 1103515245 + 12345) & 0x7fffffff;
    return seed % n;
  };
  const lines = o.lines;
  const result: StormResult = { latencies: [], hovers: 0, unanswered: 0, stale: 0, empty: 0, version: o.version, lastEditAt: 0 };
  const pending: Array<Promise<void>> = [];
  const hexLine = (): { line: number; character: number } => {
    for (;;) {
      const line = random(lines.length);
      const m = HEX_LINE.exec(lines[line]);
      if (m) return { line, character: m[1].length + 1 };
    }
  };
  for (let i = 0; i < o.edits; i++) {
    const v = ++result.version;
    if (i % 4 === 3) {
      // A new line above a packet's header: every line below moves down by one.
      let line = random(lines.length);
      for (let k = 0; k < lines.length && !isHeader(lines[line]); k++) line = (line + 1) % lines.length;
      lines.splice(line, 0, `note ${i}`);
      void conn.sendNotification('textDocument/didChange', {
        textDocument: { uri: o.uri, version: v }, contentChanges: [{ range: { start: { line, character: 0 }, end: { line, character: 0 } }, text: `note ${i}\n` }],
      });
    } else {
      const line = random(lines.length);
      const at = { line, character: lines[line].length };
      lines[line] += ' ';
      void conn.sendNotification('textDocument/didChange', { textDocument: { uri: o.uri, version: v }, contentChanges: [{ range: { start: at, end: at }, text: ' ' }] });
    }
    result.lastEditAt = performance.now();
    if (i % o.hoverEvery === o.hoverEvery - 1) {
      result.hovers++;
      const sent = performance.now();
      const answer = conn.sendRequest('textDocument/hover', { textDocument: { uri: o.uri }, position: hexLine() }) as Promise<Hover | null>;
      let timer: NodeJS.Timeout | undefined;
      const timeout = new Promise<'timeout'>((resolve) => {
        timer = setTimeout(() => resolve('timeout'), o.timeoutMs);
      });
      pending.push(Promise.race([answer, timeout]).then((h) => {
        clearTimeout(timer);
        if (h === 'timeout') {
          result.unanswered++;
          return;
        }
        result.latencies.push(performance.now() - sent);
        const text = hoverText(h);
        if (!text) result.empty++;
        if (text.includes('From the analysis before your last edit')) result.stale++;
      }));
    }
    await new Promise((r) => setTimeout(r, o.intervalMs));
  }
  await Promise.all(pending);
  result.latencies.sort((a, b) => a - b);
  return result;
}
