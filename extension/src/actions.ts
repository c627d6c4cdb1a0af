/**
 * What commands, the capture editor and the compare panel do alike: open a
 * dissection, compare two captures, export a report. Each takes the Ctx;
 * nothing here reads a capture (the server does).
 */
import * as vscode from 'vscode';
import type { CompareReport, ConnectionPair } from '../../shared/compare';
import { captureBaseName } from '../../shared/captureFiles';
import { CompareRequest, dissectionUri, ExportReportRequest, type ReportFormat } from '../../shared/protocol';
import { captureSource, messageOf, withNotificationProgress } from './client';
import { openComparePanel } from './comparePanel';
import type { Ctx } from './ctx';
import { pickCapture } from './pickCapture';

/** Opens the capture's text dissection beside it; with a connection, scrolled to that connection's section. */
export async function openDissection(capture: vscode.Uri, connection?: number): Promise<void> {
  const uri = vscode.Uri.parse(dissectionUri(capture.toString()));
  const doc = await vscode.workspace.openTextDocument(uri);
  const editor = await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.Beside });
  if (connection === undefined) return;
  // Each connection's section starts with this line (server/src/lsp/dissection.ts).
  const line = doc.getText().split('\n').findIndex((l) => l.startsWith(`Connection ${connection}:`));
  if (line < 0) return;
  const at = new vscode.Range(line, 0, line, 0);
  editor.selection = new vscode.Selection(at.start, at.start);
  editor.revealRange(at, vscode.TextEditorRevealType.AtTop);
}

/** Asks for the relay's capture, then compares. */
export async function compareWith(ctx: Ctx, capture: vscode.Uri): Promise<void> {
  const other = await pickCapture(`Relay-side capture to compare with ${vscode.workspace.asRelativePath(capture)}`, capture);
  if (other) await runCompare(ctx, capture, other);
}

export async function runCompare(ctx: Ctx, clientUri: vscode.Uri, relayUri: vscode.Uri): Promise<void> {
  try {
    const params = { client: await captureSource(clientUri), relay: await captureSource(relayUri) };
    const report = await withNotificationProgress(ctx.client, 'Comparing client and relay captures', CompareRequest.type, params);
    openComparePanel(ctx, clientUri, relayUri, report);
    void vscode.window.setStatusBarMessage(verdictLine(report), 10000);
  } catch (e) {
    if (!(e instanceof vscode.CancellationError)) void vscode.window.showErrorMessage(`Comparison failed: ${messageOf(e)}`);
  }
}

const FORMATS: Array<vscode.QuickPickItem & { format: ReportFormat }> = [
  { label: 'HTML', description: 'self-contained page with the ladder diagram and hex views', format: 'html' },
  { label: 'Markdown', description: 'for issues and mailing lists', format: 'md' },
  { label: 'JSON', description: 'machine-readable, the documented report format', format: 'json' },
];

/**
 * Writes the CLI's `report` for a capture or a pair, through the server's
 * export (the same service the CLI uses: both captures' notes, checked).
 * `baseline` is what the compare view shows, so the report says the same.
 */
export async function exportReport(ctx: Ctx, clientUri: vscode.Uri, relayUri?: vscode.Uri, format?: ReportFormat, baseline?: string | null): Promise<void> {
  const pick = format ? FORMATS.find((f) => f.format === format) : await vscode.window.showQuickPick(FORMATS, { title: 'Export Annotated Report', placeHolder: 'Report format' });
  if (!pick) return;
  const defaultUri = clientUri.with({ path: `${captureBaseName(clientUri.path)}.report.${pick.format}` });
  const target = await vscode.window.showSaveDialog({ defaultUri, filters: { [pick.label]: [pick.format] }, title: 'Save report' });
  if (!target) return;
  try {
    const params = { client: await captureSource(clientUri), relay: relayUri ? await captureSource(relayUri) : null, format: pick.format, ...(baseline ? { baseline } : {}) };
    const r = await withNotificationProgress(ctx.client, 'Writing report', ExportReportRequest.type, target.scheme === 'file' ? { ...params, target: target.toString() } : params);
    if (r.text !== undefined) await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(r.text));
    if (r.problems?.length) void vscode.window.showWarningMessage(`Report written; about its notes: ${r.problems.join(' ')}`);
    const open = await vscode.window.showInformationMessage(`Report written to ${vscode.workspace.asRelativePath(target)}.`, 'Open');
    if (open) {
      if (pick.format === 'html') await vscode.env.openExternal(target);
      else await vscode.window.showTextDocument(target);
    }
  } catch (e) {
    if (!(e instanceof vscode.CancellationError)) void vscode.window.showErrorMessage(`Export failed: ${messageOf(e)}`);
  }
}

function verdictLine(r: CompareReport): string {
  if (r.pairs.length === 0) return 'No connection appears in both captures.';
  const words = (p: ConnectionPair) => `connection ${p.client}: ${p.interference.kind}${p.interference.direction ? ` (${p.interference.direction})` : ''}${p.interference.firstMissingTlsMessage ? `, first missing ${p.interference.firstMissingTlsMessage}` : ''}`;
  return `Compared ${r.pairs.length} connection(s): ${r.pairs.slice(0, 3).map(words).join('; ')}${r.pairs.length > 3 ? '; …' : ''}`;
}
