/**
 * The compare view: a webview panel drawing a CompareReport as a two-lane
 * ladder (client capture | relay capture). It asks the server for the
 * comparison (again with a baseline when the user picks a working
 * connection), answers byte requests for both captures and stores notes
 * through the server.
 */
import * as vscode from 'vscode';
import { assertNever } from '../../shared/assertNever';
import type { CompareReport } from '../../shared/compare';
import { CompareRequest, type CompareParams } from '../../shared/protocol';
import type { FromWebview, ToWebview, WebviewNote } from '../../shared/webviewProtocol';
import { compareWith, exportReport, openDissection } from './actions';
import { captureSource, messageOf, settings, withNotificationProgress } from './client';
import type { Ctx } from './ctx';
import { addNote, answerBytes, loadNotes, webviewHtml, webviewOptions } from './webviewHost';

export const COMPARE_VIEW_TYPE = 'handshakeInspector.compare';

const name = (u: vscode.Uri) => u.path.split('/').pop() ?? u.toString();

export function openComparePanel(ctx: Ctx, clientUri: vscode.Uri, relayUri: vscode.Uri, report: CompareReport): vscode.WebviewPanel {
  const extensionUri = ctx.extCtx.extensionUri;
  const client = ctx.client;
  const panel = vscode.window.createWebviewPanel(COMPARE_VIEW_TYPE, `${name(clientUri)} ⇄ ${name(relayUri)}`, vscode.ViewColumn.Active, {
    ...webviewOptions(extensionUri), retainContextWhenHidden: true,
  });
  panel.webview.html = webviewHtml(extensionUri, panel.webview, panel.title);
  const post = (m: ToWebview) => void panel.webview.postMessage(m);
  const uris = { client: clientUri, relay: relayUri };
  let current = report;
  let baseline: number | null = null;

  const postNotes = async () => {
    const [c, r] = await Promise.all([loadNotes(ctx.extCtx, client, clientUri, 'client'), loadNotes(ctx.extCtx, client, relayUri, 'relay')]);
    const notes: WebviewNote[] = [...c.notes, ...r.notes];
    post({ type: 'notes', notes, problems: [...c.problems, ...r.problems], savedTo: { ...c.savedTo, ...r.savedTo } });
  };
  const postReport = () => post({ type: 'compare', report: current, clientName: name(clientUri), relayName: name(relayUri), baseline });

  // Everything listened to here goes with the panel, not with the extension.
  const subs: vscode.Disposable[] = [
    vscode.workspace.onDidChangeConfiguration((e) => {
      if (e.affectsConfiguration('handshakeInspector.timeDisplay')) post({ type: 'settings', timeDisplay: settings().timeDisplay });
    }),
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
          if (await addNote(ctx.extCtx, client, uris[msg.side], msg.target, msg.text, post)) await postNotes();
          return;
        case 'baseline': {
          try {
            const params: CompareParams = { client: await captureSource(clientUri), relay: await captureSource(relayUri) };
            if (msg.connection !== null) params.baseline = String(msg.connection);
            current = await withNotificationProgress(client, 'Comparing with the baseline connection', CompareRequest.type, params);
            baseline = msg.connection;
            postReport();
          } catch (e) {
            post({ type: 'error', message: `The baseline comparison failed: ${messageOf(e)}` });
          }
          return;
        }
        case 'exportReport':
          return exportReport(ctx, clientUri, relayUri, msg.format, baseline === null ? null : String(baseline));
        case 'select':
          // Connection ids in the compare view are the client capture's.
          return openDissection(clientUri, msg.connection);
        case 'openDissection':
          return openDissection(clientUri);
        case 'compareWith':
          return compareWith(ctx, clientUri);
        case 'cancel':
          // The comparison is done before the panel opens; a baseline run has its own cancellable notification.
          return;
        case 'timeline':
        case 'detail':
          // The compare report carries every pair's connections and packets; only the capture editor asks for them.
          return;
        default:
          return assertNever(msg, 'message from the compare webview');
      }
    }),
  ];
  panel.onDidDispose(() => subs.forEach((s) => s.dispose()));
  return panel;
}
