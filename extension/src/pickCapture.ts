/** Choosing a capture: open editors first, then workspace files, then a file dialog. */
import * as vscode from 'vscode';
import { CAPTURE_DIALOG_EXTENSIONS, CAPTURE_GLOB, isCaptureFileName } from '../../shared/captureFiles';
import { CAPTURE_TEXT_LANGUAGE } from '../../shared/protocol';
import { CAPTURE_EDITOR_VIEW_TYPE } from './captureEditor';

export async function pickCapture(title: string, exclude?: vscode.Uri): Promise<vscode.Uri | undefined> {
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
      if (input instanceof vscode.TabInputText) {
        // A text file is a capture by its name, or because the user switched it to the capture-text language.
        const doc = vscode.workspace.textDocuments.find((d) => d.uri.toString() === input.uri.toString());
        if (doc?.languageId === CAPTURE_TEXT_LANGUAGE || (!doc && isCaptureFileName(input.uri.path))) add(input.uri, 'open editor');
      }
    }
  }
  const files = await vscode.workspace.findFiles(CAPTURE_GLOB, '**/node_modules/**', 200);
  files.sort((a, b) => a.path.localeCompare(b.path)).forEach((f) => add(f, 'workspace'));
  items.push({ label: '$(folder-opened) Browse…', browse: true, alwaysShow: true });
  const pick = await vscode.window.showQuickPick(items, { title, matchOnDescription: true, placeHolder: 'Pick a capture' });
  if (!pick) return undefined;
  if (!pick.browse) return pick.uri;
  const chosen = await vscode.window.showOpenDialog({ canSelectMany: false, title, filters: { Captures: [...CAPTURE_DIALOG_EXTENSIONS], 'All files': ['*'] } });
  return chosen?.[0];
}
