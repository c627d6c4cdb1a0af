/**
 * What every command and view of the extension works with, in one object
 * (rust-analyzer's editors/code `Ctx` is the model): the extension context,
 * the language client and the capture editor. Commands are made from it by
 * one factory each (commands.ts) and registered here, so each is disposed
 * with the extension.
 */
import * as vscode from 'vscode';
import type { LanguageClient } from 'vscode-languageclient/node';
import { captureUriOfDissection, DISSECTION_SCHEME } from '../../shared/protocol';
import type { CaptureEditorProvider } from './captureEditor';

/** A command's implementation; VS Code passes whatever the caller (menu, code lens, palette) gives. */
export type Cmd = (...args: never[]) => unknown;

export class Ctx {
  private editorProvider: CaptureEditorProvider | null = null;

  constructor(readonly extCtx: vscode.ExtensionContext, readonly client: LanguageClient) {}

  /** The capture editor, set once it is registered (it needs the context for its own actions). */
  get editor(): CaptureEditorProvider {
    if (!this.editorProvider) throw new Error('the capture editor is not registered yet');
    return this.editorProvider;
  }

  set editor(e: CaptureEditorProvider) {
    this.editorProvider = e;
  }

  registerCommand(name: string, factory: (ctx: Ctx) => Cmd): void {
    this.push(vscode.commands.registerCommand(name, factory(this) as (...args: unknown[]) => unknown));
  }

  push(...disposables: vscode.Disposable[]): void {
    this.extCtx.subscriptions.push(...disposables);
  }

  /** The capture of the active tab: a capture editor, a text dump, or the capture a dissection was made from. */
  activeCaptureUri(): vscode.Uri | undefined {
    const tab = vscode.window.tabGroups.activeTabGroup.activeTab?.input;
    if (tab instanceof vscode.TabInputCustom || tab instanceof vscode.TabInputText) {
      const dissected = tab.uri.scheme === DISSECTION_SCHEME ? captureUriOfDissection(tab.uri.toString()) : null;
      return dissected ? vscode.Uri.parse(dissected) : tab.uri;
    }
    return vscode.window.activeTextEditor?.document.uri;
  }

  /** A command argument naming a capture (code lenses pass URI strings, menus Uris), else the active one. */
  captureArg(uri: vscode.Uri | string | undefined): vscode.Uri | undefined {
    return typeof uri === 'string' ? vscode.Uri.parse(uri) : uri ?? this.activeCaptureUri();
  }
}
