/**
 * Messages between the extension and its webviews (the capture editor and the
 * compare panel), declared once. No imports but types, so the browser bundle
 * stays free of Node and vscode code. Every string in these
 * messages is data from a capture or a file name: the webview inserts it with
 * textContent, never as markup.
 */
import type { ConnectionReport, InputReport, PacketReport, ReportDiagnostic, SourceLocation } from './analysis';
import type { CompareReport, Interference, RuleTexts, Suspect } from './compare';
import type { ConnectionRow } from './connectionRow';
import type { NoteTarget, ReportFormat } from './protocol';

export type { NoteTarget };

export type TimeDisplay = 'absolute' | 'relative' | 'delta';
export type ExportFormat = ReportFormat;

/** Which capture of a comparison (a single capture is the client one). */
export type CaptureSide = 'client' | 'relay';

/** Per-connection verdict from one vantage point, sent once the analysis is complete. */
export interface ConnectionVerdict {
  connection: number;
  interference: Interference;
  suspects: Suspect[];
}

/** A note from a capture's `.annotations.json` sidecar. */
export interface WebviewNote {
  id: string;
  side: CaptureSide;
  target: NoteTarget;
  text: string;
  author?: string;
  created: string;
}

/**
 * Bytes of a capture at some SourceLocations, concatenated in order.
 * `positions` is set for text dumps: the line and column of each byte's first
 * hex digit, so field locations (line/column ranges) can be matched to bytes.
 */
export interface BytesPayload {
  /** Structured clone carries bytes as they are: no base64 between the extension and the webview. */
  bytes: Uint8Array;
  positions: Array<[line: number, column: number]> | null;
  /** Fewer bytes than asked for (the file ended, or the request was above the limit). */
  truncated: boolean;
}

/** Extension → webview. */
export type ToWebview =
  | { type: 'init'; mode: 'capture' | 'compare'; fileName: string; uri: string; timeDisplay: TimeDisplay; ja4plus: boolean }
  /** Progress of the read, 0–100 (or null when unknown). */
  | { type: 'progress'; percentage: number | null; message?: string }
  /**
   * Connections as they are decoded (`done: false`), then the complete list
   * (`done: true`). `streamed`
   * on the last one: the connections sent before stay, these are the ones
   * the stream did not carry (a large capture is not sent twice).
   */
  | { type: 'connections'; connections: ConnectionReport[]; done: boolean; streamed?: boolean; input?: InputReport; diagnostics?: ReportDiagnostic[] }
  /**
   * The capture editor's list: each connection's row only (a large capture's
   * connections in full are tens of MB), as `connections` otherwise; the
   * webview asks for a connection in full (`detail`) when it shows one.
   */
  | { type: 'rows'; rows: ConnectionRow[]; done: boolean; streamed?: boolean; input?: InputReport; diagnostics?: ReportDiagnostic[] }
  /** Answer to `detail`: the connection in full with its packet timeline (null: the server has no such connection any more). */
  | { type: 'detail'; connection: number; report: ConnectionReport | null }
  | { type: 'verdicts'; verdicts: ConnectionVerdict[]; rules: RuleTexts }
  /** The compare panel's content; sent again after a baseline is picked. `baseline` is the client connection id diffed against. */
  | { type: 'compare'; report: CompareReport; clientName: string; relayName: string; baseline: number | null }
  /** Scroll to and highlight a connection (code lens, command). */
  | { type: 'select'; connection: number }
  | { type: 'settings'; timeDisplay: TimeDisplay }
  /** Every note of the capture(s) shown, replacing what the webview had. */
  /** `savedTo`: where each side's notes are kept (the sidecar file, as the user should read it), shown in the notes tab. */
  | { type: 'notes'; notes: WebviewNote[]; problems: string[]; savedTo: Partial<Record<CaptureSide, string>> }
  /** Answer to `readBytes`; `bytes` null when the capture has no plain bytes there (compressed stream not readable, file gone …). */
  | { type: 'bytes'; requestId: number; bytes: BytesPayload | null; error?: string }
  | { type: 'annotated'; ok: boolean; message: string; note?: WebviewNote }
  /** Answer to `timeline`: a connection's packets (null: the server has no such connection any more). */
  | { type: 'timeline'; connection: number; packets: PacketReport[] | null }
  /** The user's Cancel stopped the decode: the connections sent so far are all there will be. */
  | { type: 'cancelled' }
  | { type: 'error'; message: string };

/** Webview → extension. */
export type FromWebview =
  | { type: 'ready' }
  /** The user picked a connection (and maybe a message): reveal it in the text dissection. */
  | { type: 'select'; connection: number; message?: number }
  /** Read capture bytes for the hex pane; at most 64 KiB are returned. */
  | { type: 'readBytes'; requestId: number; side: CaptureSide; ranges: SourceLocation[] }
  | { type: 'annotate'; side: CaptureSide; target: NoteTarget; text: string }
  /** Compare view: diff the blocked handshake against this working client connection (null: no baseline). */
  | { type: 'baseline'; connection: number | null }
  | { type: 'exportReport'; format?: ExportFormat }
  | { type: 'compareWith' }
  | { type: 'openDissection' }
  /** Capture editor: the packet timeline of the connection shown (connections arrive without theirs). */
  | { type: 'timeline'; connection: number }
  /** Capture editor: the connection shown in full (the list has only its row); `timeline`: with its packet timeline, when the first answer came without. */
  | { type: 'detail'; connection: number; timeline?: boolean }
  | { type: 'cancel' };

