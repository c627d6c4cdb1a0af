/** Serves `handshake-dissection:` documents: the server renders them, and answers hovers and symbols on them. */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { captureUriOfDissection, DissectionRequest } from '../../shared/protocol';
import { captureSource, messageOf } from './client';

export class DissectionProvider implements vscode.TextDocumentContentProvider {
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
