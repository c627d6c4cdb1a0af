import { parseArgs, type ParseArgsConfig } from 'node:util';
import { analyzeFile } from '../analysis/analyzeCapture';
import { formatAnalysisHead, formatAnalysisTail, formatCompare, formatConnectionText, formatVerdictLine } from '../output/textSummary';
import type { CompareReport } from '../../../shared/compare';
import { isReportFormat, REPORT_FORMATS, type ReportFormat } from '../../../shared/reportFormat';
import { fileRef, type CaptureRef } from '../app/captureRef';
import { Inspector, type CompareRequestOptions } from '../app/inspector';
import { createWriteStream } from 'node:fs';
import { writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { once } from 'node:events';
import type { Writable } from 'node:stream';
import { TOOL_NAME, TOOL_VERSION } from '../version';
import { CONTRACT_SCHEMA, type ReportDiagnostic } from '../../../shared/analysis';
import { compareJsonChunks, compareJsonRenderer, connectionJson, finiteReplacer, WrittenCertificates, type JsonOptions } from '../output/jsonContract';

const USAGE = `${TOOL_NAME} ${TOOL_VERSION} — TLS handshake forensics

Usage:
  ${TOOL_NAME} analyze FILE [--json [--ranges] [--names] [--all-certificates] [--raw-fingerprints] [--full]] [--packets] [--all] [--ja4plus] [--rules FILE] [--keylog FILE]… [--out FILE]
      Decode every TLS handshake in a pcap, pcapng (optionally .gz) or text dump.
      --json      machine-readable output (contract and JSON Schema in the README)
      --ranges    with --json: where each hello field's bytes are in the file
      --names     with --json: also the IANA names of numbers in lists (groupNames, …)
      --all-certificates  with --json: every certificate in full, not a reference to
                  an earlier connection that has the same one
      --raw-fingerprints  with --json: also ja3Full, ja4_r, … (the hashes are always written)
      --full      with --json: also the fields a reader derives (registry names by number, extension
                  data the hello's own fields hold, a plain ClientHello layout) and those at their
                  documented default (grease: false, zero TCP counters, …); --defaults is an alias
      --packets   include each connection's packet timeline
      --all       list every TCP connection, not only TLS ones
      --ja4plus   also compute JA4S and JA4X (FoxIO License 1.1, non-commercial use)
      --max-memory MiB  memory budget of the run (default 512): past it the oldest held data is
                  dropped, with a warning saying what (also for compare and report)
      --keylog FILE  an NSS key log (SSLKEYLOGFILE): the TLS 1.3 connections it has keys for are
                  decrypted; repeatable (also for compare and report). CAPTURE.keys or CAPTURE.keylog
                  next to a capture, and a pcapng's Decryption Secrets Blocks, are used too
      --include-secrets  write each decrypted connection's secrets into the output (never by default)
  ${TOOL_NAME} compare CLIENT [RELAY] [--json [--ranges] [--names] [--all-certificates] [--raw-fingerprints] [--full]] [--baseline N|FILE] [--rules FILE] [--ja4plus] [--max-memory MiB] [--keylog FILE]… [--out FILE]
      Match the client's and the relay's captures of the same connections (addresses and ports
      may differ), align their clocks, classify every packet and give a verdict per connection.
      With one capture, says what a single vantage point can tell.
      --baseline  a connection that works (id in CLIENT, or a capture file): diff the blocked handshake against it
      --rules     your own suspect-field rules (JSON; see the README)
  ${TOOL_NAME} report CLIENT [RELAY] --format html|md|json --out FILE [--full-paths] [--baseline …] [--rules FILE] [--ja4plus] [--keylog FILE]…
      Write an annotated report (annotations from CLIENT.annotations.json are included).
      Captures and key logs are named by file name (with their SHA-256); --full-paths writes the paths as given.
  ${TOOL_NAME} demo [--out FILE]
      Compare the bundled sample (a Tor connection blocked on its ServerHello) and write an HTML report.
  ${TOOL_NAME} lsp --stdio
      Run the language server (for editors other than VS Code).
  ${TOOL_NAME} --version | --help

Exit codes: 0 the input was read (even with warnings), 1 unreadable or not a capture, 2 usage error.
`;

export async function main(argv: string[]): Promise<number> {
  const [command, ...rest] = argv;
  if (!command || command === '--help' || command === '-h' || command === 'help') {
    process.stdout.write(USAGE);
    return command ? 0 : 2;
  }
  if (command === '--version') {
    process.stdout.write(`${TOOL_VERSION}\n`);
    return 0;
  }
  try {
    switch (command) {
      case 'analyze':
        return await analyzeCommand(rest);
      case 'compare':
        return await compareCommand(rest);
      case 'report':
        return await reportCommand(rest);
      case 'demo':
        return await demoCommand(rest);
      case 'lsp':
        return await lspCommand(rest);
      default:
        process.stderr.write(`${TOOL_NAME}: unknown command '${command}'\n\n${USAGE}`);
        return 2;
    }
  } catch (err) {
    if (err instanceof UsageError) {
      process.stderr.write(`${TOOL_NAME}: ${err.message}\n`);
      return 2;
    }
    process.stderr.write(`${TOOL_NAME}: ${oneLine(err)}\n`);
    return 1;
  }
}

class UsageError extends Error {}

function oneLine(err: unknown): string {
  const msg = err instanceof Error ? err.message : String(err);
  return msg.split('\n')[0];
}

function parse(args: string[], options: NonNullable<ParseArgsConfig['options']>) {
  try {
    return parseArgs({ args, options, allowPositionals: true, strict: true });
  } catch (err) {
    throw new UsageError(oneLine(err));
  }
}

async function writeOut(text: string, out: string | undefined): Promise<void> {
  if (out) {
    await writeFile(out, text);
  } else {
    await new Promise<void>((resolve) => process.stdout.write(text, () => resolve()));
  }
}

async function analyzeCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, {
    json: { type: 'boolean' }, ranges: { type: 'boolean' }, names: { type: 'boolean' }, 'all-certificates': { type: 'boolean' }, 'raw-fingerprints': { type: 'boolean' }, full: { type: 'boolean' }, defaults: { type: 'boolean' }, packets: { type: 'boolean' }, all: { type: 'boolean' }, ja4plus: { type: 'boolean' }, out: { type: 'string' }, rules: { type: 'string' },
    'max-memory': { type: 'string' }, ...KEY_OPTIONS,
  });
  if (positionals.length !== 1) throw new UsageError('analyze takes exactly one capture file');
  const maxMemoryMB = maxMemory(values['max-memory'] as string | undefined);
  const path = positionals[0];
  const userRules = values.rules ? await loadRulesOrThrow(values.rules as string) : undefined;
  const text = { color: !values.out && process.stdout.isTTY === true };
  const json: JsonOptions = { ranges: !!values.ranges, names: !!values.names, allCertificates: !!values['all-certificates'], rawFingerprints: !!values['raw-fingerprints'], full: !!values.full || !!values.defaults };
  const written = new WrittenCertificates();
  // Each connection is written as soon as it is over and then dropped, so
  // memory follows the connections open at once, not the size of the capture.
  // Nothing is written (and no --out file created) before the input is known
  // to be a capture.
  let out: Writable | null = null;
  let writeError: Error | null = null;
  let shown = 0;
  // Connections are written in batches (at least once per chunk of the
  // capture read): one write per connection cost a system call each.
  let batch = '';
  const flush = () => {
    if (batch === '') return;
    begin().write(batch);
    batch = '';
  };
  const begin = (): Writable => {
    if (writeError) throw writeError;
    if (out) return out;
    out = values.out ? createWriteStream(values.out as string) : process.stdout;
    // An unwritable --out path must end the run with its reason, not crash it.
    if (out !== process.stdout) out.on('error', (e: Error) => { writeError = e; });
    out.write(values.json ? `{"schema":${CONTRACT_SCHEMA},"tool":${JSON.stringify({ name: TOOL_NAME, version: TOOL_VERSION })},\n"connections":[` : formatAnalysisHead(path, text));
    return out;
  };
  const run = analyzeFile(path, {
    ja4plus: !!values.ja4plus, packets: !!values.packets, tlsOnly: !values.all, userRules, keep: false, maxMemoryMB,
    keyLogFiles: keyLogs(values.keylog), includeSecrets: !!values['include-secrets'],
    onConnection: (c) => {
      begin();
      // --json: one connection per line, so the output streams into jq or grep as well.
      batch += values.json ? `${shown > 0 ? ',' : ''}\n${connectionJson(c, json, written)}` : formatConnectionText(c, text);
      if (batch.length >= 1 << 16) flush();
      shown++;
    },
    backpressure: () => {
      flush();
      if (writeError) throw writeError;
      return out && out.writableNeedDrain ? drained(out) : undefined;
    },
  });
  let report: Awaited<typeof run>;
  try {
    report = await run;
  } catch (err) {
    // Connections already written: the document is closed, valid, with the
    // reason, and the exit code still says the run failed.
    if (out && values.json && !writeError) {
      flush();
      (out as Writable).write(failedRunTail(err, shown));
      await finishWriting(out);
    }
    throw err;
  }
  flush();
  const w = begin();
  w.write(values.json
    ? `${shown > 0 ? '\n' : ''}],\n"input":${JSON.stringify(report.input, finiteReplacer)},\n"diagnostics":${JSON.stringify(report.diagnostics, finiteReplacer)},\n"rules":${JSON.stringify(report.rules ?? {})}}\n`
    : formatAnalysisTail(report, shown, text));
  await finishWriting(w);
  if (writeError) throw writeError;
  return 0;
}

