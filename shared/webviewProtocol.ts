/**
 * Messages between the extension and its capture webview, declared once.
 * Types only (no runtime code) so the browser bundle stays free of Node and
 * vscode imports. Every string in these messages is data from a capture or a
 * file name: the webview inserts it with textContent, never as markup.
 */
import type { ConnectionReport, InputReport, ReportDiagnostic } from './analysis';
import type { Interference, Suspect } from './compare';

export type TimeDisplay = 'absolute' | 'relative' | 'delta';
export type ExportFormat = 'html' | 'md' | 'json';

/** Per-connection verdict from one vantage point, sent once the analysis is complete. */
export interface ConnectionVerdict {
  connection: number;
  interference: Interference;
  suspects: Suspect[];
}

/** Extension → webview. */
export type ToWebview =
  | { type: 'init'; fileName: string; uri: string; timeDisplay: TimeDisplay; ja4plus: boolean }
  /** Progress of the read, 0–100 (or null when unknown). */
  | { type: 'progress'; percentage: number | null; message?: string }
  /** Connections as they are decoded (`done: false`), then the complete, sorted list (`done: true`). */
  | { type: 'connections'; connections: ConnectionReport[]; done: boolean; input?: InputReport; diagnostics?: ReportDiagnostic[] }
  | { type: 'verdicts'; verdicts: ConnectionVerdict[] }
  /** Scroll to and highlight a connection (code lens, command). */
  | { type: 'select'; connection: number }
  | { type: 'settings'; timeDisplay: TimeDisplay }
  | { type: 'annotated'; connection: number; ok: boolean; message: string }
  | { type: 'error'; message: string };

/** Webview → extension. */
export type FromWebview =
  | { type: 'ready' }
  /** The user picked a connection (and maybe a message): reveal it in the text dissection. */
  | { type: 'select'; connection: number; message?: number }
  | { type: 'annotate'; connection: number; field?: string; text: string }
  | { type: 'exportReport'; format?: ExportFormat }
  | { type: 'compareWith' }
  | { type: 'openDissection' }
  | { type: 'cancel' };
