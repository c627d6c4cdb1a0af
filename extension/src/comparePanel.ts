/**
 * The compare view: a webview panel drawing a CompareReport as a two-lane
 * ladder (client capture | relay capture). It asks the server for the
 * comparison (again with a baseline when the user picks a working
 * connection), answers byte requests for both captures and stores notes
 * through the server.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import type { CompareReport } from '../../shared/compare';
import { CompareRequest, type CompareParams } from '../../shared/protocol';
import type { FromWebview, ToWebview, WebviewNote } from '../../shared/webviewProtocol';
import { captureSource, settings, withNotificationProgress } from './client';
import { addNote, answerBytes, loadNotes, webviewHtml, webviewOptions } from './webviewHost';

export const COMPARE_VIEW_TYPE = 'handshakeInspector.compare';

export interface CompareCommands {
  exportReport(client: vscode.Uri, relay: vscode.Uri, format?: 'html' | 'md' | 'json', baseline?: string | null): Promise<void>;
}

const name = (u: vscode.Uri) => u.path.split('/').pop() ?? u.toString();

export async function openComparePanel(
  context: vscode.ExtensionContext, client: LanguageClient, commands: CompareCommands,
  clientUri: vscode.Uri, relayUri: vscode.Uri, report: CompareReport,
): Promise<vscode.WebviewPanel> {
  const panel = vscode.window.createWebviewPanel(COMPARE_VIEW_TYPE, `${name(clientUri)} ⇄ ${name(relayUri)}`, vscode.ViewColumn.Active, {
    ...webviewOptions(context.extensionUri), retainContextWhenHidden: true,
  });
  panel.webview.html = webviewHtml(context.extensionUri, panel.webview, panel.title);
  const post = (m: ToWebview) => void panel.webview.postMessage(m);
  const uris = { client: clientUri, relay: relayUri };
  let current = report;
  let baseline: number | null = null;

  const postNotes = async () => {
    const [c, r] = await Promise.all([loadNotes(client, clientUri, 'client'), loadNotes(client, relayUri, 'relay')]);
    const notes: WebviewNote[] = [...c.notes, ...r.notes];
    post({ type: 'notes', notes, problems: [...c.problems, ...r.problems] });
  };
  const postReport = () => post({ type: 'compare', report: current, clientName: name(clientUri), relayName: name(relayUri), baseline });

  panel.webview.onDidReceiveMessage(async (msg: FromWebview) => {
    switch (msg.type) {
      case 'ready':
        post({ type: 'init', mode: 'compare', fileName: panel.title, uri: clientUri.toString(), timeDisplay: settings().timeDisplay, ja4plus: settings().ja4plus });
        postReport();
        await postNotes();
        return;
      case 'readBytes':
        return answerBytes(client, uris[msg.side], msg.requestId, msg.ranges, post);
      case 'annotate':
        if (await addNote(client, uris[msg.side], msg.target, msg.text, post)) await postNotes();
        return;
      case 'baseline': {
        try {
          const params: CompareParams = { client: await captureSource(clientUri), relay: await captureSource(relayUri) };
          if (msg.connection !== null) params.baseline = String(msg.connection);
          current = await withNotificationProgress(client, 'Comparing with the baseline connection', CompareRequest.type, params);
          baseline = msg.connection;
          postReport();
        } catch (e) {
          post({ type: 'error', message: `The baseline comparison failed: ${e instanceof Error ? e.message : String(e)}` });
        }
        return;
      }
      case 'exportReport':
        return commands.exportReport(clientUri, relayUri, msg.format, baseline === null ? null : String(baseline));
      default:
        return;
    }
  }, undefined, context.subscriptions);
  return panel;
}