/**
 * The end of an `analyze --json` document whose run failed after `shown`
 * connections were written: `input` null and the reason as the one
 * diagnostic (FailedAnalysisReport in the schema).
 */
export function failedRunTail(err: unknown, shown: number): string {
  const failed: ReportDiagnostic = { severity: 'error', code: 'run.failed', location: null, message: oneLine(err) };
  return `${shown > 0 ? '\n' : ''}],\n"input":null,\n"diagnostics":[${JSON.stringify(failed)}]}\n`;
}

/**
 * Settles when the stream drains (or rejects with its error), removing both
 * listeners either way: this is awaited every time a slow reader fills the
 * pipe, and a listener left behind each time piled up (Node warns past ten).
 */
export function drained(w: Writable): Promise<void> {
  return new Promise<void>((resolve, reject) => {
    const settle = (err?: Error) => {
      w.off('drain', onDrain);
      w.off('error', onError);
      if (err) reject(err);
      else resolve();
    };
    const onDrain = () => settle();
    const onError = (e: Error) => settle(e);
    w.on('drain', onDrain);
    w.on('error', onError);
  });
}

async function finishWriting(w: Writable): Promise<void> {
  if (w === process.stdout) {
    await new Promise<void>((resolve) => process.stdout.write('', () => resolve()));
    return;
  }
  if (w.errored) return;
  w.end();
  await Promise.race([once(w, 'finish'), once(w, 'close')]);
}

