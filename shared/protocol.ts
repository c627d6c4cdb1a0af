/**
 * The custom part of the language server protocol, declared once and imported
 * by both ends (server/src/lsp and extension/src), so a request's name,
 * parameters and result cannot drift apart. Standard LSP features (hover,
 * diagnostics, semantic tokens, symbols, folding, code lenses) need nothing
 * here.
 *
 * Captures are named by URI. For `file:` URIs the server reads the path itself
 * (streaming, so a 1 GB pcap never crosses the pipe); for any other scheme
 * the extension reads the bytes through `vscode.workspace.fs` and sends them
 * base64-encoded in `bytes`. The server is the only reader of capture
 * contents: the editor asks it for bytes (`handshake/readBytes`) and notes
 * (`handshake/notes`) instead of parsing files itself.
 */
import { NotificationType, ProgressType, RequestType } from 'vscode-jsonrpc';
import type { AnnotationTarget } from './annotations';
import type { AnalysisReport, ConnectionReport, PacketReport, SourceLocation } from './analysis';
import type { CompareReport } from './compare';
import type { ConnectionRow } from './connectionRow';
import type { ReportFormat } from './reportFormat';

/** A capture the server should read. */
export interface CaptureSource {
  uri: string;
  /** Base64 of the file as stored, for URIs the server cannot open itself. */
  bytes?: string;
}

/** Work-done progress token chosen by the client (LSP `WorkDoneProgressParams`). */
export interface WithProgressToken {
  workDoneToken?: string | number;
}

export interface AnalyzeFileParams extends CaptureSource, WithProgressToken {
  /**
   * Streaming: when set, every connection is also sent as soon as it is
   * decoded in a `handshake/connectionFound` notification carrying this id,
   * so an editor can list the first handshakes of a large capture at once.
   */
  streamId?: string;
  /**
   * Include per-packet timelines (the compare views need them). `false`:
   * connections come without them, streamed and in the response (a large
   * capture's timelines are most of its JSON); the capture editor fetches
   * the one it shows with `ConnectionTimelineRequest`.
   */
  packets?: boolean;
}

/** Decode every TLS handshake of one capture. Cancellable; reports work-done percentage by bytes read. */
export namespace AnalyzeFileRequest {
  export const method = 'handshake/analyzeFile';
  export const type = new RequestType<AnalyzeFileParams, AnalysisReport, void>(method);
}

export interface ConnectionFoundParams {
  streamId: string;
  connection: ConnectionReport;
}

/** A connection of an `analyzeFile` request in flight, in finishing order. */
export namespace ConnectionFoundNotification {
  export const method = 'handshake/connectionFound';
  export const type = new NotificationType<ConnectionFoundParams>(method);
}

export interface CompareParams extends WithProgressToken {
  client: CaptureSource;
  relay: CaptureSource | null;
  /** A connection known to work: its id in the client capture, or the URI of a third capture. */
  baseline?: string;
  /** `false`: the response's analyses without packet timelines (the capture editor wants only the verdicts). */
  packets?: boolean;
  /** `false`: the response's analyses without their connections at all (the capture editor has its rows and wants only the verdicts). */
  connections?: boolean;
}

export interface ConnectionTimelineParams extends CaptureSource {
  connection: number;
}

/**
 * One connection's packet timeline, from the analysis the capture editor's
 * `analyzeFile` made (answered while that is still decoding, for the
 * connections already streamed). `packets` null: no such connection.
 */
export namespace ConnectionTimelineRequest {
  export const method = 'handshake/connectionTimeline';
  export const type = new RequestType<ConnectionTimelineParams, { packets: PacketReport[] | null }, void>(method);
}

export interface CaptureRowsParams extends CaptureSource, WithProgressToken {
  /** The rows are streamed in `handshake/connectionRows` notifications carrying this id as they are decoded. */
  streamId: string;
}

export interface CaptureRowsResult {
  input: AnalysisReport['input'];
  diagnostics: AnalysisReport['diagnostics'];
  /** The rows the stream did not carry (none unless a notification was lost): the stream and these are the whole list. */
  rows: ConnectionRow[];
}

/**
 * The capture editor's list: decode a capture (TLS connections, as
 * `analyzeFile`) and send only each connection's row (shared/connectionRow.ts),
 * streamed in batches; the full connection is asked for when it is opened
 * (`ConnectionDetailRequest`). Cancellable, with work-done progress.
 */
