/**
 * Handshake Inspector for VS Code. Deliberately thin: the language server
 * (dist/server.js, its own process) parses and analyses everything; this
 * registers the language, the capture editor, the dissection documents and
 * the commands, and moves URIs and results between VS Code and the server.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { ConnectionPair, CompareReport } from '../../shared/compare';
import {
  CAPTURE_TEXT_LANGUAGE, CompareRequest, captureUriOfDissection, DISSECTION_SCHEME, DissectionRequest, dissectionUri, DocumentAnalyzedNotification,
  ExportReportRequest, LensCommand, type ReportFormat,
} from '../../shared/protocol';
import { CAPTURE_EDITOR_VIEW_TYPE, CaptureEditorProvider } from './captureEditor';
import { captureSource, createClient, withNotificationProgress } from './client';
import { openComparePanel } from './comparePanel';

let client: LanguageClient | undefined;

const CAPTURE_GLOB = '**/*.{pcap,pcapng,cap,pcap.gz,pcapng.gz,flow.txt,tcpdump.txt,hexdump,tcpdump-X.txt}';
const CLIENT_VIEW_KEY = 'handshakeInspector.clientView';

export const Commands = {
  inspectAsCaptureText: 'handshakeInspector.inspectAsCaptureText',
  openDissection: 'handshakeInspector.openDissection',
  compareCaptures: 'handshakeInspector.compareCaptures',
  selectClientView: 'handshakeInspector.selectClientView',
  compareWithSelectedClient: 'handshakeInspector.compareWithSelectedClient',
  exportReport: LensCommand.exportReport,
  openTimeline: LensCommand.openTimeline,
  compareWith: LensCommand.compareWith,
  openSample: 'handshakeInspector.openSample',
  openSampleDump: 'handshakeInspector.openSampleDump',
} as const;

export interface HandshakeInspectorApi {
  client: LanguageClient;
}