/** Key sources (issue #14): repeatable --keylog; secrets are written only with --include-secrets. */
const KEY_OPTIONS = { keylog: { type: 'string', multiple: true }, 'include-secrets': { type: 'boolean' } } as const;

function keyLogs(v: unknown): string[] | undefined {
  return Array.isArray(v) && v.length > 0 ? (v as string[]) : undefined;
}

const COMPARE_OPTIONS = {
  json: { type: 'boolean' }, baseline: { type: 'string' }, rules: { type: 'string' }, ja4plus: { type: 'boolean' }, out: { type: 'string' },
  'max-memory': { type: 'string' }, ...KEY_OPTIONS,
} as const;

/** --max-memory MiB: the run's memory budget (analysis/memoryBudget.ts). */
function maxMemory(v: string | undefined): number | undefined {
  if (v === undefined) return undefined;
  const n = Number(v);
  if (!/^\d+$/.test(v) || n < 64) throw new UsageError(`--max-memory takes a number of MiB, at least 64 (got '${v}')`);
  return n;
}

type CompareValues = { baseline?: string; rules?: string; ja4plus?: boolean; 'max-memory'?: string; keylog?: string[]; 'include-secrets'?: boolean };

/** The captures and options of `compare` and `report`; a wrong count of captures is said before a rules file is read. */
async function compareRequest(positionals: string[], values: CompareValues, keepRanges: boolean): Promise<[CaptureRef, CaptureRef | null, CompareRequestOptions]> {
  if (positionals.length < 1 || positionals.length > 2) throw new UsageError('expected CLIENT [RELAY] capture files');
  const userRules = values.rules ? await loadRulesOrThrow(values.rules) : undefined;
  const b = values.baseline;
  const baseline = b === undefined ? undefined : /^\d+$/.test(b) ? Number(b) : { name: b, source: fileRef(b) };
  return [fileRef(positionals[0]), positionals[1] === undefined ? null : fileRef(positionals[1]), {
    baseline, userRules, ja4plus: !!values.ja4plus, maxMemoryMB: maxMemory(values['max-memory']),
    keyLogFiles: keyLogs(values.keylog), includeSecrets: !!values['include-secrets'], keepRanges,
  }];
}

/** A comparison held in memory, for the reports (which lay out every connection at once). */
async function runCompare(positionals: string[], values: CompareValues, keepRanges = true): Promise<CompareReport> {
  return new Inspector().compare(...await compareRequest(positionals, values, keepRanges));
}