export namespace CaptureRowsRequest {
  export const method = 'handshake/captureRows';
  export const type = new RequestType<CaptureRowsParams, CaptureRowsResult, void>(method);
}

export interface ConnectionRowsParams {
  streamId: string;
  rows: ConnectionRow[];
}

/** Rows of a `captureRows` request in flight, in finishing order, a batch at a time. */
export namespace ConnectionRowsNotification {
  export const method = 'handshake/connectionRows';
  export const type = new NotificationType<ConnectionRowsParams>(method);
}

/**
 * One connection in full: from the list's decode (in flight or done; no
 * packet timeline) or the full analysis (with it); null when the capture has
 * no such connection.
 */
export namespace ConnectionDetailRequest {
  export const method = 'handshake/connectionDetail';
  export const type = new RequestType<ConnectionDetailParams, { connection: ConnectionReport | null }, void>(method);
}

export interface ConnectionDetailParams extends ConnectionTimelineParams {
  /**
   * Wait for the full analysis: the connection with its packet timeline (and
   * a QUIC connection's every datagram). Without it, while only the list's
   * decode is in, the connection comes at once without them.
   */
  timeline?: boolean;
}

/** Match and compare the client's and the relay's captures (relay null: one vantage point). */
export namespace CompareRequest {
  export const method = 'handshake/compare';
  export const type = new RequestType<CompareParams, CompareReport, void>(method);
}

export { isReportFormat, REPORT_FORMATS, type ReportFormat } from './reportFormat';

export interface ExportReportParams extends CompareParams {
  format: ReportFormat;
  /** Where to write it (a `file:` URI the server writes), or omitted to get the text back. */
  target?: string;
}

export interface ExportReportResult {
  /** The URI written, when `target` was a file URI. */
  target?: string;
  /** The report text, when the server did not write it itself. */
  text?: string;
  bytes: number;
  /** Problems with the captures' notes sidecars (unreadable, written for other capture bytes …): the report was still written. */
  problems?: string[];
}

/** Write an annotated report (the CLI's `report` command) for a capture or a pair. */
export namespace ExportReportRequest {
  export const method = 'handshake/exportReport';
  export const type = new RequestType<ExportReportParams, ExportReportResult, void>(method);
}

export interface DissectionParams extends CaptureSource, WithProgressToken {}

export interface DissectionResult {
  /** A tshark -V-like rendering of the handshake layers, one connection after another. */
  text: string;
  /** Language id the extension gives the virtual document. */
  languageId: string;
}

/** Text of the "Open as Text Dissection" virtual document (scheme `handshake-dissection:`). */
export namespace DissectionRequest {
  export const method = 'handshake/dissection';
  export const type = new RequestType<DissectionParams, DissectionResult, void>(method);
}

/** What a note is attached to; the same shape as the annotations sidecar's targets. */
/** What a note is attached to: the annotations sidecar's targets. */
export type NoteTarget = AnnotationTarget;

export interface AnnotateParams {
  uri: string;
  target: NoteTarget;
  text: string;
  author?: string;
}

export interface AnnotateResult {
  ok: boolean;
  /** The sidecar file (`<capture>.annotations.json`). */
  path: string;
  notes: number;
  /** Why nothing was written (the sidecar has errors that rewriting would lose). */
  errors?: string[];
}

/** Add a note to the capture's annotations sidecar; reports include it. `file:` URIs only. */
export namespace AnnotateRequest {
  export const method = 'handshake/annotate';
  export const type = new RequestType<AnnotateParams, AnnotateResult, void>(method);
}

export interface NotesParams {
  uri: string;
}

/** A note of a capture's sidecar. */
export interface CaptureNote {
  id: string;
  target: NoteTarget;
  text: string;
  author?: string;
  /** ISO 8601. */
  created: string;
}

export interface NotesResult {
  notes: CaptureNote[];
  /** The sidecar's errors, located: to show, not fatal (every readable note is still listed). */
  problems: string[];
  /** Where this capture's notes are (or will be) kept: the sidecar file's path; null when the capture is not a file. */
  path: string | null;
}