export async function activate(context: vscode.ExtensionContext): Promise<HandshakeInspectorApi> {
  const lc = createClient(context);
  client = lc;

  const dissections = new DissectionProvider(lc);
  const editor = new CaptureEditorProvider(context, lc, {
    openDissection: (uri) => openDissection(uri),
    compareWith: (uri) => compareWith(uri),
    exportReport: (uri, format) => exportReport(uri, undefined, format),
  });
  const status = vscode.window.createStatusBarItem('handshakeInspector.status', vscode.StatusBarAlignment.Right, 100);
  status.name = 'Handshake Inspector';
  const analyzedInfo = new Map<string, string>();
  const updateStatus = () => {
    const doc = vscode.window.activeTextEditor?.document;
    const info = doc && doc.languageId === CAPTURE_TEXT_LANGUAGE ? analyzedInfo.get(doc.uri.toString()) : undefined;
    if (info) {
      status.text = info;
      status.show();
    } else {
      status.hide();
    }
  };

  context.subscriptions.push(
    lc,
    status,
    vscode.workspace.registerTextDocumentContentProvider(DISSECTION_SCHEME, dissections),
    vscode.window.registerCustomEditorProvider(CAPTURE_EDITOR_VIEW_TYPE, editor, { supportsMultipleEditorsPerDocument: true, webviewOptions: { retainContextWhenHidden: false } }),
    vscode.window.onDidChangeActiveTextEditor(updateStatus),
    vscode.commands.registerCommand(Commands.inspectAsCaptureText, async (uri?: vscode.Uri) => {
      const doc = uri ? await vscode.workspace.openTextDocument(uri) : vscode.window.activeTextEditor?.document;
      if (!doc) return void vscode.window.showInformationMessage('Open a text dump (tcpdump -X / -xx, tshark -x) first.');
      await vscode.languages.setTextDocumentLanguage(doc, CAPTURE_TEXT_LANGUAGE);
      if (uri) await vscode.window.showTextDocument(doc);
    }),
    vscode.commands.registerCommand(Commands.openDissection, async (uri?: vscode.Uri) => {
      const target = uri ?? activeCaptureUri();
      if (!target) return void vscode.window.showInformationMessage('Open a capture (pcap, pcapng or text dump) first.');
      await openDissection(target);
    }),
    vscode.commands.registerCommand(Commands.compareCaptures, async () => {
      const clientUri = await pickCapture('Client-side capture (the censored vantage point)');
      if (!clientUri) return;
      const relayUri = await pickCapture('Relay-side capture (the server or bridge)', clientUri);
      if (!relayUri) return;
      await runCompare(clientUri, relayUri);
    }),
    vscode.commands.registerCommand(Commands.selectClientView, async (uri?: vscode.Uri) => {
      const target = uri ?? activeCaptureUri();
      if (!target) return;
      await context.workspaceState.update(CLIENT_VIEW_KEY, target.toString());
      await vscode.commands.executeCommand('setContext', 'handshakeInspector.clientViewSelected', true);
      void vscode.window.showInformationMessage(`Client view: ${vscode.workspace.asRelativePath(target)}. Now right-click the relay's capture → "Compare with Selected Client View".`);
    }),
    vscode.commands.registerCommand(Commands.compareWithSelectedClient, async (uri?: vscode.Uri) => {
      const stored = context.workspaceState.get<string>(CLIENT_VIEW_KEY);
      const relayUri = uri ?? activeCaptureUri();
      if (!stored) return void vscode.window.showInformationMessage('First choose "Select as Client View" on the client\'s capture.');
      if (!relayUri) return;
      await runCompare(vscode.Uri.parse(stored), relayUri);
    }),
    vscode.commands.registerCommand(Commands.exportReport, async (uri?: vscode.Uri | string) => {
      const target = typeof uri === 'string' ? vscode.Uri.parse(uri) : uri ?? activeCaptureUri();
      if (!target) return void vscode.window.showInformationMessage('Open a capture first.');
      await exportReport(target);
    }),
    vscode.commands.registerCommand(Commands.openTimeline, async (uri?: string | vscode.Uri, connection?: number) => {
      const target = typeof uri === 'string' ? vscode.Uri.parse(uri) : uri ?? activeCaptureUri();
      if (!target) return;
      // The capture editor is the timeline view; it also opens text dumps.
      await vscode.commands.executeCommand('vscode.openWith', target, CAPTURE_EDITOR_VIEW_TYPE, { viewColumn: vscode.ViewColumn.Beside, preview: false });
      if (typeof connection === 'number') setTimeout(() => editor.select(target, connection), 500);
    }),
    vscode.commands.registerCommand(Commands.compareWith, async (uri?: string | vscode.Uri) => {
      const target = typeof uri === 'string' ? vscode.Uri.parse(uri) : uri ?? activeCaptureUri();
      if (target) await compareWith(target);
    }),
    vscode.commands.registerCommand(Commands.openSample, async () => {
      const dir = vscode.Uri.joinPath(context.extensionUri, 'samples', 'tor-kz-drop');
      await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.joinPath(dir, 'client.pcap'), CAPTURE_EDITOR_VIEW_TYPE);
      await vscode.commands.executeCommand('vscode.openWith', vscode.Uri.joinPath(dir, 'relay.pcap'), CAPTURE_EDITOR_VIEW_TYPE, vscode.ViewColumn.Beside);
    }),
    vscode.commands.registerCommand(Commands.openSampleDump, async () => {
      const doc = await vscode.workspace.openTextDocument(vscode.Uri.joinPath(context.extensionUri, 'samples', 'tor-kz-drop', 'relay.tcpdump-X.txt'));
      await vscode.window.showTextDocument(await vscode.languages.setTextDocumentLanguage(doc, CAPTURE_TEXT_LANGUAGE));
    }),
  );

  await lc.start();
  context.subscriptions.push(lc.onNotification(DocumentAnalyzedNotification.type, (p) => {
    analyzedInfo.set(p.uri, p.error
      ? '$(error) Handshake Inspector: analysis failed'
      : `$(shield) ${p.connections} TLS connection${p.connections === 1 ? '' : 's'} · ${p.packets} packets · ${p.milliseconds} ms`);
    updateStatus();
  }));
  updateStatus();
  return { client: lc };

  function activeCaptureUri(): vscode.Uri | undefined {
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    if (tab instanceof vscode.TabInputCustom || tab instanceof vscode.TabInputText) {
      const dissected = tab.uri.scheme === DISSECTION_SCHEME ? captureUriOfDissection(tab.uri.toString()) : null;
      return dissected ? vscode.Uri.parse(dissected) : tab.uri;
    }
    return vscode.window.activeTextEditor?.document.uri;
  }

  async function openDissection(capture: vscode.Uri): Promise<void> {
    const uri = vscode.Uri.parse(dissectionUri(capture.toString()));
    const doc = await vscode.workspace.openTextDocument(uri);
    await vscode.window.showTextDocument(doc, { preview: false, viewColumn: vscode.ViewColumn.Beside });
  }

  async function compareWith(capture: vscode.Uri): Promise<void> {
    const other = await pickCapture(`Relay-side capture to compare with ${vscode.workspace.asRelativePath(capture)}`, capture);
    if (other) await runCompare(capture, other);
  }

  async function runCompare(clientUri: vscode.Uri, relayUri: vscode.Uri): Promise<void> {
    try {
      const params = { client: await captureSource(clientUri), relay: await captureSource(relayUri) };
      const report = await withNotificationProgress(lc, 'Comparing client and relay captures', CompareRequest.type, params);
      await openComparePanel(context, lc, { exportReport: (c, r, format, baseline) => exportReport(c, r, format, baseline) }, clientUri, relayUri, report);
      void vscode.window.setStatusBarMessage(verdictLine(report), 10000);
    } catch (e) {
      if (!(e instanceof vscode.CancellationError)) void vscode.window.showErrorMessage(`Comparison failed: ${messageOf(e)}`);
    }
  }

  async function exportReport(clientUri: vscode.Uri, relayUri?: vscode.Uri, format?: ReportFormat, baseline?: string | null): Promise<void> {
    const formats: Array<vscode.QuickPickItem & { format: ReportFormat }> = [
      { label: 'HTML', description: 'self-contained page with the ladder diagram and hex views', format: 'html' },
      { label: 'Markdown', description: 'for issues and mailing lists', format: 'md' },
      { label: 'JSON', description: 'machine-readable, the documented report format', format: 'json' },
    ];
    const pick = format ? formats.find((f) => f.format === format) : await vscode.window.showQuickPick(formats, { title: 'Export Annotated Report', placeHolder: 'Report format' });
    if (!pick) return;
    const base = clientUri.path.replace(/\.(pcapng|pcap|cap)(\.gz)?$|\.txt$|\.hexdump$/i, '');
    const ext = pick.format === 'md' ? 'md' : pick.format;
    const defaultUri = clientUri.with({ path: `${base}.report.${ext}` });
    const target = await vscode.window.showSaveDialog({ defaultUri, filters: { [pick.label]: [ext] }, title: 'Save report' });
    if (!target) return;
    try {
      // The report shows what the view shows: with the baseline the user picked there.
      const params = { client: await captureSource(clientUri), relay: relayUri ? await captureSource(relayUri) : null, format: pick.format, ...(baseline ? { baseline } : {}) };
      const r = await withNotificationProgress(lc, 'Writing report', ExportReportRequest.type, target.scheme === 'file' ? { ...params, target: target.toString() } : params);
      if (r.text !== undefined) await vscode.workspace.fs.writeFile(target, new TextEncoder().encode(r.text));
      const open = await vscode.window.showInformationMessage(`Report written to ${vscode.workspace.asRelativePath(target)}.`, 'Open');
      if (open) {
        if (pick.format === 'html') await vscode.env.openExternal(target);
        else await vscode.window.showTextDocument(target);
      }
    } catch (e) {
      if (!(e instanceof vscode.CancellationError)) void vscode.window.showErrorMessage(`Export failed: ${messageOf(e)}`);
    }
  }
}