async function loadRulesOrThrow(path: string) {
  const { loadUserRulesFile } = await import('../rules/userRules');
  const { rules, errors } = await loadUserRulesFile(path);
  for (const e of errors) process.stderr.write(`${path}:${e.line + 1}:${e.column + 1}: ${e.message}\n`);
  return rules;
}

async function compareCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { ...COMPARE_OPTIONS, ranges: { type: 'boolean' }, names: { type: 'boolean' }, 'all-certificates': { type: 'boolean' }, 'raw-fingerprints': { type: 'boolean' }, full: { type: 'boolean' }, defaults: { type: 'boolean' } });
  // Only --json --ranges shows the hellos' byte ranges: without it both analyses are held lighter.
  const [client, relay, request] = await compareRequest(positionals, values as CompareValues, !!(values.json && values.ranges));
  const json: JsonOptions | null = values.json
    ? { ranges: !!values.ranges, names: !!values.names, allCertificates: !!values['all-certificates'], rawFingerprints: !!values['raw-fingerprints'], full: !!values.full || !!values.defaults }
    : null;
  // Streamed: connections and pairs wait on disk (as --json text when that is what is written), so captures of any
  // size compare within the memory budget.
  const text = { color: !values.out && process.stdout.isTTY === true };
  const doc = await new Inspector().compareStreamed(client, relay, { ...request, render: json ? compareJsonRenderer(json) : undefined, renderText: json ? undefined : text });
  try {
    // In pieces: a compare of two big captures is longer than V8's longest string.
    if (json) await writeChunks(compareJsonChunks(doc, json), values.out as string | undefined);
    else await writeOut(formatCompare(doc, text), values.out as string | undefined);
    return 0;
  } finally {
    doc.close();
  }
}

/** Writes pieces in batches of about 1 MiB, waiting for the pipe or file to drain. */
async function writeChunks(chunks: Iterable<string>, path: string | undefined): Promise<void> {
  const w: Writable = path ? createWriteStream(path) : process.stdout;
  let failed: Error | null = null;
  if (w !== process.stdout) w.on('error', (e: Error) => { failed = e; });
  let batch = '';
  for (const piece of chunks) {
    batch += piece;
    if (batch.length < 1 << 20) continue;
    if (failed) throw failed;
    if (!w.write(batch)) await drained(w);
    batch = '';
  }
  w.write(`${batch}\n`);
  await finishWriting(w);
  if (failed) throw failed;
}

async function reportCommand(args: string[]): Promise<number> {
  const { values, positionals } = parse(args, { ...COMPARE_OPTIONS, format: { type: 'string' }, 'full-paths': { type: 'boolean' } });
  const format = (values.format as string | undefined) ?? 'html';
  if (!isReportFormat(format)) throw new UsageError(`--format must be ${REPORT_FORMATS.join(', ').replace(/, (?=[^,]*$)/, ' or ')} (got '${format}')`);
  if (!values.out) throw new UsageError('report needs --out FILE');
  const report = await runCompare(positionals, values as CompareValues);
  await writeReport(report, format, values.out as string, values['full-paths'] === true);
  process.stdout.write(`${formatVerdictLine(report)}\nreport written to ${values.out}\n`);
  return 0;
}

async function writeReport(report: CompareReport, format: ReportFormat, out: string, fullPaths = false): Promise<void> {
  const sources = { client: fileRef(report.client.input.path), relay: report.relay ? fileRef(report.relay.input.path) : null };
  const { text, problems } = await new Inspector().report(report, sources, format, { fullPaths });
  for (const e of problems) process.stderr.write(`annotations: ${e.message}\n`);
  await writeFile(out, text);
}

async function demoCommand(args: string[]): Promise<number> {
  const { values } = parse(args, { out: { type: 'string' } });
  const root = join(__dirname, '..');
  const client = join(root, 'samples', 'tor-kz-drop', 'client.pcap');
  const relay = join(root, 'samples', 'tor-kz-drop', 'relay.pcap');
  const out = (values.out as string | undefined) ?? 'handshake-report.html';
  process.stdout.write(`Comparing the bundled sample: a Tor bridge blocked on its ServerHello, seen from the client and from the relay\n  ${client}\n  ${relay}\n\n`);
  const report = await new Inspector().compare(fileRef(client), fileRef(relay));
  process.stdout.write(formatCompare(report, { color: process.stdout.isTTY === true }));
  await writeReport(report, 'html', out);
  process.stdout.write(`\nHTML report written to ${out}\n`);
  return 0;
}

async function lspCommand(args: string[]): Promise<number> {
  if (!args.includes('--stdio')) throw new UsageError('lsp needs --stdio');
  const { startServer } = await import('../lsp/server');
  startServer();
  return new Promise<number>(() => undefined);
}
