/**
 * The bundled sample pair, opened from a writable copy. Notes are kept next
 * to the capture (`<capture>.annotations.json`), and the extension's install
 * folder is neither the user's nor always writable (read-only installs,
 * updates that replace it): the sample is copied once into the extension's
 * global storage, and everything the user does with it (notes, edited dumps,
 * reports' default folder) happens there. Global rather than workspace
 * storage so notes on the sample are the same in every window.
 */
import * as vscode from 'vscode';

const SAMPLE = 'tor-kz-drop';
/** What the walkthrough and the commands open; README.md is the sample's own description. */
const FILES = ['client.pcap', 'relay.pcap', 'client.tcpdump-X.txt', 'relay.tcpdump-X.txt', 'README.md'] as const;

async function readOrNull(uri: vscode.Uri): Promise<Uint8Array | null> {
  try {
    return await vscode.workspace.fs.readFile(uri);
  } catch {
    return null;
  }
}

const same = (a: Uint8Array, b: Uint8Array) => a.length === b.length && a.every((x, i) => x === b[i]);

/**
 * The folder holding the writable copy, made or refreshed now. A copy whose
 * bytes differ from the installed sample (an update changed it) is replaced;
 * the notes beside it stay (their sidecar records the capture's hash, so the
 * server says when they were written for other bytes).
 */
export async function sampleFolder(extCtx: vscode.ExtensionContext): Promise<vscode.Uri> {
  const installed = vscode.Uri.joinPath(extCtx.extensionUri, 'samples', SAMPLE);
  const copy = vscode.Uri.joinPath(extCtx.globalStorageUri, 'samples', SAMPLE);
  await vscode.workspace.fs.createDirectory(copy);
  for (const f of FILES) {
    const bytes = await vscode.workspace.fs.readFile(vscode.Uri.joinPath(installed, f));
    const target = vscode.Uri.joinPath(copy, f);
    const have = await readOrNull(target);
    if (!have || !same(have, bytes)) await vscode.workspace.fs.writeFile(target, bytes);
  }
  return copy;
}