/** The notes in a capture's annotations sidecar (none when it has no sidecar or is not a file). */
export namespace NotesRequest {
  export const method = 'handshake/notes';
  export const type = new RequestType<NotesParams, NotesResult, void>(method);
}

export interface ReadBytesParams extends CaptureSource {
  /** Where the bytes are, as the analysis located them: file offsets (binary) or line/column ranges (text dumps). */
  ranges: SourceLocation[];
}

export interface ReadBytesResult {
  /** Base64: JSON-RPC carries text. The extension hands the webview a Uint8Array. */
  data: string;
  /** Text dumps: line and column of each byte's first hex digit, so field ranges can be matched to bytes. Null for binary captures. */
  positions: Array<[line: number, column: number]> | null;
  /** Fewer bytes than asked for (the file ended, or the request was above MAX_READ_BYTES). */
  truncated: boolean;
}

/**
 * Capture bytes at some locations, concatenated in order, at most
 * MAX_READ_BYTES; null when the capture has no plain bytes there. Compressed
 * captures are inflated by the server (once, kept for further reads).
 */
export namespace ReadBytesRequest {
  export const method = 'handshake/readBytes';
  export const type = new RequestType<ReadBytesParams, ReadBytesResult | null, void>(method);
}

/** Largest `readBytes` answer, in bytes. */
export const MAX_READ_BYTES = 65536;

export interface DocumentAnalyzedParams {
  uri: string;
  version: number;
  connections: number;
  packets: number;
  /** Wall-clock milliseconds from the edit that started the run to results being served. */
  milliseconds: number;
  /** The run failed (not a capture text, too large …). */
  error?: string;
}

/** Sent after each (re-)analysis of an open text dump: drives the status bar item, and tests wait on it. */
export namespace DocumentAnalyzedNotification {
  export const method = 'handshake/documentAnalyzed';
  export const type = new NotificationType<DocumentAnalyzedParams>(method);
}

/** Scheme of the virtual text dissection documents; the server answers hovers and symbols for it too. */
export const DISSECTION_SCHEME = 'handshake-dissection';
/** Language of text dumps (tcpdump -X / -xx, tshark -x, text2pcap input). */
export const CAPTURE_TEXT_LANGUAGE = 'capture-text';
/** Language of the dissection documents. */
export const DISSECTION_LANGUAGE = 'handshake-dissection';

/** Commands the server's code lenses invoke; the extension implements them. Arguments: [uri, connection id]. */
export const LensCommand = {
  openTimeline: 'handshakeInspector.openTimeline',
  compareWith: 'handshakeInspector.compareWith',
  exportReport: 'handshakeInspector.exportReport',
} as const;

/** Settings the server reads (`workspace/configuration` section `handshakeInspector`). */
export interface ServerSettings {
  rulesFile: string;
  ja4plus: boolean;
  timeDisplay: 'absolute' | 'relative' | 'delta';
  /** Memory budget of one analysis in MiB (the CLI's --max-memory). */
  maxMemoryMegabytes: number;
  /** NSS key log files (the CLI's --keylog), relative to the workspace folder unless absolute. */
  keyLogFiles: string[];
}

export const defaultSettings: ServerSettings = { rulesFile: '', ja4plus: false, timeDisplay: 'relative', maxMemoryMegabytes: 512, keyLogFiles: [] };

/** Progress values sent on a `workDoneToken`: the standard LSP work-done shape. */
export const WorkDoneProgressType = new ProgressType<
  { kind: 'begin'; title: string; cancellable?: boolean; message?: string; percentage?: number }
  | { kind: 'report'; cancellable?: boolean; message?: string; percentage?: number }
  | { kind: 'end'; message?: string }
>();

/** Names of the dissection URIs: the capture's URI is kept whole in the query. */
export function dissectionUri(captureUri: string): string {
  const name = captureUri.replace(/[?#].*$/, '').split('/').pop() || 'capture';
  return `${DISSECTION_SCHEME}:/${encodeURIComponent(name)}.dissection.txt?${encodeURIComponent(captureUri)}`;
}

export function captureUriOfDissection(uri: string): string | null {
  const q = uri.indexOf('?');
  if (!uri.startsWith(`${DISSECTION_SCHEME}:`) || q < 0) return null;
  try {
    return decodeURIComponent(uri.slice(q + 1));
  } catch {
    return null;
  }
}
