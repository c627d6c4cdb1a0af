/** The status bar item of an open text dump: connections, packets and how long its last analysis took. */
import * as vscode from 'vscode';
import { CAPTURE_TEXT_LANGUAGE, DocumentAnalyzedNotification } from '../../shared/protocol';
import type { Ctx } from './ctx';

export function registerStatusItem(ctx: Ctx): void {
  const status = vscode.window.createStatusBarItem('handshakeInspector.status', vscode.StatusBarAlignment.Right, 100);
  status.name = 'Handshake Inspector';
  const analyzedInfo = new Map<string, string>();
  const update = () => {
    const doc = vscode.window.activeTextEditor?.document;
    const info = doc && doc.languageId === CAPTURE_TEXT_LANGUAGE ? analyzedInfo.get(doc.uri.toString()) : undefined;
    if (info) {
      status.text = info;
      status.show();
    } else {
      status.hide();
    }
  };
  ctx.push(
    status,
    vscode.window.onDidChangeActiveTextEditor(update),
    ctx.client.onNotification(DocumentAnalyzedNotification.type, (p) => {
      analyzedInfo.set(p.uri, p.error
        ? '$(error) Handshake Inspector: analysis failed'
        : `$(shield) ${p.connections} TLS connection${p.connections === 1 ? '' : 's'} · ${p.packets} packets · ${p.milliseconds} ms`);
      update();
    }),
  );
  update();
}