export async function deactivate(): Promise<void> {
  await client?.stop();
  client = undefined;
}

function messageOf(e: unknown): string {
  return e instanceof Error ? e.message : String(e);
}

function verdictLine(r: CompareReport): string {
  if (r.pairs.length === 0) return 'No connection appears in both captures.';
  const words = (p: ConnectionPair) => `connection ${p.client}: ${p.interference.kind}${p.interference.direction ? ` (${p.interference.direction})` : ''}${p.interference.firstMissingTlsMessage ? `, first missing ${p.interference.firstMissingTlsMessage}` : ''}`;
  return `Compared ${r.pairs.length} connection(s): ${r.pairs.slice(0, 3).map(words).join('; ')}${r.pairs.length > 3 ? '; …' : ''}`;
}

/** Quick pick of captures: open editors first, then workspace files, then a file dialog. */
async function pickCapture(title: string, exclude?: vscode.Uri): Promise<vscode.Uri | undefined> {
  type Item = vscode.QuickPickItem & { uri?: vscode.Uri; browse?: boolean };
  const seen = new Set<string>(exclude ? [exclude.toString()] : []);
  const items: Item[] = [];
  const add = (uri: vscode.Uri, detail: string) => {
    if (seen.has(uri.toString())) return;
    seen.add(uri.toString());
    items.push({ label: uri.path.split('/').pop() ?? uri.toString(), description: vscode.workspace.asRelativePath(uri, false), detail, uri });
  };
  for (const g of vscode.window.tabGroups.all) {
    for (const t of g.tabs) {
      const input = t.input;
      if (input instanceof vscode.TabInputCustom && input.viewType === CAPTURE_EDITOR_VIEW_TYPE) add(input.uri, 'open editor');
      if (input instanceof vscode.TabInputText && /\.(pcap|pcapng|cap|gz|txt|hexdump)$/i.test(input.uri.path)) {
        const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === input.uri.toString());
        if (!doc || doc.languageId === CAPTURE_TEXT_LANGUAGE) add(input.uri, 'open editor');
      }
    }
  }
  const files = await vscode.workspace.findFiles(CAPTURE_GLOB, '**/node_modules/**', 200);
  files.sort((a, b) => a.path.localeCompare(b.path)).forEach((f) => add(f, 'workspace'));
  items.push({ label: '$(folder-opened) Browse…', browse: true, alwaysShow: true });
  const pick = await vscode.window.showQuickPick(items, { title, matchOnDescription: true, placeHolder: 'Pick a capture' });
  if (!pick) return undefined;
  if (!pick.browse) return pick.uri;
  const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, title, filters: { Captures: ['pcap', 'pcapng', 'cap', 'gz', 'txt', 'hexdump'], 'All files': ['*'] } });
  return chosen?.[0];
}

/** Serves `handshake-dissection:` documents: the server renders them, and answers hovers and symbols on them. */
class DissectionProvider implements vscode.TextDocumentContentProvider {
  constructor(private readonly lc: LanguageClient) {}

  async provideTextDocumentContent(uri: vscode.Uri, token: vscode.CancellationToken): Promise<string> {
    const capture = captureUriOfDissection(uri.toString());
    if (!capture) return `Not a dissection URI: ${uri.toString()}`;
    try {
      const source = await captureSource(vscode.Uri.parse(capture));
      const r = await vscode.window.withProgress({ location: vscode.ProgressLocation.Window, title: 'Dissecting' }, () => this.lc.sendRequest(DissectionRequest.type, source, token));
      return r.text;
    } catch (e) {
      return `The dissection failed: ${messageOf(e)}`;
    }
  }
}
